//! The rule pack for other policy engines: cfn-guard over templates (`guard.rs`), Nirmata's
//! cloud controller over deployed resources (`nirmata.rs`) and kyverno-json over templates
//! (`kyverno_json.rs`). Each export takes a rule's check from the rule tables (`Rule::guard`,
//! `Rule::cel`) and lists in a README the rules it cannot say, with why.

mod guard;
mod kyverno_json;
mod nirmata;
mod scope;

pub use guard::{guard_files, guard_rule_name};
pub use kyverno_json::kyverno_json_files;
pub use nirmata::nirmata_files;
pub use scope::{Exclusion, PolicyScope};

use serde_json::{Value as Json, json};

use super::model::Severity;
use super::rules::{self, Cel, Check, Rule};
use std::cell::RefCell;
use std::rc::Rc;

use cloudwright_core::{App, Aspect, Construct, Node, Result};

/// Where the default synth of an app that calls [`write_policies`] puts the exports,
/// beside the assembly.
pub const POLICIES_DIR: &str = "policies";

/// Writes the Nirmata and kyverno-json exports beside the app's assembly on every synth
/// (`policies/nirmata/`, `policies/kyverno-json/`), with the app's suppressions and rule
/// packs as exclusions, so what runs in the accounts is the pack the app was checked with.
pub fn write_policies(app: &App) {
    // The generator reads the tree at synthesis, after the aspects (suppressions, packs)
    // have run. It must not own the app (the app owns it: a cycle never freed), so an aspect
    // hands it the root node during each synthesis, and the generator lets it go.
    let root: Rc<RefCell<Option<Node>>> = Rc::default();
    app.node().add_aspect(HandOver(Rc::clone(&root)));
    app.add_file_generator(move || {
        let Some(node) = root.borrow_mut().take() else { return Ok(Vec::new()) };
        let scope = PolicyScope::of_app(&App::of(&node));
        let mut files = Vec::new();
        for (dir, exported) in [("nirmata", nirmata_files(&scope)?), ("kyverno-json", kyverno_json_files(&scope)?)] {
            files.extend(
                exported.into_iter().map(|(name, text)| (format!("{POLICIES_DIR}/{dir}/{name}"), text.into_bytes())),
            );
        }
        Ok(files)
    });
}

/// Keeps the first node it visits (the root) for the policy generator of the same synthesis.
struct HandOver(Rc<RefCell<Option<Node>>>);

impl Aspect for HandOver {
    fn visit(&self, node: &Node) {
        let mut slot = self.0.borrow_mut();
        if slot.is_none() {
            *slot = Some(node.clone());
        }
    }
}

/// A rule exported as CEL: its types and its expression over `props`.
pub(crate) struct CelRule {
    pub rule: &'static Rule,
    pub types: &'static [&'static str],
    pub expression: &'static str,
}

/// The rules an export can say in CEL, in report order, and the rest with why not.
pub(crate) fn cel_rules(scope: &PolicyScope) -> (Vec<CelRule>, Vec<String>) {
    let mut exported = Vec::new();
    let mut skipped = Vec::new();
    for rule in rules::all() {
        let id = rule.info.id;
        match (&rule.check, &rule.cel) {
            _ if !scope.is_active(rule) => {
                skipped.push(format!("- `{id}`: {}: off in the rule pack of every stack", rule.info.title));
            }
            (Check::Resource(_), Cel::Check(expression)) => {
                exported.push(CelRule { rule, types: rules::types(rule), expression })
            }
            (_, Cel::Cannot(why)) => skipped.push(format!("- `{id}`: {}: {why}", rule.info.title)),
            (_, Cel::Check(_)) => {
                skipped.push(format!("- `{id}`: {}: not a check of one resource", rule.info.title));
            }
        }
    }
    (exported, skipped)
}

/// `expression` with the identifier `props` replaced by `root`.
pub(crate) fn with_root(expression: &str, root: &str) -> String {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.';
    let mut out = String::with_capacity(expression.len() + 64);
    let mut rest = expression;
    while let Some(at) = rest.find("props") {
        let before = rest[..at].chars().next_back();
        let after = rest[at + 5..].chars().next();
        out.push_str(&rest[..at]);
        if before.is_some_and(ident) || after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.push_str("props");
        } else {
            out.push_str(root);
        }
        rest = &rest[at + 5..];
    }
    out.push_str(rest);
    out
}

/// A CEL string literal (single-quoted) of `text`.
pub(crate) fn cel_string(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// A CEL list literal of strings.
pub(crate) fn cel_strings<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    format!("[{}]", items.into_iter().map(cel_string).collect::<Vec<_>>().join(", "))
}

/// The Kubernetes-style metadata both formats share: a DNS-1123 name and the rule's
/// title, severity, description, id and fix as annotations.
pub(crate) fn metadata(rule: &Rule) -> Json {
    let info = &rule.info;
    // Kyverno's policy library grades severity low/medium/high.
    let grade = match info.severity {
        Severity::Error => "high",
        Severity::Warning => "medium",
        Severity::Info => "low",
    };
    json!({
        "name": info.id.to_ascii_lowercase(),
        "annotations": {
            "policies.kyverno.io/title": info.title,
            "policies.kyverno.io/category": "cloudwright",
            "policies.kyverno.io/severity": grade,
            "policies.kyverno.io/description": info.rationale,
            "cloudwright.dev/rule-id": info.id,
            "cloudwright.dev/severity": info.severity.as_str(),
            "cloudwright.dev/fix": info.fix,
        },
    })
}

/// The one-line message of a violation.
pub(crate) fn message(rule: &Rule) -> String {
    format!("{}: {}. Fix: {}", rule.info.id, rule.info.title, rule.info.fix)
}

/// A policy document as YAML, under a comment header.
pub(crate) fn yaml_file(header: &[String], document: &Json) -> Result<String> {
    let body = serde_yaml::to_string(document).map_err(|e| cloudwright_core::Error::Input {
        path: "policy".into(),
        message: format!("cannot be written as YAML: {e}"),
    })?;
    let mut text: String = header.iter().map(|line| format!("# {line}\n")).collect();
    text.push_str(&body);
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::with_root;

    #[test]
    fn props_is_replaced_as_an_identifier_only() {
        assert_eq!(
            with_root("has(props.A) && [props].size() > 0 && x.props == props_2", "variables.props"),
            "has(variables.props.A) && [variables.props].size() > 0 && x.props == props_2"
        );
    }
}
