//! PDFs for the PAdES tests, made at test time by independent writers
//! (LibreOffice, Ghostscript, qpdf, cairo, pyHanko), and the independent
//! validators the signed results are checked with (pdfsig, pyHanko).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::{pyhanko, Fixture};

/// One input PDF and who wrote it.
pub struct CorpusFile {
    pub name: &'static str,
    pub path: PathBuf,
}

/// Vietnamese text the inputs carry (a real document's look).
const TEXT: &str = "ỦY BAN NHÂN DÂN PHƯỜNG BẾN NGHÉ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\nQUYẾT ĐỊNH\nVề việc cấp giấy chứng nhận đăng ký hộ kinh doanh\n\nChủ hộ: Nguyễn Thị Ánh\n";

fn run(cmd: &mut Command, what: &str) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

static CORPUS: OnceLock<Vec<CorpusFile>> = OnceLock::new();

/// The corpus, built once per test binary (LibreOffice does not like running
/// twice at once): every kind of file structure the signer must handle.
/// LibreOffice's output is the base the qpdf and cairo variants are
/// rewritten from. Read-only: tests write their outputs elsewhere.
pub fn corpus(fx: &Fixture) -> &'static [CorpusFile] {
    CORPUS.get_or_init(|| build_corpus(&fx.dir.join("corpus")))
}

/// The same files, written into `dir` (for a test with no token fixture).
pub fn build_corpus(dir: &Path) -> Vec<CorpusFile> {
    std::fs::create_dir_all(dir).unwrap();
    let mut files = Vec::new();

    // LibreOffice: classic xref table.
    let txt = dir.join("quyet-dinh.txt");
    std::fs::write(&txt, TEXT).unwrap();
    let profile = dir.join("lo-profile");
    run(
        Command::new("soffice")
            .arg(format!(
                "-env:UserInstallation=file://{}",
                profile.display()
            ))
            .args(["--headless", "--convert-to", "pdf", "--outdir"])
            .arg(dir)
            .arg(&txt),
        "LibreOffice",
    );
    let lo = dir.join("quyet-dinh.pdf");
    files.push(CorpusFile {
        name: "libreoffice",
        path: lo.clone(),
    });

    // Ghostscript from PostScript: its own writer, two pages.
    let ps = dir.join("gs.ps");
    std::fs::write(
        &ps,
        "%!PS\n/Times-Roman findfont 14 scalefont setfont\n72 720 moveto (Cong van so 12/UBND - trang 1) show showpage\n72 720 moveto (Trang 2) show showpage\n",
    )
    .unwrap();
    let gs = dir.join("ghostscript.pdf");
    run(
        Command::new("gs")
            .args(["-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite"])
            .arg(format!("-sOutputFile={}", gs.display()))
            .arg(&ps),
        "Ghostscript",
    );
    files.push(CorpusFile {
        name: "ghostscript",
        path: gs,
    });

    // qpdf: object streams with an xref stream; linearized; PDF 2.0.
    for (name, args) in [
        ("qpdf-object-streams", &["--object-streams=generate"][..]),
        ("qpdf-linearized", &["--linearize"][..]),
        ("qpdf-pdf-1.4", &["--force-version=1.4"][..]),
        ("qpdf-pdf-2.0", &["--force-version=2.0"][..]),
        (
            "qpdf-linearized-object-streams",
            &["--linearize", "--object-streams=generate"][..],
        ),
    ] {
        let out = dir.join(format!("{name}.pdf"));
        run(
            Command::new("qpdf").args(args).arg(&lo).arg(&out),
            &format!("qpdf {args:?}"),
        );
        files.push(CorpusFile { name, path: out });
    }

    // cairo (poppler's pdftocairo rewrites the page with cairo's writer).
    let cairo = dir.join("cairo.pdf");
    run(
        Command::new("pdftocairo").arg("-pdf").arg(&lo).arg(&cairo),
        "pdftocairo",
    );
    files.push(CorpusFile {
        name: "cairo",
        path: cairo,
    });
    files
}

/// Signs `input` with pyHanko (software key of the test PKI): an input that
/// already carries an independent implementation's signature.
pub fn pyhanko_signed(fx: &Fixture, input: &Path, out: &Path) {
    let s = fx.manifest.signer("software");
    run(
        Command::new(pyhanko())
            .args(["sign", "addsig", "--field", "PyHanko", "pemder", "--key"])
            .arg(s.key_pem.as_ref().expect("software key"))
            .arg("--cert")
            .arg(&s.cert_pem)
            .arg("--chain")
            .arg(&fx.manifest.intermediate_pem)
            .arg("--no-pass")
            .arg(input)
            .arg(out),
        "pyhanko sign addsig",
    );
}

/// Certifies `input` with pyHanko (DocMDP `perm`: NO_CHANGES, FILL_FORMS or
/// ANNOTATE), with the software key of the test PKI.
pub fn pyhanko_certified(fx: &Fixture, input: &Path, out: &Path, perm: &str) {
    let s = fx.manifest.signer("software");
    run(
        Command::new(super::python())
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("support/pyhanko_certify.py"))
            .arg(s.key_pem.as_ref().expect("software key"))
            .arg(&s.cert_pem)
            .arg(&fx.manifest.intermediate_pem)
            .arg(input)
            .arg(out)
            .arg(perm),
        "pyhanko_certify.py",
    );
}

/// `kyso sign pdf` with the PIN on stdin.
pub fn kyso_sign_pdf(
    fx: &Fixture,
    signer: &str,
    input: &Path,
    out: &Path,
    extra: &[&str],
) -> std::process::Output {
    let mut cmd = fx.kyso();
    cmd.args(["sign", "pdf"])
        .arg(input)
        .arg("--out")
        .arg(out)
        .args(["--cert", &fx.cert_id(signer), "--pin-stdin"])
        .args(extra);
    super::run_with_stdin(cmd, &format!("{}\n", fx.manifest.pin))
}

/// An NSS database trusting the test root, for pdfsig.
pub fn nss_db(fx: &Fixture) -> PathBuf {
    let db = fx.dir.join("nssdb");
    if db.join("cert9.db").exists() {
        return db;
    }
    std::fs::create_dir_all(&db).unwrap();
    let sql = format!("sql:{}", db.display());
    run(
        Command::new("certutil").args(["-N", "-d", &sql, "--empty-password"]),
        "certutil -N",
    );
    run(
        Command::new("certutil")
            .args([
                "-A",
                "-d",
                &sql,
                "-n",
                "kyso-test-root",
                "-t",
                "CT,C,C",
                "-i",
            ])
            .arg(&fx.manifest.root_pem),
        "certutil -A",
    );
    db
}

/// What pdfsig says about each signature: (valid, trusted) in order. pdfsig
/// exits 0 even on a digest mismatch, so its text is what counts.
pub fn pdfsig(fx: &Fixture, pdf: &Path) -> (Vec<(bool, bool)>, String) {
    let db = nss_db(fx);
    let out = Command::new("pdfsig")
        .arg("-nssdir")
        .arg(format!("sql:{}", db.display()))
        .arg(pdf)
        .output()
        .expect("run pdfsig");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut sigs = Vec::new();
    for block in text.split("Signature #").skip(1) {
        sigs.push((
            block.contains("Signature Validation: Signature is Valid."),
            block.contains("Certificate Validation: Certificate is Trusted."),
        ));
    }
    (sigs, text)
}

/// Both signatures valid and trusted for pdfsig, pyHanko and kyso.
pub fn assert_all_valid(fx: &Fixture, signed: &Path, count: usize, what: &str) {
    let (sigs, text) = pdfsig(fx, signed);
    assert_eq!(
        sigs.len(),
        count,
        "{what}: pdfsig sees {} signatures:\n{text}",
        sigs.len()
    );
    assert!(
        sigs.iter().all(|&(valid, trusted)| valid && trusted),
        "{what}: pdfsig:\n{text}"
    );
    let (ok, text) = fx.pyhanko_validate(&[], signed);
    assert!(ok, "{what}: pyHanko:\n{text}");
    let (code, report) = fx.verify(signed, None, true);
    assert_eq!(code, 0, "{what}: kyso verify: {report:#}");
    let signatures = report["signatures"].as_array().unwrap();
    assert_eq!(signatures.len(), count, "{what}");
    assert_eq!(signatures.last().unwrap()["pdf"]["coversWholeFile"], true);
    for s in signatures {
        assert_eq!(s["indication"], "TOTAL_PASSED", "{what}: {s:#}");
        assert_eq!(s["level"], "B-B", "{what}");
    }
    // EU DSS, the reference validator, agrees on every signature.
    let dss = super::dss::validate(signed, None, &[&fx.manifest.root_pem]);
    let verdicts = super::dss::verdicts(&dss);
    assert_eq!(verdicts.len(), count, "{what}: DSS: {dss}");
    for (i, v) in verdicts.iter().enumerate() {
        assert_eq!(
            v.0,
            "TOTAL_PASSED",
            "{what}: DSS on signature {}: {dss}",
            i + 1
        );
    }
}

/// Renders page `page` to a PNG in the artifacts directory, for a person to
/// look at the stamp.
pub fn render_artifact(pdf: &Path, page: u32, name: &str) -> PathBuf {
    let dir = super::artifacts();
    let stem = dir.join(name);
    run(
        Command::new("pdftoppm")
            .args([
                "-png",
                "-r",
                "80",
                "-singlefile",
                "-f",
                &page.to_string(),
                "-l",
                &page.to_string(),
            ])
            .arg(pdf)
            .arg(&stem),
        "pdftoppm",
    );
    dir.join(format!("{name}.png"))
}

/// A transparent PNG: a blue handwritten-looking stroke (`seal == false`) or
/// a red ring seal.
pub fn test_png(path: &Path, seal: bool) {
    let (w, h) = if seal {
        (160u32, 160u32)
    } else {
        (240u32, 100u32)
    };
    let mut rgba = vec![0u8; (w * h * 4) as usize];
    for y in 0..h {
        for x in 0..w {
            let (fx, fy) = (x as f64, y as f64);
            let ink = if seal {
                let d = ((fx - 80.0).powi(2) + (fy - 80.0).powi(2)).sqrt();
                (70.0..78.0).contains(&d) || (50.0..53.0).contains(&d) || (d < 12.0)
            } else {
                let curve = 50.0 + 30.0 * (fx / 18.0).sin() * (1.0 - fx / 300.0);
                (fy - curve).abs() < 3.0 && x > 10 && x < 230
            };
            if ink {
                let i = ((y * w + x) * 4) as usize;
                let color: [u8; 3] = if seal { [200, 20, 30] } else { [20, 40, 170] };
                rgba[i..i + 3].copy_from_slice(&color);
                rgba[i + 3] = 230;
            }
        }
    }
    let file = std::fs::File::create(path).unwrap();
    let mut enc = png::Encoder::new(std::io::BufWriter::new(file), w, h);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    enc.write_header().unwrap().write_image_data(&rgba).unwrap();
}

/// A one-page PDF from Ghostscript (a decision's number as its text): a
/// plain input to sign.
pub fn one_page(dir: &Path) -> PathBuf {
    let ps = dir.join("draft.ps");
    std::fs::write(
        &ps,
        "%!PS\n/Helvetica findfont 14 scalefont setfont 72 720 moveto (Quyet dinh so 12/QD-UBND) show showpage\n",
    )
    .expect("write the PostScript");
    let pdf = dir.join("draft.pdf");
    run(
        Command::new("gs")
            .args(["-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite"])
            .arg(format!("-sOutputFile={}", pdf.display()))
            .arg(&ps),
        "gs",
    );
    pdf
}
