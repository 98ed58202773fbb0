//! RFC 3161 time-stamp tokens: what a TSA signs, read from a token's
//! encapsulated content.

mod token;

pub use token::{TstInfo, ID_CT_TST_INFO};
