//! The validation report of ETSI TS 119 102-2 (v1.4.1) in XML: what archives,
//! courts and other validators read.
//!
//! One `SignatureValidationReport` per signature: its identifier, every
//! constraint of the detailed report (as `ValidationConstraint`s, identified
//! `urn:kyso:constraint:{block}:{code}`), the validation time and best
//! signature time, the claimed signing time, the signer, the validation
//! process, and the status with the certificate chain; the certificates are
//! listed once as validation objects, by their SHA-256 digest.
//!
//! ```text
//! <ValidationReport xmlns="http://uri.etsi.org/19102/v1.4.1#">
//!   <SignatureValidationReport> … <SignatureValidationStatus> …
//!   <SignatureValidationObjects> <ValidationObject id="C-…"> …
//! ```

use std::fmt::Write as _;

use base64::Engine;

use super::{ConstraintStatus, Indication, SignatureReport, ValidationReport};

const NS: &str = "http://uri.etsi.org/19102/v1.4.1#";
const NS_DS: &str = "http://www.w3.org/2000/09/xmldsig#";
const NS_XADES: &str = "http://uri.etsi.org/01903/v1.3.2#";
const SHA256_URI: &str = "http://www.w3.org/2001/04/xmlenc#sha256";

impl ValidationReport {
    /// The report as an ETSI TS 119 102-2 XML document.
    ///
    /// ```
    /// use kyso_core::{cms, TrustAnchors, policy::CryptoPolicy};
    /// let anchors = TrustAnchors::bundled();
    /// let now = kyso_core::time::from_unix(1_764_000_000).unwrap();
    /// let report = cms::verify(b"garbage", &cms::VerifyOptions {
    ///     trust_anchors: &anchors, now, content: None, extra_certificates: &[],
    ///     policy: CryptoPolicy::etsi_default(), revocation: &[],
    /// });
    /// let xml = report.to_etsi_xml();
    /// assert!(xml.contains("urn:etsi:019102:mainindication:total-failed"));
    /// assert!(xml.contains("urn:etsi:019102:subindication:FORMAT_FAILURE"));
    /// ```
    pub fn to_etsi_xml(&self) -> String {
        let mut x = String::new();
        x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            x,
            "<ValidationReport xmlns=\"{NS}\" xmlns:ds=\"{NS_DS}\" xmlns:XAdES=\"{NS_XADES}\">"
        );
        let mut objects: Vec<(String, String)> = Vec::new();
        let mut object_id = |sha256: &str| {
            let id = format!("C-{}", &sha256[..sha256.len().min(16)]);
            if !objects.iter().any(|(i, _)| *i == id) {
                objects.push((id.clone(), sha256.to_string()));
            }
            id
        };
        // A report without signatures still needs one SignatureValidationReport.
        let empty;
        let signatures: &[SignatureReport] = if self.signatures.is_empty() {
            empty = [SignatureReport::empty_failed()];
            &empty
        } else {
            &self.signatures
        };
        for (i, s) in signatures.iter().enumerate() {
            x.push_str("  <SignatureValidationReport>\n");
            let _ = writeln!(
                x,
                "    <SignatureIdentifier id=\"S-{}\"><HashOnly>false</HashOnly><DocHashOnly>false</DocHashOnly></SignatureIdentifier>",
                i + 1
            );
            let constraints: Vec<_> = s
                .validation
                .iter()
                .flat_map(|b| b.constraints.iter().map(move |c| (b.block, c)))
                .collect();
            if !constraints.is_empty() {
                x.push_str("    <ValidationConstraintsEvaluationReport>\n");
                for (block, c) in constraints {
                    let main = match c.status {
                        ConstraintStatus::Ok | ConstraintStatus::Warning => "passed",
                        ConstraintStatus::NotOk => "failed",
                    };
                    let _ = writeln!(
                        x,
                        "      <ValidationConstraint><ValidationConstraintIdentifier>urn:kyso:constraint:{}:{}</ValidationConstraintIdentifier><ConstraintStatus><Status>urn:etsi:019102:constraintStatus:applied</Status></ConstraintStatus><ValidationStatus><MainIndication>urn:etsi:019102:mainindication:{main}</MainIndication></ValidationStatus></ValidationConstraint>",
                        block.code(),
                        escape(&c.code)
                    );
                }
                x.push_str("    </ValidationConstraintsEvaluationReport>\n");
            }
            let (best, proof) = match &s.proven_signing_time {
                Some(t) => (t.as_str(), "urn:etsi:019102:poetype:validation"),
                None => (
                    self.validation_time.as_str(),
                    "urn:etsi:019102:poetype:validation",
                ),
            };
            let _ = writeln!(
                x,
                "    <ValidationTimeInfo><ValidationTime>{}</ValidationTime><BestSignatureTime><POETime>{}</POETime><TypeOfProof>{proof}</TypeOfProof></BestSignatureTime></ValidationTimeInfo>",
                escape(&self.validation_time),
                escape(best)
            );
            if let Some(t) = &s.claimed_signing_time {
                let _ = writeln!(
                    x,
                    "    <SignatureAttributes><SigningTime Signed=\"true\"><Time>{}</Time></SigningTime></SignatureAttributes>",
                    escape(t)
                );
            }
            if let Some(signer) = &s.signer {
                let id = object_id(&signer.sha256);
                let _ = writeln!(
                    x,
                    "    <SignerInformation><SignerCertificate VOReference=\"{id}\"/><Signer>{}</Signer></SignerInformation>",
                    escape(&signer.subject)
                );
            }
            x.push_str("    <SignatureValidationProcess><SignatureValidationProcessID>urn:etsi:019102:validationprocess:Basic</SignatureValidationProcessID></SignatureValidationProcess>\n");
            let main = match s.indication {
                Indication::TotalPassed => "total-passed",
                Indication::TotalFailed => "total-failed",
                Indication::Indeterminate => "indeterminate",
            };
            let _ = write!(
                x,
                "    <SignatureValidationStatus><MainIndication>urn:etsi:019102:mainindication:{main}</MainIndication>"
            );
            if let Some(sub) = s.sub_indication {
                let _ = write!(
                    x,
                    "<SubIndication>urn:etsi:019102:subindication:{}</SubIndication>",
                    sub.code()
                );
            }
            if let Some((first, rest)) = s.chain.split_first() {
                let _ = write!(
                    x,
                    "<AssociatedValidationReportData><CertificateChain><SigningCertificate VOReference=\"{}\"/>",
                    object_id(&first.sha256)
                );
                if let Some((anchor, middle)) = rest.split_last() {
                    for c in middle {
                        let _ = write!(
                            x,
                            "<IntermediateCertificate VOReference=\"{}\"/>",
                            object_id(&c.sha256)
                        );
                    }
                    let _ = write!(
                        x,
                        "<TrustAnchor VOReference=\"{}\"/>",
                        object_id(&anchor.sha256)
                    );
                }
                x.push_str("</CertificateChain></AssociatedValidationReportData>");
            }
            x.push_str("</SignatureValidationStatus>\n");
            x.push_str("  </SignatureValidationReport>\n");
        }
        if !objects.is_empty() {
            x.push_str("  <SignatureValidationObjects>\n");
            for (id, sha256) in &objects {
                let digest = hex_to_base64(sha256);
                let _ = writeln!(
                    x,
                    "    <ValidationObject id=\"{id}\"><ObjectType>urn:etsi:019102:validationObject:certificate</ObjectType><ValidationObjectRepresentation><DigestAlgAndValue><ds:DigestMethod Algorithm=\"{SHA256_URI}\"/><ds:DigestValue>{digest}</ds:DigestValue></DigestAlgAndValue></ValidationObjectRepresentation></ValidationObject>"
                );
            }
            x.push_str("  </SignatureValidationObjects>\n");
        }
        x.push_str("</ValidationReport>\n");
        x
    }
}

impl SignatureReport {
    fn empty_failed() -> Self {
        let mut r = SignatureReport::empty();
        r.indication = Indication::TotalFailed;
        r.sub_indication = Some(super::SubIndication::FormatFailure);
        r
    }
}

fn hex_to_base64(hex: &str) -> String {
    let bytes: Vec<u8> = hex
        .as_bytes()
        .chunks(2)
        .filter_map(|p| u8::from_str_radix(std::str::from_utf8(p).ok()?, 16).ok())
        .collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// XML character escaping for text and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(
            escape("CN=A&B <x> \"q\"\u{1}"),
            "CN=A&amp;B &lt;x&gt; &quot;q&quot;\u{FFFD}"
        );
    }
}
