//! Every hand-written construct builds its resources from the generated `Cfn*Props`
//! (Decision 13): `CfnResource::from_json` and friends are the users' escape hatch, not the
//! library's, so a misspelt property inside an L2 is a compile error, not a cfn-lint finding.
//! Nor does one set or read a property by a name it spells: the L1s' typed `set` and
//! `set_lazy` take the props' constants (`CfnRoleProps::ROLE_NAME`), whose `name()` the
//! by-name `CfnResource` methods take where a construct holds a resource untyped. The
//! generated L1s, the one place that builds resources from props, are another crate
//! (`cloudwright-cfn`), so all of `constructs/src` is scanned.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::path::{Path, PathBuf};

/// The ways to build a resource from untyped JSON or a run-time type name.
const UNTYPED: &[&str] = &["CfnResource::from_json", "CfnResource::from_props", "CfnResource::new"];

/// `CfnResource`'s methods that name a property (or a path of them) by a string.
const BY_NAME: &[&str] = &[
    "set_property",
    "set_lazy_property",
    "set_serialized_property",
    "set_lazy_serialized_property",
    "add_property_override",
    "property",
];

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

/// The calls under `dir` of a by-name property method whose name argument is a string
/// literal (comments aside), wherever the literal starts (a call may span lines).
fn properties_by_literal_name(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(dir, &mut files);
    files.sort();
    let mut found = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        // Comment lines blanked, so offsets still give line numbers.
        let code: String = text
            .lines()
            .map(|l| if l.trim_start().starts_with("//") { " ".repeat(l.len()) } else { l.to_owned() })
            .collect::<Vec<_>>()
            .join("\n");
        for method in BY_NAME {
            let call = format!("{method}(");
            for (at, _) in code.match_indices(&call) {
                let before = code[..at].chars().next_back();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue; // another method ending in the name (`set_property` for `property`)
                }
                let argument = code[at + call.len()..].trim_start();
                if argument.starts_with('"') || argument.starts_with("r\"") || argument.starts_with("r#") {
                    let line = code[..at].matches('\n').count();
                    let shown = text.lines().nth(line).unwrap_or_default().trim();
                    found.push(format!("{}:{}: {shown}", path.display(), line + 1));
                }
            }
        }
    }
    found
}

#[test]
fn no_construct_sets_or_reads_a_property_by_a_name_it_spells() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = properties_by_literal_name(&src);
    assert!(
        found.is_empty(),
        "set properties with the L1's typed `set`/`set_lazy` and the props' constants \
         (`role.set(CfnRoleProps::ROLE_NAME, name)`), name them with the constants' `name()`:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scan_finds_a_property_named_by_a_literal() {
    let dir = std::env::temp_dir().join(format!("cloudwright-by-name-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("iam")).unwrap();
    std::fs::write(
        dir.join("iam/role.rs"),
        [
            "/// `resource.set_property(\"Doc\", 1)` is the escape hatch.",
            "resource.set(CfnRoleProps::ROLE_NAME, name);",
            "resource.set_property(\"RoleName\", name);",
            "resource.set_lazy_property(",
            "    \"PolicyDocument\",",
            "    produce,",
            ");",
            "resource.set_property(CfnRoleProps::PATH.name(), path);",
            "if resource.property(\"Path\").is_none() {}",
            "resource.add_property_override(\"A.B\", 1);",
        ]
        .join("\n"),
    )
    .unwrap();
    let found = properties_by_literal_name(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    let lines: Vec<&str> = found.iter().map(|f| f.split(':').nth(1).unwrap()).collect();
    assert_eq!(lines, ["3", "4", "10", "9"], "{found:?}");
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
