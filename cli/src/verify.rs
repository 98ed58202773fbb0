use std::path::PathBuf;

use base64::Engine;
use kyso_core::policy::CryptoPolicy;
use kyso_core::report::{Indication, ValidationReport};
use kyso_core::revocation::{Origin, RevocationData};
use kyso_core::{cms, Lang, Localized, TrustAnchors};

use crate::clock::now;
use crate::error::Error;
use crate::input::read;
use crate::long_term::Network;
use crate::output::{lang, say};

#[derive(clap::Args)]
pub(super) struct Args {
    /// The signature (.p7s, DER, BER or PEM) or a signed PDF.
    file: PathBuf,
    /// The signed content: required for a detached signature; for an attached
    /// one, checked against what the signature embeds.
    #[arg(long)]
    content: Option<PathBuf>,
    /// Extra trust anchors (PEM or DER), added to the bundled Vietnamese roots.
    #[arg(long)]
    trust: Vec<PathBuf>,
    /// Print the validation report as JSON.
    #[arg(long)]
    json: bool,
    /// Which report: `simple` (the default), `detailed` (JSON with every
    /// ETSI EN 319 102-1 building block and constraint) or `etsi` (the
    /// ETSI TS 119 102-2 XML validation report).
    #[arg(long, value_enum)]
    report: Option<ReportKind>,
    /// Write the report there instead of standard output.
    #[arg(long, requires = "report")]
    out: Option<PathBuf>,
    /// A cryptographic-constraints policy (TOML or JSON, docs/reports.md)
    /// instead of the default (EU DSS's, from ETSI TS 119 312).
    #[arg(long)]
    policy: Option<PathBuf>,
    /// Ask the OCSP responders and CRL distribution points the
    /// certificates name for statuses the file does not carry.
    #[arg(long)]
    online: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ReportKind {
    Simple,
    Detailed,
    Etsi,
}

pub(super) fn run(args: Args) -> Result<u8, Error> {
    let bytes = read(&args.file)?;
    let mut anchors = TrustAnchors::bundled();
    for path in &args.trust {
        anchors
            .add_encoded(&read(path)?)
            .map_err(|e| Error::BadRequest(format!("{}: {}", path.display(), e.message())))?;
    }
    let is_pdf = bytes.starts_with(b"%PDF-");
    if is_pdf && args.content.is_some() {
        return Err(Error::BadRequest(
            "--content is for detached .p7s signatures; a PDF carries its content".into(),
        ));
    }
    let content = args.content.as_deref().map(read).transpose()?;
    let policy = match &args.policy {
        Some(path) => load_policy(path)?,
        None => CryptoPolicy::default(),
    };
    let online = if args.online {
        online_data(&bytes, is_pdf, &anchors)
    } else {
        Vec::new()
    };
    let options = cms::VerifyOptions {
        trust_anchors: &anchors,
        now: now(),
        content: content.as_deref(),
        extra_certificates: &[],
        policy: &policy,
        revocation: &online,
    };
    let report = if is_pdf {
        kyso_core::pdf::verify(&bytes, &options)
    } else {
        cms::verify(&unpem(&bytes)?, &options)
    };
    let code = report.indication.exit_code() as u8;
    let json = |r: &ValidationReport| {
        serde_json::to_string_pretty(r).map_err(|e| Error::Io(e.to_string()))
    };
    let text = match args.report {
        Some(ReportKind::Etsi) => report.to_etsi_xml(),
        Some(ReportKind::Detailed) => json(&report)?,
        Some(ReportKind::Simple) => json(&report.simple())?,
        None if args.json => json(&report.simple())?,
        None => {
            print_report(&report, lang())?;
            return Ok(code);
        }
    };
    match &args.out {
        Some(out) => std::fs::write(out, text + "\n")
            .map_err(|e| Error::Io(format!("{}: {e}", out.display())))?,
        None => say!("{text}")?,
    }
    Ok(code)
}

/// What `--online` fetched, as the verification's extra revocation data.
/// A responder that does not answer is reported on standard error; the
/// report then shows the status as missing.
fn online_data(
    bytes: &[u8],
    is_pdf: bool,
    anchors: &TrustAnchors,
) -> Vec<(RevocationData, Origin)> {
    let subjects = if is_pdf {
        kyso_core::pdf::signers(bytes).unwrap_or_default()
    } else {
        unpem(bytes)
            .ok()
            .and_then(|der| cms::signers(&der).ok())
            .unwrap_or_default()
    };
    let (data, failures) = Network::new(&[]).online(&subjects, anchors);
    for f in failures {
        eprintln!("kyso: {} [{}]", f.message_in(lang()), f.code());
    }
    vec![(data, Origin::Online)]
}

/// Reads a policy file: TOML, or JSON when it starts with `{`.
fn load_policy(path: &std::path::Path) -> Result<CryptoPolicy, Error> {
    let bytes = read(path)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::BadRequest(format!("{}: not UTF-8 text", path.display())))?;
    let bad = |e: String| Error::BadRequest(format!("{}: {e}", path.display()));
    let policy: CryptoPolicy = if text.trim_start().starts_with('{') {
        serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?
    } else {
        toml::from_str(&text).map_err(|e| bad(e.to_string()))?
    };
    policy.validate().map_err(|e| bad(e.message()))?;
    Ok(policy)
}

/// Accepts `-----BEGIN PKCS7-----` / `CMS` PEM as well as binary.
fn unpem(bytes: &[u8]) -> Result<Vec<u8>, Error> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Ok(bytes.to_vec());
    };
    if !text.trim_start().starts_with("-----BEGIN") {
        return Ok(bytes.to_vec());
    }
    let b64: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .concat();
    base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|e| Error::BadRequest(format!("PEM: {e}")))
}

fn print_report(report: &ValidationReport, lang: Lang) -> Result<(), Error> {
    let indication = serde_json::to_value(report.indication)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    let summary = lang.pick(report.summary_vi(), report.summary());
    say!("{indication}: {summary}")?;
    if report.signatures.is_empty() {
        say!(
            "{}",
            lang.pick("Không tìm thấy chữ ký số nào", "No signature found")
        )?;
    }
    for (i, s) in report.signatures.iter().enumerate() {
        let sub = s.sub_indication.map(|x| x.code()).unwrap_or("");
        let who = s
            .signer
            .as_ref()
            .map(|c| c.subject.clone())
            .unwrap_or_else(|| "?".into());
        let status = match s.indication {
            Indication::TotalPassed => "TOTAL_PASSED",
            Indication::TotalFailed => "TOTAL_FAILED",
            Indication::Indeterminate => "INDETERMINATE",
        };
        say!("Signature {}: {status} {sub}", i + 1)?;
        say!("  signer: {who}")?;
        if let Some(level) = &s.level {
            say!("  level: {level}")?;
        }
        if let Some(t) = &s.claimed_signing_time {
            say!("  signing time (claimed): {t}")?;
        }
        if let Some(p) = &s.pdf {
            say!(
                "  field: {} ({}), revision {} of {}, byte range {:?}{}",
                p.field,
                p.sub_filter,
                p.revision,
                p.revisions,
                p.byte_range,
                if p.covers_whole_file {
                    ", covers the whole file"
                } else {
                    ""
                }
            )?;
            if let Some(level) = p.certification_level {
                say!("  certification: DocMDP P={level}")?;
            }
        }
        for f in &s.errors {
            say!(
                "  error {}: {}",
                f.code,
                lang.pick(&f.message_vi, &f.message)
            )?;
        }
        for f in &s.warnings {
            say!(
                "  warning {}: {}",
                f.code,
                lang.pick(&f.message_vi, &f.message)
            )?;
        }
    }
    Ok(())
}
