//! `cloudwright plan`: the runbook's plan section is the command's output on the reference
//! example (with every declared context key set to a live-looking value), samples are
//! refused, bad input is exit 2 with a clear message, and JSON is the same plan.
//!
//! `UPDATE_DOCS=1 cargo test -p cloudwright-cli --test plan` rewrites the section of
//! docs/first-deployment.md from the output, for review in the diff.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

mod common;

use std::path::Path;

use common::{run, scratch, text};
use serde_json::{Value as Json, json};

const DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/first-deployment.md");
const BEGIN: &str = "<!-- begin: output of `cloudwright plan` (tests/plan.rs) -->\n```text\n";
const END: &str = "```\n<!-- end: output of `cloudwright plan` -->";

/// The keys the app in `dir` declares, with their sample values, from its synthesized manifest.
fn declared(dir: &Path, args: &[&str]) -> Vec<(String, String, bool)> {
    let out = dir.join("declared.out");
    let mut synth = vec!["synth", "-q", "-o", out.to_str().unwrap()];
    synth.extend(args);
    let output = run(dir, &synth);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let manifest: Json = serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    std::fs::remove_dir_all(&out).unwrap();
    let entries = manifest.pointer("/artifacts/Tree/metadata/~1").and_then(Json::as_array).cloned().unwrap_or_default();
    entries
        .iter()
        .filter(|e| e["type"] == "cloudwright:context")
        .map(|e| {
            let d = &e["data"];
            (d["key"].as_str().unwrap().to_owned(), d["value"].as_str().unwrap().to_owned(), d["sample"] == true)
        })
        .collect()
}

/// A value shaped like `sample` but not it: its last letter or digit moved on by one (so an
/// account id stays 12 digits and an ARN stays an ARN).
fn live(sample: &str) -> String {
    let mut chars: Vec<char> = sample.chars().collect();
    if let Some(c) = chars.iter_mut().rev().find(|c| c.is_ascii_alphanumeric()) {
        *c = match *c {
            '9' => '0',
            'z' => 'a',
            'Z' => 'A',
            other => char::from(other as u8 + 1),
        };
    } else {
        chars.extend("-live".chars());
    }
    chars.into_iter().collect()
}

/// A directory whose `cloudwright.json` sets every key the reference example declares to a
/// live-looking value, and those values.
fn live_context_dir(name: &str) -> (std::path::PathBuf, serde_json::Map<String, Json>) {
    let dir = scratch(name);
    let context: serde_json::Map<String, Json> =
        declared(&dir, &[]).into_iter().map(|(key, sample, _)| (key, Json::String(live(&sample)))).collect();
    if !context.is_empty() {
        std::fs::write(
            dir.join("cloudwright.json"),
            serde_json::to_string_pretty(&json!({"context": context})).unwrap(),
        )
        .unwrap();
    }
    (dir, context)
}

#[test]
fn the_runbooks_plan_is_the_commands_output_on_the_reference_example() {
    let (dir, context) = live_context_dir("doc");
    let output = run(&dir, &["plan"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let plan = text(&output.stdout);
    let doc = std::fs::read_to_string(DOC).unwrap();
    let (before, rest) = doc.split_once(BEGIN).expect("docs/first-deployment.md has the begin marker");
    let (documented, after) = rest.split_once(END).expect("docs/first-deployment.md has the end marker");
    if documented != plan {
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(DOC, format!("{before}{BEGIN}{plan}{END}{after}")).unwrap();
        } else {
            panic!(
                "docs/first-deployment.md's plan is not what `cloudwright plan` prints on the reference example; \
                 rerun with UPDATE_DOCS=1 and review the diff. The output:\n{plan}"
            );
        }
    }
    // The context it documents is what cloudwright.json sets.
    for (key, value) in &context {
        assert!(plan.contains(&format!("   {key} = {}\n", value.as_str().unwrap())), "{key} is not listed:\n{plan}");
    }
    assert!(declared(&dir, &[]).iter().all(|(_, _, sample)| !sample), "cloudwright.json sets every key");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn json_is_the_same_plan_for_scripts() {
    let (dir, context) = live_context_dir("json");
    let management = context.get("managementAccountId").and_then(Json::as_str).unwrap_or("111111111111").to_owned();
    for mode in ["plain", "proton"] {
        let output = run(&dir, &["plan", "--format", "json", "--mode", mode]);
        assert!(output.status.success(), "{}", text(&output.stderr));
        let plan: Json = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(plan["version"], 1);
        assert_eq!(plan["assemblyDir"], "cloudwright.out");
        assert_eq!(plan["waves"][0]["stacks"][0]["id"], "Management");
        let steps: Vec<&str> =
            plan["manualSteps"].as_array().unwrap().iter().map(|s| s["before"].as_str().unwrap()).collect();
        assert!(steps.contains(&"Management/Delivery"), "the CodeStar connection: {steps:?}");
        assert!(steps.contains(&"Management/Organization/ControlTower"), "the landing zone: {steps:?}");
        if mode == "plain" {
            // The pipeline deploys into the environment accounts: each trusts the management account.
            let trusted: Vec<&Json> =
                plan["bootstrap"].as_array().unwrap().iter().skip(1).map(|b| &b["trust"]).collect();
            assert!(trusted.iter().all(|t| **t == json!([management])), "{trusted:?}");
            let text_plan = text(&run(&dir, &["plan"]).stdout);
            for wave in plan["waves"].as_array().unwrap() {
                let command = wave["commands"][0]["command"].as_str().unwrap();
                assert!(text_plan.contains(command), "{command} is not in the text plan");
            }
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// An assembly directory with one stack in `env` and the given declared context.
fn assembly(dir: &Path, env: &str, context: &[(&str, &str, bool)]) {
    std::fs::create_dir_all(dir).unwrap();
    let declared: Vec<Json> = context
        .iter()
        .map(|(k, v, sample)| json!({"type": "cloudwright:context", "data": {"key": k, "value": v, "sample": sample}}))
        .collect();
    let manifest = json!({"version": "55.0.0", "artifacts": {
        "A": {"type": "aws:cloudformation:stack", "environment": env, "properties": {"templateFile": "A.template.json"}},
        "Tree": {"type": "cdk:tree", "properties": {"file": "tree.json"}, "metadata": {"/": declared}}
    }});
    std::fs::write(dir.join("manifest.json"), manifest.to_string()).unwrap();
    std::fs::write(dir.join("A.template.json"), r#"{"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}"#).unwrap();
}

#[test]
fn keys_at_their_samples_are_refused_with_exit_2_naming_each_and_printing_nothing_else() {
    let dir = scratch("samples");
    let out = dir.join("out");
    assembly(
        &out,
        "aws://111111111111/eu-west-1",
        &[("org:rootId", "r-live", false), ("connection", "arn:sample", true), ("baseline", "arn:sample:2", true)],
    );
    let output = run(&dir, &["plan", "--assembly", out.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty(), "{}", text(&output.stdout));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("2 context keys hold sample values"), "{stderr}");
    assert!(stderr.contains("connection: sample \"arn:sample\" (--context connection=VALUE)"), "{stderr}");
    assert!(stderr.contains("baseline: sample"), "{stderr}");
    assert!(stderr.contains("\"context\"") && stderr.contains("cloudwright.json"), "{stderr}");
    assert!(!stderr.contains("org:rootId"), "a live key is not named: {stderr}");

    // The reference example, once it declares keys, is refused without them and planned with them.
    let keys = declared(&dir, &[]);
    if keys.iter().any(|(_, _, sample)| *sample) {
        let refused = run(&dir, &["plan"]);
        assert_eq!(refused.status.code(), Some(2), "{}", text(&refused.stdout));
        let stderr = text(&refused.stderr);
        for (key, _, _) in &keys {
            assert!(stderr.contains(&format!("--context {key}=VALUE")), "{key}: {stderr}");
        }
        let mut args = vec!["plan".to_owned()];
        for (key, sample, _) in &keys {
            args.extend(["--context".to_owned(), format!("{key}={}", live(sample))]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let planned = run(&dir, &args);
        assert!(planned.status.success(), "{}", text(&planned.stderr));
        // The synth line repeats the flags, so the waves deploy what was planned.
        assert!(text(&planned.stdout).contains(&format!("--context {}=", keys[0].0)));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_input_is_exit_2_with_what_is_wrong() {
    let dir = scratch("bad");
    let expect = |args: &[&str], needle: &str| {
        let output = run(&dir, args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", text(&output.stdout));
        assert!(output.stdout.is_empty());
        let stderr = text(&output.stderr);
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    };
    let missing = dir.join("missing");
    expect(&["plan", "--assembly", missing.to_str().unwrap()], "cannot read");

    let not_json = dir.join("not-json");
    std::fs::create_dir_all(&not_json).unwrap();
    std::fs::write(not_json.join("manifest.json"), "{").unwrap();
    expect(&["plan", "--assembly", not_json.to_str().unwrap()], "is not valid JSON");

    let no_manifest = dir.join("no-manifest");
    std::fs::create_dir_all(&no_manifest).unwrap();
    std::fs::write(no_manifest.join("template.json"), "{}").unwrap();
    expect(&["plan", "--assembly", no_manifest.to_str().unwrap()], "is missing, so this is not a cloud assembly");

    let agnostic = dir.join("agnostic");
    assembly(&agnostic, "aws://unknown-account/unknown-region", &[]);
    expect(&["plan", "--assembly", agnostic.to_str().unwrap()], "give the stack (or its stage) an Environment");

    expect(&["plan", "--app", "true", "--assembly", "x"], "cannot be used with");
    expect(&["plan", "--app", "true"], "wrote no manifest.json");
    std::fs::remove_dir_all(&dir).unwrap();
}
