//! `cloudwright proton render` on vendored aws-samples bundles and on bad input.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::path::{Path, PathBuf};

use cloudwright_cli::proton::{RenderArgs, render_files};
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/proton/aws-samples")
}

fn args(bundle: &str, spec: &str, outputs: Option<PathBuf>) -> RenderArgs {
    RenderArgs {
        bundle: fixtures().join(bundle),
        spec: fixtures().join(spec),
        outputs,
        account: "000000000000".into(),
        region: "us-east-1".into(),
        output: PathBuf::from("unused"),
    }
}

fn template(files: &std::collections::BTreeMap<String, Vec<u8>>, name: &str) -> Value {
    serde_json::from_slice(&files[name]).unwrap()
}

#[test]
fn renders_a_hand_written_environment_bundle() {
    let files =
        render_files(&args("environment-templates/vpc-env/v1", "environment-templates/vpc-env/spec/spec.yaml", None))
            .unwrap();
    let t = template(&files, "spec.template.json");
    assert_eq!(t["Mappings"]["SubnetConfig"]["VPC"]["CIDR"], "10.0.0.0/16");
    // Short-form tags became intrinsic functions.
    assert!(t.to_string().contains("\"Fn::GetAtt\""), "{t}");
    let manifest: Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    assert_eq!(manifest["artifacts"]["spec"]["environment"], "aws://000000000000/us-east-1");
}

#[test]
fn renders_one_stack_per_service_instance_with_environment_outputs() {
    let dir = tempdir();
    let outputs = dir.join("outputs.yaml");
    std::fs::write(&outputs, "multi-svc-beta:\n  TableName: tasks\n  AppBucketArn: arn:aws:s3:::b\n").unwrap();
    let spec = dir.join("crud.yaml");
    std::fs::write(
        &spec,
        "proton: ServiceSpec\ninstances:\n  - name: beta\n    environment: multi-svc-beta\n    spec:\n      code_uri: s3://b/k.zip\n  - name: gamma\n    environment: multi-svc-beta\n    spec: {}\n",
    )
    .unwrap();
    let mut a = args("lambda-multi-svc/service-crud/v1", "lambda-multi-svc/specs/svc-spec.yaml", Some(outputs));
    a.spec = spec;
    let files = render_files(&a).unwrap();
    assert!(files.contains_key("crudgamma.template.json"));
    let t = template(&files, "crudbeta.template.json");
    assert_eq!(t["Resources"]["ListFunction"]["Properties"]["Environment"]["Variables"]["TABLE_NAME"], "tasks");
}

#[test]
fn an_environment_output_without_a_value_is_an_error() {
    let mut a = args("lambda-multi-svc/service-crud/v1", "lambda-multi-svc/specs/svc-spec.yaml", None);
    a.spec = spec_file(
        "proton: ServiceSpec\ninstances:\n  - name: beta\n    environment: e\n    spec:\n      code_uri: s3://b/k\n",
    );
    let err = render_files(&a).unwrap_err();
    assert!(format!("{err:#}").contains("undefined"), "{err:#}");
}

fn tempdir() -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("cw-proton-render-{}-{:?}", std::process::id(), std::thread::current().id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn spec_file(text: &str) -> PathBuf {
    let dir = tempdir();
    let path = dir.join("env.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn bad_specs_are_errors_naming_the_input() {
    let bundle = "lambda-multi-svc/lambda-env/v1";
    let cases = [
        ("proton: EnvironmentSpec\nspec:\n  ttl_attribute: 5\n", "must be of type string"),
        ("proton: EnvironmentSpec\nspec:\n  ttl: x\n", "`ttl` is not an input"),
        ("proton: ServiceSpec\ninstances: []\n", "does not fit the bundle"),
    ];
    for (text, expected) in cases {
        let mut a = args(bundle, "lambda-multi-svc/specs/env-spec.yaml", None);
        a.spec = spec_file(text);
        let err = render_files(&a).unwrap_err();
        assert!(format!("{err:#}").contains(expected), "{text}: {err:#}");
    }
}

#[test]
fn a_directory_that_is_not_a_bundle_is_refused_and_nothing_is_written() {
    let out = tempdir().join("out");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_cloudwright"))
        .args(["proton", "render"])
        .arg(fixtures())
        .arg("--spec")
        .arg(fixtures().join("lambda-multi-svc/specs/env-spec.yaml"))
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&status.stderr).contains("is not a Proton bundle"));
    assert!(!out.exists());
}
