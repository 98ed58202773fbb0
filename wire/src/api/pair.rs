//! `POST /v1/pair`: an https site asks the user to be allowed (no body).

use serde::{Deserialize, Serialize};

/// The user allowed the site (or it was already allowed). A refusal is an
/// error (`USER_CANCELLED`), not `paired: false`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PairResponse {
    /// Always `true`.
    pub paired: bool,
}
