//! A stack denied by its own organization: the actions CloudFormation needs to create a
//! stack's resources, against the service control policies the same app attaches above
//! the stack's account (root, every OU on the way, the account).

use super::{Resource, label};
use crate::governance::organization::Guardrails;
use crate::iam::evaluate::{Applies, Request, denies};
use cloudwright_constructs::iam::needed::{self, Handlers};

/// Statements that deny a needed action whatever the request (CW-SCP-4).
pub(super) fn denied(r: &Resource, guardrails: &Guardrails) -> Vec<String> {
    findings(r, guardrails, false)
}

/// Statements that deny a needed action under conditions only deployment decides (CW-SCP-5).
pub(super) fn maybe_denied(r: &Resource, guardrails: &Guardrails) -> Vec<String> {
    findings(r, guardrails, true)
}

/// One message per SCP statement that denies needed actions: certain denials, or
/// (`conditional`) those that depend on condition keys only deployment fixes.
fn findings(r: &Resource, guardrails: &Guardrails, conditional: bool) -> Vec<String> {
    if guardrails.policies.is_empty() {
        return Vec::new();
    }
    let kind = r.kind();
    let arn = crate::iam::request::arn(kind, r.props(), guardrails.account, guardrails.region);
    let keys = crate::iam::request::condition_keys(kind, r.props(), guardrails.account, guardrails.region);
    let actions = needed::actions(kind, r.props(), Handlers::Create);
    let mut out = Vec::new();
    for policy in &guardrails.policies {
        for (index, statement) in policy.statements.iter().enumerate() {
            let (mut denied, mut undecided) = (Vec::new(), Vec::new());
            for action in &actions {
                let request = Request {
                    action,
                    arn: arn.as_deref(),
                    account: guardrails.account,
                    region: guardrails.region,
                    keys: &keys,
                };
                match (denies(statement, &request), conditional) {
                    (Applies::Yes, false) => denied.push(*action),
                    (Applies::If(keys), true) => {
                        denied.push(*action);
                        for key in keys {
                            if !undecided.contains(&key) {
                                undecided.push(key);
                            }
                        }
                    }
                    _ => {}
                }
            }
            if denied.is_empty() {
                continue;
            }
            let condition = if undecided.is_empty() {
                String::new()
            } else {
                format!(" when its condition on {} holds", undecided.join(", "))
            };
            let calls = if denied.len() == 1 { "calls it" } else { "calls them" };
            out.push(format!(
                "SCP {} ({}, attached to {}) denies {}{condition}; CloudFormation {calls} to create this {kind} in account {}",
                policy.path,
                label(statement, index),
                policy.attached_to,
                denied.join(", "),
                guardrails.account
            ));
        }
    }
    out
}
