//! The typed manifest model against every manifest this repository pins (the snapshots:
//! synthesis, `proton render`, `proton migrate`) and every one the CDK wrote in
//! `../shared/reference`: reading then writing gives the same JSON value, and for our own
//! manifests the same bytes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)] // tests fail loudly

use std::fs;
use std::path::{Path, PathBuf};

use cloudwright_core::assembly::{Manifest, Properties, artifact_type, walk};
use cloudwright_core::{App, CfnResource, Environment, Error, Stack, StackProps, Stage, StageProps};
use serde_json::{Value as Json, json};

fn files_named(dir: &Path, suffix: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_named(&path, suffix, out);
        } else if path.to_string_lossy().ends_with(suffix) {
            out.push(path);
        }
    }
}

/// What follows an insta snapshot's `---` header.
fn snapshot_content(text: &str) -> &str {
    let rest = text.strip_prefix("---\n").unwrap();
    &rest[rest.find("\n---\n").unwrap() + 5..]
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

#[test]
fn every_snapshot_manifest_reads_and_writes_back_byte_for_byte() {
    let mut snapshots = Vec::new();
    files_named(&workspace().join("snapshots"), "manifest.json.snap", &mut snapshots);
    assert!(snapshots.len() >= 15, "found only {snapshots:?}");
    for path in snapshots {
        let name = path.display().to_string();
        let text = fs::read_to_string(&path).unwrap();
        let content = snapshot_content(&text).trim_end();
        let manifest = Manifest::from_slice(content.as_bytes(), &name).unwrap_or_else(|e| panic!("{e}"));
        let written = manifest.to_vec();
        assert_eq!(String::from_utf8(written).unwrap(), content, "{name}");
    }
}

#[test]
fn every_cdk_manifest_reads_and_writes_back_the_same_value() {
    let reference = workspace().join("../shared/reference");
    let mut manifests = Vec::new();
    files_named(&reference, "manifest.json", &mut manifests);
    if manifests.is_empty() {
        eprintln!("no CDK assemblies at {}: skipped", reference.display());
        return;
    }
    for path in manifests {
        let manifest = Manifest::read(&path).unwrap_or_else(|e| panic!("{e}"));
        let original: Json = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        let again: Json = serde_json::from_slice(&manifest.to_vec()).unwrap();
        assert_eq!(again, original, "{}", path.display());
        // What the CDK adds that the model does not name is kept, not dropped.
        if let Some(stack) = manifest.stacks().next() {
            assert!(stack.1.extra.contains_key("additionalMetadataFile"), "{}", path.display());
        }
    }
}

#[test]
fn synthesis_writes_what_the_model_writes() {
    let app = App::new();
    let dev = Stage::new(&app, "Dev", StageProps { env: Environment::new("111111111111", "eu-west-1") }).unwrap();
    let stack = Stack::new(&dev, "Queues", StackProps { termination_protection: true, ..Default::default() }).unwrap();
    CfnResource::new(&stack, "Q", "AWS::SQS::Queue", Default::default()).unwrap();
    let other = Stack::new(&app, "Other", StackProps::default()).unwrap();
    CfnResource::new(&other, "Q", "AWS::SQS::Queue", Default::default()).unwrap();
    let assembly = app.assembly().unwrap();
    let read = |path: &str| Manifest::from_slice(assembly.file(path).unwrap(), path);
    let manifests: Vec<(String, Manifest)> = walk(read).collect::<Result<_, _>>().unwrap();
    assert_eq!(manifests.iter().map(|(dir, _)| dir.as_str()).collect::<Vec<_>>(), ["", "assembly-Dev/"]);
    for (dir, manifest) in &manifests {
        assert_eq!(manifest.to_vec(), assembly.file(&format!("{dir}manifest.json")).unwrap(), "{dir}");
    }
    let (id, artifact, properties) = manifests[1].1.stacks().next().unwrap();
    assert_eq!((id, properties.termination_protection), ("DevQueuesC4D90994", Some(true)));
    assert_eq!(artifact.logical_ids().collect::<Vec<_>>(), [("Q", "Dev/Queues/Q")]);
    assert_eq!(artifact.stack_name(id), "Dev-Queues");
    assert_eq!(properties.bootstrap_qualifier().as_deref(), Some("hnb659fds"));
    assert_eq!(manifests[1].1.stack_dependencies(artifact).count(), 0);
    let tree = &manifests[0].1.artifacts["Tree"];
    assert_eq!(tree.type_name(), artifact_type::TREE);
}

#[test]
fn a_malformed_manifest_is_an_error_naming_the_file() {
    let cases: [&[u8]; 8] = [
        b"{",
        b"[]",
        br#"{"artifacts": []}"#,
        br#"{"artifacts": {"A": {"properties": {}}}}"#,
        br#"{"artifacts": {"A": {"type": "aws:cloudformation:stack"}}}"#,
        br#"{"artifacts": {"A": {"type": "aws:cloudformation:stack", "properties": {"templateFile": 1}}}}"#,
        br#"{"artifacts": {"A": {"type": "cdk:tree", "properties": {"file": "t"}, "metadata": {"/": [{}]}}}}"#,
        b"\xff\xfe",
    ];
    for bytes in cases {
        let err = Manifest::from_slice(bytes, "out/manifest.json").unwrap_err();
        assert!(matches!(&err, Error::Input { path, .. } if path.starts_with("out/manifest.json:1:")), "{err}");
    }
    // A stack whose template is outside the assembly: every reader would read it.
    for file in ["../secret.json", "/etc/passwd", "a/../../b.json", ""] {
        let text = format!(
            r#"{{"artifacts": {{"A": {{"type": "aws:cloudformation:stack", "properties": {{"templateFile": {file:?}}}}}}}}}"#
        );
        let err = Manifest::from_slice(text.as_bytes(), "out/manifest.json").unwrap_err().to_string();
        assert!(
            err.starts_with("out/manifest.json: stack \"A\" names the template")
                && err.contains("not a file inside the assembly"),
            "{err}"
        );
    }
    // Nesting deeper than the parser's limit is an error, not a stack overflow.
    let deep = format!("{{\"x\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(Manifest::from_slice(deep.as_bytes(), "deep/manifest.json").is_err());
    let err = Manifest::read(Path::new("/nonexistent/manifest.json")).unwrap_err();
    assert!(matches!(err, Error::Read { .. }), "{err}");
}

#[test]
fn unknown_artifacts_and_fields_are_kept_in_order_of_meaning() {
    // Properties before the type, an unknown type, unknown fields at every level.
    let text = json!({
        "version": "99.0.0",
        "artifacts": {
            "S": {"properties": {"templateFile": "S.template.json", "notificationArns": ["arn"]},
                  "type": "aws:cloudformation:stack", "environment": "aws://1/r",
                  "metadata": {"/S/Q": [{"type": "aws:cdk:logicalId", "data": "Q", "trace": ["at x"]},
                                        {"type": "note", "data": null}]},
                  "additionalMetadataFile": "S.metadata.json"},
            "F": {"type": "cdk:feature-flag-report", "properties": {"module": "m"}},
            "N": {"type": "something:new"}
        },
        "minimumCliVersion": "2.1"
    });
    let manifest = Manifest::from_slice(text.to_string().as_bytes(), "m.json").unwrap();
    let s = &manifest.artifacts["S"];
    assert_eq!(s.as_stack().unwrap().template_file, "S.template.json");
    assert_eq!(s.logical_ids().collect::<Vec<_>>(), [("Q", "S/Q")]);
    assert!(
        matches!(&manifest.artifacts["F"].properties, Properties::Other { r#type, .. } if r#type == "cdk:feature-flag-report")
    );
    let again: Json = serde_json::from_slice(&manifest.to_vec()).unwrap();
    assert_eq!(again, text);
}

#[test]
fn nested_assemblies_outside_the_assembly_or_in_a_loop_are_errors() {
    let nested = |dir: &str| {
        let text = json!({"version": "55.0.0", "artifacts": {"N": {"type": "cdk:cloud-assembly", "properties": {"directoryName": dir}}}});
        Manifest::from_slice(text.to_string().as_bytes(), "manifest.json").unwrap()
    };
    for dir in ["../up", "/abs", "a/../../b", ""] {
        let results: Vec<_> = walk(|_| Ok(nested(dir))).collect();
        let err = results.last().unwrap().as_ref().unwrap_err().to_string();
        assert!(err.contains("not a directory inside the assembly"), "{dir}: {err}");
    }
    // Every manifest nests "a" again: a/manifest.json, a/a/manifest.json, ... until the limit.
    let results: Vec<_> = walk(|_| Ok(nested("a"))).collect();
    let err = results.last().unwrap().as_ref().unwrap_err().to_string();
    assert!(err.contains("in a loop or too deep"), "{err}");
    assert!(results.len() <= 20, "{}", results.len());
}
