use std::path::PathBuf;

use kyso_core::TrustAnchors;
use kyso_token::{module_paths, Tokens};
use kyso_wire::api::certificates::CertificatesResponse;

use crate::clock::now;
use crate::error::Error;
use crate::output::say;

pub(super) fn run(modules: &[PathBuf], json: bool) -> Result<u8, Error> {
    let tokens = Tokens::load(&module_paths::resolve(modules))?;
    let certs = tokens.certificates(&TrustAnchors::bundled(), now())?;
    if json {
        let list = CertificatesResponse {
            certificates: certs.iter().map(|c| c.to_json()).collect(),
        };
        let text = serde_json::to_string_pretty(&list).map_err(|e| Error::Io(e.to_string()))?;
        say!("{text}")?;
        return Ok(0);
    }
    if certs.is_empty() {
        say!("No signing certificate found on any token.")?;
        return Ok(0);
    }
    let mut last_token = None;
    for c in &certs {
        if last_token.as_ref() != Some(&c.token) {
            say!(
                "Token \"{}\" (serial {}, {})",
                c.token.label,
                c.token.serial,
                c.token.manufacturer
            )?;
            last_token = Some(c.token.clone());
        }
        let info = c.info.clone();
        let ids = info.identifiers.labelled().join(" ");
        say!(
            "  {}  {}  {}  {}-{}  valid {} .. {}  issuer {}",
            c.id,
            info.common_name.unwrap_or_default(),
            ids,
            info.key_type.unwrap_or(kyso_core::KeyType::Rsa),
            info.key_bits,
            info.not_before,
            info.not_after,
            info.issuer_common_name.unwrap_or_default(),
        )?;
    }
    Ok(0)
}
