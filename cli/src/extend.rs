//! `kyso extend IN.pdf --out OUT.pdf --level B-LT|B-LTA`: brings a signed
//! PDF — Kyso's or any other tool's — to a long-term level in new
//! incremental revisions, without touching its signatures: a `/DSS` with
//! what every signature and time-stamp needs (B-LT), then a document
//! time-stamp over it (B-LTA). Run again on a B-LTA file before its last
//! time-stamp's TSA certificate expires, it renews the archive time-stamp.

use std::path::PathBuf;

use crate::error::Error;
use crate::input::read;
use crate::long_term::{Level, Network};
use crate::sign::{climb, Step};

#[derive(clap::Args)]
pub(super) struct Args {
    /// The signed PDF.
    input: PathBuf,
    /// Where to write the extended PDF.
    #[arg(long)]
    out: PathBuf,
    /// B-LT (validation data) or B-LTA (validation data and an archive
    /// time-stamp).
    #[arg(long)]
    level: Level,
    /// Time-stamping authority for B-LTA, tried in order (repeatable;
    /// default http://tsa.ca.gov.vn).
    #[arg(long = "tsa")]
    tsa: Vec<String>,
}

pub(super) fn run(args: Args) -> Result<u8, Error> {
    if args.level < Level::BLt {
        return Err(Error::BadRequest(
            "kyso extend makes B-LT or B-LTA; B-T comes from signing with --level B-T".into(),
        ));
    }
    let input = read(&args.input)?;
    if kyso_core::pdf::signers(&input)?.is_empty() {
        return Err(Error::BadRequest(format!(
            "{} has no signature to extend",
            args.input.display()
        )));
    }
    let net = Network::new(&args.tsa);
    let steps: [(Level, Box<Step>); 2] = [
        (Level::BLt, Box::new(|pdf| net.validation_data_pdf(pdf))),
        (Level::BLta, Box::new(|pdf| net.archive_timestamp_pdf(pdf))),
    ];
    // Nothing is written until B-LT holds (the input stays as it was);
    // after that, a failing archive time-stamp leaves the B-LT file.
    let lt = (steps[0].1)(&input).map_err(Error::Net)?;
    let extended = climb(lt, Level::BLt, args.level, &steps, &args.out)?;
    std::fs::write(&args.out, &extended).map_err(|e| Error::io(&args.out, e))?;
    eprintln!(
        "Extended {} to {} -> {}",
        args.input.display(),
        args.level.name(),
        args.out.display()
    );
    Ok(0)
}
