#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The governance rules over real apps: every rule fires on the bad app, the reference
//! app passes, suppressions and packs work, and the real cfn-guard agrees with the
//! engine on the rules exported to it.

use std::collections::BTreeSet;
use std::process::Command;

use cloudwright_constructs::governance::{RulePack, Severity, suppress};
use cloudwright_constructs::proton::DeployMode;
use cloudwright_constructs::{App, Assembly, CfnResource, Stack, StackProps};
use cloudwright_examples::{governance_bad, multi_account};
use cloudwright_toolkit::governance::{self, guard_files, guard_rule_name};
use serde_json::json;

fn bad_assembly() -> Assembly {
    let mut assembly = governance_bad::app().unwrap().assembly().unwrap();
    // A Proton bundle whose input nobody documented.
    assembly.add_file(
        "proton/bad-svc/v1/schema/schema.yaml",
        b"schema:\n  format:\n    openapi: 3.0.0\n  service_input_type: In\n  types:\n    In:\n      type: object\n      properties:\n        size:\n          type: number\n"
            .to_vec(),
    );
    assembly
}

#[test]
fn every_rule_fires_on_the_bad_app() {
    let report = governance::check(&bad_assembly()).unwrap();
    let fired: BTreeSet<&str> = report.active().map(|f| f.rule_id.as_str()).collect();
    let all: BTreeSet<&str> = report.rules.iter().map(|r| r.id).collect();
    let silent: Vec<&&str> = all.difference(&fired).collect();
    assert!(silent.is_empty(), "rules that never fired: {silent:?}");
    assert!(report.rules.len() >= 25);
    // Under the production pack, hygiene warnings block.
    let tracing = report.active().find(|f| f.rule_id == "CW-LAMBDA-1").unwrap();
    assert_eq!(tracing.severity, Severity::Error);
    assert_eq!(tracing.path, "Bad/Function");
    assert_eq!(tracing.logical_id.as_deref(), Some("Function"));
    assert!(tracing.line.is_some(), "findings point at the template line");
    // The suppressed topic is reported as suppressed, with its reason.
    let accepted = report.findings.iter().find(|f| f.logical_id.as_deref() == Some("AcceptedTopic")).unwrap();
    assert_eq!(accepted.suppressed.as_deref(), Some("carries only public release notes"));
    let meta = report.active().find(|f| f.rule_id == "CW-META-1").unwrap();
    assert!(meta.message.contains("CW-NOPE-1"), "{}", meta.message);
    // The management stack's SCP denies what the bad stack's account creates.
    let denied = report.active().find(|f| f.rule_id == "CW-SCP-4").unwrap();
    assert_eq!((denied.path.as_str(), denied.severity), ("Bad/Function", Severity::Error));
    assert_eq!(
        denied.message,
        "SCP BadOrganization/NoFunctionsScp (statement \"DenyFunctions\", attached to account 123456789012) denies \
         lambda:CreateFunction; CloudFormation calls it to create this AWS::Lambda::Function in account 123456789012"
    );
    let conditional = report.active().find(|f| f.rule_id == "CW-SCP-5").unwrap();
    assert_eq!((conditional.path.as_str(), conditional.severity), ("Bad/Queue", Severity::Warning));
}

/// Findings of the rules about a stack denied by its own organization.
fn org_denials(mode: DeployMode) -> Vec<governance::Finding> {
    let assembly = multi_account::app_with(&multi_account::Layout::default(), mode).unwrap().assembly().unwrap();
    let report = governance::check(&assembly).unwrap();
    report.findings.into_iter().filter(|f| f.rule_id == "CW-SCP-4" || f.rule_id == "CW-SCP-5").collect()
}

#[test]
fn the_reference_app_is_not_denied_by_its_own_organization() {
    assert_eq!(org_denials(DeployMode::Plain), []);
    let proton = org_denials(DeployMode::Proton);
    assert_eq!(proton, []);
}

#[test]
fn the_guide_lists_every_rule() {
    let guide = include_str!("../../docs/governance.md");
    for rule in governance::rule_list() {
        let row = format!("| `{}` | {} | {} |", rule.id, rule.severity.as_str(), rule.title);
        assert!(guide.contains(&row), "docs/governance.md lacks or misstates: {row}");
    }
}

#[test]
fn the_reference_app_has_no_rule_errors() {
    let report = governance::check(&multi_account::app().unwrap().assembly().unwrap()).unwrap();
    let errors: Vec<_> = report.active().filter(|f| f.severity == Severity::Error).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(report.findings.iter().any(|f| f.suppressed.is_some()), "its suppressions are read back");
}

#[test]
fn packs_change_severities_and_the_innermost_wins() {
    let app = App::new();
    let stack = Stack::new(&app, "S", StackProps::default()).unwrap();
    CfnResource::from_json(&stack, "Logs", "AWS::Logs::LogGroup", json!({})).unwrap();
    RulePack::production().apply_to(&app);
    RulePack::development().with_severity("CW-LOGS-1", Severity::Info).apply_to(&stack);
    let report = governance::check(&app.assembly().unwrap()).unwrap();
    let logs: Vec<_> = report.active().filter(|f| f.logical_id.as_deref() == Some("Logs")).collect();
    assert_eq!(logs.len(), 1, "CW-LOGS-2 is off in development: {logs:?}");
    assert_eq!((logs[0].rule_id.as_str(), logs[0].severity), ("CW-LOGS-1", Severity::Info));
}

#[test]
fn bad_suppressions_and_packs_are_synth_errors_naming_the_construct() {
    let app = App::new();
    let stack = Stack::new(&app, "S", StackProps::default()).unwrap();
    let topic = CfnResource::from_json(&stack, "Topic", "AWS::SNS::Topic", json!({})).unwrap();
    suppress(&topic, "CW-SNS-1", "  ");
    suppress(&stack, "CW-NOPE-1", "looked right");
    RulePack::standard().without("CW-NOPE-2").apply_to(&stack);
    let error = app.assembly().unwrap_err().to_string();
    assert!(error.contains("S/Topic: suppression of CW-SNS-1 has no reason"), "{error}");
    assert!(error.contains("S: suppression of unknown rule \"CW-NOPE-1\""), "{error}");
    assert!(error.contains("S: rule pack \"standard\" names unknown rule(s) CW-NOPE-2"), "{error}");
}

/// (rule name, template file name, logical id) of what cfn-guard's structured JSON
/// output reports.
fn guard_violations(output: &serde_json::Value) -> BTreeSet<(String, String, String)> {
    fn paths(v: &serde_json::Value, out: &mut BTreeSet<String>) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    if let (true, Some(p)) = (k == "path", v.as_str()) {
                        if let Some(id) = p.strip_prefix("/Resources/").and_then(|r| r.split('/').next()) {
                            out.insert(id.to_owned());
                        }
                    }
                    paths(v, out);
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| paths(v, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    for file in output.as_array().unwrap() {
        let name = file["name"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
        for rule in file["not_compliant"].as_array().into_iter().flatten() {
            let rule_name = rule["Rule"]["name"].as_str().unwrap();
            let mut ids = BTreeSet::new();
            paths(rule, &mut ids);
            out.extend(ids.into_iter().map(|id| (rule_name.to_owned(), name.clone(), id)));
        }
    }
    out
}

/// The real cfn-guard (path in `CLOUDWRIGHT_CFN_GUARD`, set by `cargo xtask ci` after
/// `scripts/install-cfn-guard.sh`) finds exactly what the engine finds for the rules
/// exported to Guard, suppressions included, over the bad app and the reference app.
#[test]
fn cfn_guard_finds_what_the_engine_finds() {
    let Some(guard) = std::env::var_os("CLOUDWRIGHT_CFN_GUARD") else {
        eprintln!("skipped: set CLOUDWRIGHT_CFN_GUARD to the cfn-guard binary (scripts/install-cfn-guard.sh)");
        return;
    };
    let dir = std::env::temp_dir().join(format!("cloudwright-guard-{}", std::process::id()));
    let (rules_dir, templates_dir) = (dir.join("rules"), dir.join("templates"));
    std::fs::create_dir_all(&rules_dir).unwrap();
    std::fs::create_dir_all(&templates_dir).unwrap();
    let exported: BTreeSet<String> = guard_files()
        .into_iter()
        .filter(|(name, _)| name.ends_with(".guard"))
        .map(|(name, text)| {
            std::fs::write(rules_dir.join(&name), text).unwrap();
            name.trim_end_matches(".guard").to_owned()
        })
        .collect();
    assert!(exported.len() >= 15, "most rules are exported: {exported:?}");

    let mut expected = BTreeSet::new();
    for (app, assembly) in [("bad", bad_assembly()), ("reference", multi_account::app().unwrap().assembly().unwrap())] {
        let report = governance::check(&assembly).unwrap();
        // Guard has no rule packs: leave out the development stacks, which turn rules off.
        for stack in assembly.stacks().iter().filter(|s| !s.display_name.to_lowercase().contains("dev")) {
            let name = format!("{app}-{}.json", stack.artifact_id);
            std::fs::write(templates_dir.join(&name), assembly.file(&stack.template_file).unwrap()).unwrap();
            expected.extend(
                report
                    .active()
                    .filter(|f| exported.contains(&f.rule_id) && f.file == stack.template_file)
                    .map(|f| (guard_rule_name(&f.rule_id), name.clone(), f.logical_id.clone().unwrap())),
            );
        }
    }
    let out = Command::new(guard)
        .args(["validate", "--structured", "-o", "json", "-S", "none", "-d"])
        .arg(&templates_dir)
        .arg("-r")
        .arg(&rules_dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(19), "rule failures expected: {stderr}");
    assert!(!stderr.contains("Parsing error"), "every exported rule parses: {stderr}");
    let found = guard_violations(&serde_json::from_slice(&out.stdout).unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(found, expected);
}

#[test]
fn assemblies_the_cdk_wrote_are_checked_with_their_paths() {
    let dir = std::env::temp_dir().join(format!("cloudwright-cdkish-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let template = json!({"Resources": {"Logs1234": {"Type": "AWS::Logs::LogGroup", "Metadata": {"aws:cdk:path": "S/Logs/Resource"}}}});
    std::fs::write(dir.join("S.template.json"), template.to_string()).unwrap();
    let manifest = json!({"version": "36.0.0", "artifacts": {"S": {
        "type": "aws:cloudformation:stack",
        "environment": "aws://unknown-account/unknown-region",
        "properties": {"templateFile": "S.template.json"}
    }}});
    std::fs::write(dir.join("manifest.json"), manifest.to_string()).unwrap();
    let report = governance::check(&Assembly::read(&dir).unwrap()).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let retention = report.active().find(|f| f.rule_id == "CW-LOGS-1").unwrap();
    assert_eq!((retention.path.as_str(), retention.logical_id.as_deref()), ("S/Logs/Resource", Some("Logs1234")));
}
