//! JSON shapes of the agent HTTP API v1 (DESIGN §3), shared with the CLI's
//! `--json` output so scripts see the same objects.

mod cert;

pub use cert::CertJson;
