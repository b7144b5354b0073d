//! The export lock (`cloudwright.exports.lock.json`, committed beside the app): every
//! export each stack has published for another stack's `Fn::ImportValue`.
//!
//! CloudFormation refuses to delete an export while a deployed stack imports it ("Export
//! X cannot be deleted as it is in use by Y"), and a producer deploys before its
//! consumers, so removing the last reference to a value fails the producer's update
//! (aws/aws-cdk#7602). Synthesis therefore never drops a locked export on its own: one no
//! reference produces any more is still written (its value from the lock, as the CDK's
//! manual `Stack.exportValue` workaround does), with a warning, until
//! `cloudwright exports prune STACK` removes it from the lock once the consumers are
//! deployed. Like `Cargo.lock`, synthesis writes the lock itself, in place, atomically,
//! and only adds entries: a lock the user had to copy from the output would be forgotten,
//! and the export it should have kept would be deleted with the next deploy.
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-importvalue.html>

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::element::Body;
use crate::error::{Error, Result};

use super::resolve::{Export, Exports, Shared};

/// The lock file's name, in the working directory, when the CLI runs the app.
pub const DEFAULT_EXPORTS_LOCK: &str = "cloudwright.exports.lock.json";

/// The template `Metadata` key listing the export names a stack keeps only because the
/// lock holds them, so any reader of the assembly (the CLI's warnings, `exports prune`
/// over an `--app` command's output) knows them.
pub const KEPT_EXPORTS_METADATA: &str = "cloudwright:keptExports";

/// The version of the lock's format.
const VERSION: u32 = 1;

/// Every export each stack has published, by stack construct path.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExportsLock {
    /// The format version (1).
    pub version: u32,
    /// The producer stacks, by construct path (`cdk ls`'s display name).
    pub stacks: BTreeMap<String, LockedStack>,
}

/// The exports one producer stack has published.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LockedStack {
    /// The CloudFormation stack name the exports were published under.
    pub stack_name: String,
    /// The exports, by export name.
    pub exports: BTreeMap<String, LockedExport>,
}

/// One published export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LockedExport {
    /// The logical id of the `Output` that declares it.
    pub output: String,
    /// The exported intrinsic (`Ref` or `Fn::GetAtt` of an element of the stack).
    pub value: Json,
    /// The construct path of the element the value comes from.
    pub source: String,
}

/// Something synthesis reports without failing: the construct it concerns and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Where: the construct's path, or `file:LINE` for a warning about an input file.
    pub path: String,
    /// What is the matter and what to do about it.
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl ExportsLock {
    /// Reads the lock at `path`; a missing file is an empty lock.
    pub fn read(path: &Path) -> Result<ExportsLock> {
        match crate::limits::read_text_if_exists(path, crate::limits::INPUT_BYTES)? {
            Some(text) => ExportsLock::parse(&path.display().to_string(), &text),
            None => Ok(ExportsLock::empty()),
        }
    }

    /// A lock from its JSON text; `source` names it in messages.
    pub fn parse(source: &str, text: &str) -> Result<ExportsLock> {
        let input = |message: String| Error::Input { path: source.to_owned(), message };
        let lock: ExportsLock = serde_json::from_str(text).map_err(|e| Error::Input {
            path: crate::limits::at_line(source, e.line(), e.column()),
            message: format!(
                "the export lock is not valid: {e}; restore it from version control, or delete it to start afresh"
            ),
        })?;
        if lock.version != VERSION {
            return Err(input(format!(
                "the export lock has version {}, this cloudwright reads version {VERSION}; upgrade cloudwright",
                lock.version
            )));
        }
        Ok(lock)
    }

    /// A lock with no exports.
    pub fn empty() -> ExportsLock {
        ExportsLock { version: VERSION, stacks: BTreeMap::new() }
    }

    /// The file's bytes: pretty JSON, keys sorted, a final newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    /// Writes the lock to `path` atomically (a sibling temporary file renamed over it),
    /// unless the file already holds these bytes, or there is nothing to lock and no file.
    /// Returns whether it wrote.
    pub fn write(&self, path: &Path) -> Result<bool> {
        let bytes = self.to_bytes();
        match std::fs::read(path) {
            Ok(existing) if existing == bytes => return Ok(false),
            Err(_) if self.stacks.is_empty() => return Ok(false),
            _ => {}
        }
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let temp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        let output = |source| Error::Output { path: path.to_path_buf(), source };
        std::fs::write(&temp, &bytes).map_err(output)?;
        std::fs::rename(&temp, path).map_err(|source| {
            let _ = std::fs::remove_file(&temp);
            output(source)
        })?;
        Ok(true)
    }

    /// Removes the named exports of the stack at `stack` (a construct path), and the
    /// stack's entry when none is left.
    pub fn remove(&mut self, stack: &str, exports: &[String]) {
        if let Some(entry) = self.stacks.get_mut(stack) {
            entry.exports.retain(|name, _| !exports.contains(name));
            if entry.exports.is_empty() {
                self.stacks.remove(stack);
            }
        }
    }
}

/// The lock as synthesis updated it, written when the assembly is committed.
#[derive(Debug, Clone)]
pub(crate) struct LockUpdate {
    pub path: PathBuf,
    pub lock: ExportsLock,
}

impl LockUpdate {
    pub(crate) fn write(&self) -> Result<bool> {
        self.lock.write(&self.path)
    }
}

/// What applying the lock to one synthesis gives.
#[derive(Default)]
pub(crate) struct Applied {
    /// The updated lock, when the app has one.
    pub update: Option<LockUpdate>,
    /// The export names each stack keeps only for the lock, by stack.
    pub kept: HashMap<u32, Vec<String>>,
    pub warnings: Vec<Warning>,
    pub errors: Vec<Error>,
}

/// What the lock needs of the synthesis: what resolution shares, plus the stacks.
pub(crate) struct Synthesis<'a> {
    pub shared: &'a Shared<'a>,
    pub stacks: &'a [u32],
    /// Each stack's elements, in tree order.
    pub elements: &'a HashMap<u32, Vec<u32>>,
}

/// Reads the lock at `path`, adds the exports this synthesis produces, and adds to
/// `exports` those the lock holds that no reference produces any more.
pub(crate) fn apply(path: &Path, s: &Synthesis<'_>, exports: &mut Exports) -> Applied {
    let mut applied = Applied::default();
    let mut lock = match ExportsLock::read(path) {
        Ok(lock) => lock,
        Err(e) => {
            applied.errors.push(e);
            return applied;
        }
    };
    let lock_name = path.display().to_string();
    for &stack in s.stacks {
        let stack_path = s.shared.arena.path(stack);
        let stack_name = &s.shared.stack_names[&stack];
        // The stack's elements by logical id, to find what an exported value refers to.
        let members: HashMap<&str, u32> = s
            .elements
            .get(&stack)
            .into_iter()
            .flatten()
            .filter(|i| {
                matches!(s.shared.arena.element(**i).map(|e| &e.body), Some(Body::Resource(_) | Body::Parameter(_)))
            })
            .map(|i| (s.shared.logical_ids.get(*i), *i))
            .collect();
        let produced = exports.entry(stack).or_default();
        // A renamed stack is another CloudFormation stack: the old one keeps its exports
        // until it is deleted, and its export names cannot be published twice.
        let locked = lock.stacks.get(&stack_path).filter(|l| &l.stack_name == stack_name).cloned();
        let entry = lock
            .stacks
            .entry(stack_path.clone())
            .or_insert_with(|| LockedStack { stack_name: stack_name.clone(), exports: BTreeMap::new() });
        if entry.stack_name != *stack_name {
            *entry = LockedStack { stack_name: stack_name.clone(), exports: BTreeMap::new() };
        }
        for (output, Export { value, name }) in produced.iter() {
            let source =
                referred_id(value).and_then(|id| members.get(id)).map(|i| s.shared.arena.path(*i)).unwrap_or_default();
            entry.exports.insert(name.clone(), LockedExport { output: output.clone(), value: value.clone(), source });
        }
        let mut kept = Vec::new();
        for (name, export) in locked.iter().flat_map(|l| &l.exports) {
            if produced.values().any(|e| &e.name == name) {
                continue;
            }
            let present = referred_id(&export.value).is_some_and(|id| members.contains_key(id));
            if !present {
                applied.errors.push(Error::Validation {
                    path: stack_path.clone(),
                    message: format!(
                        "no longer has {} ({}), whose value it exports as {name:?} (kept in {lock_name}); \
                         stacks deployed before may still import it, and CloudFormation cannot delete an \
                         export in use: keep {} until the consumers are deployed without the reference, \
                         then run `cloudwright exports prune {stack_path}`",
                        export.source, export.value, export.source
                    ),
                });
                continue;
            }
            produced.insert(export.output.clone(), Export { value: export.value.clone(), name: name.clone() });
            applied.warnings.push(kept_warning(&stack_path, name, &export.output));
            kept.push(name.clone());
        }
        if entry.exports.is_empty() {
            lock.stacks.remove(&stack_path);
        }
        if !kept.is_empty() {
            applied.kept.insert(stack, kept);
        }
    }
    applied.update = Some(LockUpdate { path: path.to_path_buf(), lock });
    applied
}

/// The warning for an export kept only for the lock.
fn kept_warning(stack_path: &str, name: &str, output: &str) -> Warning {
    Warning {
        path: stack_path.to_owned(),
        message: format!(
            "keeps export {name:?} (output {output}) though no stack of the app imports it any more: stacks \
             deployed before may still import it, and CloudFormation cannot delete an export in use; once \
             every consumer is deployed, run `cloudwright exports prune {stack_path}`"
        ),
    }
}

/// The export names a template keeps only for the lock (its `Metadata`), with their
/// output logical ids.
pub fn kept_exports(template: &Json) -> Vec<(String, String)> {
    let names = template.get("Metadata").and_then(|m| m.get(KEPT_EXPORTS_METADATA)).and_then(Json::as_array);
    let outputs = template.get("Outputs").and_then(Json::as_object);
    names
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
        .map(|name| {
            let output = outputs
                .into_iter()
                .flatten()
                .find(|(_, o)| o.get("Export").and_then(|e| e.get("Name")).and_then(Json::as_str) == Some(name))
                .map(|(id, _)| id.clone())
                .unwrap_or_default();
            (name.to_owned(), output)
        })
        .collect()
}

/// The warnings of the exports an assembly's templates keep only for the lock.
pub(crate) fn kept_warnings(files: &BTreeMap<String, Vec<u8>>, stacks: &[super::StackSummary]) -> Vec<Warning> {
    let mut warnings = Vec::new();
    for stack in stacks {
        let Some(bytes) = files.get(&stack.template_file) else { continue };
        // Cheap before parsing: most templates keep nothing.
        if !bytes.windows(KEPT_EXPORTS_METADATA.len()).any(|w| w == KEPT_EXPORTS_METADATA.as_bytes()) {
            continue;
        }
        let Ok(template) = serde_json::from_slice::<Json>(bytes) else { continue };
        for (name, output) in kept_exports(&template) {
            warnings.push(kept_warning(&stack.display_name, &name, &output));
        }
    }
    warnings
}

/// The logical id an exported `Ref` or `Fn::GetAtt` refers to.
fn referred_id(value: &Json) -> Option<&str> {
    value.get("Ref").and_then(Json::as_str).or_else(|| value.get("Fn::GetAtt")?.get(0)?.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_sorted_and_parse_back() {
        let mut lock = ExportsLock::empty();
        for stack in ["B", "A"] {
            let mut exports = BTreeMap::new();
            for name in ["z", "a"] {
                exports.insert(
                    format!("{stack}:{name}"),
                    LockedExport { output: name.into(), value: serde_json::json!({"Ref": "X"}), source: "S/X".into() },
                );
            }
            lock.stacks.insert(stack.into(), LockedStack { stack_name: stack.into(), exports });
        }
        let text = String::from_utf8(lock.to_bytes()).unwrap();
        assert!(text.find("\"A\"").unwrap() < text.find("\"B\"").unwrap(), "{text}");
        assert!(text.find("A:a").unwrap() < text.find("A:z").unwrap(), "{text}");
        assert_eq!(ExportsLock::parse("x", &text).unwrap(), lock);
    }

    #[test]
    fn unknown_versions_and_malformed_files_are_input_errors() {
        let e = ExportsLock::parse("lock.json", r#"{"version": 2, "stacks": {}}"#).unwrap_err();
        assert!(e.to_string().contains("version 2"), "{e}");
        let e = ExportsLock::parse("lock.json", "{").unwrap_err();
        assert!(e.to_string().contains("lock.json"), "{e}");
    }
}
