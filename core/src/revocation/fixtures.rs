//! A small PKI made with the `openssl` CLI once per test binary, and the
//! OCSP responses and CRLs OpenSSL's own responder and CA make from it:
//! real data proves Kyso reads what the world writes, and that OpenSSL
//! answers Kyso's requests. Without `openssl` the tests fail loudly.
//!
//! Root CA (RSA) → "Kyso CA" (RSA) → signer 1001, revoked 1002, stranger
//! 1003 (issued but not in the CA's database), the delegated responder
//! 2001 (OCSPSigning, ocsp-nocheck), "noeku" 2002 (no OCSPSigning), and
//! "old", a responder whose validity ended in 2021. "rogue" is a
//! self-signed OCSP signer nobody authorised; "ca_nocrl" is the CA's name
//! and key certified without cRLSign.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use crate::Certificate;

/// The CA's database: 1001 valid, 1002 revoked on 2025-01-02T03:04:05Z for
/// keyCompromise.
pub(crate) const DEFAULT_INDEX: &str = "V\t301231235959Z\t\t1001\tunknown\t/CN=signer\n\
     R\t301231235959Z\t250102030405Z,keyCompromise\t1002\tunknown\t/CN=revoked\n";

const EXTENSIONS: &str = "\
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ca_nocrl]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign
subjectKeyIdentifier = hash
[ee]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
authorityInfoAccess = OCSP;URI:http://ocsp.kyso.test,caIssuers;URI:http://ca.kyso.test/ca.cer,OCSP;URI:ldap://ldap.kyso.test,OCSP;URI:https://ocsp2.kyso.test/
crlDistributionPoints = URI:http://crl.kyso.test/ca.crl,URI:ldap://ldap.kyso.test/crl
[responder]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = OCSPSigning
noCheck = ignored
[noeku]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
";

/// The PKI's directory; files are written under fresh names, so tests may
/// run in parallel.
pub(crate) struct Pki {
    dir: PathBuf,
    counter: AtomicUsize,
}

/// The PKI, made on first use.
pub(crate) fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(Pki::generate)
}

impl Pki {
    fn generate() -> Pki {
        let dir = std::env::temp_dir().join(format!("kyso-revocation-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        std::fs::write(dir.join("ext.cnf"), EXTENSIONS).expect("ext.cnf");
        let pki = Pki {
            dir,
            counter: AtomicUsize::new(0),
        };
        let dn = |cn: &str| format!("/C=VN/O=Kyso/CN=Kyso {cn}");
        pki.run(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "root.key",
            "-out",
            "root.pem",
            "-subj",
            &dn("Root"),
            "-days",
            "30",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]);
        pki.run(&[
            "req",
            "-new",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-subj",
            &dn("CA"),
            "-out",
            "ca.csr",
        ]);
        pki.issue("ca", "ca", "0x10", "root", "ca");
        pki.issue("ca", "ca_nocrl", "0x11", "root", "ca_nocrl");
        for (name, serial, ext) in [
            ("signer", "0x1001", "ee"),
            ("revoked", "0x1002", "ee"),
            ("stranger", "0x1003", "ee"),
            ("responder", "0x2001", "responder"),
            ("noeku", "0x2002", "noeku"),
        ] {
            pki.ec_key(name, &dn(name));
            pki.issue(name, name, serial, "ca", ext);
        }
        pki.run(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "rogue.key",
            "-out",
            "rogue.pem",
            "-subj",
            "/CN=Rogue responder",
            "-days",
            "30",
            "-addext",
            "extendedKeyUsage=OCSPSigning",
        ]);
        // `openssl x509` cannot back-date; `openssl ca` can.
        pki.ec_key("old", &dn("old responder"));
        std::fs::write(
            pki.dir.join("old.cnf"),
            "[ca]\ndefault_ca = d\n[d]\ndatabase = old.txt\nnew_certs_dir = .\nserial = old.srl\n\
             default_md = sha256\npolicy = any\n[any]\ncommonName = supplied\n",
        )
        .expect("old.cnf");
        std::fs::write(pki.dir.join("old.txt"), "").expect("old.txt");
        std::fs::write(pki.dir.join("old.srl"), "3001\n").expect("old.srl");
        pki.run(&[
            "ca",
            "-config",
            "old.cnf",
            "-batch",
            "-notext",
            "-preserveDN",
            "-in",
            "old.csr",
            "-cert",
            "ca.pem",
            "-keyfile",
            "ca.key",
            "-startdate",
            "20200101000000Z",
            "-enddate",
            "20210101000000Z",
            "-extfile",
            "ext.cnf",
            "-extensions",
            "responder",
            "-out",
            "old.pem",
        ]);
        pki
    }

    fn ec_key(&self, name: &str, subject: &str) {
        self.run(&[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-subj",
            subject,
            "-out",
            &format!("{name}.csr"),
        ]);
    }

    fn issue(&self, csr: &str, name: &str, serial: &str, ca: &str, ext: &str) {
        self.run(&[
            "x509",
            "-req",
            "-in",
            &format!("{csr}.csr"),
            "-CA",
            &format!("{ca}.pem"),
            "-CAkey",
            &format!("{ca}.key"),
            "-set_serial",
            serial,
            "-days",
            "30",
            "-extfile",
            "ext.cnf",
            "-extensions",
            ext,
            "-out",
            &format!("{name}.pem"),
        ]);
    }

    /// Runs `openssl` in the PKI's directory; a failure fails the test with
    /// OpenSSL's own words.
    fn run(&self, args: &[&str]) {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(&self.dir)
            .output()
            .expect("the openssl CLI is needed by these tests");
        assert!(
            out.status.success(),
            "openssl {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A fresh file name in the directory.
    fn fresh(&self, what: &str) -> String {
        format!("{what}-{}", self.counter.fetch_add(1, Ordering::Relaxed))
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// The certificate `name`.
    pub(crate) fn cert(&self, name: &str) -> Certificate {
        Certificate::from_pem(&read(&self.path(&format!("{name}.pem")))).expect("certificate")
    }

    /// OpenSSL's responder answering `request` for "Kyso CA" from the
    /// database `index`, signed by `signer` (a name of this PKI), with
    /// `extra` `openssl ocsp` options.
    pub(crate) fn ocsp(
        &self,
        index: &str,
        request: &[u8],
        signer: &str,
        extra: &[&str],
    ) -> Vec<u8> {
        let (idx, req, resp) = (self.fresh("index"), self.fresh("req"), self.fresh("resp"));
        std::fs::write(self.path(&idx), index).expect("index");
        std::fs::write(self.path(&req), request).expect("request");
        let (rsigner, rkey) = (format!("{signer}.pem"), format!("{signer}.key"));
        let mut args = vec![
            "ocsp", "-index", &idx, "-CA", "ca.pem", "-rsigner", &rsigner, "-rkey", &rkey,
            "-reqin", &req, "-respout", &resp, "-ndays", "7",
        ];
        args.extend_from_slice(extra);
        self.run(&args);
        read(&self.path(&resp))
    }

    /// A CRL from OpenSSL's CA for the database `index`, issued by `signer`
    /// (a name of this PKI), DER. `extensions` are more lines of its
    /// crl_extensions section (and any section they refer to); `None`
    /// leaves out CRL extensions and the CRL number, which makes a v1 CRL
    /// when no entry has a reason. `extra` are more `openssl ca` options.
    pub(crate) fn crl(
        &self,
        signer: &str,
        index: &str,
        extensions: Option<&str>,
        extra: &[&str],
    ) -> Vec<u8> {
        let (idx, num, cnf, pem, der) = (
            self.fresh("index"),
            self.fresh("crlnumber"),
            self.fresh("crl.cnf"),
            self.fresh("crl.pem"),
            self.fresh("crl.der"),
        );
        std::fs::write(self.path(&idx), index).expect("index");
        let mut config = format!(
            "[ca]\ndefault_ca = d\n[d]\ndatabase = {idx}\ndefault_md = sha256\ndefault_crl_days = 30\n"
        );
        if let Some(extensions) = extensions {
            std::fs::write(self.path(&num), "01\n").expect("crlnumber");
            config += &format!(
                "crlnumber = {num}\ncrl_extensions = crl_ext\n\
                 [crl_ext]\nauthorityKeyIdentifier = keyid:always\n{extensions}\n"
            );
        }
        std::fs::write(self.path(&cnf), config).expect("crl config");
        let (key, cert) = (format!("{signer}.key"), format!("{signer}.pem"));
        let mut args = vec![
            "ca", "-config", &cnf, "-gencrl", "-keyfile", &key, "-cert", &cert, "-out", &pem,
        ];
        args.extend_from_slice(extra);
        self.run(&args);
        self.run(&["crl", "-in", &pem, "-outform", "der", "-out", &der]);
        read(&self.path(&der))
    }

    /// The same CRL as PEM text, as `openssl ca` writes it.
    pub(crate) fn pem_of(&self, der: &[u8]) -> Vec<u8> {
        let (input, output) = (self.fresh("in.der"), self.fresh("out.pem"));
        std::fs::write(self.path(&input), der).expect("crl");
        self.run(&["crl", "-inform", "der", "-in", &input, "-out", &output]);
        read(&self.path(&output))
    }
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
