//! CAdES in the page: prepare the signed attributes, let the agent sign them,
//! finish the SignedData; verify signatures against trust anchors.

use wasm_bindgen::prelude::*;

use kyso_core::cms::{self, CadesParams, Content, PreparedSignature, SignedDataView};
use kyso_core::signature_scheme::parse_algorithm_name;
use kyso_core::{time, Certificate, DigestAlgorithm, SignatureScheme, TrustAnchors};

use crate::error;
use crate::hash::{algorithm, hash_algorithm};
use kyso_core::digest::HashAlgorithm;
use kyso_core::policy::CryptoPolicy;

/// A CAdES signature waiting for its signature value.
#[wasm_bindgen]
pub struct PreparedCms {
    inner: Option<PreparedSignature>,
}

/// Prepares a CAdES-B-B signature.
///
/// - `certificate`: the signer's DER certificate (from the agent's Cert).
/// - `chain`: issuer certificates, DER, concatenated (each is self-delimiting).
/// - `digest_algorithm`: "SHA-256" | "SHA-384" | "SHA-512".
/// - `content_digest`: the content's digest (detached), or `undefined` when
///   `attached_content` is given.
/// - `signing_time_ms`: `Date.now()` to include a signing-time attribute,
///   `undefined` to leave it out.
#[wasm_bindgen(js_name = prepareCms)]
pub fn prepare_cms(
    certificate: &[u8],
    chain: &[u8],
    digest_algorithm: &str,
    content_digest: Option<Vec<u8>>,
    attached_content: Option<Vec<u8>>,
    signing_time_ms: Option<f64>,
) -> Result<PreparedCms, JsValue> {
    let digest = algorithm(digest_algorithm)?;
    let signer = Certificate::from_der(certificate).map_err(error::to_js)?;
    let chain = split_certificates(chain)?;
    let content = match (content_digest, attached_content) {
        (_, Some(data)) => Content::Attached(data),
        (Some(d), None) => Content::Detached { digest: d },
        (None, None) => return Err(error::bad_input("give the content or its digest")),
    };
    let signing_time = signing_time_ms.map(page_time).transpose()?;
    let inner = PreparedSignature::new(CadesParams {
        signer,
        chain,
        digest,
        content,
        signing_time,
    })
    .map_err(error::to_js)?;
    Ok(PreparedCms { inner: Some(inner) })
}

#[wasm_bindgen]
impl PreparedCms {
    /// The DER the agent signs (`signedAttributes` of `POST /v1/sign`).
    #[wasm_bindgen(js_name = signedAttributes)]
    pub fn signed_attributes(&self) -> Result<Vec<u8>, JsValue> {
        Ok(self.prepared()?.signed_attributes().to_vec())
    }

    /// Embeds the agent's `signature` (its `signatureAlgorithm` names the
    /// scheme) and returns the `.p7s` DER. The value is checked against the
    /// certificate first. The prepared signature cannot be used afterwards.
    pub fn finish(
        &mut self,
        signature: &[u8],
        signature_algorithm: &str,
    ) -> Result<Vec<u8>, JsValue> {
        let scheme = agent_scheme(signature_algorithm, self.prepared()?.digest_algorithm())?;
        take_once(&mut self.inner)?
            .finish(signature, scheme)
            .map_err(error::to_js)
    }

    fn prepared(&self) -> Result<&PreparedSignature, JsValue> {
        self.inner
            .as_ref()
            .ok_or_else(|| error::bad_input("signature already finished"))
    }
}

/// The scheme the agent's `signatureAlgorithm` names; it must use the digest
/// the signature was prepared with.
pub(crate) fn agent_scheme(
    signature_algorithm: &str,
    prepared_digest: DigestAlgorithm,
) -> Result<SignatureScheme, JsValue> {
    let (scheme, digest) = parse_algorithm_name(signature_algorithm)
        .ok_or_else(|| error::bad_input("unknown signatureAlgorithm"))?;
    if digest != prepared_digest {
        return Err(error::bad_input(
            "the signature's digest differs from the prepared one",
        ));
    }
    Ok(scheme)
}

/// A prepared signature is finished once.
pub(crate) fn take_once<T>(slot: &mut Option<T>) -> Result<T, JsValue> {
    slot.take()
        .ok_or_else(|| error::bad_input("signature already finished"))
}

/// Verifies a CMS signature (`.p7s`, DER or BER); returns the validation
/// report as JSON. `content`: the signed file (empty for an attached
/// signature); `anchors_pem`: extra trust anchors as PEM (empty: only the
/// bundled Vietnamese roots); `now_ms`: the page's clock; `online_ocsp`,
/// `online_crls`: answers fetched for this verification (the agent's
/// `/v1/revocation`), each concatenated DER, or `undefined`.
#[wasm_bindgen(js_name = verifyCms)]
pub fn verify_cms(
    signature: &[u8],
    content: &[u8],
    anchors_pem: &str,
    now_ms: f64,
    online_ocsp: Option<Vec<u8>>,
    online_crls: Option<Vec<u8>>,
) -> Result<String, JsValue> {
    let anchors = anchors(anchors_pem)?;
    let online = crate::online::online(online_ocsp, online_crls)?;
    let report = cms::verify(
        signature,
        &cms::VerifyOptions {
            trust_anchors: &anchors,
            now: page_time(now_ms)?,
            content: (!content.is_empty()).then_some(content),
            extra_certificates: &[],
            policy: CryptoPolicy::etsi_default(),
            revocation: &online,
        },
    );
    serde_json::to_string(&report).map_err(|e| error::internal(&e.to_string()))
}

/// The digest algorithms a signature's signers use, so the page can hash a
/// large detached file once, in a stream, with the right one.
#[wasm_bindgen(js_name = cmsDigestAlgorithms)]
pub fn cms_digest_algorithms(signature: &[u8]) -> Result<Vec<String>, JsValue> {
    let view = SignedDataView::parse(signature).map_err(error::to_js)?;
    let mut names: Vec<String> = view
        .signers
        .iter()
        .filter_map(|s| HashAlgorithm::from_oid(&s.info.digest_alg.oid).ok())
        .map(|a| a.name().to_string())
        .collect();
    names.dedup();
    Ok(names)
}

/// Like [`verify_cms`] for a detached signature whose content was hashed
/// elsewhere with `digest_algorithm`.
#[wasm_bindgen(js_name = verifyCmsDigest)]
pub fn verify_cms_digest(
    signature: &[u8],
    digest_algorithm: &str,
    content_digest: &[u8],
    anchors_pem: &str,
    now_ms: f64,
    online_ocsp: Option<Vec<u8>>,
    online_crls: Option<Vec<u8>>,
) -> Result<String, JsValue> {
    let alg = hash_algorithm(digest_algorithm)?;
    let anchors = anchors(anchors_pem)?;
    let online = crate::online::online(online_ocsp, online_crls)?;
    let options = cms::VerifyOptions {
        trust_anchors: &anchors,
        now: page_time(now_ms)?,
        content: None,
        extra_certificates: &[],
        policy: CryptoPolicy::etsi_default(),
        revocation: &online,
    };
    let report = match SignedDataView::parse(signature) {
        Ok(view) => {
            let digest_of = |a: HashAlgorithm| (a == alg).then(|| content_digest.to_vec());
            let signatures = view
                .signers
                .iter()
                .map(|s| cms::verify_signer_with_digest(&view, s, &digest_of, &options))
                .collect();
            kyso_core::ValidationReport::from_signatures("CMS", options.now, signatures)
        }
        // Same answer as verifyCms for unparsable input.
        Err(_) => cms::verify(signature, &options),
    };
    serde_json::to_string(&report).map_err(|e| error::internal(&e.to_string()))
}

pub(crate) fn anchors(pem: &str) -> Result<TrustAnchors, JsValue> {
    let mut anchors = TrustAnchors::bundled();
    if !pem.trim().is_empty() {
        anchors.add_encoded(pem.as_bytes()).map_err(error::to_js)?;
    }
    Ok(anchors)
}

pub(crate) fn page_time(ms: f64) -> Result<time::DateTime, JsValue> {
    if !ms.is_finite() || ms < 0.0 {
        return Err(error::bad_input("time"));
    }
    time::from_unix((ms / 1000.0) as u64).map_err(error::to_js)
}

pub(crate) fn split_certificates(der: &[u8]) -> Result<Vec<Certificate>, JsValue> {
    crate::online::split(der)?
        .iter()
        .map(|c| Certificate::from_der(c).map_err(error::to_js))
        .collect()
}
