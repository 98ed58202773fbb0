//! `kyso-bench [--quick]`: runs Kyso's benchmarks and rewrites their sections
//! of docs/benchmarks.md. Every number is reported beside a peer measured in
//! the same run, because the machines are shared and noisy.

#![forbid(unsafe_code)]

mod agent;
mod browser_hash;
mod exe;
mod http;
mod ltv;
mod pdf;
mod report;
mod size;

use std::path::PathBuf;

/// One benchmark: returns its markdown section.
type Benchmark<'a> = dyn Fn() -> Result<String, String> + 'a;

fn main() {
    if let Err(e) = run() {
        eprintln!("kyso-bench: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let quick = std::env::args().any(|a| a == "--quick");
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("workspace root")?
        .to_path_buf();
    let only = std::env::args().find_map(|a| a.strip_prefix("--only=").map(String::from));
    let benchmarks: [(&str, &Benchmark); 5] = [
        ("agent", &|| {
            agent::run(&workspace, if quick { 100 } else { 1000 })
        }),
        ("hash", &|| browser_hash::run(&workspace)),
        ("size", &|| size::run(&workspace)),
        ("pdf", &|| {
            pdf::run(&workspace, if quick { &[10] } else { &[10, 100] })
        }),
        ("ltv", &|| ltv::run(&workspace)),
    ];
    for (name, bench) in benchmarks {
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        let section = bench()?;
        report::write_section(&workspace.join("docs/benchmarks.md"), name, &section)?;
        println!("{section}");
    }
    Ok(())
}
