//! Exports the new side removes while a stack of the old side imports them: CloudFormation
//! refuses to delete an export that a deployed stack imports ("Export X cannot be deleted
//! as it is in use by Y"), so the producer's update fails at deploy time (aws/aws-cdk#7602).
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-importvalue.html>

use std::collections::{BTreeMap, BTreeSet};

use cloudwright_core::assembly::Section;
use serde_json::Value as Json;

use super::{DeployFailure, Side};

/// Each export a side's templates declare, by name: the stack's display name and the
/// output's logical id.
fn exports(side: &Side) -> BTreeMap<String, (String, String)> {
    let mut out = BTreeMap::new();
    for stack in &side.stacks {
        let outputs = stack.template.get("Outputs").and_then(Json::as_object).into_iter().flatten();
        for (logical_id, output) in outputs {
            if let Some(name) = output.get("Export").and_then(|e| e.get("Name")).and_then(Json::as_str) {
                out.insert(name.to_owned(), (stack.display_name.clone(), logical_id.clone()));
            }
        }
    }
    out
}

/// Each literal `Fn::ImportValue` name of a side, with the importers (`Stack (LogicalId)`).
fn imports(side: &Side) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for stack in &side.stacks {
        let sections = Section::ELEMENTS.iter().filter_map(|s| stack.template.get(s.key())?.as_object());
        for section in sections {
            for (logical_id, body) in section {
                let mut names = BTreeSet::new();
                imported(body, &mut names);
                for name in names {
                    out.entry(name).or_default().insert(format!("{} ({logical_id})", stack.display_name));
                }
            }
        }
    }
    out
}

fn imported(value: &Json, names: &mut BTreeSet<String>) {
    match value {
        Json::Object(map) => {
            if let Some(Json::String(name)) = map.get("Fn::ImportValue") {
                names.insert(name.clone());
            }
            map.values().for_each(|v| imported(v, names));
        }
        Json::Array(items) => items.iter().for_each(|v| imported(v, names)),
        _ => {}
    }
}

/// The exports of `old` that `new` no longer declares while a stack of `old` imports them.
pub(crate) fn failures(old: &Side, new: &Side) -> Vec<DeployFailure> {
    let (old_exports, new_exports) = (exports(old), exports(new));
    let (old_imports, new_imports) = (imports(old), imports(new));
    let mut out = Vec::new();
    for (name, (producer, output)) in &old_exports {
        if new_exports.contains_key(name) {
            continue;
        }
        let Some(consumers) = old_imports.get(name) else { continue };
        let consumers: Vec<String> = consumers.iter().cloned().collect();
        let still = new_imports.get(name).map(|c| c.iter().cloned().collect::<Vec<_>>()).unwrap_or_default();
        let stacks: BTreeSet<&str> = consumers.iter().filter_map(|c| c.split(" (").next()).collect();
        let stacks: Vec<&str> = stacks.into_iter().collect();
        let mut reason = format!(
            "CloudFormation cannot delete an export while a deployed stack imports it (\"Export {name} cannot be \
             deleted as it is in use by ...\"), so the update of {producer} fails unless {} is deployed \
             without the import first; or keep the export (the export lock keeps it until \
             `cloudwright exports prune {producer}`)",
            stacks.join(", ")
        );
        if !still.is_empty() {
            reason.push_str(&format!(
                "; {} still import it in the new output, which then fails with \"No export named {name} found\"",
                still.join(", ")
            ));
        }
        out.push(DeployFailure {
            producer: producer.clone(),
            output: output.clone(),
            export: name.clone(),
            consumers,
            reason,
        });
    }
    out
}
