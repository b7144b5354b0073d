//! `cloudwright diff` on the reference app's output: identical, edited and malformed sides,
//! and the committed snapshots against a fresh synth.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

mod common;

use common::{run, scratch, text};

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

/// Synthesizes the reference app into `dir/name`.
fn synth(dir: &Path, name: &str) {
    cloudwright_examples::multi_account::app().unwrap().synth(dir.join(name)).unwrap();
}

fn edit_json(path: &Path, edit: impl FnOnce(&mut Value)) {
    let mut value: Value = serde_json::from_slice(&fs::read(path).unwrap()).unwrap();
    edit(&mut value);
    fs::write(path, serde_json::to_string_pretty(&value).unwrap()).unwrap();
}

fn snapshot(name: &str, content: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots/diff");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!(name, content));
}

#[test]
fn identical_edited_and_malformed_assemblies() {
    let dir = scratch("edit");
    synth(&dir, "old");
    common::copy_dir(&dir.join("old"), &dir.join("new"));

    let same = run(&dir, &["diff", "old", "new"]);
    assert_eq!(same.status.code(), Some(0), "{}", text(&same.stderr));
    assert_eq!(text(&same.stdout), "no differences between old and new\n");

    // A create-only property (the topic's name replaces it), a new IAM statement, and a
    // renamed Proton input (removed + added: breaking without a major bump).
    edit_json(&dir.join("new/Management.template.json"), |t| {
        let resources = &mut t["Resources"];
        resources["GuardrailAlerts"]["Properties"]["TopicName"] = json!("guardrail-alerts-v2");
        resources["GuardrailAutomationDefaultPolicy10DE9BE4"]["Properties"]["PolicyDocument"]["Statement"]
            .as_array_mut()
            .unwrap()
            .push(json!({"Action": "s3:GetObject", "Effect": "Allow", "Resource": "*"}));
    });
    let schema = dir.join("new/proton/multi-svc-env/v1/schema/schema.yaml");
    let yaml = fs::read_to_string(&schema).unwrap();
    assert!(yaml.contains("public_subnet_two_cidr:"));
    fs::write(&schema, yaml.replace("public_subnet_two_cidr:", "public_subnet_2_cidr:")).unwrap();

    let changed = run(&dir, &["diff", "old", "new"]);
    assert_eq!(changed.status.code(), Some(1), "{}", text(&changed.stderr));
    let out = text(&changed.stdout);
    assert!(out.contains("~ AWS::SNS::Topic GuardrailAlerts (will be replaced)"), "{out}");
    assert!(out.contains("+ statement in PolicyDocument [security]: Allow s3:GetObject on *"), "{out}");
    assert!(out.contains("input `public_subnet_two_cidr` was removed [breaking]"), "{out}");
    snapshot("reference-edited.txt", &out);

    let markdown = run(&dir, &["diff", "old", "new", "--format", "markdown"]);
    assert_eq!(markdown.status.code(), Some(1));
    snapshot("reference-edited.md", &text(&markdown.stdout));

    let json = run(&dir, &["diff", "old", "new", "--format", "json"]);
    assert_eq!(json.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["stacks"][0]["stack"], "Management");
    assert_eq!(report["stacks"][0]["resources"][0]["replacement"], true);
    assert_eq!(report["proton"][0]["changes"][0]["breaking"], true);

    // Malformed input: exit 2, naming the file and what is wrong.
    fs::write(dir.join("new/Management.template.json"), "{\"Resources\": ").unwrap();
    let bad = run(&dir, &["diff", "old", "new"]);
    assert_eq!(bad.status.code(), Some(2));
    let err = text(&bad.stderr);
    assert!(err.contains("new/Management.template.json: is not valid JSON"), "{err}");
    let missing = run(&dir, &["diff", "old", "absent"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("absent: no such directory"), "{}", text(&missing.stderr));
    fs::write(dir.join("old/manifest.json"), "not json").unwrap();
    let bad_manifest = run(&dir, &["diff", "old", "absent"]);
    assert_eq!(bad_manifest.status.code(), Some(2));
    assert!(
        text(&bad_manifest.stderr).contains("old/manifest.json:1:2: is not valid JSON"),
        "{}",
        text(&bad_manifest.stderr)
    );
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn git_ok(args: &[&str]) -> bool {
    Command::new("git").args(args).current_dir(workspace_root()).output().is_ok_and(|o| o.status.success())
}

#[test]
fn committed_snapshots_match_a_fresh_synth() {
    if !git_ok(&["rev-parse", "--is-inside-work-tree"])
        || !git_ok(&["cat-file", "-e", "HEAD:snapshots/multi_account/manifest.json.snap"])
    {
        eprintln!("skipped: not a git checkout with committed snapshots");
        return;
    }
    let dir = scratch("git");
    synth(&dir, "fresh");
    let fresh = dir.join("fresh");
    let out = run(&workspace_root(), &["diff", "HEAD:snapshots/multi_account", fresh.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    // The snapshot directory itself reads the same way.
    let out = run(&workspace_root(), &["diff", "snapshots/multi_account", fresh.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    let unknown = run(&workspace_root(), &["diff", "no-such-rev-xyz:snapshots/multi_account", fresh.to_str().unwrap()]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown.stderr).contains("is not a git revision"), "{}", text(&unknown.stderr));
}
