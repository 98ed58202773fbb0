//! What a provisioning run made, written as `manifest.json` beside the token.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Everything a test needs to use what was provisioned: the module, the
/// PIN, the test PKI and each token and signer.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// The PKCS#11 module to load.
    pub module: PathBuf,
    /// The value for `SOFTHSM2_CONF`.
    pub softhsm2_conf: PathBuf,
    /// The user PIN of every token.
    pub pin: String,
    /// The test root certificate, PEM: the trust anchor of the tests.
    pub root_pem: PathBuf,
    /// The intermediate CA certificate, PEM: what signers pass as `chain`.
    pub intermediate_pem: PathBuf,
    /// Every token initialised.
    pub tokens: Vec<TokenEntry>,
    /// Every signer, on a token or in software.
    pub signers: Vec<SignerEntry>,
    /// The long-term-signature infrastructure (set `ltv` only): TSA, OCSP
    /// responder, CRLs and CA keys, served by [`crate::ltv::Responders`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ltv: Option<LtvEntry>,
}

/// What the `ltv` set adds: where its responders listen, the URLs its
/// certificates point at, and the keys and CA databases the responders use.
/// Every URL is on 127.0.0.1.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LtvEntry {
    /// `http://127.0.0.1:PORT`: the HTTP front (TSA, CRLs, CA certificates).
    pub base_url: String,
    /// `{base_url}/tsa`: RFC 3161 over HTTP.
    pub tsa_url: String,
    /// `http://127.0.0.1:PORT2`: the OCSP responder (RFC 6960, POST or GET).
    pub ocsp_url: String,
    /// `{base_url}/crl/root.crl`: the root's CRL (DER), covering the intermediate.
    pub root_crl_url: String,
    /// `{base_url}/crl/intermediate.crl`: the intermediate's CRL (DER), covering
    /// the signers, the TSA and the OCSP responder.
    pub intermediate_crl_url: String,
    /// `{base_url}/ca/root.cer`: the root certificate (DER).
    pub root_cert_url: String,
    /// `{base_url}/ca/intermediate.cer`: the intermediate certificate (DER), the
    /// signers' caIssuers.
    pub intermediate_cert_url: String,
    /// The policy OID the TSA stamps under.
    pub tsa_policy: String,
    /// The root's key, PKCS#8 PEM (signs the root CRL).
    pub root_key_pem: PathBuf,
    /// The intermediate's key, PKCS#8 PEM (signs the intermediate CRL).
    pub intermediate_key_pem: PathBuf,
    /// The TSA certificate, PEM: critical EKU timeStamping, issued by the intermediate.
    pub tsa_cert_pem: PathBuf,
    /// The TSA key, PKCS#8 PEM.
    pub tsa_key_pem: PathBuf,
    /// The delegated OCSP responder's certificate, PEM: EKU OCSPSigning and
    /// ocsp-nocheck, issued by the intermediate.
    pub ocsp_cert_pem: PathBuf,
    /// The OCSP responder's key, PKCS#8 PEM.
    pub ocsp_key_pem: PathBuf,
    /// OpenSSL CA database of the root (lists the intermediate).
    pub root_index: PathBuf,
    /// OpenSSL CA database of the intermediate (lists every certificate it
    /// issued: signers, TSA, OCSP responder).
    pub intermediate_index: PathBuf,
    /// Where the responders keep their state: OpenSSL configurations, serial
    /// and CRL number files, the current CRLs (`crl/*.crl`).
    pub state_dir: PathBuf,
}

/// One initialised token.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenEntry {
    /// CKA_LABEL of the token, as the slot list shows it.
    pub label: String,
    /// The serial number SoftHSM gave it.
    pub serial: String,
}

/// One signer: a key on a token with its certificate, or a software key.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignerEntry {
    /// Short name used by tests (`rsa2048`, `p256`, `expired`…).
    pub name: String,
    /// `RSA` or `EC`.
    pub key_type: String,
    /// Modulus or curve size.
    pub key_bits: usize,
    /// The certificate, PEM.
    pub cert_pem: PathBuf,
    /// Token label, for keys on a token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// CKA_ID in hex, for keys on a token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cka_id: Option<String>,
    /// PKCS#8 PEM private key, for software signers only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_pem: Option<PathBuf>,
}

impl Manifest {
    /// Reads a `manifest.json`.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Writes the manifest as pretty JSON.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The signer called `name`.
    pub fn signer(&self, name: &str) -> &SignerEntry {
        self.signers
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("no signer {name} in the manifest"))
    }
}
