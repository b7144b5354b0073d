//! Reading one side of a diff: a cloud assembly directory, a directory of insta snapshots
//! of one, or either at a git revision (`REV:PATH`), into its stacks' templates and its
//! Proton input schemas.

use std::collections::{BTreeMap, VecDeque};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use cloudwright_core::{Error, Result};
use serde_json::Value as Json;

/// One side of a diff: the stacks and Proton schemas of an app's output.
#[derive(Debug, Clone, Default)]
pub struct Side {
    /// What it was read from, as the user wrote it.
    pub label: String,
    /// Every stack of every (nested) assembly, in manifest order.
    pub stacks: Vec<StackTemplate>,
    /// Proton templates by name: the major version and the parsed `schema.yaml`.
    pub proton: BTreeMap<String, (u32, Json)>,
}

/// One stack and its template.
#[derive(Debug, Clone)]
pub struct StackTemplate {
    /// The artifact id in the manifest.
    pub artifact_id: String,
    /// The display name (the stack's path).
    pub display_name: String,
    /// The parsed template.
    pub template: Json,
}

fn input(path: impl Into<String>, message: impl Into<String>) -> Error {
    Error::Input { path: path.into(), message: message.into() }
}

/// Where the files of a side come from.
enum Reader {
    /// An assembly directory.
    Dir(PathBuf),
    /// Snapshot files of an assembly: assembly path -> file.
    Snapshots(BTreeMap<String, PathBuf>),
    /// A tree at a git revision: `REV:PATH`, and assembly path -> path in the tree.
    Git { tree: String, files: BTreeMap<String, String>, snapshots: bool },
    /// Files in memory.
    Memory(BTreeMap<String, Vec<u8>>),
}

impl Reader {
    /// The name of a file in messages.
    fn name(&self, rel: &str) -> String {
        match self {
            Reader::Dir(dir) => dir.join(rel).display().to_string(),
            Reader::Snapshots(files) => files.get(rel).map_or_else(|| rel.to_owned(), |p| p.display().to_string()),
            Reader::Git { tree, files, .. } => {
                format!("{}/{}", tree.trim_end_matches('/'), files.get(rel).map_or(rel, String::as_str))
            }
            Reader::Memory(_) => rel.to_owned(),
        }
    }

    /// The paths of the assembly's files below `proton/` (Proton bundles).
    fn proton_files(&self) -> Vec<String> {
        match self {
            Reader::Dir(dir) => {
                let mut out = Vec::new();
                walk(dir, &dir.join("proton"), &mut out);
                out.sort();
                out
            }
            Reader::Snapshots(files) => files.keys().filter(|k| k.starts_with("proton/")).cloned().collect(),
            Reader::Git { files, .. } => files.keys().filter(|k| k.starts_with("proton/")).cloned().collect(),
            Reader::Memory(files) => files.keys().filter(|k| k.starts_with("proton/")).cloned().collect(),
        }
    }

    /// The text of a file of the assembly, `None` when it does not exist.
    fn read(&self, rel: &str) -> Result<Option<String>> {
        let bytes = match self {
            Reader::Dir(dir) => match fs::read(dir.join(rel)) {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(input(self.name(rel), format!("cannot read: {e}"))),
            },
            Reader::Snapshots(files) => {
                let Some(path) = files.get(rel) else { return Ok(None) };
                let bytes = fs::read(path).map_err(|e| input(self.name(rel), format!("cannot read: {e}")))?;
                return Ok(Some(strip_header(&String::from_utf8_lossy(&bytes)).to_owned()));
            }
            Reader::Git { tree, files, snapshots } => {
                let Some(file) = files.get(rel) else { return Ok(None) };
                let spec = format!("{}/{file}", tree.trim_end_matches('/'));
                let bytes = git(&["cat-file", "blob", &spec]).map_err(|e| input(&spec, e))?;
                let text = String::from_utf8_lossy(&bytes).into_owned();
                return Ok(Some(if *snapshots { strip_header(&text).to_owned() } else { text }));
            }
            Reader::Memory(files) => match files.get(rel) {
                Some(b) => b.clone(),
                None => return Ok(None),
            },
        };
        Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(root, &path, out);
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

/// The content of an insta snapshot: what follows its `---` header.
fn strip_header(text: &str) -> &str {
    if let Some(rest) = text.strip_prefix("---\n") {
        if let Some(end) = rest.find("\n---\n") {
            return &rest[end + 5..];
        }
    }
    text
}

/// The assembly path a snapshot file stands for: `proton__x__schema.yaml.snap` -> `proton/x/schema.yaml`.
fn snapshot_path(file_name: &str) -> Option<String> {
    file_name.strip_suffix(".snap").map(|s| s.replace("__", "/"))
}

/// The prefix insta put before the snapshot names of an assembly: `""` when snapshots are
/// named by path alone, the test module's `infrastructure__` by default (`None` when no
/// `manifest.json.snap` is there). With several test modules, the first in name order.
fn snapshot_prefix<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut prefixes: Vec<&str> = names
        .into_iter()
        .filter_map(|n| n.strip_suffix("manifest.json.snap"))
        .filter(|p| p.is_empty() || (p.ends_with("__") && !p.contains('/')))
        .collect();
    prefixes.sort_by_key(|p| (!p.is_empty(), *p));
    prefixes.first().map(|p| (*p).to_owned())
}

/// The assembly files of a snapshot directory listing: (assembly path, snapshot name).
fn snapshot_files(names: Vec<String>) -> Option<BTreeMap<String, String>> {
    let prefix = snapshot_prefix(names.iter().map(String::as_str))?;
    Some(names.into_iter().filter_map(|n| Some((snapshot_path(n.strip_prefix(prefix.as_str())?)?, n))).collect())
}

fn git(args: &[&str]) -> std::result::Result<Vec<u8>, String> {
    let out = Command::new("git").args(args).output().map_err(|e| format!("cannot run git: {e}; is git installed?"))?;
    if out.status.success() { Ok(out.stdout) } else { Err(String::from_utf8_lossy(&out.stderr).trim().to_owned()) }
}

impl Side {
    /// Reads a side: a cloud assembly directory (with `manifest.json`), a directory of insta
    /// snapshots of one (with `manifest.json.snap`), or `REV:PATH` of either in the git
    /// repository of the working directory when no such path exists.
    pub fn load(arg: &str) -> Result<Side> {
        let path = Path::new(arg);
        let reader = if path.exists() {
            if !path.is_dir() {
                return Err(input(
                    arg,
                    "is a file; give the cloud assembly directory (holding manifest.json) or a snapshot directory",
                ));
            }
            if path.join("manifest.json").is_file() {
                Reader::Dir(path.to_path_buf())
            } else {
                let entries = fs::read_dir(path).map_err(|e| input(arg, format!("cannot read the directory: {e}")))?;
                let names = entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
                let Some(files) = snapshot_files(names) else {
                    return Err(input(
                        arg,
                        "is neither a cloud assembly (no manifest.json) nor a directory of insta snapshots of one \
                         (no manifest.json.snap)",
                    ));
                };
                Reader::Snapshots(files.into_iter().map(|(rel, name)| (rel, path.join(name))).collect())
            }
        } else if let Some((rev, tree_path)) = arg.split_once(':') {
            git_reader(arg, rev, tree_path)?
        } else {
            return Err(input(
                arg,
                "no such directory; give a cloud assembly directory, a snapshot directory or REV:PATH (e.g. \
                 HEAD:snapshots/my_app)",
            ));
        };
        read_side(arg, &reader)
    }

    /// A side from an assembly's files in memory (relative paths with `/`), e.g.
    /// `Assembly::files()`.
    pub fn from_files(label: &str, files: &BTreeMap<String, Vec<u8>>) -> Result<Side> {
        read_side(label, &Reader::Memory(files.clone()))
    }
}

fn git_reader(arg: &str, rev: &str, tree_path: &str) -> Result<Reader> {
    git(&["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")]).map_err(|e| {
        let why = if e.is_empty() { "no such revision or branch in this repository".to_owned() } else { e };
        input(arg, format!("no such path, and {rev:?} is not a git revision here: {why}"))
    })?;
    let tree = format!("{rev}:{}", tree_path.trim_end_matches('/'));
    let listing = git(&["ls-tree", "-r", "-z", "--name-only", &tree])
        .map_err(|e| input(arg, format!("{tree_path:?} does not exist at revision {rev}: {e}")))?;
    let names: Vec<String> =
        listing.split(|b| *b == 0).filter(|n| !n.is_empty()).map(|n| String::from_utf8_lossy(n).into_owned()).collect();
    let snapshots = snapshot_prefix(names.iter().map(String::as_str)).is_some();
    let files: BTreeMap<String, String> = if snapshots {
        snapshot_files(names).unwrap_or_default()
    } else if names.iter().any(|n| n == "manifest.json") {
        names.into_iter().map(|n| (n.clone(), n)).collect()
    } else {
        return Err(input(
            arg,
            "holds neither a cloud assembly (no manifest.json) nor insta snapshots of one (no manifest.json.snap)",
        ));
    };
    Ok(Reader::Git { tree, files, snapshots })
}

fn read_side(label: &str, reader: &Reader) -> Result<Side> {
    let mut side = Side { label: label.to_owned(), ..Side::default() };
    let mut todo = VecDeque::from([String::new()]);
    while let Some(prefix) = todo.pop_front() {
        let manifest_path = format!("{prefix}manifest.json");
        let name = reader.name(&manifest_path);
        let text = reader.read(&manifest_path)?.ok_or_else(|| {
            input(&name, "is missing: a nested assembly named in its parent manifest has no manifest.json")
        })?;
        let manifest: Json = serde_json::from_str(&text).map_err(|e| {
            input(&name, format!("is not valid JSON ({e}); it must be a cloud assembly manifest (manifest.json)"))
        })?;
        let Some(artifacts) = manifest.get("artifacts").and_then(Json::as_object) else { continue };
        for (id, artifact) in artifacts {
            let prop = |k: &str| artifact.get("properties").and_then(|p| p.get(k)).and_then(Json::as_str);
            match artifact.get("type").and_then(Json::as_str) {
                Some("cdk:cloud-assembly") => {
                    if let Some(d) = prop("directoryName") {
                        todo.push_back(format!("{prefix}{d}/"));
                    }
                }
                Some("aws:cloudformation:stack") => {
                    let Some(file) = prop("templateFile") else {
                        return Err(input(&name, format!("stack {id:?} has no properties.templateFile")));
                    };
                    let rel = format!("{prefix}{file}");
                    let template_name = reader.name(&rel);
                    let text = reader.read(&rel)?.ok_or_else(|| {
                        input(&template_name, format!("is missing; {name} names it as the template of stack {id:?}"))
                    })?;
                    let template: Json = serde_json::from_str(&text).map_err(|e| {
                        input(&template_name, format!("is not valid JSON ({e}); a CloudFormation template must be"))
                    })?;
                    if !template.is_object() {
                        return Err(input(&template_name, "is not a JSON object, so not a CloudFormation template"));
                    }
                    let display_name = artifact.get("displayName").and_then(Json::as_str).unwrap_or(id).to_owned();
                    let artifact_id = if side.stacks.iter().any(|s| &s.artifact_id == id) {
                        format!("{prefix}{id}")
                    } else {
                        id.clone()
                    };
                    side.stacks.push(StackTemplate { artifact_id, display_name, template });
                }
                _ => {}
            }
        }
    }
    for rel in reader.proton_files() {
        let parts: Vec<&str> = rel.split('/').collect();
        let [_, template, version, "schema", "schema.yaml"] = parts.as_slice() else { continue };
        let Some(major) = version.strip_prefix('v').and_then(|v| v.parse::<u32>().ok()) else { continue };
        let name = reader.name(&rel);
        let Some(text) = reader.read(&rel)? else { continue };
        let doc: Json = serde_yaml::from_str(&text)
            .map_err(|e| input(&name, format!("is not valid YAML ({e}); a Proton schema file must be")))?;
        let newer = side.proton.get(*template).is_none_or(|(m, _)| *m < major);
        if newer {
            side.proton.insert((*template).to_owned(), (major, doc));
        }
    }
    Ok(side)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_headers_and_names() {
        assert_eq!(strip_header("---\nsource: a.rs\n---\n{\"a\": 1}"), "{\"a\": 1}");
        assert_eq!(strip_header("{}"), "{}");
        assert_eq!(
            snapshot_path("proton__x__v1__schema__schema.yaml.snap").as_deref(),
            Some("proton/x/v1/schema/schema.yaml")
        );
        assert_eq!(snapshot_path("manifest.json"), None);
    }

    #[test]
    fn snapshots_named_after_their_test_module() {
        let names = ["infrastructure__manifest.json.snap", "infrastructure__App.template.json.snap", "other.snap"];
        assert_eq!(snapshot_prefix(names).as_deref(), Some("infrastructure__"));
        let files = snapshot_files(names.iter().map(|n| (*n).to_owned()).collect()).unwrap();
        assert_eq!(files.keys().collect::<Vec<_>>(), ["App.template.json", "manifest.json"]);
        assert_eq!(snapshot_prefix(["manifest.json.snap", "a__manifest.json.snap"]).as_deref(), Some(""));
        assert_eq!(snapshot_prefix(["a.snap"]), None);
    }
}
