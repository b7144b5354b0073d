//! `cloudwright exports prune`: kept exports leave the lock once nothing imports them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

mod common;

use std::path::{Path, PathBuf};

use cloudwright_core::synth::exports_lock::ExportsLock;
use cloudwright_core::{App, AppProps, CfnResource, Environment, Expr, Stack, StackProps};
use cloudwright_toolkit::exports::prune;
use common::{run, scratch, text};
use serde_json::Map;

const EXPORT: &str = "Producer:ExportsOutputFnGetAttBucketArn436138FE";

/// How the consumer uses the producer's bucket.
#[derive(Clone, Copy, PartialEq)]
enum Use {
    Reference,
    Nothing,
    ImportByName,
}

fn app(lock: Option<&Path>, usage: Use) -> App {
    let app = App::with_props(AppProps {
        bootstrap_version_rule: false,
        exports_lock: lock.map(Path::to_path_buf),
        ..Default::default()
    });
    let env = || StackProps { env: Environment::new("111111111111", "us-east-1"), ..Default::default() };
    let producer = Stack::new(&app, "Producer", env()).unwrap();
    let bucket = CfnResource::new(&producer, "Bucket", "AWS::S3::Bucket", Map::new()).unwrap();
    let consumer = Stack::new(&app, "Consumer", env()).unwrap();
    // A parameter holding the bucket's ARN, or a fixed value.
    let value: serde_json::Value = match usage {
        Use::Reference => bucket.get_att("Arn").into(),
        Use::ImportByName => Expr::import_value(EXPORT).into(),
        Use::Nothing => "none".into(),
    };
    let mut props = Map::new();
    props.insert("Type".into(), "String".into());
    props.insert("Value".into(), value);
    CfnResource::new(&consumer, "User", "AWS::SSM::Parameter", props).unwrap();
    app
}

/// A lock holding the export, as synthesis with the reference wrote it.
fn locked(dir: &Path) -> PathBuf {
    let lock = dir.join("cloudwright.exports.lock.json");
    app(Some(&lock), Use::Reference).synth(dir.join("out")).unwrap();
    assert!(ExportsLock::read(&lock).unwrap().stacks["Producer"].exports.contains_key(EXPORT));
    lock
}

#[test]
fn prune_removes_kept_exports_and_keeps_produced_ones() {
    let dir = scratch("prune");
    let lock = locked(&dir);
    // While the reference exists, the export is produced: nothing to prune.
    let pruned = prune(&app(None, Use::Reference).assembly().unwrap(), &lock, "Producer").unwrap();
    assert!(pruned.exports.is_empty());
    assert!(ExportsLock::read(&lock).unwrap().stacks.contains_key("Producer"));

    // The reference is gone: the export is kept until pruned, then the lock forgets it.
    let pruned = prune(&app(None, Use::Nothing).assembly().unwrap(), &lock, "Producer").unwrap();
    assert_eq!(pruned.exports, [EXPORT]);
    assert!(ExportsLock::read(&lock).unwrap().stacks.is_empty());
    let report = app(Some(&lock), Use::Nothing).synth(dir.join("out")).unwrap();
    assert!(report.warnings.is_empty());
}

#[test]
fn prune_refuses_an_export_a_consumer_still_imports() {
    let dir = scratch("refuse");
    let lock = locked(&dir);
    let before = std::fs::read(&lock).unwrap();
    let Err(failure) = prune(&app(None, Use::ImportByName).assembly().unwrap(), &lock, "Producer") else {
        panic!("prune should refuse")
    };
    assert!(matches!(failure, cloudwright_core::Error::Input { .. }), "an input error (exit 2): {failure}");
    let message = failure.to_string();
    assert!(message.contains("Consumer/User"), "the consumer's path: {message}");
    assert!(message.contains("Producer/Bucket"), "the producer's path: {message}");
    assert!(message.contains(EXPORT), "{message}");
    assert!(message.contains("remove the reference from Consumer/User and deploy Consumer first"), "{message}");
    assert_eq!(std::fs::read(&lock).unwrap(), before, "nothing written on error");
}

#[test]
fn prune_of_an_unknown_stack_names_the_stacks_it_knows() {
    let dir = scratch("unknown");
    let out = run(&dir, &["exports", "prune", "Nope"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("no stack \"Nope\"") && err.contains("Management"), "{err}");
    let help = text(&run(&dir, &["exports", "prune", "--help"]).stdout);
    assert!(help.contains("construct path"), "{help}");
}

#[test]
fn diff_marks_a_removed_export_an_old_consumer_imports() {
    let dir = scratch("diff");
    app(None, Use::Reference).assembly().unwrap().write(&dir.join("old")).unwrap();
    app(None, Use::Nothing).assembly().unwrap().write(&dir.join("new")).unwrap();
    let out = run(&dir, &["diff", "old", "new"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Deploy-time failures (1):"), "{stdout}");
    assert!(stdout.contains(&format!("! Producer: export {EXPORT} removed, imported by Consumer (User)")), "{stdout}");
    let json: serde_json::Value =
        serde_json::from_slice(&run(&dir, &["diff", "old", "new", "--format", "json"]).stdout).unwrap();
    assert_eq!(json["deploy_failures"][0]["export"], EXPORT);

    // With the export lock, the export stays and the diff has no failure.
    let lock = locked(&dir);
    app(Some(&lock), Use::Nothing).assembly().unwrap().write(&dir.join("kept")).unwrap();
    let stdout = text(&run(&dir, &["diff", "old", "kept"]).stdout);
    assert!(!stdout.contains("Deploy-time failures"), "{stdout}");
}

#[test]
fn synth_prints_the_warning_of_a_kept_export_even_from_an_app_command() {
    let dir = scratch("warn");
    let lock = locked(&dir);
    app(Some(&lock), Use::Nothing).assembly().unwrap().write(&dir.join("kept")).unwrap();
    let copy = format!("cp -R {}/. \"$CLOUDWRIGHT_OUTDIR\"", dir.join("kept").display());
    let out = run(&dir, &["synth", "--app", &copy, "-o", "out", "--quiet", "--allow-rule-errors"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains(&format!("warning: Producer: keeps export \"{EXPORT}\"")), "{err}");
    assert!(err.contains("cloudwright exports prune Producer"), "{err}");
}
