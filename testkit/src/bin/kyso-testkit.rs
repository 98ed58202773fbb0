//! `kyso-testkit provision --dir DIR [--set full|single]`
//!
//! Creates a SoftHSM2 configuration in DIR with fresh tokens, keys generated on
//! the tokens, and certificates from a new test PKI; writes DIR/manifest.json.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use x509_cert::ext::pkix::{KeyUsage, KeyUsages};

use kyso_testkit::manifest::{Manifest, SignerEntry, TokenEntry};
use kyso_testkit::names::name;
use kyso_testkit::pki::{software_rsa_key, CertProfile, TestPki};
use kyso_testkit::softhsm;
use kyso_testkit::token::{generate_key, import_certificate, KeySpec, Module};

const USER_PIN: &str = "12345678";
const SO_PIN: &str = "87654321";
const DAY: u64 = 86_400;

/// One certificate holder of the test PKI.
struct Holder {
    name: &'static str,
    key: KeySpec,
    subject: &'static [(&'static str, &'static str)],
    /// Validity relative to now, in days.
    valid: (i64, i64),
    key_usage: KeyUsage,
}

fn signing_usage() -> KeyUsage {
    KeyUsage(KeyUsages::DigitalSignature | KeyUsages::NonRepudiation)
}

fn holders(set: &str) -> Result<Vec<Holder>, String> {
    let person = Holder {
        name: "rsa2048",
        key: KeySpec::Rsa(2048),
        subject: &[
            ("C", "VN"),
            ("ST", "Hà Nội"),
            ("O", "Sở Tư pháp"),
            ("UID", "CCCD:001090001234"),
            ("CN", "Nguyễn Văn An"),
        ],
        valid: (-1, 730),
        key_usage: signing_usage(),
    };
    Ok(match set {
        "single" => vec![person],
        "full" => vec![
            person,
            Holder {
                name: "rsa3072",
                key: KeySpec::Rsa(3072),
                subject: &[
                    ("C", "VN"),
                    ("ST", "Thành phố Hồ Chí Minh"),
                    ("UID", "MST:0301234567-029"),
                    ("CN", "Ủy ban nhân dân phường Bến Nghé"),
                ],
                valid: (-1, 730),
                key_usage: signing_usage(),
            },
            Holder {
                name: "p256",
                key: KeySpec::P256,
                subject: &[
                    ("C", "VN"),
                    ("L", "Đà Nẵng"),
                    ("O", "Công ty TNHH Ánh Dương"),
                    ("UID", "MST:0401234567"),
                    ("UID", "CCCD:048190005678"),
                    ("CN", "Trần Thị Ánh"),
                ],
                valid: (-1, 730),
                key_usage: signing_usage(),
            },
            Holder {
                name: "p384",
                key: KeySpec::P384,
                subject: &[
                    ("C", "VN"),
                    ("O", "Bộ Tài chính"),
                    ("UID", "CCCD:001085009999"),
                    ("CN", "Lê Hoàng Phúc"),
                ],
                valid: (-1, 730),
                key_usage: signing_usage(),
            },
            Holder {
                name: "expired",
                key: KeySpec::Rsa(2048),
                subject: &[
                    ("C", "VN"),
                    ("UID", "CCCD:001070004321"),
                    ("CN", "Phạm Thị Hết Hạn"),
                ],
                valid: (-400, -30),
                key_usage: signing_usage(),
            },
            Holder {
                name: "wrong-ku",
                key: KeySpec::Rsa(2048),
                subject: &[
                    ("C", "VN"),
                    ("UID", "CCCD:001070008765"),
                    ("CN", "Đỗ Văn Mã Hóa"),
                ],
                valid: (-1, 730),
                key_usage: KeyUsage(KeyUsages::KeyEncipherment.into()),
            },
        ],
        other => return Err(format!("unknown set {other} (full, single)")),
    })
}

fn main() {
    if let Err(e) = run() {
        eprintln!("kyso-testkit: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut dir = None;
    let mut set = "full".to_string();
    let mut it = args.iter();
    match it.next().map(String::as_str) {
        Some("provision") => {}
        _ => return Err("usage: kyso-testkit provision --dir DIR [--set full|single]".into()),
    }
    while let Some(a) = it.next() {
        match a.as_str() {
            "--dir" => dir = it.next().map(PathBuf::from),
            "--set" => set = it.next().cloned().ok_or("--set needs a value")?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let dir = dir.ok_or("--dir is required")?;
    provision(&dir, &set)
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn provision(dir: &Path, set: &str) -> Result<(), String> {
    let holders = holders(set)?;
    // Start from nothing: stale tokens would make slot numbering and labels ambiguous.
    for stale in ["tokens", "signers"] {
        let _ = std::fs::remove_dir_all(dir.join(stale));
    }
    std::fs::create_dir_all(dir.join("signers")).map_err(|e| e.to_string())?;
    let conf = softhsm::write_config(dir)?;
    // SoftHSM reads its configuration path from the environment at C_Initialize;
    // this process is single-threaded here and exists only to provision.
    std::env::set_var("SOFTHSM2_CONF", &conf);
    let module_path = softhsm::module_path()?;
    let module = Module::load(&module_path)?;

    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs();
    let pki = TestPki::generate(now)?;
    let root_pem = dir.join("root.pem");
    let inter_pem = dir.join("intermediate.pem");
    write(&root_pem, &pem(pki.root.cert.der()))?;
    write(&inter_pem, &pem(pki.intermediate.cert.der()))?;
    write(&dir.join("pin.txt"), USER_PIN)?;

    let label = if set == "single" {
        "Kyso Single"
    } else {
        "Kyso Test Token"
    };
    let serial = module.init_token(label, SO_PIN, USER_PIN)?;
    let session = module.session(label, USER_PIN)?;
    // Real tokens carry their CA chain beside the user's certificate.
    import_certificate(&session, &pki.intermediate.cert, &[0x43, 0x41, 2], "CA")?;
    import_certificate(&session, &pki.root.cert, &[0x43, 0x41, 1], "Root CA")?;
    let mut signers = Vec::new();
    for (i, h) in holders.iter().enumerate() {
        let id = vec![0x4b, i as u8 + 1];
        let spki = generate_key(&session, h.key, &id, h.name)?;
        let cert = pki.intermediate.issue(&spki, &profile(h, now))?;
        import_certificate(&session, &cert, &id, h.name)?;
        let cert_pem = dir.join("signers").join(format!("{}.pem", h.name));
        write(&cert_pem, &pem(cert.der()))?;
        signers.push(SignerEntry {
            name: h.name.into(),
            key_type: h.key.type_name().into(),
            key_bits: h.key.bits(),
            cert_pem,
            token: Some(label.into()),
            cka_id: Some(hex::encode(&id)),
            key_pem: None,
        });
    }

    if set == "full" {
        // Software signers for cross-checks with OpenSSL and pyHanko: one under
        // the test PKI, one under a PKI nobody trusts.
        let foreign = TestPki::generate(now)?;
        write(&dir.join("foreign-root.pem"), &pem(foreign.root.cert.der()))?;
        write(
            &dir.join("foreign-intermediate.pem"),
            &pem(foreign.intermediate.cert.der()),
        )?;
        for (signer_name, ca) in [
            ("software", &pki.intermediate),
            ("foreign", &foreign.intermediate),
        ] {
            let (spki, key_pem) = software_rsa_key()?;
            let subject: &'static [(&'static str, &'static str)] = &[
                ("C", "VN"),
                ("O", "Kyso Thử nghiệm"),
                ("UID", "MST:0100000001"),
                ("CN", "Chữ ký phần mềm"),
            ];
            let holder = Holder {
                name: "software",
                key: KeySpec::Rsa(2048),
                subject,
                valid: (-1, 730),
                key_usage: signing_usage(),
            };
            let cert = ca.issue(&spki, &profile(&holder, now))?;
            let cert_pem = dir.join("signers").join(format!("{signer_name}.pem"));
            let key_path = dir.join("signers").join(format!("{signer_name}.key.pem"));
            write(&cert_pem, &pem(cert.der()))?;
            write(&key_path, &key_pem)?;
            signers.push(SignerEntry {
                name: signer_name.into(),
                key_type: "RSA".into(),
                key_bits: 2048,
                cert_pem,
                token: None,
                cka_id: None,
                key_pem: Some(key_path),
            });
        }
    }

    let manifest = Manifest {
        module: module_path,
        softhsm2_conf: conf,
        pin: USER_PIN.into(),
        root_pem,
        intermediate_pem: inter_pem,
        tokens: vec![TokenEntry {
            label: label.into(),
            serial,
        }],
        signers,
    };
    manifest.save(&dir.join("manifest.json"))?;
    println!(
        "provisioned {} signer(s) on token '{label}' in {}",
        manifest.signers.len(),
        dir.display()
    );
    Ok(())
}

fn profile(h: &Holder, now: u64) -> CertProfile {
    let at = |days: i64| (now as i64 + days * DAY as i64) as u64;
    CertProfile {
        subject: name(h.subject),
        ca: false,
        key_usage: h.key_usage,
        not_before: at(h.valid.0),
        not_after: at(h.valid.1),
    }
}

fn pem(der: &[u8]) -> String {
    der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, der)
        .expect("PEM encoding of a certificate")
}
