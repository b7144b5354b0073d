//! AWS Organizations policies (their size, their targets, and what they deny the app's
//! own stacks), stacks as a whole, Proton input schemas, and the
//! suppressions themselves.

use serde_json::Value as Json;

use super::{Cel, Check, Impl, Resource, StackFacts, cel_list, denied, find, list};
use cloudwright_constructs::governance::suppressions_of_resource;

/// The largest service control policy AWS Organizations accepts, in characters.
pub(crate) const SCP_MAX_CHARS: usize = 5120;

pub(super) const RULES: &[Impl] = &[
    Impl {
        id: "CW-SCP-1",
        check: Check::Resource(scp_too_large),
        guard: None,
        cel: Cel::Cannot("measures the policy as compact JSON text, which CEL cannot produce"),
    },
    Impl {
        id: "CW-SCP-2",
        check: Check::Resource(scp_near_limit),
        guard: None,
        cel: Cel::Cannot("measures the policy as compact JSON text, which CEL cannot produce"),
    },
    Impl {
        id: "CW-SCP-3",
        check: Check::Resource(policy_unattached),
        guard: Some("%resources.Properties.TargetIds !empty"),
        cel: Cel::Check(concat!("has(props.TargetIds) && size(", cel_list!("props.TargetIds"), ") > 0")),
    },
    Impl {
        id: "CW-SCP-4",
        check: Check::Organization(denied::denied),
        guard: None,
        cel: Cel::Cannot("evaluates the organization's service control policies above the stack's account"),
    },
    Impl {
        id: "CW-SCP-5",
        check: Check::Organization(denied::maybe_denied),
        guard: None,
        cel: Cel::Cannot("evaluates the organization's service control policies above the stack's account"),
    },
    Impl {
        id: "CW-STACK-1",
        check: Check::Stack(unprotected_stack),
        guard: None,
        cel: Cel::Cannot("is about the stack (its rule pack and termination protection), not a resource"),
    },
    Impl {
        id: "CW-STACK-2",
        check: Check::Resource(stateful_deleted),
        guard: Some("%resources.DeletionPolicy in [\"Retain\", \"RetainExceptOnCreate\", \"Snapshot\"]"),
        cel: Cel::Cannot("reads DeletionPolicy, a template attribute that Cloud Control does not describe"),
    },
    Impl {
        id: "CW-PROTON-1",
        check: Check::ProtonSchema(undocumented_inputs),
        guard: None,
        cel: Cel::Cannot("is about Proton input schemas, not deployed resources"),
    },
    Impl {
        id: "CW-META-1",
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
        for s in suppressions_of_resource(resource) {
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
