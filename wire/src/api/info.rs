//! `GET /v1/info`: any page may ask, so the SDK can find the agent.

use serde::{Deserialize, Serialize};

/// What the agent says about itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InfoResponse {
    /// Always `"kyso-agent"`.
    pub name: String,
    /// The agent's version (semver).
    pub version: String,
    /// The API version, [`super::API_VERSION`].
    pub api: u32,
    /// Whether the asking page's origin may use the other endpoints.
    pub origin_allowed: bool,
    /// How many tokens are plugged in: told only to allowed origins, since
    /// whether a person has a token with them is not every site's business.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<usize>,
}

/// The `name` of every Kyso agent.
pub const AGENT_NAME: &str = "kyso-agent";
