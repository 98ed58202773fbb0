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
