//! `cloudwright validate` and the rule check of `synth`, on the reference app (clean)
//! and the deliberately bad app (every rule broken).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

mod common;

use common::{run, scratch, text};

use std::fs;
use std::path::Path;

use serde_json::Value;

/// An app command that "synthesizes" the bad app by copying its assembly.
fn bad_app(dir: &Path) -> String {
    let assembly = dir.join("bad-assembly");
    cloudwright_examples::governance_bad::app().unwrap().synth(&assembly).unwrap();
    format!("cp -r {}/. \"$CLOUDWRIGHT_OUTDIR\"", assembly.display())
}

#[test]
fn the_reference_app_validates() {
    let dir = scratch("reference");
    let out = run(&dir, &["validate"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("0 errors,"), "{stdout}");
    assert!(!stdout.contains('\u{1b}'), "no colour when NO_COLOR is set or stdout is not a terminal");
}

#[test]
fn the_bad_app_fails_validation_in_every_format() {
    let dir = scratch("bad");
    let app = bad_app(&dir);
    let text_out = run(&dir, &["validate", "--app", &app]);
    assert_eq!(text_out.status.code(), Some(1));
    assert!(text(&text_out.stdout).contains("error   CW-IAM-1"), "{}", text(&text_out.stdout));

    let json = run(&dir, &["validate", "--app", &app, "--format", "json"]);
    assert_eq!(json.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(json["summary"]["errors"].as_u64().unwrap() > 10, "{}", json["summary"]);

    let sarif = run(&dir, &["validate", "--app", &app, "--format", "sarif"]);
    assert_eq!(sarif.status.code(), Some(1));
    let sarif: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let schema: Value =
        serde_json::from_str(include_str!("../../toolkit/tests/fixtures/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&sarif).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "SARIF 2.1.0 schema: {errors:#?}");
    assert!(sarif["runs"][0]["results"].as_array().unwrap().len() > 25);

    let markdown = run(&dir, &["validate", "--app", &app, "--format", "markdown"]);
    assert_eq!(markdown.status.code(), Some(1));
    assert!(text(&markdown.stdout).contains("| Severity | Rule |"), "{}", text(&markdown.stdout));
}

#[test]
fn synth_refuses_to_write_on_rule_errors_unless_allowed() {
    let dir = scratch("synth");
    let app = bad_app(&dir);
    fs::create_dir_all(dir.join("out")).unwrap();
    fs::write(dir.join("out/previous"), "kept").unwrap();
    let refused = run(&dir, &["synth", "--app", &app, "-o", "out"]);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = text(&refused.stderr);
    assert!(stderr.contains("rule error(s) found, nothing was written"), "{stderr}");
    assert!(stderr.contains("--allow-rule-errors"), "{stderr}");
    // The deploy rules stop synth too, each naming the construct.
    for (rule, path) in [
        ("CW-DEPLOY-1", "Bad/FixedNameBucketPolicy"),
        ("CW-DEPLOY-2", "Bad/FixedNameBucket"),
        ("CW-DEPLOY-3", "Bad/FixedNameBucket"),
        ("CW-DEPLOY-4", "BadOrganization/EmptyOuScp"),
    ] {
        let line = stderr.lines().find(|l| l.contains(rule) && l.contains(path));
        assert!(line.is_some(), "no {rule} finding on {path}: {stderr}");
    }
    assert_eq!(fs::read_to_string(dir.join("out/previous")).unwrap(), "kept", "the previous output is intact");

    let allowed = run(&dir, &["synth", "--app", &app, "-o", "out", "--allow-rule-errors"]);
    assert_eq!(allowed.status.code(), Some(0), "{}", text(&allowed.stderr));
    assert!(dir.join("out/manifest.json").exists());
    assert!(text(&allowed.stderr).contains("CW-IAM-1"), "the errors are still printed");
}

#[test]
fn rules_list_and_export_as_guard() {
    let dir = scratch("guard");
    let list = run(&dir, &["validate", "--list-rules"]);
    assert_eq!(list.status.code(), Some(0));
    assert!(text(&list.stdout).lines().count() >= 25);
    let export = run(&dir, &["validate", "--export-guard", "guard"]);
    assert_eq!(export.status.code(), Some(0), "{}", text(&export.stderr));
    let rule = fs::read_to_string(dir.join("guard/CW-LAMBDA-1.guard")).unwrap();
    assert!(rule.contains("rule CW_LAMBDA_1 when %resources !empty"), "{rule}");
    assert!(dir.join("guard/README.md").exists());
}

#[test]
fn rules_export_as_nirmata_and_kyverno_json_policies_with_the_apps_suppressions() {
    let dir = scratch("nirmata");
    let app = bad_app(&dir);
    let export = run(&dir, &["validate", "--app", &app, "--export-nirmata", "nirmata", "--export-kyverno-json", "kj"]);
    assert_eq!(export.status.code(), Some(0), "{}", text(&export.stderr));
    let policy = fs::read_to_string(dir.join("nirmata/cw-sns-1.yaml")).unwrap();
    assert!(policy.contains("apiVersion: nirmata.io/v1alpha1"), "{policy}");
    assert!(policy.contains("object.TypeName in ['AWS::SNS::Topic']"), "{policy}");
    // The bad app's suppressed topic is excluded at runtime by CloudFormation's tags.
    assert!(policy.contains("'aws:cloudformation:logical-id'") && policy.contains("'AcceptedTopic'"), "{policy}");
    let readme = fs::read_to_string(dir.join("nirmata/README.md")).unwrap();
    assert!(readme.contains("`AcceptedTopic` in stack `Bad`: carries only public release notes"), "{readme}");
    assert!(readme.contains("- `CW-EC2-3`: VPC without flow logs: needs the flow logs"), "{readme}");
    let kj = fs::read_to_string(dir.join("kj/cw-sns-1.yaml")).unwrap();
    assert!(kj.contains("apiVersion: json.kyverno.io/v1alpha1") && kj.contains("compiler: cel"), "{kj}");
}

#[test]
fn an_export_directory_that_cannot_be_written_is_an_input_error_and_nothing_is_written() {
    let dir = scratch("unwritable");
    fs::write(dir.join("file"), "kept").unwrap();
    for flag in ["--export-nirmata", "--export-kyverno-json", "--export-guard"] {
        let out = run(&dir, &["validate", flag, "file/policies"]);
        assert_eq!(out.status.code(), Some(2), "{flag}: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains("file/policies"), "{flag} names the directory: {}", text(&out.stderr));
    }
    assert_eq!(fs::read_to_string(dir.join("file")).unwrap(), "kept");
    let left: Vec<_> = fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["file"], "no staging directory is left behind");
}
