//! The export lock: exports are recorded, kept when their reference goes, and reported.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::path::{Path, PathBuf};

use cloudwright_core::synth::exports_lock::{ExportsLock, KEPT_EXPORTS_METADATA};
use cloudwright_core::{App, AppProps, CfnResource, Environment, Error, Stack, StackProps};
use serde_json::{Map, Value, json};

fn env() -> StackProps {
    StackProps { env: Environment::new("111111111111", "us-east-1"), ..Default::default() }
}

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cw-exports-lock-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A producer with a bucket and a consumer that uses its ARN when `referenced`.
fn app(lock: &Path, referenced: bool, with_bucket: bool) -> App {
    let app = App::with_props(AppProps {
        bootstrap_version_rule: false,
        exports_lock: Some(lock.to_path_buf()),
        ..Default::default()
    });
    let producer = Stack::new(&app, "Producer", env()).unwrap();
    CfnResource::new(&producer, "Queue", "AWS::SQS::Queue", Map::new()).unwrap();
    let bucket = with_bucket.then(|| CfnResource::new(&producer, "Bucket", "AWS::S3::Bucket", Map::new()).unwrap());
    let consumer = Stack::new(&app, "Consumer", env()).unwrap();
    let mut props = Map::new();
    if let (true, Some(bucket)) = (referenced, &bucket) {
        props.insert("Arn".into(), bucket.get_att("Arn").into());
    }
    CfnResource::new(&consumer, "User", "Custom::User", props).unwrap();
    app
}

const EXPORT: &str = "Producer:ExportsOutputFnGetAttBucketArn436138FE";

fn template(dir: &Path, stack: &str) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join(format!("{stack}.template.json"))).unwrap()).unwrap()
}

#[test]
fn synth_writes_the_lock_deterministically_and_only_when_there_are_exports() {
    let dir = scratch("write");
    let lock = dir.join("cloudwright.exports.lock.json");
    app(&lock, false, true).synth(dir.join("out")).unwrap();
    assert!(!lock.exists(), "an app without exports needs no lock");

    app(&lock, true, true).synth(dir.join("out")).unwrap();
    let first = std::fs::read_to_string(&lock).unwrap();
    let parsed: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(
        parsed,
        json!({"version": 1, "stacks": {"Producer": {"stackName": "Producer", "exports": {EXPORT: {
            "output": "ExportsOutputFnGetAttBucketArn436138FE",
            "value": {"Fn::GetAtt": ["Bucket", "Arn"]},
            "source": "Producer/Bucket"
        }}}}})
    );
    assert!(first.ends_with("}\n"));
    app(&lock, true, true).synth(dir.join("out")).unwrap();
    assert_eq!(std::fs::read_to_string(&lock).unwrap(), first, "same app, same bytes");
    // In memory nothing is written, the lock neither.
    std::fs::remove_file(&lock).unwrap();
    app(&lock, true, true).assembly().unwrap();
    assert!(!lock.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_removed_reference_keeps_its_export_with_a_warning() {
    let dir = scratch("keep");
    let lock = dir.join("cloudwright.exports.lock.json");
    let out = dir.join("out");
    let with_reference = app(&lock, true, true).synth(&out).unwrap();
    assert!(with_reference.warnings.is_empty());
    let before = template(&out, "Producer");
    let locked = std::fs::read(&lock).unwrap();

    let report = app(&lock, false, true).synth(&out).unwrap();
    let after = template(&out, "Producer");
    assert_eq!(after["Outputs"], before["Outputs"], "the export stays, with the same value");
    assert_eq!(after["Metadata"], json!({KEPT_EXPORTS_METADATA: [EXPORT]}));
    assert!(template(&out, "Consumer")["Resources"]["User"].get("Properties").is_none());
    assert_eq!(report.warnings.len(), 1);
    let warning = &report.warnings[0];
    assert_eq!(warning.path, "Producer");
    assert!(warning.message.contains(EXPORT), "{warning}");
    assert!(warning.message.contains("cloudwright exports prune Producer"), "{warning}");
    assert_eq!(std::fs::read(&lock).unwrap(), locked, "the lock never loses an entry by itself");

    // The assembly read back from disk says the same.
    let read = cloudwright_core::Assembly::read(&out).unwrap();
    assert_eq!(read.warnings(), report.warnings.as_slice());
    // And in memory.
    assert_eq!(app(&lock, false, true).assembly().unwrap().warnings(), report.warnings.as_slice());

    // Once pruned, the export goes.
    let mut pruned = ExportsLock::read(&lock).unwrap();
    pruned.remove("Producer", &[EXPORT.to_owned()]);
    assert!(pruned.stacks.is_empty());
    assert!(pruned.write(&lock).unwrap());
    let report = app(&lock, false, true).synth(&out).unwrap();
    assert!(report.warnings.is_empty());
    assert!(template(&out, "Producer").get("Outputs").is_none());
    assert!(template(&out, "Producer").get("Metadata").is_none());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn removing_the_exported_resource_with_its_reference_is_an_error() {
    let dir = scratch("gone");
    let lock = dir.join("cloudwright.exports.lock.json");
    app(&lock, true, true).synth(dir.join("out")).unwrap();
    let e = app(&lock, false, false).synth(dir.join("out")).unwrap_err();
    assert!(matches!(e, Error::Validation { .. }), "{e}");
    let text = e.to_string();
    assert!(text.contains("Producer"), "{text}");
    assert!(text.contains("Producer/Bucket"), "{text}");
    assert!(text.contains("cloudwright exports prune Producer"), "{text}");
}

#[test]
fn a_malformed_lock_is_an_input_error_naming_it() {
    let dir = scratch("bad");
    let lock = dir.join("cloudwright.exports.lock.json");
    std::fs::write(&lock, "{\"version\": 1").unwrap();
    let e = app(&lock, true, true).assembly().unwrap_err();
    assert!(e.to_string().contains("cloudwright.exports.lock.json"), "{e}");
}
