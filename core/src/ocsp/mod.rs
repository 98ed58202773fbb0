//! OCSP (RFC 6960): the request Kyso's fetchers send, the responder's
//! answer, and who may sign it.
//!
//! Core never talks to a responder: the agent and the CLI post
//! [`request`]'s bytes to the URLs of [`Certificate::ocsp_urls`] and hand
//! the answer to [`OcspResponse::from_der`]. Which answer counts for a
//! certificate is [`crate::revocation`]'s business.
//!
//! [`Certificate::ocsp_urls`]: crate::Certificate::ocsp_urls

mod cert_id;
mod error;
mod request;
mod responder;
mod response;
mod response_status;

pub use cert_id::CertId;
pub use error::OcspError;
pub use request::request;
pub use responder::Responder;
pub use response::{OcspResponse, ResponderId, SingleResponse};
pub use response_status::ResponseStatus;
