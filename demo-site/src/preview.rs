//! A picture of a PDF page, so anyone can see the Decree 30 stamps without a
//! PDF reader: poppler's `pdftoppm` renders it (installed by `cargo xtask
//! setup`). Only documents the server verified and stored are rendered, in a
//! child process with a time limit, killed if the request goes away.

use std::time::Duration;

use crate::error::Error;

/// Renderings at once at most: any page the visitor opens can ask for
/// previews, and each is a process.
static RENDERS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Page `page` of `pdf` as a PNG, about 600 px wide for an A4 page;
/// `NotFound` past the last page.
pub async fn render(pdf: &[u8], page: u32) -> Result<Vec<u8>, Error> {
    let _turn = RENDERS
        .acquire()
        .await
        .map_err(|e| Error::Preview(e.to_string()))?;
    let dir = Scratch(std::env::temp_dir().join(format!(
        "kyso-demo-preview-{}-{}",
        std::process::id(),
        unique()
    )));
    std::fs::create_dir_all(&dir.0).map_err(|e| Error::Preview(e.to_string()))?;
    run(&dir.0, pdf, page).await
}

/// Removed however the request ends, also when it is dropped half-way.
struct Scratch(std::path::PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn run(dir: &std::path::Path, pdf: &[u8], page: u32) -> Result<Vec<u8>, Error> {
    let input = dir.join("in.pdf");
    std::fs::write(&input, pdf).map_err(|e| Error::Preview(e.to_string()))?;
    let page = page.to_string();
    let child = tokio::process::Command::new("pdftoppm")
        .args(["-png", "-r", "72", "-singlefile", "-f", &page, "-l", &page])
        .arg(&input)
        .arg(dir.join("out"))
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(30), child)
        .await
        .map_err(|_| Error::Preview("pdftoppm took too long".into()))?
        .map_err(|e| Error::Preview(format!("pdftoppm: {e} (install poppler-utils)")))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("Wrong page range") {
        return Err(Error::NotFound);
    }
    if !out.status.success() {
        return Err(Error::Preview(format!(
            "pdftoppm: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    std::fs::read(dir.join("out.png")).map_err(|e| Error::Preview(e.to_string()))
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}
