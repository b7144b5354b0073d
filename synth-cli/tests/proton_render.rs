//! `cloudwright proton render` (the library, `cloudwright_constructs::proton::render`, and
//! the command) on vendored aws-samples bundles and on bad input.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::path::{Path, PathBuf};

use std::collections::BTreeMap;

use cloudwright_constructs::Result;
use cloudwright_constructs::proton::render::{RenderProps, render};
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/proton/aws-samples")
}

fn args(bundle: &str, spec: &str, environments: Option<PathBuf>) -> RenderProps {
    RenderProps { bundle: fixtures().join(bundle), spec: fixtures().join(spec), environments, ..Default::default() }
}

/// The files of the rendered assembly.
fn render_files(props: &RenderProps) -> Result<BTreeMap<String, Vec<u8>>> {
    render(props).map(|assembly| assembly.files().clone())
}

fn template(files: &BTreeMap<String, Vec<u8>>, name: &str) -> Value {
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
    let outputs = dir.join("environments.yaml");
    std::fs::write(
        &outputs,
        "multi-svc-beta:\n  account: '111111111111'\n  region: eu-west-1\n  outputs:\n    TableName: tasks\n    AppBucketArn: arn:aws:s3:::b\n",
    )
    .unwrap();
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
    // Each instance in its environment's account and region; the pipeline in the default's.
    let manifest: Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    assert_eq!(manifest["artifacts"]["crudbeta"]["environment"], "aws://111111111111/eu-west-1");
    assert_eq!(manifest["artifacts"]["crudpipeline"]["environment"], "aws://000000000000/us-east-1");
    // The pipeline loops over the service instances and reads `pipeline.inputs`.
    let p = template(&files, "crudpipeline.template.json");
    assert!(p["Resources"]["Deploy1Project"].is_object() && p["Resources"]["Deploy2Project"].is_object(), "{p}");
    assert!(p.to_string().contains("arn:aws:iam::111111111111:root"), "{p}");
    assert!(p.to_string().contains("make publish"), "{p}");
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

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn a_bad_tag_in_a_bundle_names_the_template_file_and_line() {
    let bundle = tempdir().join("bad-tag");
    copy_dir(&fixtures().join("environment-templates/vpc-env/v1"), &bundle);
    let file = bundle.join("infrastructure/cloudformation.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let line = text.lines().position(|l| l.contains("!FindInMap")).unwrap() + 1;
    std::fs::write(&file, text.replacen("!FindInMap", "!FindInMapp", 1)).unwrap();
    let mut a = args("environment-templates/vpc-env/v1", "environment-templates/vpc-env/spec/spec.yaml", None);
    a.bundle = bundle;
    match render(&a).unwrap_err() {
        cloudwright_constructs::Error::Input { path, message } => {
            assert_eq!(path, format!("{}:{line}", file.display()));
            assert!(message.starts_with("unknown CloudFormation tag !FindInMapp"), "{message}");
        }
        other => panic!("{other}"),
    }
}

#[test]
fn unreadable_inputs_and_bad_environments_are_typed_errors() {
    let mut a = args("environment-templates/vpc-env/v1", "environment-templates/vpc-env/spec/absent.yaml", None);
    let err = render(&a).unwrap_err();
    assert!(matches!(&err, cloudwright_constructs::Error::Read { path, .. } if path.ends_with("absent.yaml")), "{err}");
    assert!(err.to_string().starts_with("cannot read "), "{err}");
    a.spec = fixtures().join("environment-templates/vpc-env/spec/spec.yaml");
    a.account = "12345".into();
    a.region = "us-east-9".into();
    let err = render(&a).unwrap_err();
    assert_eq!(err.problems().len(), 2, "{err}");
    assert!(matches!(err.problems()[0], cloudwright_constructs::Error::InvalidAccount { .. }), "{err}");
    assert!(matches!(err.problems()[1], cloudwright_constructs::Error::InvalidRegion { .. }), "{err}");
}

#[test]
fn the_command_writes_a_cloud_assembly_and_says_how_many_stacks() {
    let out = tempdir().join("rendered");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_cloudwright"))
        .args(["proton", "render"])
        .arg(fixtures().join("environment-templates/vpc-env/v1"))
        .arg("--spec")
        .arg(fixtures().join("environment-templates/vpc-env/spec/spec.yaml"))
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(String::from_utf8_lossy(&run.stdout), format!("rendered 1 stack to {}\n", out.display()));
    let written = cloudwright_constructs::Assembly::read(&out).unwrap();
    assert_eq!(written.stacks()[0].display_name, "spec");
    assert!(written.template("spec").unwrap()["Resources"]["VPC"].is_object());
}
