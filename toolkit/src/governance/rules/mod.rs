//! The default rule pack: one file per area, each a table of rules and their checks.

mod compute;
mod denied;
pub(crate) mod deploy;
mod iam;
mod network;
mod org;
mod storage;

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value as Json};

use std::sync::OnceLock;

use cloudwright_constructs::governance::catalog::{self, RuleInfo};
use cloudwright_constructs::iam::policy::document_statements;

use super::organization::Guardrails;

/// A rule: its catalog entry, what it checks and (when it can be said in Guard) its
/// cfn-guard form.
#[derive(Clone, Copy)]
pub(crate) struct Rule {
    pub info: &'static RuleInfo,
    pub check: Check,
    /// Guard clauses over `%resources` (the resources of the rule's types, less those that
    /// suppress it); `None` when the rule needs more than Guard can say.
    pub guard: Option<&'static str>,
    /// The same check in CEL, for the Nirmata and kyverno-json exports (`export/`), or why
    /// CEL over one resource cannot say it.
    pub cel: Cel,
}

/// The implementation of the catalog's rule `id`.
pub(crate) struct Impl {
    pub id: &'static str,
    pub check: Check,
    pub guard: Option<&'static str>,
    pub cel: Cel,
}

/// A rule's check as a CEL expression over one resource.
#[derive(Clone, Copy)]
pub(crate) enum Cel {
    /// True when the resource complies, over the identifier `props` (the resource's
    /// properties, always a map), which each export binds in its own way; policy documents
    /// written as JSON strings are not looked into.
    Check(&'static str),
    /// Why one resource's properties are not enough (shown in the exports' README).
    Cannot(&'static str),
}

// CEL fragments shared by the rules' CEL forms; each expands to a string literal.

/// CEL: a value that may be one item or a list, as a list (the value given in pieces).
macro_rules! cel_list {
    ($($v:literal),+) => {
        concat!("(type(", $($v,)+ ") == list ? ", $($v,)+ " : [", $($v,)+ "])")
    };
}
pub(crate) use cel_list;

/// CEL: every statement `s` of the policy document `$doc` satisfies `$ok`.
macro_rules! cel_statements {
    ($doc:literal, $($ok:tt)+) => {
        concat!(
            "(type(", $doc, ") != map || !has(", $doc, ".Statement) || ",
            $crate::governance::rules::cel_list!($doc, ".Statement"), ".all(s, ", $($ok)+, "))"
        )
    };
}
pub(crate) use cel_statements;

/// CEL: the statement `s` allows.
macro_rules! cel_allows {
    () => {
        "(has(s.Effect) && s.Effect == 'Allow')"
    };
}
pub(crate) use cel_allows;

/// CEL: the value at `$v` is `true` (CloudFormation also accepts the string `"true"`).
macro_rules! cel_true {
    ($v:literal) => {
        concat!("(has(", $v, ") && (", $v, " == true || ", $v, " == 'true'))")
    };
}
pub(crate) use cel_true;

/// Where a rule looks.
#[derive(Clone, Copy)]
pub(crate) enum Check {
    /// Each resource of the types its catalog entry names; returns one message per problem.
    Resource(fn(&Resource) -> Vec<String>),
    /// The stack as a whole; returns one message per problem.
    Stack(fn(&StackFacts) -> Vec<String>),
    /// Each resource of a stack whose account the app's own service control policies
    /// govern, with those policies; returns one message per problem.
    Organization(fn(&Resource, &Guardrails) -> Vec<String>),
    /// Each Proton input schema (`schema/schema.yaml`, parsed); returns one message per problem.
    ProtonSchema(fn(&Json) -> Vec<String>),
    /// The assembly as one deployment (every stack, its environment and what deploys
    /// before it); returns one problem per finding, each placed on a stack's resource.
    Deployment(fn(&Deployment) -> Vec<Located>),
}

/// The assembly as AWS deploys it: every stack with its template and environment, and
/// the stacks that are deployed before it (manifest dependencies, transitively).
pub(crate) struct Deployment<'a> {
    /// The stacks, in assembly order.
    pub stacks: Vec<DeployedStack<'a>>,
    /// Reads and parses the whole template of a stack (by index), for the few checks that
    /// need more than [`DeployedStack::template`] keeps.
    pub full_template: &'a dyn Fn(usize) -> Option<Json>,
}

/// One stack of a [`Deployment`].
pub(crate) struct DeployedStack<'a> {
    /// The stack's name as the assembly shows it (`Stage/Stack`).
    pub name: &'a str,
    /// Its account id (empty when agnostic).
    pub account: &'a str,
    /// Its region (empty when agnostic).
    pub region: &'a str,
    /// The CloudFormation stack name.
    pub stack_name: &'a str,
    /// What the deploy rules read of the template ([`deploy::view`]): the resources of the
    /// types they look at, so a large assembly is not held in memory whole.
    pub template: &'a Json,
    /// Logical id to construct path.
    pub paths: &'a HashMap<String, String>,
    /// Indexes (into [`Deployment::stacks`]) of the stacks deployed before this one.
    pub after: BTreeSet<usize>,
    /// Organization accounts the stack declares by id: (construct path, account id).
    pub accounts: Vec<(&'a str, &'a str)>,
}

impl DeployedStack<'_> {
    /// The template's `Resources` section.
    pub fn resources(&self) -> impl Iterator<Item = (&String, &Json)> {
        self.template.get("Resources").and_then(Json::as_object).into_iter().flatten()
    }

    /// A resource's construct path (its logical id when the manifest does not say).
    pub fn path(&self, logical_id: &str) -> String {
        self.paths.get(logical_id).cloned().unwrap_or_else(|| format!("{}/{logical_id}", self.name))
    }
}

/// A finding of a [`Check::Deployment`] rule: the stack (index) and resource it is about.
pub(crate) struct Located {
    /// Index into [`Deployment::stacks`].
    pub stack: usize,
    /// The resource's logical id.
    pub logical_id: String,
    /// What is wrong.
    pub message: String,
}

/// What rules may know of a stack besides its template.
pub(crate) struct StackFacts<'a> {
    pub template: &'a Json,
    /// Whether the stack is under the production rule pack.
    pub production: bool,
    pub termination_protection: bool,
    /// Accounts that count as production (stacks under the production pack, and
    /// organization accounts named for production).
    pub production_accounts: &'a BTreeSet<String>,
}

impl StackFacts<'_> {
    /// The template's `Resources` section.
    pub fn resources(&self) -> impl Iterator<Item = (&String, &Json)> {
        self.template.get("Resources").and_then(Json::as_object).into_iter().flatten()
    }
}

/// One resource of a template, as a rule sees it.
pub(crate) struct Resource<'a> {
    pub id: &'a str,
    pub body: &'a Json,
    pub stack: &'a StackFacts<'a>,
}

static NULL: Json = Json::Null;

impl<'a> Resource<'a> {
    /// The resource type.
    pub fn kind(&self) -> &'a str {
        self.body.get("Type").and_then(Json::as_str).unwrap_or_default()
    }

    /// A property by path (`["TracingConfig", "Mode"]`).
    pub fn prop(&self, path: &[&str]) -> Option<&'a Json> {
        let mut cur = self.body.get("Properties")?;
        for key in path {
            cur = cur.get(key)?;
        }
        (!cur.is_null()).then_some(cur)
    }

    /// The `Properties` object (null when absent).
    pub fn props(&self) -> &'a Json {
        self.body.get("Properties").unwrap_or(&NULL)
    }
}

/// The rules, in the catalog's (report) order: each catalog entry with its implementation.
pub(crate) fn all() -> impl Iterator<Item = &'static Rule> {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES
        .get_or_init(|| {
            let impls: Vec<&Impl> =
                [iam::RULES, compute::RULES, storage::RULES, network::RULES, org::RULES, deploy::RULES]
                    .into_iter()
                    .flatten()
                    .collect();
            catalog::rules()
                .filter_map(|info| {
                    let imp = impls.iter().find(|i| i.id == info.id)?;
                    Some(Rule { info, check: imp.check, guard: imp.guard, cel: imp.cel })
                })
                .collect()
        })
        .iter()
}

/// The rule with this id.
pub(crate) fn find(id: &str) -> Option<&'static Rule> {
    all().find(|r| r.info.id == id)
}

/// The resource types a rule looks at one by one (empty for rules of other kinds).
pub(crate) fn types(rule: &Rule) -> &'static [&'static str] {
    match rule.info.target {
        catalog::Target::Resources(types) => types,
        _ => &[],
    }
}

// Helpers over CloudFormation JSON shared by the rule files.

/// `message` when the resource lacks the property at `path` (null counts as absent).
pub(crate) fn require(r: &Resource, path: &[&str], message: &str) -> Vec<String> {
    if r.prop(path).is_none() { vec![message.to_owned()] } else { vec![] }
}

/// A value as a list: an array's items, or the value itself.
pub(crate) fn list(value: Option<&Json>) -> Vec<&Json> {
    match value {
        Some(Json::Array(items)) => items.iter().collect(),
        Some(Json::Null) | None => Vec::new(),
        Some(other) => vec![other],
    }
}

pub(crate) use crate::iam::evaluate::strings;

/// Whether a value is `true` (CloudFormation also accepts the string `"true"`).
pub(crate) fn is_true(value: Option<&Json>) -> bool {
    matches!(value, Some(Json::Bool(true)))
        || value.and_then(Json::as_str).is_some_and(|s| s.eq_ignore_ascii_case("true"))
}

/// Whether a value is `false` (or the string `"false"`).
pub(crate) fn is_false(value: Option<&Json>) -> bool {
    matches!(value, Some(Json::Bool(false)))
        || value.and_then(Json::as_str).is_some_and(|s| s.eq_ignore_ascii_case("false"))
}

/// The statements of a policy document (an object or a JSON string).
pub(crate) fn statements(document: Option<&Json>) -> Vec<Json> {
    document.and_then(document_statements).unwrap_or_default()
}

/// Whether a statement allows.
pub(crate) fn allows(statement: &Json) -> bool {
    statement.get("Effect").and_then(Json::as_str) == Some("Allow")
}

/// A statement's label for messages: its `Sid`, or its position.
pub(crate) fn label(statement: &Json, index: usize) -> String {
    match statement.get("Sid").and_then(Json::as_str) {
        Some(sid) => format!("statement {sid:?}"),
        None => format!("statement {}", index + 1),
    }
}

/// Whether a principal is everyone: `"*"` or `{"AWS": "*"}`.
pub(crate) fn is_public_principal(principal: Option<&Json>) -> bool {
    match principal {
        Some(Json::String(s)) => s == "*",
        Some(Json::Object(map)) => strings(map.get("AWS")).contains(&"*"),
        _ => false,
    }
}

/// Whether a statement carries a non-empty `Condition`.
pub(crate) fn has_condition(statement: &Json) -> bool {
    statement.get("Condition").and_then(Json::as_object).is_some_and(|c| !c.is_empty())
}

/// The condition keys a statement tests, lower-cased, over all operators.
pub(crate) fn condition_keys(statement: &Json) -> Vec<String> {
    let Some(condition) = statement.get("Condition").and_then(Json::as_object) else { return Vec::new() };
    condition.values().filter_map(Json::as_object).flat_map(Map::keys).map(|k| k.to_ascii_lowercase()).collect()
}

/// The resource a `{"Ref": id}` or `{"Fn::GetAtt": [id, ...]}` points at.
pub(crate) fn referenced_id(value: &Json) -> Option<&str> {
    if let Some(id) = value.get("Ref").and_then(Json::as_str) {
        return Some(id);
    }
    value.get("Fn::GetAtt").and_then(|a| a.get(0)).and_then(Json::as_str)
}

/// CEL: whether the string `$n` looks like a secret's name, as [`is_secret_name`] says.
macro_rules! cel_secret_name {
    ($n:literal) => {
        concat!(
            "(",
            $n,
            ".matches('(?i)(SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|APIKEY|PRIVATE_KEY)') && !",
            $n,
            ".matches('(?i)(_ARN|_NAME|_ID|_PARAM|_PARAMETER|_PATH)$'))"
        )
    };
}
pub(crate) use cel_secret_name;

/// Whether a name looks like it holds a secret (and not a pointer to one).
pub(crate) fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let pointer = ["_ARN", "_NAME", "_ID", "_PARAM", "_PARAMETER", "_PATH"].iter().any(|s| upper.ends_with(s));
    let secret =
        ["SECRET", "PASSWORD", "PASSWD", "TOKEN", "API_KEY", "APIKEY", "PRIVATE_KEY"].iter().any(|s| upper.contains(s));
    secret && !pointer
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use cloudwright_constructs::governance::catalog::{self, Target};

    use super::*;

    #[test]
    fn every_catalog_rule_has_one_implementation_of_its_kind() {
        let impls: Vec<&Impl> = [iam::RULES, compute::RULES, storage::RULES, network::RULES, org::RULES, deploy::RULES]
            .into_iter()
            .flatten()
            .collect();
        assert_eq!(impls.len(), catalog::rules().count(), "implementations without a catalog entry, or the reverse");
        for info in catalog::rules() {
            let found: Vec<_> = impls.iter().filter(|i| i.id == info.id).collect();
            assert_eq!(found.len(), 1, "{} has {} implementations", info.id, found.len());
            let kinds_agree = matches!(
                (info.target, found[0].check),
                (Target::Resources(types), Check::Resource(_)) if !types.is_empty()
            ) || matches!(
                (info.target, found[0].check),
                (Target::Stack, Check::Stack(_))
                    | (Target::Organization, Check::Organization(_))
                    | (Target::Deployment, Check::Deployment(_))
                    | (Target::ProtonSchema, Check::ProtonSchema(_))
            );
            assert!(kinds_agree, "{}: the catalog's target and the check look at different things", info.id);
        }
        assert_eq!(all().count(), catalog::rules().count());
    }
}
