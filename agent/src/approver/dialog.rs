use super::{ApprovalRequest, Approver, Credential};
use crate::origin::Origin;
use crate::Error;

/// The default approver: a native consent and PIN window. The window itself
/// is not built yet, so this approver refuses every request with a clear
/// error instead of ever signing without the user.
pub struct DialogApprover;

impl Approver for DialogApprover {
    fn name(&self) -> &'static str {
        "dialog"
    }

    fn approve(&self, _request: &ApprovalRequest<'_>) -> Result<Credential, Error> {
        Err(Error::ApproverUnavailable(
            "this agent has no consent window yet; an administrator can enable the unattended approver for listed origins".into(),
        ))
    }

    fn approve_site(&self, _origin: &Origin) -> Result<bool, Error> {
        Err(Error::ApproverUnavailable(
            "this agent has no site-approval window yet".into(),
        ))
    }
}
