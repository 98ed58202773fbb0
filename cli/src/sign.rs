use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

use kyso_core::cms::{CadesParams, Content, PreparedSignature};
use kyso_core::pdf::appearance::Role;
use kyso_core::pdf::{PdfSignOptions, Visible};
use kyso_core::{DigestAlgorithm, KeyType, SignatureScheme, TrustAnchors};

use kyso_token::{module_paths, Pin, TokenCertificate, TokenInfo, Tokens};

use crate::clock::now;
use crate::error::Error;
use crate::input::{hash_file, read};
use crate::long_term::{Level, Network};

/// How to reach the key: shared by every `kyso sign` format.
#[derive(clap::Args)]
pub(super) struct KeyArgs {
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
    /// B-B (the signature), B-T (plus a time-stamp), B-LT (plus the
    /// certificates and OCSP/CRL answers a verifier needs offline) or B-LTA
    /// (plus an archive time-stamp over all of it).
    #[arg(long, default_value = "B-B")]
    level: Level,
    /// Time-stamping authority, tried in order (repeatable; default
    /// http://tsa.ca.gov.vn).
    #[arg(long = "tsa")]
    tsa: Vec<String>,
    #[command(flatten)]
    key: KeyArgs,
}

#[derive(clap::Args)]
pub(super) struct PdfArgs {
    /// The PDF to sign (any unencrypted PDF, already signed or not).
    input: PathBuf,
    /// Where to write the signed PDF.
    #[arg(long)]
    out: PathBuf,
    /// Decree 30 role of a visible signature: approved, issued, copy,
    /// appendix or incoming. Without a role, --rect, --page, --image or
    /// --seal, the signature is invisible.
    #[arg(long)]
    role: Option<String>,
    /// Page of the visible signature (1 = first).
    #[arg(long)]
    page: Option<usize>,
    /// Where on the page, in points from the lower-left corner: X,Y,W,H
    /// (default: the role's usual place).
    #[arg(long, value_parser = parse_rect)]
    rect: Option<[f64; 4]>,
    /// The handwritten signature image (PNG, transparent) for `approved`.
    #[arg(long)]
    image: Option<PathBuf>,
    /// The organisation's seal (PNG, transparent) for `issued`.
    #[arg(long)]
    seal: Option<PathBuf>,
    /// Document number and symbol, e.g. 12/QĐ-UBND (issued, copy, appendix).
    #[arg(long)]
    doc_number: Option<String>,
    /// Date of issue as shown on the stamp, e.g. 25/11/2026.
    #[arg(long)]
    issued_date: Option<String>,
    /// Organisation shown on the stamp (default: the certificate's O).
    #[arg(long)]
    organization: Option<String>,
    #[arg(long)]
    reason: Option<String>,
    #[arg(long)]
    location: Option<String>,
    /// B-B, B-T (plus a signature time-stamp), B-LT (plus a /DSS with the
    /// certificates and OCSP/CRL answers) or B-LTA (plus a document
    /// time-stamp over them).
    #[arg(long, default_value = "B-B")]
    level: Level,
    /// Time-stamping authority, tried in order (repeatable; default
    /// http://tsa.ca.gov.vn).
    #[arg(long = "tsa")]
    tsa: Vec<String>,
    #[command(flatten)]
    key: KeyArgs,
}

fn parse_rect(s: &str) -> Result<[f64; 4], String> {
    let v: Vec<f64> = s
        .split(',')
        .map(|p| p.trim().parse::<f64>().map_err(|e| format!("{p}: {e}")))
        .collect::<Result<_, _>>()?;
    match v[..] {
        [x, y, w, h] if w > 0.0 && h > 0.0 && x.is_finite() && y.is_finite() => Ok([x, y, w, h]),
        _ => Err("expected X,Y,W,H with a positive width and height".into()),
    }
}

/// A chosen certificate on an open module, and the scheme its key signs with.
struct Key {
    tokens: Tokens,
    cert: TokenCertificate,
    scheme: SignatureScheme,
    digest: DigestAlgorithm,
    pin_stdin: bool,
}

impl KeyArgs {
    fn open(&self) -> Result<Key, Error> {
        let digest: DigestAlgorithm = self.digest.parse()?;
        let anchors = TrustAnchors::bundled();
        let tokens = Tokens::load(&module_paths::resolve(&self.module))?;
        let cert = tokens
            .select(self.cert.as_deref(), &anchors, now())
            .map_err(|e| match e {
                kyso_token::Error::BadRequest(m) => {
                    Error::BadRequest(format!("{m}; use --cert ID"))
                }
                other => Error::Token(other),
            })?;
        let scheme = match (cert.certificate.key_type()?, self.pss) {
            (KeyType::Ec, false) => SignatureScheme::Ecdsa,
            (KeyType::Rsa, false) => SignatureScheme::RsaPkcs1v15,
            (KeyType::Rsa, true) => SignatureScheme::RsaPss,
            (KeyType::Ec, true) => {
                return Err(Error::BadRequest("--pss needs an RSA key".into()));
            }
            (KeyType::Ed25519, _) => {
                return Err(Error::BadRequest(
                    "Ed25519 keys are verified, not used for signing".into(),
                ));
            }
        };
        Ok(Key {
            tokens,
            cert,
            scheme,
            digest,
            pin_stdin: self.pin_stdin,
        })
    }
}

impl Key {
    /// Asks for the PIN and signs `signed_attributes` on the token.
    fn sign(&self, signed_attributes: &[u8]) -> Result<Vec<u8>, Error> {
        let pin_stdin = self.pin_stdin;
        let signer = self
            .tokens
            .open_signer(&self.cert, &mut |token| read_pin(token, pin_stdin))?;
        Ok(signer.sign(signed_attributes, self.digest, self.scheme)?)
    }

    /// Writes the result and says what was signed with whose key.
    fn save(&self, input: &Path, out: &Path, bytes: &[u8]) -> Result<u8, Error> {
        std::fs::write(out, bytes).map_err(|e| Error::io(out, e))?;
        eprintln!(
            "Signed {} with {} -> {}",
            input.display(),
            self.cert.info.common_name.as_deref().unwrap_or_default(),
            out.display()
        );
        Ok(0)
    }
}

pub(super) fn cms(args: CmsArgs) -> Result<u8, Error> {
    let key = args.key.open()?;
    let content = if args.attached {
        Content::Attached(read(&args.input)?)
    } else {
        Content::Detached {
            digest: hash_file(&args.input, key.digest)?,
        }
    };
    // B-LTA's archive time-stamp hashes the content again, with the
    // signature's own algorithm: a detached file is not read twice.
    let detached_digest = match &content {
        Content::Detached { digest } => Some(digest.clone()),
        Content::Attached(_) => None,
    };
    let prepared = PreparedSignature::new(CadesParams {
        signer: key.cert.certificate.clone(),
        chain: key.cert.chain.clone(),
        digest: key.digest,
        content,
        signing_time: Some(now()),
    })?;
    let signature = key.sign(prepared.signed_attributes())?;
    let p7s = prepared.finish(&signature, key.scheme)?;
    let net = Network::new(&args.tsa);
    let steps: [(Level, Box<Step>); 3] = [
        (Level::BT, Box::new(|cms| net.timestamp_cms(cms))),
        (
            Level::BLt,
            Box::new(|cms| net.validation_data_cms(cms, &key.cert.certificate, &key.cert.chain)),
        ),
        (
            Level::BLta,
            Box::new(|cms| net.archive_timestamp_cms(cms, key.digest, detached_digest.as_deref())),
        ),
    ];
    let p7s = climb(p7s, Level::BB, args.level, &steps, &args.out)?;
    key.save(&args.input, &args.out, &p7s)
}

pub(super) fn pdf(args: PdfArgs) -> Result<u8, Error> {
    let role: Option<Role> = args.role.as_deref().map(str::parse).transpose()?;
    let image = args.image.as_deref().map(read).transpose()?;
    let seal = args.seal.as_deref().map(read).transpose()?;
    let visible = role.is_some()
        || args.rect.is_some()
        || args.page.is_some()
        || image.is_some()
        || seal.is_some();
    let input = read(&args.input)?;
    let key = args.key.open()?;
    let options = PdfSignOptions {
        signer: key.cert.certificate.clone(),
        chain: key.cert.chain.clone(),
        digest: key.digest,
        signing_time: now(),
        reason: args.reason,
        location: args.location,
        field_name: None,
        visible: visible.then(|| Visible {
            role: Role::implied(role, seal.is_some()),
            page: args.page.unwrap_or(1),
            rect: args.rect,
            image: image.as_deref(),
            seal: seal.as_deref(),
            organization: args.organization,
            doc_number: args.doc_number,
            issued_date: args.issued_date,
            font: kyso_core::pdf::appearance::BUNDLED_FONT,
        }),
    };
    // Everything that can fail on the file fails before the PIN is asked.
    let prepared = kyso_core::pdf::prepare(&input, options)?;
    drop(input);
    let signature = key.sign(prepared.signed_attributes())?;
    let signed = prepared.finish(&signature, key.scheme)?;
    let net = Network::new(&args.tsa);
    let signed = climb(signed, Level::BB, args.level, &pdf_steps(&net), &args.out)?;
    key.save(&args.input, &args.out, &signed)
}

/// One step towards a higher level: the signature so far in, the next out.
pub(super) type Step<'a> = dyn Fn(&[u8]) -> Result<Vec<u8>, kyso_net::NetError> + 'a;

/// Takes `bytes`, at level `from`, up to `to` through the `steps` above
/// `from`. When a step fails, what was reached is written to `out` and the
/// error says so: the signature the token made is never lost.
pub(super) fn climb(
    mut bytes: Vec<u8>,
    from: Level,
    to: Level,
    steps: &[(Level, Box<Step>)],
    out: &Path,
) -> Result<Vec<u8>, Error> {
    let mut reached = from;
    for (level, step) in steps {
        if *level <= from || *level > to {
            continue;
        }
        match step(&bytes) {
            Ok(next) => {
                bytes = next;
                reached = *level;
            }
            Err(e) => {
                std::fs::write(out, &bytes).map_err(|e| Error::io(out, e))?;
                return Err(Error::LongTerm {
                    error: e,
                    kept: reached.name().into(),
                    out: out.to_path_buf(),
                });
            }
        }
    }
    Ok(bytes)
}

/// B-T, B-LT and B-LTA for a PDF whose newest signature was just made.
pub(super) fn pdf_steps(net: &Network) -> [(Level, Box<Step<'_>>); 3] {
    [
        (Level::BT, Box::new(|pdf| net.timestamp_pdf(pdf))),
        (Level::BLt, Box::new(|pdf| net.validation_data_pdf(pdf))),
        (Level::BLta, Box::new(|pdf| net.archive_timestamp_pdf(pdf))),
    ]
}

fn read_pin(token: &TokenInfo, from_stdin: bool) -> Result<Pin, kyso_token::Error> {
    use kyso_token::Error;
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
