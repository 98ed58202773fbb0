//! The page's half of a signature, done with kyso-core as the wasm module
//! will: prepare signed attributes, let the agent sign, finish the CMS.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use kyso_core::cms::{CadesParams, Content, PreparedSignature};
use kyso_core::signature_scheme::parse_algorithm_name;
use kyso_core::{Certificate, DigestAlgorithm};

use crate::Fixture;

/// Signed attributes over `content` for `signer`'s certificate.
pub fn prepare(fx: &Fixture, signer: &str, content: &[u8]) -> PreparedSignature {
    let pem = std::fs::read(&fx.manifest.signer(signer).cert_pem).unwrap();
    let cert = Certificate::from_pem(&pem).unwrap();
    let inter =
        Certificate::from_pem(&std::fs::read(&fx.manifest.intermediate_pem).unwrap()).unwrap();
    PreparedSignature::new(CadesParams {
        signer: cert,
        chain: vec![inter],
        digest: DigestAlgorithm::Sha256,
        content: Content::Detached {
            digest: DigestAlgorithm::Sha256.digest(content),
        },
        // What the SDK does: the page's clock as signing-time (CAdES B-B).
        signing_time: Some(kyso_core::time::from_system(std::time::SystemTime::now())),
    })
    .unwrap()
}

/// The base64 signed attributes, as the SDK sends them.
pub fn signed_attributes(fx: &Fixture, signer: &str, content: &[u8]) -> String {
    B64.encode(prepare(fx, signer, content).signed_attributes())
}

/// Finishes a prepared signature with the agent's `signature` and
/// `signatureAlgorithm` fields.
pub fn finish(prepared: PreparedSignature, signature_b64: &str, algorithm: &str) -> Vec<u8> {
    let (scheme, _) = parse_algorithm_name(algorithm).expect("known algorithm");
    prepared
        .finish(&B64.decode(signature_b64).unwrap(), scheme)
        .expect("the agent's signature fits")
}
