//! Every hand-written construct builds its resources from the generated `Cfn*Props`
//! (Decision 13): `CfnResource::from_json` and friends are the users' escape hatch, not the
//! library's, so a misspelt property inside an L2 is a compile error, not a cfn-lint finding.
//! The generated L1s, the one place that builds resources from props, are another crate
//! (`cloudwright-cfn`), so all of `constructs/src` is scanned.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::path::{Path, PathBuf};

/// The ways to build a resource from untyped JSON or a run-time type name.
const UNTYPED: &[&str] = &["CfnResource::from_json", "CfnResource::from_props", "CfnResource::new"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The untyped constructor calls in the Rust files under `dir` (doc comments aside:
/// they show users the escape hatch).
fn offenders(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(dir, &mut files);
    files.sort();
    let mut found = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if !code.starts_with("//") && UNTYPED.iter().any(|p| code.contains(p)) {
                found.push(format!("{}:{}: {}", path.display(), i + 1, code));
            }
        }
    }
    found
}

#[test]
fn no_construct_builds_a_resource_from_untyped_json() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = offenders(&src);
    assert!(found.is_empty(), "build resources from the generated Cfn*Props:\n{}", found.join("\n"));
}

#[test]
fn the_scan_finds_an_untyped_resource() {
    let dir = std::env::temp_dir().join(format!("cloudwright-typed-l2s-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("sns")).unwrap();
    std::fs::write(
        dir.join("sns/topic.rs"),
        "/// `CfnResource::from_json` is the escape hatch.\nlet t = CfnResource::from_json(&s, \"T\", \"AWS::SNS::Topic\", json!({}))?;\n",
    )
    .unwrap();
    let found = offenders(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("topic.rs:2"), "{found:?}");
}
