//! A stack denied by its own organization: the actions CloudFormation needs to create a
//! stack's resources, against the service control policies the same app attaches above
//! the stack's account (root, every OU on the way, the account).

use super::{Resource, label};
use crate::governance::organization::Guardrails;
use crate::iam::evaluate::{Applies, Request, denies};
use crate::iam::needed::{self, Handlers};

/// Statements that deny a needed action whatever the request (CW-SCP-4).
pub(super) fn denied(r: &Resource, guardrails: &Guardrails) -> Vec<String> {
    findings(r, guardrails, false)
}

/// Statements that deny a needed action under conditions only deployment decides (CW-SCP-5).
pub(super) fn maybe_denied(r: &Resource, guardrails: &Guardrails) -> Vec<String> {
    findings(r, guardrails, true)
}

/// One message per (SCP statement, needed action) that denies: certain denials, or
/// (`conditional`) those that depend on condition keys only deployment fixes.
fn findings(r: &Resource, guardrails: &Guardrails, conditional: bool) -> Vec<String> {
    if guardrails.policies.is_empty() {
        return Vec::new();
    }
    let kind = r.kind();
    let arn = needed::arn(kind, r.props(), guardrails.account, guardrails.region);
    let mut out = Vec::new();
    let keys = needed::condition_keys(kind, r.props(), guardrails.account);
    for action in needed::actions(kind, r.props(), Handlers::Create) {
        let request = Request {
            action,
            arn: arn.as_deref(),
            account: guardrails.account,
            region: guardrails.region,
            keys: &keys,
        };
        for policy in &guardrails.policies {
            for (index, statement) in policy.statements.iter().enumerate() {
                let condition = match (denies(statement, &request), conditional) {
                    (Applies::Yes, false) => String::new(),
                    (Applies::If(keys), true) => format!(" when its condition on {} holds", keys.join(", ")),
                    _ => continue,
                };
                out.push(format!(
                    "SCP {} ({}, attached to {}) denies {action}{condition}; CloudFormation calls it to create this {kind} in account {}",
                    policy.path,
                    label(statement, index),
                    policy.attached_to,
                    guardrails.account
                ));
            }
        }
    }
    out
}
