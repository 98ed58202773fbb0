//! The agent's HTTP API v1, one module per endpoint. Bodies are JSON (UTF-8),
//! field names camelCase, binary values standard base64. Requests refuse
//! unknown fields: a field the agent does not know is one it would not check.
//!
//! | endpoint | request | 200 answer |
//! | --- | --- | --- |
//! | `GET /v1/info` | — | [`info::InfoResponse`] |
//! | `POST /v1/pair` | — | [`pair::PairResponse`] |
//! | `GET /v1/certificates` | — | [`certificates::CertificatesResponse`] |
//! | `POST /v1/sign` | [`sign::SignRequest`] | [`sign::SignResponse`] |
//! | `POST /v1/sign-batch` | [`sign_batch::BatchRequest`] | [`sign_batch::BatchResponse`] |
//! | `POST /v1/authenticate` | [`authenticate::AuthRequest`] | [`authenticate::AuthToken`] |
//! | `POST /v1/sign-hash` | [`sign_hash::HashRequest`] | [`sign::SignResponse`] |
//! | `POST /v1/timestamp` | [`timestamp::TimestampRequest`] | [`timestamp::TimestampResponse`] |
//! | `POST /v1/revocation` | [`revocation::RevocationRequest`] | [`revocation::RevocationResponse`] |
//!
//! Every failure is an HTTP status with an [`error::ErrorResponse`].

pub mod authenticate;
pub mod certificates;
pub mod error;
pub mod info;
pub mod pair;
pub mod revocation;
pub mod sign;
pub mod sign_batch;
pub mod sign_hash;
pub mod timestamp;

/// The API version this crate describes (`"api"` in `/v1/info`).
pub const API_VERSION: u32 = 1;

/// The agent's default port; when it is busy the agent takes the next one,
/// then the one after (and the SDK looks at all three).
pub const DEFAULT_PORT: u16 = 27182;
