//! `kyso`: sign and verify with PKCS#11 tokens from the command line.

fn main() -> std::process::ExitCode {
    kyso_agent::cli::main()
}
