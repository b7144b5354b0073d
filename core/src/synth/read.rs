//! Reading a cloud assembly (one written by any app, ours or the CDK's) from disk or from
//! its files in memory.

use std::collections::{BTreeMap, VecDeque};
use std::fs;
use std::path::Path;

use serde_json::Value as Json;

use super::{Assembly, StackSummary};
use crate::error::{Error, Result};

fn read_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Read { path: path.to_path_buf(), source }
}

fn read_tree(root: &Path, dir: &Path, files: &mut BTreeMap<String, Vec<u8>>) -> Result<()> {
    let entries = fs::read_dir(dir).map_err(read_error(dir))?;
    for entry in entries {
        let path = entry.map_err(read_error(dir))?.path();
        if path.is_dir() {
            read_tree(root, &path, files)?;
        } else {
            let rel = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            let bytes = fs::read(&path).map_err(read_error(&path))?;
            files.insert(rel, bytes);
        }
    }
    Ok(())
}

impl Assembly {
    /// Reads every file below `dir` and the stacks its manifests declare.
    pub fn read(dir: &Path) -> Result<Assembly> {
        let mut files = BTreeMap::new();
        read_tree(dir, dir, &mut files)?;
        parse(files, |rel| dir.join(rel).display().to_string())
    }

    /// An assembly from its files (relative paths with `/`), e.g. one rendered in memory:
    /// the stacks are those its manifests declare.
    pub fn from_files(files: BTreeMap<String, Vec<u8>>) -> Result<Assembly> {
        parse(files, str::to_owned)
    }
}

/// The stacks of every (nested) manifest; `name` turns a relative path into what messages show.
fn parse(files: BTreeMap<String, Vec<u8>>, name: impl Fn(&str) -> String) -> Result<Assembly> {
    let mut stacks = Vec::new();
    let mut todo = VecDeque::from([String::new()]);
    while let Some(prefix) = todo.pop_front() {
        let manifest_path = format!("{prefix}manifest.json");
        let invalid = |message: String| Error::Input { path: name(&manifest_path), message };
        let bytes = files.get(&manifest_path).ok_or_else(|| {
            invalid("is missing, so this is not a cloud assembly; give the directory that holds manifest.json".into())
        })?;
        let manifest: Json = serde_json::from_slice(bytes)
            .map_err(|e| invalid(format!("is not valid JSON ({e}); it must be a cloud assembly manifest")))?;
        let artifacts = manifest.get("artifacts").and_then(Json::as_object).cloned().unwrap_or_default();
        for (id, artifact) in &artifacts {
            let props = artifact.get("properties");
            let prop = |k: &str| props.and_then(|p| p.get(k)).and_then(Json::as_str).map(str::to_owned);
            match artifact.get("type").and_then(Json::as_str) {
                Some("cdk:cloud-assembly") => {
                    if let Some(d) = prop("directoryName") {
                        todo.push_back(format!("{prefix}{d}/"));
                    }
                }
                Some("aws:cloudformation:stack") => {
                    let template_file = format!("{prefix}{}", prop("templateFile").unwrap_or_default());
                    let template = files.get(&template_file);
                    let resources = template
                        .and_then(|b| serde_json::from_slice::<Json>(b).ok())
                        .and_then(|t| t.get("Resources").and_then(Json::as_object).map(|r| r.len()))
                        .unwrap_or(0);
                    let dependencies = artifact
                        .get("dependencies")
                        .and_then(Json::as_array)
                        .map(|d| {
                            d.iter()
                                .filter_map(Json::as_str)
                                .filter(|d| !d.ends_with(".assets"))
                                .map(str::to_owned)
                                .collect()
                        })
                        .unwrap_or_default();
                    stacks.push(StackSummary {
                        artifact_id: id.clone(),
                        display_name: artifact.get("displayName").and_then(Json::as_str).unwrap_or(id).to_owned(),
                        stack_name: prop("stackName").unwrap_or_else(|| id.clone()),
                        environment: artifact.get("environment").and_then(Json::as_str).unwrap_or_default().to_owned(),
                        bytes: template.map_or(0, Vec::len),
                        template_file,
                        resources,
                        dependencies,
                    });
                }
                _ => {}
            }
        }
    }
    let mut warnings = app_warnings(&files);
    warnings.extend(super::exports_lock::kept_warnings(&files, &stacks));
    Ok(Assembly { files, stacks, warnings })
}

/// The warnings of the app's own metadata (the root manifest's `Tree` artifact, under `/`).
fn app_warnings(files: &BTreeMap<String, Vec<u8>>) -> Vec<super::Warning> {
    let manifest = files.get("manifest.json").and_then(|b| serde_json::from_slice::<Json>(b).ok());
    manifest.as_ref().map_or_else(Vec::new, |m| super::context_warnings(crate::context::app_metadata(m)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_failures_speak_of_reading() {
        let missing = std::env::temp_dir().join(format!("cw-no-such-assembly-{}", std::process::id()));
        let err = Assembly::read(&missing).unwrap_err();
        assert!(matches!(err, Error::Read { .. }), "{err}");
        assert!(err.to_string().starts_with("cannot read ") && err.to_string().contains("readable"), "{err}");

        let err = Assembly::from_files(BTreeMap::from([("a.txt".into(), vec![])])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "manifest.json: is missing, so this is not a cloud assembly; give the directory that holds manifest.json"
        );
        let err = Assembly::from_files(BTreeMap::from([("manifest.json".into(), b"{".to_vec())])).unwrap_err();
        assert!(matches!(&err, Error::Input { path, .. } if path == "manifest.json"), "{err}");
    }

    #[test]
    fn stacks_of_nested_manifests_from_memory() {
        let files = BTreeMap::from([
            (
                "manifest.json".to_owned(),
                br#"{"artifacts": {"S": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-S"}}}}"#
                    .to_vec(),
            ),
            (
                "assembly-S/manifest.json".to_owned(),
                br#"{"artifacts": {"A": {"type": "aws:cloudformation:stack", "environment": "aws://1/r",
                    "properties": {"templateFile": "A.template.json"}, "displayName": "S/A"}}}"#
                    .to_vec(),
            ),
            ("assembly-S/A.template.json".to_owned(), br#"{"Resources": {"Q": {}, "R": {}}}"#.to_vec()),
        ]);
        let assembly = Assembly::from_files(files).unwrap();
        let stack = &assembly.stacks()[0];
        assert_eq!((stack.display_name.as_str(), stack.resources), ("S/A", 2));
        assert_eq!(stack.template_file, "assembly-S/A.template.json");
    }
}
