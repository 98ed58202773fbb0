//! # kyso-wire
//!
//! The Kyso agent's wire contract, as serde types and nothing else: every
//! request and response of the loopback HTTP API v1 ([`api`]), the error body
//! every Kyso server answers with ([`api::error`]), and the pipe protocol
//! between the agent and its consent window ([`dialog`]).
//!
//! One definition for every side: the agent serialises these types, the
//! `kyso` CLI prints the same certificate objects (`kyso tokens --json`),
//! `kyso-dialog` parses the dialog requests, the demo portal answers errors in
//! the same shape, and the tests and benchmarks read them back. A test
//! (`wire/tests/documented_examples.rs`) round-trips every JSON example of
//! `docs/agent-api.md` and `docs/openapi.yaml` through these types and compares
//! the SDK's `kyso.d.ts` with them, so the documents cannot drift.
//!
//! ```
//! use kyso_wire::api::sign::SignRequest;
//!
//! let req: SignRequest = serde_json::from_str(
//!     r#"{"certificateId":"A1B2:01","signedAttributes":"MQA=","documentName":"to-khai.pdf"}"#,
//! )
//! .unwrap();
//! assert_eq!(req.document_name, "to-khai.pdf");
//! assert_eq!(req.digest_algorithm, kyso_core::DigestAlgorithm::Sha256);
//! ```

#![forbid(unsafe_code)]

pub mod api;
pub mod config_file;
pub mod dialog;
