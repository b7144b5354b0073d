//! `cloudwright exports prune STACK`: removes from the export lock the exports of STACK
//! that synthesis keeps only for the lock, once no consumer imports them, so the next
//! deploy of STACK deletes them. Which lock the app uses: `--exports-lock`, else
//! `$CLOUDWRIGHT_EXPORTS_LOCK` (empty: none), else `./cloudwright.exports.lock.json`.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use anyhow::anyhow;
use cloudwright_core::assembly::{Manifest, Section};
use cloudwright_core::synth::exports_lock::{DEFAULT_EXPORTS_LOCK, ExportsLock, kept_exports};
use cloudwright_core::{Assembly, StackSummary};
use serde_json::Value as Json;

use crate::{AppSource, Failure};

/// The environment variable naming the export lock, for app commands (empty: no lock).
pub const EXPORTS_LOCK_ENV: &str = "CLOUDWRIGHT_EXPORTS_LOCK";

/// `cloudwright exports ...`
#[derive(Debug, clap::Subcommand)]
pub enum ExportsCommand {
    /// Remove from the export lock the exports of STACK kept only for consumers deployed
    /// before their reference was removed; run it once those consumers are deployed, then
    /// deploy STACK to delete the exports
    Prune(PruneArgs),
}

/// The arguments of `exports prune`.
#[derive(Debug, clap::Args)]
pub struct PruneArgs {
    /// The producer stack: its construct path (as `cloudwright ls` shows it), artifact id or stack name
    pub stack: String,
    /// Command that runs the app (see `synth --help`)
    #[arg(long, value_name = "CMD")]
    pub app: Option<String>,
}

/// The export lock: `flag`, else `$CLOUDWRIGHT_EXPORTS_LOCK` (empty: none), else the default.
pub fn lock_path(flag: Option<PathBuf>) -> Option<PathBuf> {
    if flag.is_some() {
        return flag;
    }
    match std::env::var_os(EXPORTS_LOCK_ENV) {
        Some(v) if v.is_empty() => None,
        Some(v) => Some(PathBuf::from(v)),
        None => Some(PathBuf::from(DEFAULT_EXPORTS_LOCK)),
    }
}

/// What `prune` removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pruned {
    /// The producer stack's construct path.
    pub stack: String,
    /// The export names removed from the lock.
    pub exports: Vec<String>,
}

/// Prunes the kept exports of `stack` from the lock at `lock` and prints what it did.
/// `source` must build the app without applying the lock (so the exports a reference
/// still produces are told apart from the kept ones).
pub fn run(source: AppSource, lock: &Path, stack: &str) -> Result<u8, Failure> {
    let assembly = source.assembly()?;
    let pruned = prune(&assembly, lock, stack)?;
    if pruned.exports.is_empty() {
        println!("nothing to prune: {} keeps no export of {} that no reference produces", lock.display(), pruned.stack);
    } else {
        println!("pruned from {}:", lock.display());
        for name in &pruned.exports {
            println!("  {name}");
        }
        println!("the next deploy of {} deletes them", pruned.stack);
    }
    Ok(0)
}

/// Removes from the lock at `lock_path` the exports of `stack` that `assembly` (the app's
/// current output) no longer produces, unless a stack of it still imports one: then an
/// error naming each consumer, and nothing is written.
pub fn prune(assembly: &Assembly, lock_path: &Path, stack: &str) -> Result<Pruned, Failure> {
    let producer = find_stack(assembly, stack)?;
    let mut lock = ExportsLock::read(lock_path).map_err(Failure::input)?;
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
        return Err(Failure::input(anyhow!("nothing was pruned:\n  {}", problems.join("\n  "))));
    }
    lock.remove(&producer.display_name, &candidates);
    lock.write(lock_path).map_err(Failure::input)?;
    Ok(Pruned { stack: producer.display_name.clone(), exports: candidates })
}

/// The stack `name` names: its construct path, artifact id or stack name.
fn find_stack<'a>(assembly: &'a Assembly, name: &str) -> Result<&'a StackSummary, Failure> {
    let stacks = assembly.stacks();
    stacks
        .iter()
        .find(|s| s.display_name == name)
        .or_else(|| stacks.iter().find(|s| s.artifact_id == name || s.stack_name == name))
        .ok_or_else(|| {
            let known: Vec<&str> = stacks.iter().map(|s| s.display_name.as_str()).collect();
            Failure::input(anyhow!(
                "the app has no stack {name:?}; give a construct path (`cloudwright ls`), artifact id or stack \
                 name: {}",
                known.join(", ")
            ))
        })
}

fn template_of(assembly: &Assembly, stack: &StackSummary) -> Result<Json, Failure> {
    let bytes = assembly
        .file(&stack.template_file)
        .ok_or_else(|| Failure::input(anyhow!("the assembly has no {}", stack.template_file)))?;
    serde_json::from_slice(bytes).map_err(|e| Failure::input(anyhow!("{} is not valid JSON: {e}", stack.template_file)))
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
fn logical_id_paths(assembly: &Assembly, stack: &StackSummary) -> Result<HashMap<String, String>, Failure> {
    let dir = stack.template_file.rsplit_once('/').map_or(String::new(), |(d, _)| format!("{d}/"));
    let path = format!("{dir}manifest.json");
    let Some(bytes) = assembly.file(&path) else { return Ok(HashMap::new()) };
    let manifest = Manifest::from_slice(bytes, &path).map_err(Failure::input)?;
    let artifact = manifest.artifacts.get(&stack.artifact_id);
    Ok(artifact.into_iter().flat_map(|a| a.logical_ids()).map(|(id, path)| (id.to_owned(), path.to_owned())).collect())
}
