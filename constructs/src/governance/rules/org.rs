//! AWS Organizations policies (their size, their targets, and what they deny the app's
//! own stacks), stacks as a whole, Proton input schemas, and the
//! suppressions themselves.

use serde_json::Value as Json;

use super::{Cel, Check, Resource, Rule, StackFacts, cel_list, denied, find, info, list};
use crate::governance::model::Severity::{Error, Warning};
use crate::governance::suppress;

/// The largest service control policy AWS Organizations accepts, in characters.
pub(crate) const SCP_MAX_CHARS: usize = 5120;
const SCP: &[&str] = &["AWS::Organizations::Policy"];

pub(super) const RULES: &[Rule] = &[
    Rule {
        info: info(
            "CW-SCP-1",
            Error,
            "Service control policy over the size limit",
            "Split the SCP in two, or merge statements (one Deny with a list of actions)",
            "AWS Organizations rejects SCPs over 5,120 characters; the deployment fails.",
        ),
        check: Check::Resource(SCP, scp_too_large),
        guard: None,
        cel: Cel::Cannot("measures the policy as compact JSON text, which CEL cannot produce"),
    },
    Rule {
        info: info(
            "CW-SCP-2",
            Warning,
            "Service control policy near the size limit",
            "Plan the split now: the next statement added may not fit",
            "An SCP within 10% of 5,120 characters leaves no room for the next guardrail.",
        ),
        check: Check::Resource(SCP, scp_near_limit),
        guard: None,
        cel: Cel::Cannot("measures the policy as compact JSON text, which CEL cannot produce"),
    },
    Rule {
        info: info(
            "CW-SCP-3",
            Warning,
            "Organization policy attached to nothing",
            "Attach it to the OUs or accounts it governs (TargetIds), or remove it",
            "An unattached policy looks like a guardrail but enforces nothing.",
        ),
        check: Check::Resource(SCP, policy_unattached),
        guard: Some("%resources.Properties.TargetIds !empty"),
        cel: Cel::Check(concat!("has(props.TargetIds) && size(", cel_list!("props.TargetIds"), ") > 0")),
    },
    Rule {
        info: info(
            "CW-SCP-4",
            Error,
            "Stack denied by its own organization",
            "Narrow the SCP's Deny (actions, resources or a condition) so it spares what the stack creates, or deploy the resource in an account the SCP does not cover",
            "A service control policy of the same app denies an action CloudFormation needs to create the resource in that account: the deployment fails with AccessDenied, whatever the deploying role allows.",
        ),
        check: Check::Organization(denied::denied),
        guard: None,
        cel: Cel::Cannot("evaluates the organization's service control policies above the stack's account"),
    },
    Rule {
        info: info(
            "CW-SCP-5",
            Warning,
            "Stack may be denied by its own organization",
            "Check that the SCP statement's condition does not hold for the role that deploys the stack, or narrow the statement",
            "A conditional Deny of the same app's SCPs covers an action CloudFormation needs to create the resource; whether it applies depends on the request (principal, tags, ...), which is known only at deploy time.",
        ),
        check: Check::Organization(denied::maybe_denied),
        guard: None,
        cel: Cel::Cannot("evaluates the organization's service control policies above the stack's account"),
    },
    Rule {
        info: info(
            "CW-STACK-1",
            Error,
            "Production stack without termination protection",
            "Set `termination_protection: true` in the stack's props",
            "Deleting a production stack by mistake deletes what it runs.",
        ),
        check: Check::Stack(unprotected_stack),
        guard: None,
        cel: Cel::Cannot("is about the stack (its rule pack and termination protection), not a resource"),
    },
    Rule {
        info: info(
            "CW-STACK-2",
            Warning,
            "Stateful resource deleted with its stack",
            "Set the removal policy to Retain (or Snapshot) for buckets, keys and tables",
            "Deleting or replacing the stack would delete the data with it.",
        ),
        check: Check::Resource(
            &[
                "AWS::S3::Bucket",
                "AWS::KMS::Key",
                "AWS::DynamoDB::Table",
                "AWS::RDS::DBInstance",
                "AWS::RDS::DBCluster",
            ],
            stateful_deleted,
        ),
        guard: Some("%resources.DeletionPolicy in [\"Retain\", \"RetainExceptOnCreate\", \"Snapshot\"]"),
        cel: Cel::Cannot("reads DeletionPolicy, a template attribute that Cloud Control does not describe"),
    },
    Rule {
        info: info(
            "CW-PROTON-1",
            Warning,
            "Proton input without a description",
            "Document the input (a doc comment on the field of the typed input struct)",
            "Proton shows the description to whoever writes the spec; without it they guess.",
        ),
        check: Check::ProtonSchema(undocumented_inputs),
        guard: None,
        cel: Cel::Cannot("is about Proton input schemas, not deployed resources"),
    },
    Rule {
        info: info(
            "CW-META-1",
            Error,
            "Suppression of an unknown rule, or without a reason",
            "Use a rule id `cloudwright validate` lists, and say why the finding is accepted",
            "A suppression that names no rule hides nothing and misleads reviewers.",
        ),
        check: Check::Stack(bad_suppressions),
        guard: None,
        cel: Cel::Cannot("is about the app's suppressions, not a resource"),
    },
];

/// The characters an SCP takes: CloudFormation passes a JSON object as compact JSON.
fn scp_chars(r: &Resource) -> Option<usize> {
    if r.prop(&["Type"]).and_then(Json::as_str) != Some("SERVICE_CONTROL_POLICY") {
        return None;
    }
    match r.prop(&["Content"])? {
        Json::String(text) => Some(text.chars().count()),
        other => Some(other.to_string().chars().count()),
    }
}

fn scp_too_large(r: &Resource) -> Vec<String> {
    match scp_chars(r) {
        Some(n) if n > SCP_MAX_CHARS => vec![format!("Content is {n} characters; the limit is {SCP_MAX_CHARS}")],
        _ => vec![],
    }
}

fn scp_near_limit(r: &Resource) -> Vec<String> {
    match scp_chars(r) {
        Some(n) if n * 10 >= SCP_MAX_CHARS * 9 && n <= SCP_MAX_CHARS => {
            vec![format!("Content is {n} of {SCP_MAX_CHARS} characters")]
        }
        _ => vec![],
    }
}

fn policy_unattached(r: &Resource) -> Vec<String> {
    if list(r.prop(&["TargetIds"])).is_empty() { vec!["no TargetIds".into()] } else { vec![] }
}

fn unprotected_stack(stack: &StackFacts) -> Vec<String> {
    if stack.production && !stack.termination_protection { vec!["terminationProtection is off".into()] } else { vec![] }
}

fn stateful_deleted(r: &Resource) -> Vec<String> {
    match r.body.get("DeletionPolicy").and_then(Json::as_str) {
        Some("Retain" | "RetainExceptOnCreate" | "Snapshot") => vec![],
        Some(policy) => vec![format!("DeletionPolicy is {policy}")],
        None => vec!["no DeletionPolicy: CloudFormation deletes it with the stack".into()],
    }
}

fn undocumented_inputs(schema: &Json) -> Vec<String> {
    let Some(types) = schema.pointer("/schema/types").and_then(Json::as_object) else { return vec![] };
    let mut out = Vec::new();
    for (type_name, ty) in types {
        for (input, spec) in ty.get("properties").and_then(Json::as_object).into_iter().flatten() {
            if spec.get("description").and_then(Json::as_str).is_none_or(str::is_empty) {
                out.push(format!("input {type_name}.{input} has no description"));
            }
        }
    }
    out
}

fn bad_suppressions(stack: &StackFacts) -> Vec<String> {
    let mut out = Vec::new();
    for (id, resource) in stack.resources() {
        for s in suppress::read(resource) {
            if find(&s.id).is_none() {
                out.push(format!("resource {id} suppresses unknown rule {:?}", s.id));
            }
            if s.reason.trim().is_empty() {
                out.push(format!("resource {id} suppresses {} without a reason", s.id));
            }
        }
    }
    out
}
