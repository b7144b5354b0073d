//! Reading a cloud assembly (one written by any app, ours or the CDK's) from disk or from
//! its files in memory.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};

use super::{Assembly, StackSummary};
use crate::assembly::{self, Manifest};
use crate::error::{Error, Result};

fn read_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Read { path: path.to_path_buf(), source }
}

fn read_tree(root: &Path, dir: &Path, files: &mut BTreeMap<String, Vec<u8>>) -> Result<()> {
    let entries = fs::read_dir(dir).map_err(read_error(dir))?;
    for entry in entries {
        let entry = entry.map_err(read_error(dir))?;
        let path = entry.path();
        let kind = entry.file_type().map_err(read_error(&path))?;
        // A link to a file is read when it stays inside; one to a directory is not followed.
        if kind.is_symlink() && crate::limits::link_target(root, &path, "the assembly")?.is_dir() {
            continue;
        }
        if kind.is_dir() {
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
    let mut warnings = Vec::new();
    let read = |path: &str| {
        let bytes = files.get(path).ok_or_else(|| Error::Input {
            path: name(path),
            message: "is missing, so this is not a cloud assembly; give the directory that holds manifest.json".into(),
        })?;
        Manifest::from_slice(bytes, &name(path))
    };
    for manifest in assembly::walk(read) {
        let (prefix, manifest) = manifest?;
        if prefix.is_empty() {
            warnings = super::context_warnings(manifest.app_metadata());
        }
        for (id, artifact, properties) in manifest.stacks() {
            let template_file = format!("{prefix}{}", properties.template_file);
            let template = files.get(&template_file);
            stacks.push(StackSummary {
                artifact_id: id.to_owned(),
                display_name: artifact.display_name.as_deref().unwrap_or(id).to_owned(),
                stack_name: artifact.stack_name(id).to_owned(),
                environment: artifact.environment.clone().unwrap_or_default(),
                bytes: template.map_or(0, Vec::len),
                resources: template.map_or(0, |t| resource_count(t)),
                template_file,
                dependencies: manifest.stack_dependencies(artifact).map(str::to_owned).collect(),
            });
        }
    }
    warnings.extend(super::exports_lock::kept_warnings(&files, &stacks));
    Ok(Assembly { files, stacks, warnings })
}

/// The number of resources of a template (0 when it does not parse), read without building
/// the template.
fn resource_count(template: &[u8]) -> usize {
    struct Count(usize);
    impl<'de> Deserialize<'de> for Count {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct Entries;
            impl<'de> Visitor<'de> for Entries {
                type Value = Count;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("the Resources object")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Count, A::Error> {
                    let mut n = 0;
                    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {
                        n += 1;
                    }
                    Ok(Count(n))
                }
            }
            d.deserialize_map(Entries)
        }
    }
    #[derive(Deserialize)]
    struct Template {
        #[serde(rename = "Resources")]
        resources: Option<Count>,
    }
    serde_json::from_slice::<Template>(template).map_or(0, |t| t.resources.map_or(0, |c| c.0))
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
        assert!(matches!(&err, Error::Input { path, .. } if path.starts_with("manifest.json:1:")), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn links_are_read_only_inside_the_assembly_and_never_into_a_directory() {
        let dir = std::env::temp_dir().join(format!("cw-assembly-links-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let out = dir.join("out");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("manifest.json"), r#"{"artifacts": {}}"#).unwrap();
        fs::write(out.join("a.txt"), "a").unwrap();
        std::os::unix::fs::symlink(out.join("a.txt"), out.join("b.txt")).unwrap();
        // A link to an ancestor would make the walk endless.
        std::os::unix::fs::symlink(&out, out.join("loop")).unwrap();
        let files = Assembly::read(&out).unwrap().files().keys().cloned().collect::<Vec<_>>();
        assert_eq!(files, ["a.txt", "b.txt", "manifest.json"]);
        fs::write(dir.join("secret.txt"), "hunter2").unwrap();
        std::os::unix::fs::symlink(dir.join("secret.txt"), out.join("stolen.txt")).unwrap();
        let err = Assembly::read(&out).unwrap_err().to_string();
        assert!(err.contains("stolen.txt: is a link that leads outside the assembly"), "{err}");
        fs::remove_dir_all(&dir).unwrap();
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
