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
    openssl_out(dir, args);
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

    /// The DSS harness's options for signing as `signer` at `level`.
    fn dss_signer(&self, signer: &str, level: &str) -> Value {
        json!({
            "key": self.key(signer), "cert": self.cert(signer),
            "chain": [self.root.clone()], "level": level,
        })
    }

    fn key(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.key"))
    }

    fn cert(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.pem"))
    }
}

/// A CAdES B-B with the Ed25519 key, by DSS (OpenSSL 3.0's CMS cannot).
fn ed25519_cades(pki: &Pki, content: &Path, out: &Path) {
    let mut options = pki.dss_signer("ed25519", "B-B");
    options["digest"] = json!("SHA512");
    dss::sign("sign-cades", content, out, options);
}

/// A fresh directory for one test, with its own PKI in `pki/`.
fn scratch_pki(tag: &str) -> (PathBuf, Pki) {
    let dir = std::env::temp_dir()
        .join("kyso-tests")
        .join(format!("{tag}-{}", std::process::id()));
    let pki = Pki::new(&dir.join("pki"));
    (dir, pki)
}

/// One corpus file and what made it.
struct Case {
    name: String,
    file: PathBuf,
    content: Option<PathBuf>,
    /// When DSS's verdict is not the reference for this file: why, and the
    /// (indication, sub-indication) Kyso must give instead, which another
    /// oracle established in the test.
    dss_cannot_judge: Option<CannotJudge>,
}

#[derive(Clone, Copy)]
struct CannotJudge {
    why: &'static str,
    kyso: (&'static str, &'static str),
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
            case.dss_cannot_judge = Some(CannotJudge {
                why: "DSS ties MGF1's hash to the message hash",
                kyso: ("TOTAL_PASSED", ""),
            });
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
    // pyHanko's CAdES (its general-data signer), RSA and P-384.
    for key in ["rsa2048", "p384"] {
        let out = dir.join(format!("pyhanko-cades-{key}.p7s"));
        let o = Command::new(kyso_tests::python())
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("support/pyhanko_sign.py"))
            .arg(pki.key(key))
            .arg(pki.cert(key))
            .arg(&pki.root)
            .arg(&content)
            .arg(&out)
            .output()
            .unwrap();
        assert_success(&o, "pyhanko_sign.py");
        cases.push(detached(&format!("pyhanko-cades-{key}"), out));
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
    // Ed25519 (RFC 8419) in CAdES: OpenSSL 3.0's CMS cannot sign with it; DSS can.
    let out = dir.join("dss-cades-ed25519.p7s");
    ed25519_cades(pki, &content, &out);
    cases.push(detached("dss-cades-ed25519", out));
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
    cases.extend(handmade_cases(pki, dir));
    cases.extend(rewritten_inputs(pki, dir));
    cases
}

/// The bytes `openssl` prints for `args`, run in `dir`, with `input` on disk.
fn openssl_out(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    assert_success(&out, &format!("openssl {}", args.join(" ")));
    out.stdout
}

/// Signed PDFs written here around OpenSSL-made `/Contents`.
fn handmade_cases(pki: &Pki, dir: &Path) -> Vec<Case> {
    let hm = dir.join("handmade");
    std::fs::create_dir_all(&hm).unwrap();
    let data = hm.join("signed-bytes.bin");
    let key = pki.key("rsa2048");
    let cert = pki.cert("rsa2048");
    let (key, cert) = (key.to_str().unwrap(), cert.to_str().unwrap());
    // A CMS over the signed bytes, with `extra` openssl options.
    let cms = |extra: &[&str]| {
        let data = data.clone();
        let hm = hm.clone();
        let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        move |signed: &[u8]| {
            std::fs::write(&data, signed).unwrap();
            let mut args = vec![
                "cms",
                "-sign",
                "-binary",
                "-outform",
                "DER",
                "-in",
                "signed-bytes.bin",
                "-signer",
                cert,
                "-inkey",
                key,
                "-md",
                "sha256",
            ];
            args.extend(extra.iter().map(String::as_str));
            openssl_out(&hm, &args)
        }
    };
    let mut out = Vec::new();
    let mut add = |name: &str, pdf: Vec<u8>| {
        let f = hm.join(format!("{name}.pdf"));
        std::fs::write(&f, pdf).unwrap();
        out.push(pdf_case(name, f));
    };
    use kyso_tests::handmade::{octet_string, signed_pdf, Layout, Xref};
    let detached = Layout::detached("adbe.pkcs7.detached");
    add("handmade-pkcs7", signed_pdf(&detached, cms(&[])));
    add(
        "handmade-cades",
        signed_pdf(&Layout::detached("ETSI.CAdES.detached"), cms(&["-cades"])),
    );
    // BER with indefinite lengths in /Contents (OpenSSL's -stream).
    add("handmade-ber", signed_pdf(&detached, cms(&["-stream"])));
    add(
        "handmade-no-signed-attributes",
        signed_pdf(&detached, cms(&["-noattr"])),
    );
    let p384 = (pki.key("p384"), pki.cert("p384"));
    let two = [
        "-signer",
        p384.1.to_str().unwrap(),
        "-inkey",
        p384.0.to_str().unwrap(),
    ];
    add(
        "handmade-two-signer-infos",
        signed_pdf(&detached, cms(&two)),
    );
    add(
        "handmade-xref-stream",
        signed_pdf(
            &Layout {
                xref: Xref::Stream,
                ..detached.clone()
            },
            cms(&[]),
        ),
    );
    add(
        "handmade-eof-without-newline",
        signed_pdf(
            &Layout {
                eof_newline: false,
                ..detached.clone()
            },
            cms(&[]),
        ),
    );
    add(
        "handmade-signing-time-before-certificate",
        signed_pdf(
            &Layout {
                signing_time: Some("D:20200101000000Z"),
                ..detached.clone()
            },
            cms(&[]),
        ),
    );
    add(
        "handmade-xref-offsets-off",
        signed_pdf(
            &Layout {
                xref: Xref::TableOffsetsOff,
                ..detached.clone()
            },
            cms(&[]),
        ),
    );

    // An attached CMS over `input` (a file in `hm`), with `extra` options.
    let attached = |input: &str, extra: &[&str]| {
        let mut args = vec!["cms", "-sign", "-binary", "-nodetach", "-outform", "DER"];
        args.extend(extra);
        args.extend([
            "-in", input, "-signer", cert, "-inkey", key, "-md", "sha256",
        ]);
        openssl_out(&hm, &args)
    };
    // adbe.pkcs7.sha1: the CMS encapsulates the SHA-1 digest of the range.
    let sha1 = Layout::detached("adbe.pkcs7.sha1");
    add(
        "handmade-pkcs7-sha1",
        signed_pdf(&sha1, |signed| {
            std::fs::write(
                hm.join("digest.bin"),
                kyso_core::digest::HashAlgorithm::Sha1.digest(signed),
            )
            .unwrap();
            attached("digest.bin", &[])
        }),
    );
    // adbe.x509.rsa_sha1: a bare PKCS#1 value, the certificate in /Cert.
    let cert_der = openssl_out(&hm, &["x509", "-in", cert, "-outform", "DER"]);
    let cert_hex: String = cert_der.iter().map(|b| format!("{b:02X}")).collect();
    let x509 = Layout {
        extra: format!("/Cert <{cert_hex}>"),
        ..Layout::detached("adbe.x509.rsa_sha1")
    };
    add(
        "handmade-x509-rsa-sha1",
        signed_pdf(&x509, |signed| {
            std::fs::write(&data, signed).unwrap();
            let sig = openssl_out(&hm, &["dgst", "-sha1", "-sign", key, "signed-bytes.bin"]);
            octet_string(&sig)
        }),
    );
    // DSS does not read adbe.x509.rsa_sha1 at all (no CMS: it lists no
    // signature). Under the default policy SHA-1 makes it INDETERMINATE;
    // `legacy_sub_filters_verify_under_a_policy_that_accepts_sha1` shows the
    // value itself verifies and a changed byte fails.
    // An ETSI.RFC3161 document time-stamp by OpenSSL's TSA.
    std::fs::write(hm.join("tsaserial"), "01\n").unwrap();
    std::fs::write(
        hm.join("ts.cnf"),
        format!(
            "[ tsa ]\ndefault_tsa = tsa1\n[ tsa1 ]\nserial = {d}/tsaserial\nsigner_cert = {c}\ncerts = {r}\nsigner_key = {k}\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256, sha384, sha512\naccuracy = secs:1\ness_cert_id_alg = sha256\n",
            d = hm.display(),
            c = pki.cert("tsa").display(),
            r = pki.root.display(),
            k = pki.key("tsa").display(),
        ),
    )
    .unwrap();
    // OpenSSL's TSA stamps the signed bytes: `token.der`.
    let tsa_token = |signed: &[u8]| {
        std::fs::write(&data, signed).unwrap();
        openssl_out(
            &hm,
            &[
                "ts",
                "-query",
                "-data",
                "signed-bytes.bin",
                "-sha256",
                "-cert",
                "-no_nonce",
                "-out",
                "q.tsq",
            ],
        );
        openssl_out(
            &hm,
            &[
                "ts",
                "-reply",
                "-config",
                "ts.cnf",
                "-queryfile",
                "q.tsq",
                "-token_out",
                "-out",
                "token.der",
            ],
        );
    };
    let ts = Layout {
        sig_type: "DocTimeStamp",
        ..Layout::detached("ETSI.RFC3161")
    };
    add(
        "handmade-doc-timestamp",
        signed_pdf(&ts, |signed| {
            tsa_token(signed);
            std::fs::read(hm.join("token.der")).unwrap()
        }),
    );
    // The same TSTInfo signed by a certificate that is not a TSA's (no
    // timeStamping extended key usage): RFC 3161 §2.3 refuses it.
    add(
        "handmade-doc-timestamp-not-by-a-tsa",
        signed_pdf(&ts, |signed| {
            tsa_token(signed);
            openssl_out(
                &hm,
                &[
                    "cms",
                    "-verify",
                    "-noverify",
                    "-inform",
                    "DER",
                    "-in",
                    "token.der",
                    "-out",
                    "tst.der",
                ],
            );
            attached("tst.der", &["-econtent_type", "1.2.840.113549.1.9.16.1.4"])
        }),
    );
    // Two incremental updates after the signature: one adds an object, the
    // next frees it again (what editors leave behind).
    let signed = std::fs::read(hm.join("handmade-pkcs7.pdf")).unwrap();
    let mut u = kyso_testkit::pdf::PdfWriter::update(&signed);
    u.obj(9, b"(ghi chu)");
    let prev = kyso_testkit::pdf::startxref(&signed);
    let entries = u.written();
    u.table(&entries, &format!("/Root 1 0 R /Size 10 /Prev {prev}"));
    let first = u.out.clone();
    let mut u = kyso_testkit::pdf::PdfWriter::update(&first);
    let prev = kyso_testkit::pdf::startxref(&first);
    u.table(
        &[(9, kyso_testkit::pdf::At::Free(1))],
        &format!("/Root 1 0 R /Size 10 /Prev {prev}"),
    );
    add("handmade-freed-object-update", u.out);
    if let Some(c) = out
        .iter_mut()
        .find(|c| c.name == "handmade-doc-timestamp-not-by-a-tsa")
    {
        // DSS does not take a token signed without the timeStamping key
        // purpose for a time-stamp at all (it lists none); RFC 3161 §2.3
        // says such a token is not one.
        c.dss_cannot_judge = Some(CannotJudge {
            why: "DSS lists no time-stamp signed by a non-TSA certificate",
            kyso: ("INDETERMINATE", "CHAIN_CONSTRAINTS_FAILURE"),
        });
    }
    if let Some(last) = out.iter_mut().find(|c| c.name == "handmade-x509-rsa-sha1") {
        last.dss_cannot_judge = Some(CannotJudge {
            why: "DSS does not support adbe.x509.rsa_sha1",
            kyso: ("INDETERMINATE", "CRYPTO_CONSTRAINTS_FAILURE_NO_POE"),
        });
    }

    out
}

/// DSS PAdES over inputs other writers made or rewrote (LibreOffice,
/// Ghostscript, qpdf with object streams, linearized, PDF 1.4 and 2.0,
/// cairo), and a pyHanko certification signature.
fn rewritten_inputs(pki: &Pki, dir: &Path) -> Vec<Case> {
    let inputs = kyso_tests::pdf::build_corpus(&dir.join("inputs"));
    let mut out = Vec::new();
    for input in &inputs {
        let f = dir.join(format!("dss-over-{}.pdf", input.name));
        dss::sign(
            "sign-pades",
            &input.path,
            &f,
            pki.dss_signer("rsa2048", "B-B"),
        );
        out.push(pdf_case(&format!("dss-over-{}", input.name), f));
    }
    let certified = dir.join("pyhanko-certified.pdf");
    let o = Command::new(kyso_tests::python())
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("support/pyhanko_certify.py"))
        .arg(pki.key("rsa2048"))
        .arg(pki.cert("rsa2048"))
        .arg(&pki.root)
        .arg(&inputs[0].path)
        .arg(&certified)
        .arg("FILL_FORMS")
        .output()
        .unwrap();
    assert_success(&o, "pyhanko_certify.py");
    out.push(pdf_case("pyhanko-certified", certified));
    out
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
    let (dir, pki) = scratch_pki("dss-agreement");
    let cases = corpus(&pki, &dir);
    let mut table = String::from("| file | Kyso | DSS | level (Kyso / DSS) |\n|---|---|---|---|\n");
    let mut disagreements = Vec::new();
    let (mut compared, mut agreed) = (0, 0);
    let pair = |s: &Value| {
        (
            s["indication"].as_str().unwrap_or("?").to_string(),
            s["subIndication"].as_str().unwrap_or("").to_string(),
        )
    };
    for case in &cases {
        let kyso = kyso_verify(case, &pki.root);
        let dss_report = dss::validate(&case.file, case.content.as_deref(), &[&pki.root]);
        assert!(
            dss_report.get("error").is_none(),
            "{}: DSS: {dss_report}",
            case.name
        );
        let all = kyso["signatures"].as_array().unwrap();
        if let Some(cannot) = case.dss_cannot_judge {
            let got = all.first().map(pair).unwrap_or_default();
            table.push_str(&format!(
                "| {} | {} {} | (cannot judge: {}) | |\n",
                case.name, got.0, got.1, cannot.why
            ));
            assert_eq!(
                (got.0.as_str(), got.1.as_str()),
                cannot.kyso,
                "{}: where DSS cannot judge, the other oracle's verdict",
                case.name
            );
            continue;
        }
        // Document time-stamps are timestamps to DSS, entries of the list to
        // Kyso: compared with DSS's DOCUMENT_TIMESTAMPs.
        let is_doc_ts = |s: &&Value| s["pdf"]["subFilter"] == "ETSI.RFC3161";
        let ours: Vec<(String, String, String)> = all
            .iter()
            .filter(|s| !is_doc_ts(s))
            .map(|s| {
                let (i, sub) = pair(s);
                (i, sub, s["level"].as_str().unwrap_or("-").to_string())
            })
            .collect();
        let theirs: Vec<(String, String, String)> = dss::verdicts(&dss_report)
            .into_iter()
            .zip(dss_report["signatures"].as_array().unwrap())
            .map(|((i, sub), s)| (i, sub, s["level"].as_str().unwrap_or("-").to_string()))
            .collect();
        let our_ts: Vec<(String, String, String)> = all
            .iter()
            .filter(is_doc_ts)
            .map(|s| {
                let (i, sub) = pair(s);
                (i, sub, "DOC-TIMESTAMP".into())
            })
            .collect();
        let their_ts: Vec<(String, String, String)> = dss_report["timestamps"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|t| t["type"] == "DOCUMENT_TIMESTAMP")
            .map(|t| {
                let i = match t["indication"].as_str().unwrap_or("?") {
                    "PASSED" => "TOTAL_PASSED",
                    "FAILED" => "TOTAL_FAILED",
                    other => other,
                };
                let sub = t["subIndication"].as_str().unwrap_or("");
                (i.to_string(), sub.to_string(), "DOC-TIMESTAMP".into())
            })
            .collect();
        for (ours, theirs, kind) in [(&ours, &theirs, ""), (&our_ts, &their_ts, " (time-stamp)")] {
            if ours.len() != theirs.len() {
                disagreements.push(format!(
                    "{}: Kyso found {} signatures{kind}, DSS {}",
                    case.name,
                    ours.len(),
                    theirs.len()
                ));
            }
            for (i, (o, t)) in ours.iter().zip(theirs).enumerate() {
                table.push_str(&format!(
                    "| {}#{}{kind} | {} {} | {} {} | {} / {} |\n",
                    case.name,
                    i + 1,
                    o.0,
                    o.1,
                    t.0,
                    t.1,
                    o.2,
                    t.2
                ));
                compared += 1;
                if (&o.0, &o.1) == (&t.0, &t.1) {
                    agreed += 1;
                } else {
                    disagreements.push(format!(
                        "{}#{}{kind}: Kyso {o:?}, DSS {t:?}",
                        case.name,
                        i + 1
                    ));
                }
            }
        }
    }
    // pyHanko, measured beside DSS on the PDFs (all of a file's signatures
    // valid and trusted, or not): reported, not required, since its policy
    // differs (it has no cryptographic-constraints dates).
    let (mut py_compared, mut py_agreed) = (0, 0);
    table.push_str("\n| PDF | Kyso file verdict | pyHanko intact and trusted |\n|---|---|---|\n");
    for case in cases
        .iter()
        .filter(|c| c.file.extension().is_some_and(|e| e == "pdf"))
    {
        let kyso = kyso_verify(case, &pki.root);
        let kyso_ok = kyso["indication"] == "TOTAL_PASSED";
        let py_ok = Command::new(pyhanko())
            .args(["sign", "validate", "--trust"])
            .arg(&pki.root)
            .args(["--trust-replace", "--no-revocation-check"])
            .arg(&case.file)
            .output()
            .is_ok_and(|o| o.status.success());
        py_compared += 1;
        py_agreed += usize::from(kyso_ok == py_ok);
        table.push_str(&format!(
            "| {} | {} | {} |\n",
            case.name,
            kyso["indication"].as_str().unwrap_or("?"),
            py_ok
        ));
    }
    table.push_str(&format!(
        "\nKyso agrees with pyHanko on {py_agreed} of {py_compared} PDFs\n"
    ));
    let artifact = kyso_tests::artifacts().join("dss-agreement.md");
    std::fs::write(&artifact, &table).unwrap();
    println!("{table}\nKyso agrees with DSS on {agreed} of {compared} signatures and time-stamps");
    assert!(py_compared >= 25, "pyHanko saw only {py_compared} PDFs");
    assert!(compared >= 50, "only {compared} signatures compared");
    assert!(
        disagreements.is_empty(),
        "Kyso and DSS disagree on {} of {compared}:\n{}\n\n{table}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

#[test]
fn etsi_and_detailed_reports_and_a_policy_file() {
    let (dir, pki) = scratch_pki("dss-reports");
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

/// Flips one byte of the page content (inside every signed range).
fn tampered(file: &Path) -> PathBuf {
    let mut b = std::fs::read(file).unwrap();
    let i = b
        .windows(8)
        .position(|w| w == b"Cong van")
        .expect("page text");
    b[i] ^= 1;
    let out = file.with_extension("tampered.pdf");
    std::fs::write(&out, b).unwrap();
    out
}

#[test]
fn legacy_sub_filters_time_stamps_and_ed25519_verify_for_real() {
    let (dir, pki) = scratch_pki("dss-legacy");
    let cases = handmade_cases(&pki, &dir);
    let file = |name: &str| cases.iter().find(|c| c.name == name).unwrap().file.clone();
    let verify = |f: &Path, content: Option<&Path>, policy: Option<&Path>| {
        let mut cmd = Command::new(bin("kyso"));
        cmd.args(["verify", "--report", "detailed", "--trust"])
            .arg(&pki.root)
            .arg(f)
            .env("LANG", "C");
        if let Some(c) = content {
            cmd.arg("--content").arg(c);
        }
        if let Some(p) = policy {
            cmd.arg("--policy").arg(p);
        }
        let out = cmd.output().unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let s = report["signatures"][0].clone();
        (out.status.code().unwrap(), s)
    };
    // A policy that still accepts SHA-1 and Ed25519: what is left to judge is
    // whether the values verify.
    let lenient = dir.join("lenient.json");
    std::fs::write(
        &lenient,
        r#"{"name":"lenient","digests":{"SHA-1":null,"SHA-256":null,"SHA-512":null},"keys":[{"algorithm":"RSA","minBits":1024},{"algorithm":"Ed25519","minBits":256}]}"#,
    )
    .unwrap();

    // adbe.x509.rsa_sha1: the PKCS#1 value verifies; one changed byte breaks it.
    let x509 = file("handmade-x509-rsa-sha1");
    let (code, s) = verify(&x509, None, Some(&lenient));
    assert_eq!(code, 0, "{s:#}");
    assert_eq!(s["pdf"]["subFilter"], "adbe.x509.rsa_sha1");
    assert!(s["signer"]["subject"].as_str().unwrap().contains("rsa2048"));
    let (code, s) = verify(&tampered(&x509), None, Some(&lenient));
    assert_eq!(
        (code, s["subIndication"].as_str()),
        (1, Some("SIG_CRYPTO_FAILURE")),
        "{s:#}"
    );

    // adbe.pkcs7.sha1: passes with a warning naming SHA-1; tampering is a
    // HASH_FAILURE (the SHA-1 content no longer matches).
    let sha1 = file("handmade-pkcs7-sha1");
    let (code, s) = verify(&sha1, None, None);
    assert_eq!(code, 0, "{s:#}");
    assert!(
        s["warnings"]
            .to_string()
            .contains("PDF_SHA1_DOCUMENT_DIGEST"),
        "{s:#}"
    );
    let (code, s) = verify(&tampered(&sha1), None, None);
    assert_eq!(
        (code, s["subIndication"].as_str()),
        (1, Some("HASH_FAILURE"))
    );

    // An ETSI.RFC3161 document time-stamp: its time is proven, the imprint
    // is checked against the byte range.
    let ts = file("handmade-doc-timestamp");
    let (code, s) = verify(&ts, None, None);
    assert_eq!(code, 0, "{s:#}");
    assert_eq!(s["level"], "DOC-TIMESTAMP");
    assert!(s["provenSigningTime"].is_string());
    assert!(s["validation"]
        .to_string()
        .contains("MESSAGE_IMPRINT_MATCHES"));
    let (code, s) = verify(&tampered(&ts), None, None);
    assert_eq!(
        (code, s["subIndication"].as_str()),
        (1, Some("HASH_FAILURE"))
    );

    // Ed25519 (RFC 8419, pure EdDSA over the signed attributes): refused by
    // the default policy as DSS refuses it, accepted when a policy lists it,
    // and a changed signature value fails.
    let content = dir.join("hop-dong.txt");
    std::fs::write(&content, "Hợp đồng số 9").unwrap();
    let ed = dir.join("ed25519.p7s");
    ed25519_cades(&pki, &content, &ed);
    let (code, s) = verify(&ed, Some(&content), None);
    assert_eq!(
        (code, s["subIndication"].as_str()),
        (2, Some("CRYPTO_CONSTRAINTS_FAILURE_NO_POE"))
    );
    assert!(s["errors"].to_string().contains("Ed25519"), "{s:#}");
    let (code, s) = verify(&ed, Some(&content), Some(&lenient));
    assert_eq!(code, 0, "{s:#}");
    assert_eq!(s["signatureAlgorithm"], "Ed25519");
    let mut bad = std::fs::read(&ed).unwrap();
    // The signature value is the last OCTET STRING of the SignerInfo: 64
    // bytes at the very end of a B-B CAdES without unsigned attributes.
    let n = bad.len();
    bad[n - 10] ^= 1;
    let bad_file = dir.join("ed25519-bad.p7s");
    std::fs::write(&bad_file, bad).unwrap();
    let (code, s) = verify(&bad_file, Some(&content), Some(&lenient));
    assert_eq!(
        (code, s["subIndication"].as_str()),
        (1, Some("SIG_CRYPTO_FAILURE")),
        "{s:#}"
    );
}
