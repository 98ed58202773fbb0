//! Kyso's verdict against EU DSS's on signatures other implementations made:
//! a corpus generated here (its own OpenSSL PKI with every key type), signed
//! by OpenSSL, DSS (CAdES and PAdES, B-B and B-T), PDFBox and pyHanko, plus
//! hand-made variants of what real files do. For each file Kyso's indication
//! and sub-indication must equal DSS's.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

use kyso_tests::{assert_success, bin, dss, pyhanko};

/// A throw-away PKI made with OpenSSL: a root, a TSA and one leaf per key type.
struct Pki {
    dir: PathBuf,
    root: PathBuf,
}

fn openssl(args: &[&str], dir: &Path) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    assert_success(&out, &format!("openssl {}", args.join(" ")));
}

impl Pki {
    fn new(dir: &Path) -> Pki {
        std::fs::create_dir_all(dir).unwrap();
        openssl(
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:3072",
                "-nodes",
                "-keyout",
                "root.key",
                "-out",
                "root.pem",
                "-days",
                "3650",
                "-subj",
                "/C=VN/O=Kyso Corpus/CN=Kyso Corpus Root",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
                "-addext",
                "subjectKeyIdentifier=hash",
            ],
            dir,
        );
        std::fs::write(
            dir.join("leaf.ext"),
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("tsa.ext"),
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
        )
        .unwrap();
        let pki = Pki {
            dir: dir.to_path_buf(),
            root: dir.join("root.pem"),
        };
        for (name, gen) in [
            (
                "rsa2048",
                &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"][..],
            ),
            (
                "rsa1024",
                &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"],
            ),
            (
                "p384",
                &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
            ),
            (
                "p521",
                &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"],
            ),
            (
                "bp256",
                &[
                    "-algorithm",
                    "EC",
                    "-pkeyopt",
                    "ec_paramgen_curve:brainpoolP256r1",
                ],
            ),
            (
                "bp384",
                &[
                    "-algorithm",
                    "EC",
                    "-pkeyopt",
                    "ec_paramgen_curve:brainpoolP384r1",
                ],
            ),
            (
                "bp512",
                &[
                    "-algorithm",
                    "EC",
                    "-pkeyopt",
                    "ec_paramgen_curve:brainpoolP512r1",
                ],
            ),
            ("ed25519", &["-algorithm", "ED25519"]),
        ] {
            pki.leaf(name, gen, "leaf.ext");
        }
        pki.leaf(
            "tsa",
            &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
            "tsa.ext",
        );
        pki
    }

    fn leaf(&self, name: &str, gen: &[&str], ext: &str) {
        let key = format!("{name}.key");
        let mut args = vec!["genpkey"];
        args.extend(gen);
        args.extend(["-out", &key]);
        openssl(&args, &self.dir);
        let subject = format!("/C=VN/O=Kyso Corpus/CN=Nguyễn Văn {name}/UID=CCCD:001099000123");
        let csr = format!("{name}.csr");
        openssl(
            &[
                "req", "-new", "-key", &key, "-subj", &subject, "-utf8", "-out", &csr,
            ],
            &self.dir,
        );
        let pem = format!("{name}.pem");
        openssl(
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "root.pem",
                "-CAkey",
                "root.key",
                "-CAcreateserial",
                "-days",
                "365",
                "-sha256",
                "-extfile",
                ext,
                "-out",
                &pem,
            ],
            &self.dir,
        );
    }

    fn key(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.key"))
    }

    fn cert(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.pem"))
    }
}

/// One corpus file and what made it.
struct Case {
    name: String,
    file: PathBuf,
    content: Option<PathBuf>,
    /// Why DSS's verdict is not the reference for this file, if it is not.
    dss_cannot_judge: Option<&'static str>,
}

fn kyso_verify(case: &Case, root: &Path) -> Value {
    let mut cmd = Command::new(bin("kyso"));
    cmd.args(["verify", "--json", "--trust"])
        .arg(root)
        .arg(&case.file)
        .env("LANG", "C");
    if let Some(c) = &case.content {
        cmd.arg("--content").arg(c);
    }
    let out = cmd.output().expect("run kyso verify");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: kyso verify printed no JSON ({e}): {}",
            case.name,
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn openssl_cms(pki: &Pki, dir: &Path, name: &str, signers: &[&str], extra: &[&str]) -> PathBuf {
    let content = dir.join("hop-dong.txt");
    let out = dir.join(format!("{name}.p7s"));
    let mut cmd = Command::new("openssl");
    cmd.args(["cms", "-sign", "-binary", "-outform", "DER", "-in"])
        .arg(&content)
        .arg("-out")
        .arg(&out);
    for s in signers {
        cmd.arg("-signer")
            .arg(pki.cert(s))
            .arg("-inkey")
            .arg(pki.key(s));
    }
    cmd.args(extra);
    assert_success(&cmd.output().unwrap(), &format!("openssl cms {name}"));
    out
}

fn corpus(pki: &Pki, dir: &Path) -> Vec<Case> {
    let content = dir.join("hop-dong.txt");
    std::fs::write(&content, "Hợp đồng mua bán — bên A, bên B. Số 12/2026/HĐ").unwrap();
    let detached = |name: &str, file: PathBuf| Case {
        name: name.into(),
        file,
        content: Some(content.clone()),
        dss_cannot_judge: None,
    };
    let mut cases = Vec::new();

    // OpenSSL CMS: every key type and digest, with and without attributes.
    let cms_variants: &[(&str, &[&str], &[&str])] = &[
        ("openssl-rsa2048-sha256", &["rsa2048"], &["-md", "sha256"]),
        ("openssl-cades", &["rsa2048"], &["-md", "sha256", "-cades"]),
        (
            "openssl-no-signed-attributes",
            &["rsa2048"],
            &["-md", "sha256", "-noattr"],
        ),
        ("openssl-sha1", &["rsa2048"], &["-md", "sha1"]),
        ("openssl-sha224", &["rsa2048"], &["-md", "sha224"]),
        ("openssl-sha3-256", &["rsa2048"], &["-md", "sha3-256"]),
        ("openssl-sha3-512", &["rsa2048"], &["-md", "sha3-512"]),
        ("openssl-rsa1024", &["rsa1024"], &["-md", "sha256"]),
        (
            "openssl-pss-sha256",
            &["rsa2048"],
            &[
                "-md",
                "sha256",
                "-keyopt",
                "rsa_padding_mode:pss",
                "-keyopt",
                "rsa_pss_saltlen:32",
            ],
        ),
        (
            "openssl-pss-sha512-mgf1-sha256",
            &["rsa2048"],
            &[
                "-md",
                "sha512",
                "-keyopt",
                "rsa_padding_mode:pss",
                "-keyopt",
                "rsa_mgf1_md:sha256",
                "-keyopt",
                "rsa_pss_saltlen:20",
            ],
        ),
        ("openssl-p384", &["p384"], &["-md", "sha384"]),
        ("openssl-p521", &["p521"], &["-md", "sha512"]),
        ("openssl-p521-sha256", &["p521"], &["-md", "sha256"]),
        ("openssl-brainpool256", &["bp256"], &["-md", "sha256"]),
        ("openssl-brainpool384", &["bp384"], &["-md", "sha384"]),
        ("openssl-brainpool512", &["bp512"], &["-md", "sha512"]),
        (
            "openssl-two-signers",
            &["rsa2048", "p384"],
            &["-md", "sha256"],
        ),
    ];
    for (name, signers, extra) in cms_variants {
        let file = openssl_cms(pki, dir, name, signers, extra);
        let mut case = detached(name, file);
        if name.contains("mgf1-sha256") {
            // RFC 4055 lets MGF1 use another hash than the message; OpenSSL
            // verifies this file (checked below) but DSS (BouncyCastle's
            // SHA512withRSAandMGF1) assumes the same hash and reports
            // SIG_CRYPTO_FAILURE.
            case.dss_cannot_judge = Some("DSS ties MGF1's hash to the message hash");
            let verified = Command::new("openssl")
                .args([
                    "cms",
                    "-verify",
                    "-binary",
                    "-inform",
                    "DER",
                    "-purpose",
                    "any",
                    "-out",
                    "/dev/null",
                    "-in",
                ])
                .arg(&case.file)
                .arg("-content")
                .arg(&content)
                .arg("-CAfile")
                .arg(&pki.root)
                .output()
                .unwrap();
            assert_success(&verified, "openssl cms -verify (PSS, MGF1-SHA-256)");
        }
        cases.push(case);
    }
    // BER with indefinite lengths, content attached.
    let ber = openssl_cms(
        pki,
        dir,
        "openssl-ber-attached",
        &["rsa2048"],
        &["-md", "sha256", "-stream", "-nodetach"],
    );
    assert_eq!(std::fs::read(&ber).unwrap()[1], 0x80, "BER");
    cases.push(Case {
        name: "openssl-ber-attached".into(),
        file: ber,
        content: None,
        dss_cannot_judge: None,
    });
    // Tampered content.
    let other = dir.join("hop-dong-sua.txt");
    std::fs::write(&other, "Hợp đồng mua bán — bên A, bên C. Số 12/2026/HĐ").unwrap();
    cases.push(Case {
        name: "openssl-tampered-content".into(),
        file: dir.join("openssl-rsa2048-sha256.p7s"),
        content: Some(other),
        dss_cannot_judge: None,
    });

    // DSS CAdES and PAdES at B-B and B-T, with a TSA key of the same PKI.
    let signing = |level: &str| {
        json!({
            "key": pki.key("rsa2048"), "cert": pki.cert("rsa2048"), "chain": [pki.root.clone()],
            "level": level, "tsa-key": pki.key("tsa"), "tsa-cert": pki.cert("tsa"),
            "tsa-chain": [pki.root.clone()],
        })
    };
    for level in ["B-B", "B-T"] {
        let out = dir.join(format!("dss-cades-{level}.p7s"));
        dss::sign("sign-cades", &content, &out, signing(level));
        cases.push(detached(&format!("dss-cades-{level}"), out));
    }
    let pdf = source_pdf(dir);
    for level in ["B-B", "B-T"] {
        let out = dir.join(format!("dss-pades-{level}.pdf"));
        dss::sign("sign-pades", &pdf, &out, signing(level));
        cases.push(pdf_case(&format!("dss-pades-{level}"), out));
    }
    // PDFBox's own signer, and pyHanko.
    for (sub, tag) in [
        ("adbe.pkcs7.detached", "pkcs7"),
        ("ETSI.CAdES.detached", "cades"),
    ] {
        let out = dir.join(format!("pdfbox-{tag}.pdf"));
        dss::sign(
            "sign-pdfbox",
            &pdf,
            &out,
            json!({"key": pki.key("rsa2048"), "cert": pki.cert("rsa2048"), "chain": [pki.root.clone()], "subfilter": sub}),
        );
        cases.push(pdf_case(&format!("pdfbox-{tag}"), out));
    }
    // pyHanko, also for Ed25519 (RFC 8419), which OpenSSL 3.0's CMS cannot
    // sign with.
    for key in ["p384", "ed25519", "bp512"] {
        let py = dir.join(format!("pyhanko-{key}.pdf"));
        let o = Command::new(pyhanko())
            .args(["sign", "addsig", "--field", "Sig1", "pemder", "--key"])
            .arg(pki.key(key))
            .arg("--cert")
            .arg(pki.cert(key))
            .arg("--no-pass")
            .arg(&pdf)
            .arg(&py)
            .output()
            .unwrap();
        assert_success(&o, &format!("pyhanko addsig {key}"));
        cases.push(pdf_case(&format!("pyhanko-{key}"), py));
    }
    // A second signature by pyHanko over DSS's: an incremental update.
    let twice = dir.join("dss-then-pyhanko.pdf");
    let o = Command::new(pyhanko())
        .args(["sign", "addsig", "--field", "Sig2", "pemder", "--key"])
        .arg(pki.key("rsa2048"))
        .arg("--cert")
        .arg(pki.cert("rsa2048"))
        .arg("--no-pass")
        .arg(dir.join("dss-pades-B-B.pdf"))
        .arg(&twice)
        .output()
        .unwrap();
    assert_success(&o, "pyhanko addsig (second signature)");
    cases.push(pdf_case("dss-then-pyhanko", twice));

    // Hand-made variants of what real files do.
    let base = std::fs::read(dir.join("pdfbox-pkcs7.pdf")).unwrap();
    // /Contents: the CMS followed by non-zero bytes in its padding.
    let mut garbage = base.clone();
    let hole = contents_hole(&garbage);
    let tail = hole.end - 9;
    garbage[tail..hole.end - 1].copy_from_slice(b"ABCDEF12");
    let f = dir.join("variant-contents-trailing-bytes.pdf");
    std::fs::write(&f, &garbage).unwrap();
    cases.push(pdf_case("variant-contents-trailing-bytes", f));
    // Bytes after the final %%EOF (a transfer that added an end of line).
    for (tag, extra) in [("newline", &b"\r\n"[..]), ("nul-padding", &[0u8; 7][..])] {
        let mut v = base.clone();
        v.extend_from_slice(extra);
        let f = dir.join(format!("variant-after-eof-{tag}.pdf"));
        std::fs::write(&f, &v).unwrap();
        cases.push(pdf_case(&format!("variant-after-eof-{tag}"), f));
    }
    // A byte flipped inside the signed range: in the header's binary comment
    // line, so the file still parses.
    let mut flipped = base.clone();
    let comment = flipped.iter().position(|b| *b == b'\n').unwrap() + 2;
    flipped[comment] ^= 0x01;
    let f = dir.join("variant-tampered.pdf");
    std::fs::write(&f, &flipped).unwrap();
    cases.push(pdf_case("variant-tampered", f));
    cases
}

fn pdf_case(name: &str, file: PathBuf) -> Case {
    Case {
        name: name.into(),
        file,
        content: None,
        dss_cannot_judge: None,
    }
}

/// The `<…>` hex string a signed PDF's ByteRange leaves out.
fn contents_hole(pdf: &[u8]) -> std::ops::Range<usize> {
    let at = pdf
        .windows(10)
        .rposition(|w| w == b"/ByteRange")
        .expect("a signed PDF");
    let text = String::from_utf8_lossy(&pdf[at..at + 80]);
    let nums: Vec<usize> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .take(4)
        .map(|s| s.parse().unwrap())
        .collect();
    nums[1]..nums[2]
}

/// An unsigned PDF written by LibreOffice-free means: Ghostscript.
fn source_pdf(dir: &Path) -> PathBuf {
    let ps = dir.join("cong-van.ps");
    std::fs::write(
        &ps,
        "%!PS\n/Times-Roman findfont 14 scalefont setfont\n72 720 moveto (Cong van so 12/UBND) show showpage\n",
    )
    .unwrap();
    let pdf = dir.join("cong-van.pdf");
    let o = Command::new("gs")
        .args(["-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite"])
        .arg(format!("-sOutputFile={}", pdf.display()))
        .arg(&ps)
        .output()
        .unwrap();
    assert_success(&o, "gs");
    pdf
}

#[test]
fn kyso_agrees_with_dss_on_every_corpus_file() {
    let dir = std::env::temp_dir()
        .join("kyso-tests")
        .join(format!("dss-agreement-{}", std::process::id()));
    let pki = Pki::new(&dir.join("pki"));
    let cases = corpus(&pki, &dir);
    let mut table = String::from("| file | Kyso | DSS | level (Kyso / DSS) |\n|---|---|---|---|\n");
    let mut disagreements = Vec::new();
    let mut compared = 0;
    let mut agreed = 0;
    for case in &cases {
        let kyso = kyso_verify(case, &pki.root);
        let dss_report = dss::validate(&case.file, case.content.as_deref(), &[&pki.root]);
        assert!(
            dss_report.get("error").is_none(),
            "{}: DSS: {dss_report}",
            case.name
        );
        // Document time-stamps are timestamps to DSS, signatures to Kyso's list.
        let ours: Vec<&Value> = kyso["signatures"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["pdf"]["subFilter"] != "ETSI.RFC3161")
            .collect();
        let theirs = dss::verdicts(&dss_report);
        for (i, t) in theirs.iter().enumerate() {
            let o = ours
                .get(i)
                .map(|s| {
                    (
                        s["indication"].as_str().unwrap_or("?").to_string(),
                        s["subIndication"].as_str().unwrap_or("").to_string(),
                    )
                })
                .unwrap_or_default();
            let levels = format!(
                "{} / {}",
                ours.get(i).and_then(|s| s["level"].as_str()).unwrap_or("-"),
                dss_report["signatures"][i]["level"].as_str().unwrap_or("-")
            );
            table.push_str(&format!(
                "| {}#{} | {} {} | {} {} | {levels} |\n",
                case.name,
                i + 1,
                o.0,
                o.1,
                t.0,
                t.1
            ));
            compared += 1;
            match case.dss_cannot_judge {
                None if o != *t => {
                    disagreements.push(format!("{}#{}: Kyso {o:?}, DSS {t:?}", case.name, i + 1))
                }
                // Where DSS cannot judge, OpenSSL did (above): Kyso must pass.
                Some(_) => assert_eq!(o.0, "TOTAL_PASSED", "{}", case.name),
                None => agreed += 1,
            }
        }
        if ours.len() != theirs.len() {
            disagreements.push(format!(
                "{}: Kyso found {} signatures, DSS {}",
                case.name,
                ours.len(),
                theirs.len()
            ));
        }
    }
    let artifact = kyso_tests::artifacts().join("dss-agreement.md");
    std::fs::write(&artifact, &table).unwrap();
    println!("{table}\nKyso agrees with DSS on {agreed} of {compared} signatures");
    assert!(compared >= 30, "only {compared} signatures compared");
    assert!(
        disagreements.is_empty(),
        "Kyso and DSS disagree on {} of {compared}:\n{}\n\n{table}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

#[test]
fn etsi_and_detailed_reports_and_a_policy_file() {
    let dir = std::env::temp_dir()
        .join("kyso-tests")
        .join(format!("dss-reports-{}", std::process::id()));
    let pki = Pki::new(&dir.join("pki"));
    std::fs::write(dir.join("hop-dong.txt"), "Hợp đồng số 7").unwrap();
    let good = openssl_cms(
        &pki,
        &dir,
        "good",
        &["rsa2048"],
        &["-md", "sha256", "-cades"],
    );
    let sha1 = openssl_cms(&pki, &dir, "sha1", &["rsa2048"], &["-md", "sha1", "-cades"]);
    let content = dir.join("hop-dong.txt");
    let kyso = |file: &Path, extra: &[&str]| {
        let out = Command::new(bin("kyso"))
            .args(["verify", "--trust"])
            .arg(&pki.root)
            .arg(file)
            .arg("--content")
            .arg(&content)
            .args(extra)
            .env("LANG", "C")
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };

    // The ETSI TS 119 102-2 report is valid against the schema DSS ships,
    // for a passed and an indeterminate signature alike.
    for (file, main) in [(&good, "total-passed"), (&sha1, "indeterminate")] {
        let xml = dir.join(format!(
            "{}.xml",
            file.file_stem().unwrap().to_string_lossy()
        ));
        let (code, _) = kyso(file, &["--report", "etsi", "--out", xml.to_str().unwrap()]);
        assert!(code == 0 || code == 2, "exit {code}");
        let text = std::fs::read_to_string(&xml).unwrap();
        assert!(
            text.contains(&format!("urn:etsi:019102:mainindication:{main}")),
            "{text}"
        );
        let check = dss::check_etsi_report(&xml);
        assert_eq!(check["valid"], json!(true), "{}: {check}", xml.display());
    }

    // The detailed report names each building block and the failed constraint.
    let (code, text) = kyso(&sha1, &["--report", "detailed"]);
    assert_eq!(code, 2);
    let report: Value = serde_json::from_str(&text).unwrap();
    let blocks = report["signatures"][0]["validation"].as_array().unwrap();
    let names: Vec<&str> = blocks
        .iter()
        .map(|b| b["block"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["FC", "ISC", "VCI", "CV", "SAV"], "{text}");
    let sav = &blocks[4];
    assert_eq!(sav["subIndication"], "CRYPTO_CONSTRAINTS_FAILURE_NO_POE");
    let failed = sav["constraints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["status"] == "NOT_OK")
        .unwrap();
    assert!(
        failed["message"].as_str().unwrap().contains("SHA-1"),
        "{failed}"
    );
    assert!(failed["messageVi"]
        .as_str()
        .unwrap()
        .contains("thuật toán băm SHA-1"));
    // The simple report (--json) carries no building blocks.
    let (_, simple) = kyso(&good, &["--json"]);
    assert!(!simple.contains("\"validation\""), "{simple}");

    // An agency policy (Circular 15/2025 minimums) in TOML: RSA-2048 with
    // SHA-256 passes, SHA-1 does not, and a key size below 3072 can be refused.
    let policy = dir.join("tt15.toml");
    std::fs::write(
        &policy,
        "name = \"Thông tư 15/2025/TT-BKHCN\"\n[digests]\n\"SHA-256\" = \"2035-01-01\"\n\"SHA-384\" = \"2035-01-01\"\n\"SHA-512\" = \"2035-01-01\"\n[[keys]]\nalgorithm = \"RSA\"\nminBits = 2048\n[[keys]]\nalgorithm = \"ECDSA\"\nminBits = 256\n",
    )
    .unwrap();
    let p = policy.to_str().unwrap();
    assert_eq!(kyso(&good, &["--json", "--policy", p]).0, 0);
    let (code, text) = kyso(&sha1, &["--json", "--policy", p]);
    assert_eq!(code, 2);
    assert!(text.contains("Thông tư 15/2025/TT-BKHCN"), "{text}");
    let strict = dir.join("strict.json");
    std::fs::write(
        &strict,
        r#"{"name":"RSA-3072","digests":{"SHA-256":null},"keys":[{"algorithm":"RSA","minBits":3072}]}"#,
    )
    .unwrap();
    let (code, text) = kyso(&good, &["--json", "--policy", strict.to_str().unwrap()]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("RSA key of 2048 bits"), "{text}");
    // A broken policy file is a usage error (exit 3), not a verdict.
    std::fs::write(&strict, r#"{"name":"x","digests":{"MD5":null},"keys":[]}"#).unwrap();
    assert_eq!(
        kyso(&good, &["--json", "--policy", strict.to_str().unwrap()]).0,
        3
    );
}
