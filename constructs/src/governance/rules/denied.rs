//! A stack denied by its own organization: the actions CloudFormation needs to create a
//! stack's resources, against the service control policies the same app attaches above
//! the stack's account (root, every OU on the way, the account).

use super::required;
use super::scp_eval::{Request, Verdict, evaluate};
use super::{Check, Resource, Rule, info, label};
use crate::governance::model::Severity::{Error, Warning};
use crate::governance::organization::Guardrails;

pub(super) const RULES: &[Rule] = &[
    Rule {
        info: info(
            "CW-SCP-4",
            Error,
            "Stack denied by its own organization",
            "Narrow the SCP's Deny (actions, resources or a condition) so it spares what the stack creates, or deploy the resource in an account the SCP does not cover",
            "A service control policy of the same app denies an action CloudFormation needs to create the resource in that account: the deployment fails with AccessDenied, whatever the deploying role allows.",
        ),
        check: Check::Organization(denied),
        guard: None,
    },
    Rule {
        info: info(
            "CW-SCP-5",
            Warning,
            "Stack may be denied by its own organization",
            "Check that the SCP statement's condition does not hold for the role that deploys the stack, or narrow the statement",
            "A conditional Deny of the same app's SCPs covers an action CloudFormation needs to create the resource; whether it applies depends on the request (principal, tags, ...), which is known only at deploy time.",
        ),
        check: Check::Organization(maybe_denied),
        guard: None,
    },
];

fn denied(r: &Resource, guardrails: &Guardrails) -> Vec<String> {
    findings(r, guardrails, false)
}

fn maybe_denied(r: &Resource, guardrails: &Guardrails) -> Vec<String> {
    findings(r, guardrails, true)
}

/// One message per (SCP statement, needed action) that denies: certain denials, or
/// (`conditional`) those that depend on condition keys only deployment fixes.
fn findings(r: &Resource, guardrails: &Guardrails, conditional: bool) -> Vec<String> {
    if guardrails.policies.is_empty() {
        return Vec::new();
    }
    let kind = r.kind();
    let arn = required::arn(kind, r.props(), guardrails.account, guardrails.region);
    let mut out = Vec::new();
    for action in required::actions(kind) {
        let request = Request { action: &action, arn: arn.as_deref(), account: guardrails.account, region: guardrails.region };
        for policy in &guardrails.policies {
            for (index, statement) in policy.statements.iter().enumerate() {
                let what = format!(
                    "SCP {} ({}, attached to {}) denies {action}, which CloudFormation calls to create this {kind} in account {}",
                    policy.path,
                    label(statement, index),
                    policy.attached_to,
                    guardrails.account
                );
                match (evaluate(statement, &request), conditional) {
                    (Verdict::Denied, false) => out.push(what),
                    (Verdict::DeniedIf(keys), true) => out.push(format!("{what} when its condition on {} holds", keys.join(", "))),
                    _ => {}
                }
            }
        }
    }
    out
}
