//! Suppressions: accepting a rule's findings on a construct, with a reason, recorded in
//! the template the way cdk-nag records them.

use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};

use super::catalog::{self, RuleInfo, Target};
use crate::{Aspect, CfnResource, Construct, Node, Stack};

/// Template `Metadata` key of resource suppressions: `{"rules_to_suppress": [{id, reason}]}`.
pub const METADATA_KEY: &str = "cloudwright";
/// Manifest metadata type of stack-level suppressions (rules about the stack itself).
pub const STACK_METADATA_TYPE: &str = "cloudwright:suppressions";

/// One accepted rule, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    /// The rule id, e.g. `CW-LAMBDA-3`.
    pub id: String,
    /// Why the finding is accepted; shown in every report.
    pub reason: String,
}

/// Accepts `rule_id`'s findings on `scope` and every resource below it that the rule
/// looks at, like cdk-nag's `NagSuppressions.addResourceSuppressions(scope, [...], true)`.
///
/// An unknown rule id or an empty reason is a synth error naming the construct.
///
/// ```
/// use cloudwright_constructs::governance::suppress;
/// use cloudwright_constructs::{App, Stack, StackProps};
///
/// let app = App::new();
/// let stack = Stack::new(&app, "Sandbox", StackProps::default())?;
/// suppress(&stack, "CW-LAMBDA-3", "sandbox functions are invoked synchronously only");
/// # Ok::<(), cloudwright_constructs::Error>(())
/// ```
pub fn suppress(scope: &impl Construct, rule_id: &str, reason: &str) {
    let node = scope.node();
    let rule = catalog::find(rule_id);
    if rule.is_none() {
        node.add_error(format!(
            "suppression of unknown rule {rule_id:?}; `cloudwright validate --list-rules` lists the rule ids"
        ));
    }
    if reason.trim().is_empty() {
        node.add_error(format!(
            "suppression of {rule_id} has no reason; say why the finding is accepted, reviewers read it"
        ));
        return;
    }
    if let Some(rule) = rule {
        node.add_aspect(Suppress {
            rule,
            suppression: Suppression { id: rule_id.to_owned(), reason: reason.to_owned() },
        });
    }
}

/// Records a suppression on every resource the rule looks at (template metadata), or
/// every stack for rules about stacks (manifest metadata), below the construct it was
/// added to.
struct Suppress {
    rule: &'static RuleInfo,
    suppression: Suppression,
}

impl Aspect for Suppress {
    fn visit(&self, node: &Node) {
        let applies = |resource: &CfnResource| self.rule.target.reaches_resource(resource.resource_type().as_str());
        if let Some(resource) = CfnResource::from_node(node).filter(applies) {
            let mut entry = resource.cfn_metadata(METADATA_KEY).unwrap_or_else(|| json!({}));
            push(&mut entry["rules_to_suppress"], &self.suppression);
            resource.add_cfn_metadata(METADATA_KEY, entry);
        } else if self.rule.target == Target::Stack && Stack::from_node(node).is_some() {
            let mut list = node
                .metadata()
                .into_iter()
                .find(|(kind, _)| kind == STACK_METADATA_TYPE)
                .map_or(Json::Null, |(_, data)| data);
            push(&mut list, &self.suppression);
            node.set_metadata(STACK_METADATA_TYPE, list);
        }
    }
}

/// Adds a suppression to a JSON list, once.
fn push(list: &mut Json, s: &Suppression) {
    let entry = json!({"id": s.id, "reason": s.reason});
    match list {
        Json::Array(items) if items.contains(&entry) => {}
        Json::Array(items) => items.push(entry),
        other => *other = Json::Array(vec![entry]),
    }
}

/// The suppressions a template resource carries.
pub fn suppressions_of_resource(resource: &Json) -> Vec<Suppression> {
    suppressions_from_list(resource.pointer("/Metadata/cloudwright/rules_to_suppress"))
}

/// Suppressions from a JSON list of `{id, reason}` (missing reasons read as empty).
pub fn suppressions_from_list(list: Option<&Json>) -> Vec<Suppression> {
    let items = list.and_then(Json::as_array).map(Vec::as_slice).unwrap_or_default();
    items
        .iter()
        .map(|s| Suppression {
            id: s.get("id").and_then(Json::as_str).unwrap_or_default().to_owned(),
            reason: s.get("reason").and_then(Json::as_str).unwrap_or_default().to_owned(),
        })
        .collect()
}
