//! `kyso-testkit provision --dir DIR [--set full|single]`
//! `kyso-testkit provision --dir DIR --set ltv --responders http://127.0.0.1:PORT --ocsp http://127.0.0.1:PORT2`
//!
//! Creates a SoftHSM2 configuration in DIR with fresh tokens, keys generated on
//! the tokens, and certificates from a new test PKI; writes DIR/manifest.json.
//!
//! The `ltv` set is for long-term signatures: its certificates point (AIA,
//! CRL distribution points) at the responders `kyso_testkit::ltv::Responders`
//! later serves on those two ports, and it writes the TSA and OCSP responder
//! keys, the CA keys and the CA databases those responders need.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use x509_cert::ext::pkix::{KeyUsage, KeyUsages};

use kyso_core::Certificate;
use kyso_testkit::ltv::{loopback_port, write_index, TSA_POLICY};
use kyso_testkit::manifest::{LtvEntry, Manifest, SignerEntry, TokenEntry};
use kyso_testkit::names::name;
use kyso_testkit::pki::{software_rsa_key, CertProfile, KeyPurposes, TestPki, Urls};
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
        "ltv" => vec![
            Holder {
                name: "ltv",
                key: KeySpec::Rsa(2048),
                subject: &[
                    ("C", "VN"),
                    ("ST", "Hà Nội"),
                    ("O", "Văn phòng Chính phủ"),
                    ("UID", "CCCD:001090006789"),
                    ("CN", "Hoàng Minh Long"),
                ],
                valid: (-1, 730),
                key_usage: signing_usage(),
            },
            Holder {
                name: "ltv-revoked",
                key: KeySpec::Rsa(2048),
                subject: &[
                    ("C", "VN"),
                    ("L", "Hải Phòng"),
                    ("UID", "MST:0201234567"),
                    ("UID", "CCCD:031085004567"),
                    ("CN", "Vũ Thị Thu Hồi"),
                ],
                valid: (-1, 730),
                key_usage: signing_usage(),
            },
        ],
        other => return Err(format!("unknown set {other} (full, single, ltv)")),
    })
}

fn main() {
    if let Err(e) = run() {
        eprintln!("kyso-testkit: {e}");
        std::process::exit(1);
    }
}

const USAGE: &str = "usage: kyso-testkit provision --dir DIR [--set full|single]\n       \
    kyso-testkit provision --dir DIR --set ltv --responders http://127.0.0.1:PORT --ocsp http://127.0.0.1:PORT2";

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut dir = None;
    let mut set = "full".to_string();
    let mut responders = None;
    let mut ocsp = None;
    let mut it = args.iter();
    match it.next().map(String::as_str) {
        Some("provision") => {}
        _ => return Err(USAGE.into()),
    }
    while let Some(a) = it.next() {
        match a.as_str() {
            "--dir" => dir = it.next().map(PathBuf::from),
            "--set" => set = it.next().cloned().ok_or("--set needs a value")?,
            "--responders" => {
                responders = Some(it.next().cloned().ok_or("--responders needs a URL")?)
            }
            "--ocsp" => ocsp = Some(it.next().cloned().ok_or("--ocsp needs a URL")?),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    let dir = dir.ok_or("--dir is required")?;
    let ltv = match (set.as_str(), responders, ocsp) {
        ("ltv", Some(front), Some(ocsp)) => Some(LtvUrls::new(&front, &ocsp)?),
        ("ltv", _, _) => {
            return Err(format!(
                "the ltv set needs --responders and --ocsp\n{USAGE}"
            ))
        }
        (_, None, None) => None,
        (other, _, _) => {
            return Err(format!(
                "--responders and --ocsp are for the ltv set, not {other}"
            ))
        }
    };
    provision(&dir, &set, ltv.as_ref())
}

/// Where the `ltv` set's certificates send relying parties.
struct LtvUrls {
    /// `http://127.0.0.1:PORT`: TSA, CRLs, CA certificates.
    base: String,
    /// `http://127.0.0.1:PORT2`: OCSP.
    ocsp: String,
}

impl LtvUrls {
    fn new(front: &str, ocsp: &str) -> Result<Self, String> {
        let mut bases = [front, ocsp].map(|u| u.trim_end_matches('/').to_string());
        for url in &bases {
            let port = loopback_port(url)?;
            if *url != format!("http://127.0.0.1:{port}") {
                return Err(format!("{url}: give http://127.0.0.1:PORT, without a path"));
            }
        }
        if bases[0] == bases[1] {
            return Err("the front and the OCSP responder need ports of their own".into());
        }
        let ocsp = std::mem::take(&mut bases[1]);
        let base = std::mem::take(&mut bases[0]);
        Ok(LtvUrls { base, ocsp })
    }

    fn crl(&self, ca: &str) -> String {
        format!("{}/crl/{ca}.crl", self.base)
    }

    fn cert(&self, ca: &str) -> String {
        format!("{}/ca/{ca}.cer", self.base)
    }

    /// What the intermediate issues carries: OCSP, its certificate, its CRL.
    fn issued_by_intermediate(&self) -> Urls {
        Urls {
            ocsp: Some(self.ocsp.clone()),
            ca_issuers: Some(self.cert("intermediate")),
            crl: Some(self.crl("intermediate")),
        }
    }

    /// The intermediate's own: CRL only, as Vietnamese CAs are checked.
    fn intermediate(&self) -> Urls {
        Urls {
            ocsp: None,
            ca_issuers: Some(self.cert("root")),
            crl: Some(self.crl("root")),
        }
    }
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn provision(dir: &Path, set: &str, ltv: Option<&LtvUrls>) -> Result<(), String> {
    let holders = holders(set)?;
    // Start from nothing: stale tokens would make slot numbering and labels
    // ambiguous, a stale CA database would list certificates of another PKI.
    for stale in ["tokens", "signers", "ltv"] {
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
    let pki = TestPki::generate_with(now, ltv.map(LtvUrls::intermediate).as_ref())?;
    let root_pem = dir.join("root.pem");
    let inter_pem = dir.join("intermediate.pem");
    write(&root_pem, &pem(pki.root.cert.der()))?;
    write(&inter_pem, &pem(pki.intermediate.cert.der()))?;
    write(&dir.join("pin.txt"), USER_PIN)?;

    let label = match set {
        "single" => "Kyso Single",
        "ltv" => "Kyso LTV Token",
        _ => "Kyso Test Token",
    };
    let serial = module.init_token(label, SO_PIN, USER_PIN)?;
    let session = module.session(label, USER_PIN)?;
    // Real tokens carry their CA chain beside the user's certificate.
    import_certificate(&session, &pki.intermediate.cert, &[0x43, 0x41, 2], "CA")?;
    import_certificate(&session, &pki.root.cert, &[0x43, 0x41, 1], "Root CA")?;
    let mut signers = Vec::new();
    let mut issued = Vec::new();
    for (i, h) in holders.iter().enumerate() {
        let id = vec![0x4b, i as u8 + 1];
        let spki = generate_key(&session, h.key, &id, h.name)?;
        let profile = CertProfile {
            urls: ltv.map(LtvUrls::issued_by_intermediate).unwrap_or_default(),
            ..profile(h, now)
        };
        let cert = pki.intermediate.issue(&spki, &profile)?;
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
        issued.push(cert);
    }
    let ltv_entry = match ltv {
        Some(urls) => Some(provision_ltv(dir, &pki, now, urls, issued)?),
        None => None,
    };

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
        ltv: ltv_entry,
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
    CertProfile::end_entity(name(h.subject), h.key_usage, at(h.valid.0), at(h.valid.1))
}

/// The software side of the `ltv` set: CA keys, a TSA and a delegated OCSP
/// responder issued by the intermediate, and the CA databases listing
/// everything each CA issued (so OCSP answers "good", not "unknown").
fn provision_ltv(
    dir: &Path,
    pki: &TestPki,
    now: u64,
    urls: &LtvUrls,
    mut issued: Vec<Certificate>,
) -> Result<LtvEntry, String> {
    let root_key_pem = dir.join("root.key.pem");
    let intermediate_key_pem = dir.join("intermediate.key.pem");
    write(&root_key_pem, &pki.root.key_pem()?)?;
    write(&intermediate_key_pem, &pki.intermediate.key_pem()?)?;

    let mut issue_service = |service: &str, profile: CertProfile| {
        let (spki, key_pem) = software_rsa_key()?;
        let cert = pki.intermediate.issue(&spki, &profile)?;
        let cert_path = dir.join(format!("{service}.pem"));
        let key_path = dir.join(format!("{service}.key.pem"));
        write(&cert_path, &pem(cert.der()))?;
        write(&key_path, &key_pem)?;
        issued.push(cert);
        Ok::<_, String>((cert_path, key_path))
    };
    let (tsa_cert_pem, tsa_key_pem) = issue_service(
        "tsa",
        CertProfile {
            extended_key_usage: Some(KeyPurposes::time_stamping()),
            urls: urls.issued_by_intermediate(),
            ..CertProfile::end_entity(
                name(&[
                    ("C", "VN"),
                    ("O", "Kyso Thử nghiệm"),
                    ("CN", "Kyso Test TSA – Dịch vụ cấp dấu thời gian"),
                ]),
                KeyUsage(KeyUsages::DigitalSignature | KeyUsages::NonRepudiation),
                now - DAY,
                now + 730 * DAY,
            )
        },
    )?;
    // A delegated responder is trusted for its validity period (ocsp-nocheck):
    // no status pointers of its own.
    let (ocsp_cert_pem, ocsp_key_pem) = issue_service(
        "ocsp",
        CertProfile {
            extended_key_usage: Some(KeyPurposes::ocsp_signing()),
            ocsp_nocheck: true,
            ..CertProfile::end_entity(
                name(&[
                    ("C", "VN"),
                    ("O", "Kyso Thử nghiệm"),
                    ("CN", "Kyso Test OCSP – Dịch vụ trạng thái chứng thư số"),
                ]),
                KeyUsage(KeyUsages::DigitalSignature.into()),
                now - DAY,
                now + 730 * DAY,
            )
        },
    )?;

    let state_dir = dir.join("ltv");
    for ca in ["root", "intermediate"] {
        std::fs::create_dir_all(state_dir.join(ca)).map_err(|e| e.to_string())?;
    }
    let root_index = state_dir.join("root").join("index.txt");
    let intermediate_index = state_dir.join("intermediate").join("index.txt");
    write_index(&root_index, &[&pki.intermediate.cert])?;
    write_index(&intermediate_index, &issued.iter().collect::<Vec<_>>())?;

    Ok(LtvEntry {
        base_url: urls.base.clone(),
        tsa_url: format!("{}/tsa", urls.base),
        ocsp_url: urls.ocsp.clone(),
        root_crl_url: urls.crl("root"),
        intermediate_crl_url: urls.crl("intermediate"),
        root_cert_url: urls.cert("root"),
        intermediate_cert_url: urls.cert("intermediate"),
        tsa_policy: TSA_POLICY.into(),
        root_key_pem,
        intermediate_key_pem,
        tsa_cert_pem,
        tsa_key_pem,
        ocsp_cert_pem,
        ocsp_key_pem,
        root_index,
        intermediate_index,
        state_dir,
    })
}

fn pem(der: &[u8]) -> String {
    der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, der)
        .expect("PEM encoding of a certificate")
}
