//! Reading one side of a diff: a cloud assembly directory, a directory of insta snapshots
//! of one, or either at a git revision (`REV:PATH`, through a [`GitReader`] the caller
//! gives), into its stacks' templates and its Proton input schemas.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use cloudwright_core::assembly::{self, Manifest};
use cloudwright_core::{Error, Result, limits};
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
#[derive(Debug, Clone, Default)]
pub struct StackTemplate {
    /// The artifact id in the manifest.
    pub artifact_id: String,
    /// The display name (the stack's path).
    pub display_name: String,
    /// The CloudFormation stack name (the artifact id when the manifest names none;
    /// empty: the artifact id).
    pub stack_name: String,
    /// Where it deploys, `aws://ACCOUNT/REGION` as the manifest says (empty: not said).
    pub environment: String,
    /// The parsed template.
    pub template: Json,
    /// Construct paths by logical id (`Stack/Queue/Resource`), from the manifest.
    pub paths: BTreeMap<String, String>,
}

impl StackTemplate {
    /// The CloudFormation stack name.
    pub fn name(&self) -> &str {
        if self.stack_name.is_empty() { &self.artifact_id } else { &self.stack_name }
    }

    /// The account and region, when the manifest names both (not `unknown-account`).
    pub fn account_region(&self) -> Option<(&str, &str)> {
        let (account, region) = assembly::split_environment(&self.environment)?;
        (!account.is_empty() && account.bytes().all(|b| b.is_ascii_digit()) && !region.starts_with("unknown-"))
            .then_some((account, region))
    }
}

/// Read access to a git repository, for sides given as `REV:PATH`. The library runs no
/// programs: the `cloudwright` CLI implements this by running `git` in the working directory.
pub trait GitReader {
    /// Whether `rev` names a commit of the repository; `Err` when the repository cannot be asked.
    fn has_commit(&self, rev: &str) -> io::Result<bool>;
    /// The paths of the files below the directory `path` (`""` for the root) in the tree of
    /// commit `rev`, relative to `path`, with `/`.
    fn list(&self, rev: &str, path: &str) -> io::Result<Vec<String>>;
    /// The content of the file `path` at commit `rev`.
    fn read(&self, rev: &str, path: &str) -> io::Result<Vec<u8>>;
}

/// An input error: what is wrong with the file (or `FILE:LINE`) `path`.
pub(super) fn input(path: impl Into<String>, message: impl Into<String>) -> Error {
    Error::Input { path: path.into(), message: message.into() }
}

/// Where the files of a side come from.
enum Reader<'g> {
    /// An assembly directory.
    Dir(PathBuf),
    /// Snapshot files of an assembly: assembly path -> file.
    Snapshots(BTreeMap<String, PathBuf>),
    /// The directory `root` at a git revision, and assembly path -> path below `root`.
    Git { git: &'g dyn GitReader, rev: String, root: String, files: BTreeMap<String, String>, snapshots: bool },
    /// Files in memory.
    Memory(BTreeMap<String, Vec<u8>>),
}

impl Reader<'_> {
    /// The name of a file in messages.
    fn name(&self, rel: &str) -> String {
        match self {
            Reader::Dir(dir) => dir.join(rel).display().to_string(),
            Reader::Snapshots(files) => files.get(rel).map_or_else(|| rel.to_owned(), |p| p.display().to_string()),
            Reader::Git { rev, root, files, .. } => {
                format!("{rev}:{}", tree_path(root, files.get(rel).map_or(rel, String::as_str)))
            }
            Reader::Memory(_) => rel.to_owned(),
        }
    }

    /// The paths of the assembly's files below `proton/` (Proton bundles).
    fn proton_files(&self) -> Result<Vec<String>> {
        Ok(match self {
            Reader::Dir(dir) => {
                let mut out = Vec::new();
                walk(dir, &dir.join("proton"), &mut out)?;
                out.sort();
                out
            }
            Reader::Snapshots(files) => files.keys().filter(|k| k.starts_with("proton/")).cloned().collect(),
            Reader::Git { files, .. } => files.keys().filter(|k| k.starts_with("proton/")).cloned().collect(),
            Reader::Memory(files) => files.keys().filter(|k| k.starts_with("proton/")).cloned().collect(),
        })
    }

    /// The text of a file of the assembly, `None` when it does not exist.
    fn read(&self, rel: &str) -> Result<Option<String>> {
        let bytes = match self {
            Reader::Dir(dir) => match fs::read(inside(dir, rel)?) {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(input(self.name(rel), format!("cannot read: {e}"))),
            },
            Reader::Snapshots(files) => {
                let Some(path) = files.get(rel) else { return Ok(None) };
                let bytes = fs::read(path).map_err(|e| input(self.name(rel), format!("cannot read: {e}")))?;
                return Ok(Some(strip_header(&String::from_utf8_lossy(&bytes)).to_owned()));
            }
            Reader::Git { git, rev, root, files, snapshots } => {
                let Some(file) = files.get(rel) else { return Ok(None) };
                let bytes = git
                    .read(rev, &tree_path(root, file))
                    .map_err(|e| input(self.name(rel), format!("cannot read it from git: {e}")))?;
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

/// The files below `dir`, relative to the assembly `root`: a link is listed only when it
/// stays inside the assembly, and none to a directory is followed (one to an ancestor would
/// never end).
fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
    let Ok(entries) = fs::read_dir(dir) else { return Ok(()) };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_symlink() && limits::link_target(root, &path, "the assembly")?.is_dir() {
            continue;
        }
        if kind.is_dir() {
            walk(root, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

/// `rel` in the assembly `dir`, refused when it exists but, through a link, is elsewhere
/// (the manifest model already refuses names with `..`).
fn inside(dir: &Path, rel: &str) -> Result<PathBuf> {
    let path = dir.join(rel);
    if path.exists() {
        limits::link_target(dir, &path, "the assembly")?;
    }
    Ok(path)
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

/// `file` below the tree directory `root` (`""` for the root).
fn tree_path(root: &str, file: &str) -> String {
    if root.is_empty() { file.to_owned() } else { format!("{root}/{file}") }
}

impl Side {
    /// Reads a side: a cloud assembly directory (with `manifest.json`), a directory of insta
    /// snapshots of one (with `manifest.json.snap`), or, when no such path exists and `git`
    /// is given, `REV:PATH` of either in that repository.
    pub fn load(arg: &str, git: Option<&dyn GitReader>) -> Result<Side> {
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
        } else if let (Some((rev, root)), Some(git)) = (arg.split_once(':'), git) {
            git_reader(git, arg, rev, root)?
        } else if git.is_none() && arg.contains(':') {
            return Err(input(
                arg,
                "no such directory, and REV:PATH sides need git access (a GitReader), which was not given",
            ));
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

fn git_reader<'g>(git: &'g dyn GitReader, arg: &str, rev: &str, root: &str) -> Result<Reader<'g>> {
    let not_a_revision =
        |why: String| input(arg, format!("no such path, and {rev:?} is not a git revision here: {why}"));
    match git.has_commit(rev) {
        Ok(true) => {}
        Ok(false) => return Err(not_a_revision("no such revision or branch in this repository".into())),
        Err(e) => return Err(not_a_revision(e.to_string())),
    }
    let root = root.trim_matches('/');
    let names =
        git.list(rev, root).map_err(|e| input(arg, format!("{root:?} does not exist at revision {rev}: {e}")))?;
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
    Ok(Reader::Git { git, rev: rev.to_owned(), root: root.to_owned(), files, snapshots })
}

fn read_side(label: &str, reader: &Reader) -> Result<Side> {
    let mut side = Side { label: label.to_owned(), ..Side::default() };
    let read = |path: &str| {
        let name = reader.name(path);
        let text = reader.read(path)?.ok_or_else(|| {
            input(&name, "is missing: a nested assembly named in its parent manifest has no manifest.json")
        })?;
        Manifest::from_slice(text.as_bytes(), &name)
    };
    for manifest in assembly::walk(read) {
        let (prefix, manifest) = manifest?;
        let name = reader.name(&format!("{prefix}manifest.json"));
        for (id, artifact, properties) in manifest.stacks() {
            let rel = format!("{prefix}{}", properties.template_file);
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
            let display_name = artifact.display_name.as_deref().unwrap_or(id).to_owned();
            let artifact_id =
                if side.stacks.iter().any(|s| s.artifact_id == id) { format!("{prefix}{id}") } else { id.to_owned() };
            side.stacks.push(StackTemplate {
                stack_name: artifact.stack_name(id).to_owned(),
                environment: artifact.environment.clone().unwrap_or_default(),
                paths: artifact.logical_ids().map(|(id, path)| (id.to_owned(), path.to_owned())).collect(),
                artifact_id,
                display_name,
                template,
            });
        }
    }
    for rel in reader.proton_files()? {
        let parts: Vec<&str> = rel.split('/').collect();
        let [_, template, version, "schema", "schema.yaml"] = parts.as_slice() else { continue };
        let Some(major) = version.strip_prefix('v').and_then(|v| v.parse::<u32>().ok()) else { continue };
        let name = reader.name(&rel);
        let Some(text) = reader.read(&rel)? else { continue };
        let doc: Json = crate::input::yaml(&text, &name)?;
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

    /// A repository in memory: one commit, `HEAD`.
    struct FakeGit(BTreeMap<&'static str, &'static str>);

    impl GitReader for FakeGit {
        fn has_commit(&self, rev: &str) -> io::Result<bool> {
            Ok(rev == "HEAD")
        }
        fn list(&self, _rev: &str, path: &str) -> io::Result<Vec<String>> {
            let prefix = format!("{path}/");
            let names: Vec<String> =
                self.0.keys().filter_map(|k| k.strip_prefix(prefix.as_str())).map(str::to_owned).collect();
            if names.is_empty() { Err(io::Error::other("not a tree")) } else { Ok(names) }
        }
        fn read(&self, _rev: &str, path: &str) -> io::Result<Vec<u8>> {
            self.0.get(path).map(|t| t.as_bytes().to_vec()).ok_or_else(|| io::Error::other("no such blob"))
        }
    }

    const MANIFEST: &str = r#"{"artifacts": {"App": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "App.template.json"}}}}"#;

    #[test]
    fn git_sides_are_read_through_the_git_reader() {
        let git = FakeGit(BTreeMap::from([
            ("out/manifest.json", MANIFEST),
            ("out/App.template.json", r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}"#),
            ("snap/infrastructure__manifest.json.snap", MANIFEST),
            ("snap/infrastructure__App.template.json.snap", "---\nsource: t.rs\n---\n{\"Resources\": {}}"),
            ("bad/manifest.json", MANIFEST),
            ("bad/App.template.json", "{"),
        ]));
        let side = Side::load("HEAD:out", Some(&git)).unwrap();
        assert_eq!(side.stacks[0].template["Resources"]["Q"]["Type"], "AWS::SQS::Queue");
        let side = Side::load("HEAD:snap/", Some(&git)).unwrap();
        assert_eq!(side.stacks[0].template, serde_json::json!({"Resources": {}}));
        let err = Side::load("HEAD:bad", Some(&git)).unwrap_err().to_string();
        assert!(err.starts_with("HEAD:bad/App.template.json: is not valid JSON"), "{err}");
        let err = Side::load("v9:out", Some(&git)).unwrap_err().to_string();
        assert!(err.contains("\"v9\" is not a git revision here: no such revision"), "{err}");
        let err = Side::load("HEAD:absent", Some(&git)).unwrap_err().to_string();
        assert!(err.contains("\"absent\" does not exist at revision HEAD: not a tree"), "{err}");
        let err = Side::load("HEAD:out", None).unwrap_err().to_string();
        assert!(err.contains("need git access"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn links_out_of_the_assembly_are_refused_and_directory_links_not_followed() {
        let dir = std::env::temp_dir().join(format!("cw-diff-links-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let out = dir.join("out");
        fs::create_dir_all(out.join("proton/t/v1/schema")).unwrap();
        fs::write(out.join("manifest.json"), MANIFEST).unwrap();
        fs::write(dir.join("secret.json"), r#"{"Resources": {"Hunter2": {}}}"#).unwrap();
        // A link to an ancestor inside the assembly: skipped, not walked for ever.
        std::os::unix::fs::symlink(&out, out.join("proton/loop")).unwrap();
        std::os::unix::fs::symlink(dir.join("secret.json"), out.join("App.template.json")).unwrap();
        let err = Side::load(out.to_str().unwrap(), None).unwrap_err().to_string();
        assert!(err.contains("App.template.json: is a link that leads outside the assembly"), "{err}");
        fs::remove_file(out.join("App.template.json")).unwrap();
        fs::write(out.join("App.template.json"), r#"{"Resources": {}}"#).unwrap();
        assert_eq!(Side::load(out.to_str().unwrap(), None).unwrap().stacks.len(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }

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
