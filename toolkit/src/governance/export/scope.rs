//! What an export needs of the app: each stack's name and rule pack, and the suppressions
//! its resources carry, read from an assembly or from the tree (for a file generator, which
//! runs before the templates exist).

use serde_json::Value as Json;

use crate::governance::engine::stack_templates;
use crate::governance::files::AssemblyFiles;
use crate::governance::rules::Rule;
use cloudwright_constructs::governance::{METADATA_KEY, Suppression, suppressions_from_list, suppressions_of_resource};
use cloudwright_constructs::governance::{PACK_METADATA_TYPE, RulePack};
use cloudwright_core::{App, CfnResource, Construct, Result, Stack};

/// Resources a runtime policy leaves alone: a suppression of the app, or a stack whose
/// rule pack turns the rule off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclusion {
    /// The rule, e.g. `CW-SNS-1`.
    pub rule_id: String,
    /// The CloudFormation stack name (CloudFormation tags each resource it creates with it,
    /// `aws:cloudformation:stack-name`).
    pub stack_name: String,
    /// The resource's logical id (tag `aws:cloudformation:logical-id`); `None` for the
    /// whole stack.
    pub logical_id: Option<String>,
    /// Why: the suppression's reason, or the rule pack that turns the rule off.
    pub reason: String,
}

/// One stack, as the exports see it.
#[derive(Debug, Clone)]
struct StackScope {
    name: String,
    pack: RulePack,
    /// (logical id, suppression) of its resources.
    suppressions: Vec<(String, Suppression)>,
}

/// The app an export is for; the default is no app (every rule, no exclusions).
#[derive(Debug, Clone, Default)]
pub struct PolicyScope {
    stacks: Vec<StackScope>,
}

impl PolicyScope {
    /// The stacks of a synthesized assembly (e.g. what an `--app` command wrote).
    pub fn of_assembly(assembly: &impl AssemblyFiles) -> Result<PolicyScope> {
        let stacks = stack_templates(assembly)?
            .into_iter()
            .map(|(summary, pack, template)| {
                let resources = template.get("Resources").and_then(Json::as_object).into_iter().flatten();
                let suppressions = resources
                    .flat_map(|(id, body)| suppressions_of_resource(body).into_iter().map(move |s| (id.clone(), s)))
                    .collect();
                StackScope { name: summary.stack_name.clone(), pack, suppressions }
            })
            .collect();
        Ok(PolicyScope { stacks })
    }

    /// The stacks of an app's tree, once its aspects have run (as in a file generator).
    pub fn of_app(app: &App) -> PolicyScope {
        let mut stacks: Vec<(Stack, StackScope)> = Vec::new();
        for node in app.node().descendants() {
            if let Some(stack) = Stack::from_node(&node) {
                let pack = node
                    .metadata()
                    .into_iter()
                    .find(|(kind, _)| kind == PACK_METADATA_TYPE)
                    .map_or_else(RulePack::standard, |(_, data)| RulePack::from_json(&data));
                stacks.push((stack.clone(), StackScope { name: stack.stack_name(), pack, suppressions: Vec::new() }));
            } else if let Some(resource) = CfnResource::from_node(&node) {
                let Some(metadata) = resource.cfn_metadata(METADATA_KEY) else { continue };
                let found = suppressions_from_list(metadata.get("rules_to_suppress"));
                let stack_path = node.stack().map(|s| s.node().path());
                let scope = stacks.iter_mut().rev().find(|(s, _)| Some(s.node().path()) == stack_path);
                if let Some((_, scope)) = scope {
                    let id = resource.logical_id();
                    scope.suppressions.extend(found.into_iter().map(|s| (id.clone(), s)));
                }
            }
        }
        PolicyScope { stacks: stacks.into_iter().map(|(_, s)| s).collect() }
    }

    /// Whether the rule is on in some stack's pack (every rule is, with no stacks).
    pub(crate) fn is_active(&self, rule: &Rule) -> bool {
        self.stacks.is_empty() || self.stacks.iter().any(|s| s.pack.severity_of(rule.info).is_some())
    }

    /// The resources and stacks the rule leaves alone, in stack order.
    pub fn exclusions(&self, rule_id: &str) -> Vec<Exclusion> {
        let Some(rule) = crate::governance::rules::find(rule_id) else { return Vec::new() };
        let mut out = Vec::new();
        for stack in &self.stacks {
            if stack.pack.severity_of(rule.info).is_none() {
                out.push(Exclusion {
                    rule_id: rule_id.to_owned(),
                    stack_name: stack.name.clone(),
                    logical_id: None,
                    reason: format!("the stack's rule pack ({}) turns the rule off", stack.pack.name()),
                });
                continue;
            }
            for (id, s) in stack.suppressions.iter().filter(|(_, s)| s.id == rule_id && !s.reason.trim().is_empty()) {
                out.push(Exclusion {
                    rule_id: rule_id.to_owned(),
                    stack_name: stack.name.clone(),
                    logical_id: Some(id.clone()),
                    reason: s.reason.clone(),
                });
            }
        }
        out
    }
}
