//! Taking over the stacks Proton deployed: which deployed stack a rendered one becomes (by
//! the Proton tags, see `deployed`), where it is placed, and what its update would replace.
//!
//! A rendered stack that takes over a deployed one gets its name, account and region, so
//! `cdk deploy` updates it in place. Replacement is judged as `cloudwright diff` judges it
//! ([`crate::diff`]): a resource whose type changes, or whose create-only property changes
//! (from the resource schemas), is replaced; a deployed logical id the rendered template
//! lacks is deleted. Either needs a decision before deploying.

use std::collections::BTreeMap;
use std::path::Path;

use cloudwright_core::{Result, fold_literals};
use serde_json::Value as Json;

use super::deployed::{self, DeployedStack};
use super::{MigratedStack, ProtonResource};
use crate::diff::{Change, Side, StackTemplate, diff};

/// The deployed stacks whose tags name `resource`.
pub fn find<'a>(deployed: &'a [DeployedStack], resource: &ProtonResource) -> Vec<&'a DeployedStack> {
    deployed.iter().filter(|d| d.resource.as_ref() == Some(resource)).collect()
}

/// Places `s`: on its one matching deployed stack unless `given` (from `migration.yaml`, or
/// the environment of an instance) says otherwise, else where `given` says, else `default`.
pub fn adopt(
    s: &mut MigratedStack,
    matches: &[&DeployedStack],
    given: (Option<String>, Option<String>),
    default: (String, String),
) {
    let (given_account, given_region) = given;
    match matches {
        [one] => {
            let clash = given_account.as_ref().is_some_and(|a| a != &one.account)
                || given_region.as_ref().is_some_and(|r| r != &one.region);
            if clash {
                s.decisions.push(format!(
                    "the deployed stack `{}` carries its Proton tags but is in aws://{}/{}, not where it is placed (aws://{}/{}): correct the account or region in migration.yaml, or keep the stack apart",
                    one.name,
                    one.account,
                    one.region,
                    given_account.as_deref().unwrap_or("?"),
                    given_region.as_deref().unwrap_or("?"),
                ));
            } else {
                s.name = one.name.clone();
                s.account = one.account.clone();
                s.region = one.region.clone();
                s.deployed = Some((*one).clone());
                return;
            }
        }
        [] => s.todo.push(format!(
            "No deployed stack given carries its Proton tags: `cdk deploy` creates a new stack `{}`. If Proton deployed it, add the `describe-stacks` output of its account and region with `--deployed` and run again.",
            s.name
        )),
        many => s.decisions.push(format!(
            "several deployed stacks carry its Proton tags ({}): keep one, delete the others' resources or remove their tags, and run again",
            many.iter().map(|d| format!("`{}`", d.name)).collect::<Vec<_>>().join(", ")
        )),
    }
    let defaulted = given_account.is_none();
    s.account = given_account.unwrap_or(default.0);
    s.region = given_region.unwrap_or(default.1);
    if defaulted {
        s.todo.push(format!(
            "Its account is a placeholder ({}): set `account` (and `region`) in migration.yaml.",
            s.account
        ));
    }
}

/// Compares a taken-over stack's rendered template with the deployed one in `dir`.
/// References to deployed outputs are compared by their current values (what CloudFormation
/// resolves them to), so a value Proton copied and the reference that replaces it are equal.
pub fn check_replacements(s: &mut MigratedStack, dir: &Path, all: &[DeployedStack]) -> Result<()> {
    let Some(d) = &s.deployed else { return Ok(()) };
    let Some(old) = deployed::template(dir, &d.name)? else {
        s.todo.push(format!(
            "Replacements not checked: the deployed templates directory has no `{0}.json` (`aws cloudformation get-template --stack-name {0} > DIR/{0}.json`).",
            d.name
        ));
        return Ok(());
    };
    let side = |label: &str, template: Json| Side {
        label: label.to_owned(),
        stacks: vec![StackTemplate {
            artifact_id: d.name.clone(),
            display_name: d.name.clone(),
            template,
            ..Default::default()
        }],
        proton: BTreeMap::new(),
    };
    let known =
        |stack: &str, output: &str| all.iter().find(|d| d.name == stack).and_then(|d| d.outputs.get(output)).cloned();
    let mut old = old;
    fold_literals(&mut old);
    let changes = diff(&side("deployed", old), &side("rendered", resolve_known(&s.template, &known)));
    let mut updated = 0;
    for r in changes.stacks.iter().flat_map(|st| &st.resources) {
        match r.change {
            Change::Removed => s.decisions.push(format!(
                "`cdk deploy` would delete `{}` ({}) of the deployed stack: the rendered template has no such logical id. Add it back, or confirm it may go (set `DeletionPolicy: Retain` first to keep the resource).",
                r.logical_id, r.resource_type
            )),
            Change::Modified if r.replacement => {
                let why = match &r.old_type {
                    Some(t) => format!("its type was {t}"),
                    None => {
                        let paths: Vec<String> =
                            r.properties.iter().filter(|p| p.replaces).map(|p| format!("`{}`", p.path)).collect();
                        format!("{} changes, which only replacement can change", paths.join(", "))
                    }
                };
                s.decisions.push(format!(
                    "`cdk deploy` would replace `{}` ({}): {why}; a new resource, the old one deleted. Keep the deployed value in the template, or accept the replacement.",
                    r.logical_id, r.resource_type
                ));
            }
            Change::Modified => updated += 1,
            Change::Moved => s.decisions.push(format!(
                "`{}` ({}) is the deployed `{}` under another logical id: `cdk deploy` would replace it. {}.",
                r.logical_id,
                r.resource_type,
                r.moved_from.as_ref().map_or("", |f| f.logical_id.as_str()),
                r.hint.as_deref().unwrap_or_default()
            )),
            Change::Added => {}
        }
    }
    if updated > 0 {
        s.todo.push(format!(
            "The update changes {updated} deployed resource(s) in place: review `cdk diff` before deploying."
        ));
    }
    Ok(())
}

/// The deployed Proton stacks no rendered stack takes over.
pub fn unmatched(deployed: &[DeployedStack], stacks: &[MigratedStack]) -> Vec<DeployedStack> {
    deployed
        .iter()
        .filter(|d| d.resource.is_some())
        .filter(|d| {
            !stacks.iter().any(|s| s.deployed.as_ref().is_some_and(|x| x.name == d.name && x.account == d.account))
        })
        .cloned()
        .collect()
}

/// `template` with each `Fn::GetStackOutput` whose value `known` gives replaced by it, and
/// the joins and substitutions of literals folded ([`fold_literals`]) as in the deployed
/// template the rendered one is compared with.
fn resolve_known(template: &Json, known: &dyn Fn(&str, &str) -> Option<String>) -> Json {
    let mut out = replace_known(template, known);
    fold_literals(&mut out);
    out
}

/// `template` with each `Fn::GetStackOutput` whose value `known` gives replaced by it.
fn replace_known(template: &Json, known: &dyn Fn(&str, &str) -> Option<String>) -> Json {
    match template {
        Json::Array(items) => Json::Array(items.iter().map(|i| replace_known(i, known)).collect()),
        Json::Object(map) => {
            if let Some(Json::Object(args)) = map.get("Fn::GetStackOutput").filter(|_| map.len() == 1) {
                let name = |k: &str| args.get(k).and_then(Json::as_str);
                if let Some(value) = name("StackName").zip(name("OutputName")).and_then(|(s, o)| known(s, o)) {
                    return Json::String(value);
                }
            }
            Json::Object(map.iter().map(|(k, v)| (k.clone(), replace_known(v, known))).collect())
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use serde_json::json;

    #[test]
    fn references_to_deployed_outputs_compare_as_their_values() {
        let gso = json!({"Fn::GetStackOutput": {"StackName": "env", "OutputName": "Table"}});
        let unknown = json!({"Fn::GetStackOutput": {"StackName": "other", "OutputName": "Table"}});
        let template = json!({
            "A": gso,
            "B": {"Fn::Join": ["", ["arn:", gso, "/*"]]},
            "C": {"Fn::Sub": ["${AWS::Region}-${CwEnvOutput000001}", {"CwEnvOutput000001": gso}]},
            "D": unknown,
        });
        let known = |s: &str, o: &str| (s == "env" && o == "Table").then(|| "t-1".to_owned());
        assert_eq!(
            resolve_known(&template, &known),
            json!({"A": "t-1", "B": "arn:t-1/*", "C": {"Fn::Sub": "${AWS::Region}-t-1"}, "D": unknown})
        );
    }
}
