use std::path::PathBuf;

use kyso_core::TrustAnchors;

use crate::api::CertJson;
use crate::pkcs11::{module_paths, Tokens};
use crate::Error;

pub(super) fn run(modules: &[PathBuf], json: bool) -> Result<u8, Error> {
    let tokens = Tokens::load(&module_paths::resolve(modules))?;
    let certs = tokens.certificates(&TrustAnchors::bundled())?;
    if json {
        let list: Vec<CertJson> = certs.iter().map(CertJson::from).collect();
        let out = serde_json::json!({ "certificates": list });
        println!(
            "{}",
            serde_json::to_string_pretty(&out).map_err(|e| Error::Io(e.to_string()))?
        );
        return Ok(0);
    }
    if certs.is_empty() {
        println!("No signing certificate found on any token.");
        return Ok(0);
    }
    let mut last_token = None;
    for c in &certs {
        if last_token.as_ref() != Some(&c.token) {
            println!(
                "Token \"{}\" (serial {}, {})",
                c.token.label, c.token.serial, c.token.manufacturer
            );
            last_token = Some(c.token.clone());
        }
        let info = c.info.clone();
        let ids = info.identifiers.labelled().join(" ");
        println!(
            "  {}  {}  {}  {}-{}  valid {} .. {}  issuer {}",
            c.id,
            info.common_name.unwrap_or_default(),
            ids,
            info.key_type.unwrap_or(kyso_core::KeyType::Rsa),
            info.key_bits,
            info.not_before,
            info.not_after,
            info.issuer_common_name.unwrap_or_default(),
        );
    }
    Ok(0)
}
