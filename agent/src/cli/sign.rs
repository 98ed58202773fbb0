use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

use kyso_core::cms::{CadesParams, Content, PreparedSignature};
use kyso_core::digest::Hasher;
use kyso_core::{DigestAlgorithm, KeyType, SignatureScheme, TrustAnchors};

use crate::pkcs11::{module_paths, Pin, TokenInfo, Tokens};
use crate::Error;

#[derive(clap::Args)]
pub(super) struct CmsArgs {
    /// The file to sign.
    input: PathBuf,
    /// Where to write the signature (.p7s, DER).
    #[arg(long)]
    out: PathBuf,
    /// Embed the content in the signature instead of a detached signature.
    #[arg(long)]
    attached: bool,
    /// Certificate id from `kyso tokens` (optional when there is only one).
    #[arg(long)]
    cert: Option<String>,
    /// PKCS#11 module (default: $KYSO_PKCS11_MODULE, then known vendor paths).
    #[arg(long)]
    module: Vec<PathBuf>,
    /// Read the PIN from the first line of standard input.
    #[arg(long)]
    pin_stdin: bool,
    /// Digest algorithm: SHA-256, SHA-384 or SHA-512.
    #[arg(long, default_value = "SHA-256")]
    digest: String,
    /// Use RSA-PSS instead of PKCS#1 v1.5 (RSA keys only).
    #[arg(long)]
    pss: bool,
}

pub(super) fn cms(args: CmsArgs) -> Result<u8, Error> {
    let digest: DigestAlgorithm = args.digest.parse()?;
    let content = if args.attached {
        Content::Attached(super::read(&args.input)?)
    } else {
        Content::Detached {
            digest: hash_file(&args.input, digest)?,
        }
    };

    let anchors = TrustAnchors::bundled();
    let tokens = Tokens::load(&module_paths::resolve(&args.module))?;
    let cert = tokens
        .select(args.cert.as_deref(), &anchors)
        .map_err(|e| match e {
            Error::BadRequest(m) => Error::BadRequest(format!("{m}; use --cert ID")),
            other => other,
        })?;
    let key_type = cert.certificate.key_type()?;
    let scheme = match (key_type, args.pss) {
        (KeyType::Ec, false) => SignatureScheme::Ecdsa,
        (KeyType::Rsa, false) => SignatureScheme::RsaPkcs1v15,
        (KeyType::Rsa, true) => SignatureScheme::RsaPss,
        (KeyType::Ec, true) => {
            return Err(Error::BadRequest("--pss needs an RSA key".into()));
        }
    };

    let prepared = PreparedSignature::new(CadesParams {
        signer: cert.certificate.clone(),
        chain: cert.chain.clone(),
        digest,
        content,
        signing_time: Some(crate::clock::now()),
    })?;
    let pin_stdin = args.pin_stdin;
    let signer = tokens.open_signer(&cert, &mut |token| read_pin(token, pin_stdin))?;
    let signature = signer.sign(prepared.signed_attributes(), digest, scheme)?;
    drop(signer);
    let p7s = prepared.finish(&signature, scheme)?;
    std::fs::write(&args.out, p7s)
        .map_err(|e| Error::Io(format!("{}: {e}", args.out.display())))?;
    eprintln!(
        "Signed {} with {} -> {}",
        args.input.display(),
        cert.info.common_name.as_deref().unwrap_or_default(),
        args.out.display()
    );
    Ok(0)
}

/// Streams the file through the hasher so large files use constant memory.
fn hash_file(path: &std::path::Path, alg: DigestAlgorithm) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    let mut file =
        std::fs::File::open(path).map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
    let mut hasher = Hasher::new(alg);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize())
}

fn read_pin(token: &TokenInfo, from_stdin: bool) -> Result<Pin, Error> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| Error::PinUnavailable(e.to_string()))?;
        return Pin::new(line);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::PinUnavailable(
            "no terminal to type it on; use --pin-stdin".into(),
        ));
    }
    let prompt = format!("PIN for token \"{}\" / Mã PIN của thiết bị: ", token.label);
    let pin =
        rpassword::prompt_password(prompt).map_err(|e| Error::PinUnavailable(e.to_string()))?;
    Pin::new(pin)
}
