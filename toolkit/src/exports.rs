//! Pruning the export lock: the exports a producer keeps only for the lock
//! (`cloudwright exports prune STACK`), once no consumer of the app's current output
//! imports them, so the producer's next deploy deletes them.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use cloudwright_core::assembly::{Manifest, Section};
use cloudwright_core::synth::exports_lock::{ExportsLock, kept_exports};
use cloudwright_core::{Assembly, Error, Result, StackSummary};
use serde_json::Value as Json;

/// What `prune` removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pruned {
    /// The producer stack's construct path.
    pub stack: String,
    /// The export names removed from the lock.
    pub exports: Vec<String>,
}

/// Removes from the lock at `lock_path` the exports of `stack` that `assembly` (the app's
/// current output) no longer produces, unless a stack of it still imports one: then an
/// error naming each consumer, and nothing is written.
pub fn prune(assembly: &Assembly, lock_path: &Path, stack: &str) -> Result<Pruned> {
    let producer = find_stack(assembly, stack)?;
    let mut lock = ExportsLock::read(lock_path)?;
    let Some(locked) = lock.stacks.get(&producer.display_name) else {
        return Ok(Pruned { stack: producer.display_name.clone(), exports: Vec::new() });
    };
    let template = template_of(assembly, producer)?;
    // What a reference produces stays; what the template exports only for the lock goes.
    let kept: BTreeSet<String> = kept_exports(&template).into_iter().map(|(name, _)| name).collect();
    let produced: BTreeSet<&str> = template
        .get("Outputs")
        .and_then(Json::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(_, o)| o.get("Export")?.get("Name")?.as_str())
        .filter(|name| !kept.contains(*name))
        .collect();
    let candidates: Vec<String> = locked.exports.keys().filter(|n| !produced.contains(n.as_str())).cloned().collect();

    let mut problems = Vec::new();
    for consumer in assembly.stacks() {
        let imports = imports(&template_of(assembly, consumer)?, &candidates);
        if imports.is_empty() {
            continue;
        }
        let paths = logical_id_paths(assembly, consumer)?;
        for (logical_id, name) in imports {
            let consumer_path =
                paths.get(&logical_id).cloned().unwrap_or_else(|| format!("{}/{logical_id}", consumer.display_name));
            let source = locked.exports.get(&name).map_or(producer.display_name.as_str(), |e| e.source.as_str());
            problems.push(format!(
                "{consumer_path} still imports {name:?}, the export of {source} (stack {}) kept in {}: pruning \
                 it would make the next deploy of {} fail while {} imports it; remove the reference from \
                 {consumer_path} and deploy {} first, then prune",
                producer.display_name,
                lock_path.display(),
                producer.display_name,
                consumer.display_name,
                consumer.display_name,
            ));
        }
    }
    if !problems.is_empty() {
        return Err(Error::Input {
            path: lock_path.display().to_string(),
            message: format!("nothing was pruned:\n  {}", problems.join("\n  ")),
        });
    }
    lock.remove(&producer.display_name, &candidates);
    lock.write(lock_path)?;
    Ok(Pruned { stack: producer.display_name.clone(), exports: candidates })
}

/// The stack `name` names: its construct path, artifact id or stack name.
fn find_stack<'a>(assembly: &'a Assembly, name: &str) -> Result<&'a StackSummary> {
    let stacks = assembly.stacks();
    stacks
        .iter()
        .find(|s| s.display_name == name)
        .or_else(|| stacks.iter().find(|s| s.artifact_id == name || s.stack_name == name))
        .ok_or_else(|| {
            let known: Vec<&str> = stacks.iter().map(|s| s.display_name.as_str()).collect();
            Error::Input {
                path: "the app".into(),
                message: format!(
                    "has no stack {name:?}; give a construct path (`cloudwright ls`), artifact id or stack name: {}",
                    known.join(", ")
                ),
            }
        })
}

fn template_of(assembly: &Assembly, stack: &StackSummary) -> Result<Json> {
    let bytes = assembly
        .file(&stack.template_file)
        .ok_or_else(|| Error::Input { path: stack.template_file.clone(), message: "is not in the assembly".into() })?;
    serde_json::from_slice(bytes)
        .map_err(|e| Error::Input { path: stack.template_file.clone(), message: format!("is not valid JSON: {e}") })
}

/// The `(logical id, export name)` pairs of the template's top-level elements that
/// import one of `names`.
fn imports(template: &Json, names: &[String]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for section in Section::ELEMENTS.iter().filter_map(|s| template.get(s.key())?.as_object()) {
        for (logical_id, body) in section {
            let mut found = BTreeSet::new();
            imported(body, names, &mut found);
            out.extend(found.into_iter().map(|name| (logical_id.clone(), name)));
        }
    }
    out
}

fn imported(value: &Json, names: &[String], found: &mut BTreeSet<String>) {
    match value {
        Json::Object(map) => {
            if let Some(Json::String(name)) = map.get("Fn::ImportValue") {
                if names.contains(name) {
                    found.insert(name.clone());
                }
            }
            map.values().for_each(|v| imported(v, names, found));
        }
        Json::Array(items) => items.iter().for_each(|v| imported(v, names, found)),
        _ => {}
    }
}

/// Construct paths by logical id, from the stack's manifest metadata (`aws:cdk:logicalId`).
fn logical_id_paths(assembly: &Assembly, stack: &StackSummary) -> Result<HashMap<String, String>> {
    let dir = stack.template_file.rsplit_once('/').map_or(String::new(), |(d, _)| format!("{d}/"));
    let path = format!("{dir}manifest.json");
    let Some(bytes) = assembly.file(&path) else { return Ok(HashMap::new()) };
    let manifest = Manifest::from_slice(bytes, &path)?;
    let artifact = manifest.artifacts.get(&stack.artifact_id);
    Ok(artifact.into_iter().flat_map(|a| a.logical_ids()).map(|(id, path)| (id.to_owned(), path.to_owned())).collect())
}
