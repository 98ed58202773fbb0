//! Signing and verifying large PDFs: the `kyso` CLI against pyHanko (its
//! PKCS#11 signer) with the same SoftHSM key, and the verifier's peak memory
//! against the file size.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

const MIB: usize = 1024 * 1024;
/// Each measurement is the best of this many runs.
pub(crate) const RUNS: usize = 3;

pub fn run(workspace: &Path, sizes_mib: &[usize]) -> Result<String, String> {
    let dir = workspace.join("target/bench/pdf");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let manifest = kyso_testkit::provision(&crate::exe::sibling("kyso-testkit")?, &dir, "single")?;
    let signer = manifest.signer("rsa2048");
    let cert_id = format!(
        "{}:{}",
        manifest.tokens[0].serial,
        signer.cka_id.as_deref().unwrap_or_default()
    );
    let kyso = crate::exe::sibling("kyso")?;
    let venv = workspace.join("target/venv/bin");
    let pyhanko = venv.join("pyhanko");
    if !pyhanko.exists() {
        return Err(format!(
            "{} missing: run `cargo xtask setup`",
            pyhanko.display()
        ));
    }

    let mut rows = String::new();
    for &mib in sizes_mib {
        let input = dir.join(format!("input-{mib}.pdf"));
        write_pdf(&input, mib)?;
        let size = std::fs::metadata(&input).map_err(|e| e.to_string())?.len() as f64;
        let (k_out, p_out) = (
            dir.join(format!("kyso-{mib}.pdf")),
            dir.join(format!("pyhanko-{mib}.pdf")),
        );

        let kyso_sign = best(|| {
            let mut c = Command::new(&kyso);
            c.env("SOFTHSM2_CONF", &manifest.softhsm2_conf)
                .args(["sign", "pdf"])
                .arg(&input)
                .arg("--out")
                .arg(&k_out)
                .args(["--module"])
                .arg(&manifest.module)
                .args(["--cert", &cert_id, "--pin-stdin"]);
            measure(c, Some(&manifest.pin))
        })?;
        let pyhanko_sign = best(|| {
            let c = pyhanko_pkcs11(&pyhanko, &manifest, "rsa2048", &[], &input, &p_out);
            measure(c, None)
        })?;
        // Each verifier checks the file it signed; both hold one signature.
        let kyso_verify = best(|| {
            let mut c = Command::new(&kyso);
            c.args(["verify", "--json", "--trust"])
                .arg(&manifest.root_pem)
                .arg(&k_out);
            measure(c, None)
        })?;
        let pyhanko_verify = best(|| {
            let mut c = Command::new(&pyhanko);
            c.args([
                "sign",
                "validate",
                "--no-revocation-check",
                "--trust-replace",
                "--trust",
            ])
            .arg(&manifest.root_pem)
            .arg(&p_out);
            measure(c, None)
        })?;
        rows.push_str(&format!(
            "| {mib} MiB | {:.2} s | {:.2} s | **{:.2}** | {:.2} s | {:.2} s | **{:.2}** | {:.0} MiB (**{:.2}×** file) | {:.0} MiB |\n",
            kyso_sign.0,
            pyhanko_sign.0,
            kyso_sign.0 / pyhanko_sign.0,
            kyso_verify.0,
            pyhanko_verify.0,
            kyso_verify.0 / pyhanko_verify.0,
            kyso_verify.1 as f64 / 1024.0,
            kyso_verify.1 as f64 * 1024.0 / size,
            pyhanko_verify.1 as f64 / 1024.0,
        ));
    }
    Ok(format!(
        "## PDF signing and verification (PAdES-B-B)\n\n\
         A PDF of N MiB (pages of incompressible images), signed once with the same \
         RSA-2048 key on a SoftHSM token: `kyso sign pdf` (invisible) against `pyhanko sign \
         addsig pkcs11`, then `kyso verify` against `pyhanko sign validate` on the result. \
         Wall time of the whole process, best of {RUNS}; peak memory is the process's \
         maximum resident set (GNU time). Targets: kyso ≤ 0.3× pyHanko's time for both; \
         verify peak memory ≤ 1.5× the file size.\n\n\
         | PDF | kyso sign | pyHanko sign | ratio | kyso verify | pyHanko verify | ratio | kyso verify peak memory | pyHanko verify peak memory |\n\
         |---|---|---|---|---|---|---|---|---|\n{rows}"
    ))
}

/// `pyhanko sign addsig [ADDSIG_OPTIONS] pkcs11 …` with `label`'s key on the
/// manifest's token: the peer of `kyso sign pdf` with the same key.
pub(crate) fn pyhanko_pkcs11(
    pyhanko: &Path,
    manifest: &kyso_testkit::Manifest,
    label: &str,
    addsig_options: &[&str],
    input: &Path,
    out: &Path,
) -> Command {
    let mut c = Command::new(pyhanko);
    c.env("SOFTHSM2_CONF", &manifest.softhsm2_conf)
        .env("PYHANKO_PKCS11_PIN", &manifest.pin)
        .args(["sign", "addsig", "--field", "Sig1"])
        .args(addsig_options)
        .args(["pkcs11", "--lib"])
        .arg(&manifest.module)
        .args(["--token-label", manifest.tokens[0].label.as_str()])
        .args(["--cert-label", label, "--key-label", label])
        .arg("--other-cert-file")
        .arg(&manifest.intermediate_pem)
        .arg(input)
        .arg(out);
    c
}

/// Best of [`RUNS`] (time, peak RSS KiB of that run).
pub(crate) fn best(
    mut f: impl FnMut() -> Result<(f64, u64), String>,
) -> Result<(f64, u64), String> {
    let mut best = (f64::MAX, 0);
    for _ in 0..RUNS {
        let r = f()?;
        if r.0 < best.0 {
            best = r;
        }
    }
    Ok(best)
}

/// Runs `cmd` under GNU time: wall seconds and maximum RSS in KiB.
pub(crate) fn measure(cmd: Command, pin: Option<&str>) -> Result<(f64, u64), String> {
    let report = std::env::temp_dir().join(format!("kyso-bench-time-{}", std::process::id()));
    let mut timed = Command::new("/usr/bin/time");
    timed
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&report)
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .envs(cmd.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let t = Instant::now();
    let mut child = timed.spawn().map_err(|e| format!("/usr/bin/time: {e}"))?;
    if let Some(pin) = pin {
        let _ = child.stdin.take().map(|mut s| writeln!(s, "{pin}"));
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let secs = t.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(format!(
            "{:?} failed: {}",
            cmd.get_program(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let kib = std::fs::read_to_string(&report)
        .map_err(|e| e.to_string())?
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .ok_or("GNU time printed no memory figure")?;
    Ok((secs, kib))
}

/// A plain PDF of about `mib` MiB: one page per MiB, each showing a 1 MiB
/// grey image of pseudo-random bytes (incompressible, like scans).
pub(crate) fn write_pdf(path: &PathBuf, mib: usize) -> Result<(), String> {
    let mut out: Vec<u8> = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    let pages = mib.max(1);
    let page_ids: Vec<usize> = (0..pages).map(|i| 3 + 3 * i).collect();
    let obj = |out: &mut Vec<u8>, offsets: &mut Vec<usize>, body: &[u8]| {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", offsets.len()).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    };
    obj(&mut out, &mut offsets, b"<< /Type /Catalog /Pages 2 0 R >>");
    let kids: Vec<String> = page_ids.iter().map(|i| format!("{i} 0 R")).collect();
    obj(
        &mut out,
        &mut offsets,
        format!(
            "<< /Type /Pages /Count {pages} /Kids [{}] >>",
            kids.join(" ")
        )
        .as_bytes(),
    );
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for i in 0..pages {
        let id = 3 + 3 * i;
        obj(
            &mut out,
            &mut offsets,
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im{i} {} 0 R >> >> /Contents {} 0 R >>",
                id + 1,
                id + 2
            )
            .as_bytes(),
        );
        let mut image = Vec::with_capacity(MIB);
        while image.len() < MIB {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            image.extend_from_slice(&seed.to_le_bytes());
        }
        let mut body = format!(
            "<< /Type /XObject /Subtype /Image /Width 1024 /Height 1024 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length {} >>\nstream\n",
            image.len()
        )
        .into_bytes();
        body.extend_from_slice(&image);
        body.extend_from_slice(b"\nendstream");
        obj(&mut out, &mut offsets, &body);
        let content = format!("q 495 0 0 495 50 200 cm /Im{i} Do Q");
        obj(
            &mut out,
            &mut offsets,
            format!(
                "<< /Length {} >>\nstream\n{content}\nendstream",
                content.len()
            )
            .as_bytes(),
        );
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1).as_bytes(),
    );
    for o in &offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            offsets.len() + 1
        )
        .as_bytes(),
    );
    std::fs::write(path, out).map_err(|e| format!("{}: {e}", path.display()))
}
