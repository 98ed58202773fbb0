//! `POST /v1/pair`.

use std::sync::Arc;

use kyso_wire::api::pair::PairResponse;

use super::state::State;
use crate::error::Error;
use crate::origin::Origin;

/// Asks the user whether the page's origin may use the agent.
pub(super) async fn pair(state: &Arc<State>, origin: Option<&Origin>) -> Result<String, Error> {
    let origin = origin.ok_or_else(|| Error::OriginNotAllowed("(no Origin header)".into()))?;
    if crate::config::AllowedOrigin::find(state.service.allowed(), origin).is_some()
        || state.pairing.is_paired(origin)
    {
        return Ok(paired());
    }
    if !state.config.pairing.enabled {
        return Err(Error::OriginNotAllowed(
            "the administrator turned pairing off".into(),
        ));
    }
    if !origin.is_https() {
        return Err(Error::OriginNotAllowed(format!(
            "{origin}: only https sites can ask to be allowed"
        )));
    }
    let _pending = state.pairing.begin(origin)?;
    let service = state.service.clone();
    let asked = origin.clone();
    let task = tokio::task::spawn_blocking(move || service.approver().approve_site(&asked));
    let approved = match tokio::time::timeout(state.operation_timeout(), task).await {
        Ok(Ok(r)) => r?,
        Ok(Err(e)) => return Err(Error::Io(format!("internal error: {e}"))),
        Err(_) => return Err(Error::UserTimeout),
    };
    state.pairing.record(origin, approved);
    let origin_text = origin.to_string();
    let outcome = if approved { "ok" } else { "USER_CANCELLED" };
    state.service.audit().record(&crate::audit::Event {
        origin: Some(&origin_text),
        ..crate::audit::Event::new("pair", outcome, state.service.approver().name())
    });
    if approved {
        Ok(paired())
    } else {
        Err(Error::UserCancelled)
    }
}

fn paired() -> String {
    serde_json::to_string(&PairResponse { paired: true }).unwrap_or_default()
}
