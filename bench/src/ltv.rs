//! Long-term signatures: `kyso sign pdf --level B-LTA` against `pyhanko
//! sign addsig --use-pades-lta` on the same 10 MiB PDF, the same SoftHSM
//! key and the same loopback TSA and OCSP/CRL responders; then validating
//! each result with what it embeds (`kyso verify` against pyHanko's AdES
//! LTA validation, tests/support/pyhanko_ltv.py).

use std::path::Path;
use std::process::Command;

use kyso_testkit::ltv::{free_ports, Responders};

use crate::pdf::{best, measure, pyhanko_pkcs11, write_pdf, RUNS};

const MIB: usize = 10;

pub fn run(workspace: &Path) -> Result<String, String> {
    let dir = workspace.join("target/bench/ltv");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let ports = free_ports(2)?;
    let front = format!("http://127.0.0.1:{}", ports[0]);
    let ocsp = format!("http://127.0.0.1:{}", ports[1]);
    let manifest = kyso_testkit::provision_with(
        &crate::exe::sibling("kyso-testkit")?,
        &dir,
        "ltv",
        &["--responders", &front, "--ocsp", &ocsp],
    )?;
    let responders = Responders::start(&manifest)?;
    let tsa = responders.entry().tsa_url.clone();
    let signer = manifest.signer("ltv");
    let cert_id = format!(
        "{}:{}",
        manifest.tokens[0].serial,
        signer.cka_id.as_deref().unwrap_or_default()
    );
    let kyso = crate::exe::sibling("kyso")?;
    let venv = workspace.join("target/venv/bin");
    let (pyhanko, python) = (venv.join("pyhanko"), venv.join("python"));
    let script = workspace.join("tests/support/pyhanko_ltv.py");

    let input = dir.join("input.pdf");
    write_pdf(&input, MIB)?;
    let (k_out, p_out) = (dir.join("kyso-lta.pdf"), dir.join("pyhanko-lta.pdf"));
    let kyso_sign = best(|| {
        let mut c = Command::new(&kyso);
        c.env("SOFTHSM2_CONF", &manifest.softhsm2_conf)
            .args(["sign", "pdf"])
            .arg(&input)
            .arg("--out")
            .arg(&k_out)
            .arg("--module")
            .arg(&manifest.module)
            .args([
                "--cert",
                &cert_id,
                "--pin-stdin",
                "--level",
                "B-LTA",
                "--tsa",
                &tsa,
            ]);
        measure(c, Some(&manifest.pin))
    })?;
    let root = manifest.root_pem.to_string_lossy().into_owned();
    let pyhanko_sign = best(|| {
        let options = [
            "--timestamp-url",
            &tsa,
            "--with-validation-info",
            "--use-pades",
            "--use-pades-lta",
            "--trust",
            &root,
            "--trust-replace",
        ];
        let c = pyhanko_pkcs11(&pyhanko, &manifest, "ltv", &options, &input, &p_out);
        measure(c, None)
    })?;
    let kyso_verify = best(|| {
        let mut c = Command::new(&kyso);
        c.args(["verify", "--json", "--trust"])
            .arg(&manifest.root_pem)
            .arg(&k_out);
        measure(c, None)
    })?;
    let pyhanko_verify = best(|| {
        let mut c = Command::new(&python);
        c.arg(&script).arg(&p_out).arg(&manifest.root_pem);
        measure(c, None)
    })?;
    drop(responders);
    Ok(format!(
        "## Long-term signatures (PAdES-B-LTA)\n\n\
         A {MIB} MiB PDF signed at B-LTA with the same RSA-2048 SoftHSM key and the \
         same loopback TSA (`openssl ts`) and OCSP/CRL responders: `kyso sign pdf --level \
         B-LTA` against `pyhanko sign addsig --use-pades-lta --with-validation-info`; then \
         each file validated with what it embeds: `kyso verify` against pyHanko's AdES LTA \
         validation (tests/support/pyhanko_ltv.py, no fetching). Wall time of the whole \
         process, best of {RUNS}. Target: Kyso ≤ 0.3× pyHanko for signing.\n\n\
         | | Kyso | pyHanko | ratio |\n|---|---|---|---|\n\
         | sign at B-LTA | {:.2} s | {:.2} s | **{:.2}** |\n\
         | validate | {:.2} s | {:.2} s | **{:.2}** |\n",
        kyso_sign.0,
        pyhanko_sign.0,
        kyso_sign.0 / pyhanko_sign.0,
        kyso_verify.0,
        pyhanko_verify.0,
        kyso_verify.0 / pyhanko_verify.0,
    ))
}
