//! `kyso`: sign and verify with PKCS#11 tokens from the command line
//! (docs/cli.md).
//!
//! Exit status: 0 done (for `verify`: TOTAL_PASSED), 1 TOTAL_FAILED,
//! 2 INDETERMINATE, 3 a usage, file or token error (its code and message on
//! stderr, in the language of `KYSO_LANG`, English by default).

#![forbid(unsafe_code)]

mod clock;
mod error;
mod extend;
mod input;
mod long_term;
mod output;
mod sign;
mod tokens;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kyso_core::Localized;

use error::Error;

/// Exit status for usage, file and token errors.
const EXIT_USAGE: u8 = 3;

#[derive(Parser)]
#[command(
    name = "kyso",
    version,
    about = "Ký số với thiết bị PKCS#11 — sign and verify with PKCS#11 tokens"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List tokens and the signing certificates on them.
    Tokens {
        /// PKCS#11 module (default: $KYSO_PKCS11_MODULE, then known vendor paths).
        #[arg(long)]
        module: Vec<PathBuf>,
        /// Print the certificates as JSON (the agent API's Cert objects).
        #[arg(long)]
        json: bool,
    },
    /// Sign a file.
    Sign {
        #[command(subcommand)]
        format: SignFormat,
    },
    /// Bring a signed PDF to B-LT or B-LTA (new revisions; signatures untouched).
    Extend(extend::Args),
    /// Verify a signature; exit 0 TOTAL_PASSED, 1 TOTAL_FAILED, 2 INDETERMINATE, 3 error.
    Verify(verify::Args),
}

#[derive(Subcommand)]
enum SignFormat {
    /// CAdES signature (.p7s), detached unless --attached; B-B, B-T or B-LT.
    Cms(sign::CmsArgs),
    /// PAdES signature in the PDF (incremental; visible per Decree 30 with
    /// --role, or invisible); B-B, B-T, B-LT or B-LTA.
    Pdf(Box<sign::PdfArgs>),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(EXIT_USAGE),
            };
        }
    };
    let result = match cli.command {
        Command::Tokens { module, json } => tokens::run(&module, json),
        Command::Sign {
            format: SignFormat::Cms(args),
        } => sign::cms(args),
        Command::Sign {
            format: SignFormat::Pdf(args),
        } => sign::pdf(*args),
        Command::Extend(args) => extend::run(args),
        Command::Verify(args) => verify::run(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            report_error(&e);
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// Prints an error in the user's language, with its stable code.
fn report_error(e: &Error) {
    eprintln!("kyso: {} [{}]", e.message_in(output::lang()), e.code());
}
