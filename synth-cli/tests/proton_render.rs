//! `cloudwright proton render` (the library, `cloudwright_toolkit::proton::render`, and
//! the command) on vendored aws-samples bundles and on bad input.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::path::{Path, PathBuf};

use std::collections::BTreeMap;

use cloudwright_constructs::Result;
use cloudwright_toolkit::proton::render::{RenderProps, render};
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

fn inputs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/proton/inputs")
}

/// Every vendored aws-samples bundle renders with its spec (the environments and components
/// files of `fixtures/proton/inputs` giving what Proton would have): environments, service
/// instances and their pipelines. `fixtures/proton/README.md` lists the cfn-lint results.
#[test]
fn every_vendored_aws_sample_renders() {
    let cases = [
        ("environment-templates/vpc-env/v1", fixtures().join("environment-templates/vpc-env/spec/spec.yaml"), 1),
        (
            "environment-templates/fargate-env/v1",
            fixtures().join("environment-templates/fargate-env/spec/spec.yaml"),
            1,
        ),
        ("lambda-multi-svc/lambda-env/v1", fixtures().join("lambda-multi-svc/specs/env-spec.yaml"), 1),
        ("lambda-multi-svc/service-crud/v1", inputs().join("crud-svc-spec.yaml"), 2),
        ("lambda-multi-svc/service-data-processing/v1", inputs().join("data-processing-svc-spec.yaml"), 2),
        (
            "service-templates/load-balanced-fargate-svc/v1",
            fixtures().join("service-templates/load-balanced-fargate-svc/spec/spec.yaml"),
            2,
        ),
        (
            "service-templates/apigw-lambda-svc/v1",
            fixtures().join("service-templates/apigw-lambda-svc/spec/spec.yaml"),
            2,
        ),
    ];
    for (bundle, spec, stacks) in cases {
        let props = RenderProps {
            bundle: fixtures().join(bundle),
            spec,
            environments: Some(inputs().join("environments.yaml")),
            components: Some(inputs().join("components.yaml")),
            ..Default::default()
        };
        let assembly = render(&props).unwrap_or_else(|e| panic!("{bundle}: {e:#}"));
        assert_eq!(assembly.stacks().len(), stacks, "{bundle}");
    }
}

/// The component's outputs reach the service instance through Proton's filters, as the
/// load-balanced Fargate sample uses them.
#[test]
fn component_outputs_reach_the_service_through_protons_filters() {
    let props = RenderProps {
        bundle: fixtures().join("service-templates/load-balanced-fargate-svc/v1"),
        spec: fixtures().join("service-templates/load-balanced-fargate-svc/spec/spec.yaml"),
        environments: Some(inputs().join("environments.yaml")),
        components: Some(inputs().join("components.yaml")),
        ..Default::default()
    };
    let files = render_files(&props).unwrap();
    let t = template(&files, "specloadbalancedfargatesvcprod.template.json");
    let arns = &t["Resources"]["ServiceTaskDefTaskRole"]["Properties"]["ManagedPolicyArns"];
    assert_eq!(arns[1], "arn:aws:iam::222222222222:policy/lb-fargate-component-access", "{arns}");
    let env = &t["Resources"]["ServiceTaskDef"]["Properties"]["ContainerDefinitions"][0]["Environment"];
    assert_eq!(env[3], serde_json::json!({"Name": "BucketName", "Value": "arn:aws:s3:::lb-fargate-component-bucket"}));
    let manifest: Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    assert_eq!(manifest["artifacts"]["specloadbalancedfargatesvcprod"]["environment"], "aws://222222222222/eu-west-1");
}

/// The workshop's service renders one stack per instance, each in its environment's
/// account and region, with the template's Python (`split`, tuple unpacking) as Jinja2 ran it.
#[test]
fn a_multi_environment_service_renders_each_instance_in_its_account() {
    let props = RenderProps {
        bundle: fixtures().join("../aws-proton-workshop-code/aws-managed/lb-fargate-service/v1"),
        spec: inputs().join("workshop-svc-spec.yaml"),
        name: Some("frontend".into()),
        environments: Some(inputs().join("environments.yaml")),
        ..Default::default()
    };
    let files = render_files(&props).unwrap();
    let manifest: Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    let artifacts = &manifest["artifacts"];
    assert_eq!(artifacts["frontendfrontenddev"]["environment"], "aws://444444444444/us-east-2");
    assert_eq!(artifacts["frontendfrontendprod"]["environment"], "aws://555555555555/eu-central-1");
    assert_eq!(artifacts["frontendpipeline"]["properties"]["stackName"], "frontend-pipeline");
    assert_eq!(artifacts["frontendpipeline"]["environment"], "aws://000000000000/us-east-1");
    let dev = template(&files, "frontendfrontenddev.template.json");
    let env = &dev["Resources"]["TaskDefinition"]["Properties"]["ContainerDefinitions"][0]["Environment"];
    assert_eq!(env, &serde_json::json!([{"Name": "GREETING", "Value": "hello"}, {"Name": "STAGE", "Value": "dev"}]));
    let prod = template(&files, "frontendfrontendprod.template.json");
    let ingress = &prod["Resources"]["LoadBalancerSG"]["Properties"]["SecurityGroupIngress"][0];
    assert_eq!(ingress["CidrIp"], "10.0.0.0/16", "private scope: the VPC only");
}

/// A `proton_cfn_sanitize` rejection fails with Proton's own message, naming the template
/// file and line, and the command writes nothing.
#[test]
fn a_sanitize_rejection_is_protons_message_and_nothing_is_written() {
    let dir = tempdir().join("sanitize");
    let bundle = dir.join("bundle");
    copy_dir(&fixtures().join("lambda-multi-svc/service-crud/v1"), &bundle);
    std::fs::remove_dir_all(bundle.join("pipeline_infrastructure")).unwrap();
    let file = bundle.join("instance_infrastructure/cloudformation.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let sanitized = "{{ service_instance.components.default.outputs.Output2 | proton_cfn_sanitize }}";
    std::fs::write(&file, format!("Description: {sanitized}\n{text}")).unwrap();
    let components = dir.join("components.yaml");
    std::fs::write(&components, "beta:\n  Output2: this::is::incorrect\n").unwrap();
    let spec = dir.join("crud.yaml");
    std::fs::write(
        &spec,
        "proton: ServiceSpec\ninstances:\n  - name: beta\n    environment: multi-svc-beta\n    spec: {}\n",
    )
    .unwrap();
    let out = dir.join("out");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_cloudwright"))
        .args(["proton", "render"])
        .arg(&bundle)
        .arg("--spec")
        .arg(&spec)
        .arg("--environments")
        .arg(inputs().join("environments.yaml"))
        .arg("--components")
        .arg(&components)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains(r#"Illegal character(s) detected in "this::is::incorrect". Must match regex ^[a-zA-Z0-9_-]*$ or be a valid ARN"#),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("{}:1", file.display())), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn a_bad_environments_file_names_the_environment_and_key() {
    let dir = tempdir().join("bad-envs");
    std::fs::create_dir_all(&dir).unwrap();
    let envs = dir.join("environments.yaml");
    std::fs::write(&envs, "beta:\n  account: '12'\n  region: us-east-1\n  output: {}\n").unwrap();
    let a = args("environment-templates/vpc-env/v1", "environment-templates/vpc-env/spec/spec.yaml", Some(envs));
    let err = render(&a).unwrap_err();
    let text = format!("{err:#}");
    assert!(text.contains(r#"environment "beta": unknown key `output`"#), "{text}");
    assert_eq!(err.problems().len(), 2, "{text}");
}

#[test]
fn a_pipeline_input_that_violates_the_schema_names_the_input_and_rule() {
    let mut a = args("lambda-multi-svc/service-crud/v1", "lambda-multi-svc/specs/svc-spec.yaml", None);
    a.environments = Some(inputs().join("environments.yaml"));
    let err = render(&a).unwrap_err();
    assert!(format!("{err:#}").contains("pipeline: `packaging_commands` is not an input"), "{err:#}");
    a.spec = spec_file(
        "proton: ServiceSpec\npipeline:\n  unit_test_command: ''\ninstances:\n  - name: beta\n    environment: multi-svc-beta\n    spec: {}\n",
    );
    let err = render(&a).unwrap_err();
    assert!(
        format!("{err:#}").contains("pipeline: input `unit_test_command` has a length of 0, below its minLength 1"),
        "{err:#}"
    );
}

#[test]
fn a_codebuild_or_terraform_bundle_is_refused_naming_its_manifest() {
    let bundle = tempdir().join("codebuild");
    copy_dir(&fixtures().join("environment-templates/vpc-env/v1"), &bundle);
    let manifest = bundle.join("infrastructure/manifest.yaml");
    std::fs::write(&manifest, "infrastructure:\n  templates:\n    - rendering_engine: codebuild\n      settings: {}\n")
        .unwrap();
    let mut a = args("environment-templates/vpc-env/v1", "environment-templates/vpc-env/spec/spec.yaml", None);
    a.bundle = bundle;
    match render(&a).unwrap_err() {
        cloudwright_constructs::Error::Input { path, message } => {
            assert_eq!(path, manifest.display().to_string());
            assert!(message.contains("rendering_engine codebuild and template_language (none)"), "{message}");
        }
        other => panic!("{other}"),
    }
}

/// The in-memory entry point `proton migrate` uses: a parsed spec and the environments'
/// facts in, one `RenderedStack` per environment, instance and pipeline out.
#[test]
fn render_spec_renders_in_memory() {
    use cloudwright_toolkit::proton::render::{
        Bundle, EnvironmentFacts, Environments, ServiceSource, SpecInput, StackKind, render_spec,
    };
    let bundle = Bundle::open(&fixtures().join("lambda-multi-svc/service-crud/v1")).unwrap();
    let mut environments = Environments::with_default("999999999999", "us-east-1");
    let outputs = serde_json::json!({"TableName": "tasks", "AppBucketArn": "arn:aws:s3:::b"});
    environments.by_name.insert(
        "beta".into(),
        EnvironmentFacts {
            account: "111111111111".into(),
            region: "eu-west-1".into(),
            outputs: outputs.as_object().cloned().unwrap(),
        },
    );
    let spec: Value = serde_json::json!({"proton": "ServiceSpec",
        "instances": [{"name": "one", "environment": "beta", "spec": {}}]});
    let stacks = render_spec(&SpecInput {
        bundle: &bundle,
        spec: &spec,
        spec_path: "crud.yaml",
        name: "crud",
        environments: &environments,
        components: &serde_json::Map::new(),
        source: &ServiceSource::default(),
    })
    .unwrap();
    assert_eq!(stacks.len(), 2);
    assert_eq!(stacks[0].name, "crud-one");
    assert_eq!(stacks[0].kind, StackKind::ServiceInstance { instance: "one".into(), environment: "beta".into() });
    assert_eq!((stacks[0].account.as_str(), stacks[0].region.as_str()), ("111111111111", "eu-west-1"));
    assert_eq!(stacks[1].kind, StackKind::Pipeline);
    assert_eq!(stacks[1].account, "999999999999");
    assert!(stacks[1].template["Resources"]["Pipeline"].is_object());
}

#[test]
fn an_instance_input_that_violates_the_schema_names_instance_input_and_rule_and_writes_nothing() {
    let spec = spec_file(
        "proton: ServiceSpec\ninstances:\n  - name: web\n    environment: workshop-dev\n    spec:\n      task_size: huge\n      port: 70000\n",
    );
    let out = tempdir().join("never-written");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_cloudwright"))
        .args(["proton", "render"])
        .arg(fixtures().join("../aws-proton-workshop-code/aws-managed/lb-fargate-service/v1"))
        .arg("--spec")
        .arg(&spec)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains(&spec.display().to_string()), "{stderr}");
    assert!(
        stderr.contains(r#"instance "web": input `task_size` is "huge", which is not one of "x-small""#),
        "{stderr}"
    );
    assert!(stderr.contains(r#"instance "web": input `port` is 70000, above its maximum 65535"#), "{stderr}");
    assert!(!out.exists());
}

/// The aws-samples component renders as a stack of its own in the instance's environment.
#[test]
fn a_directly_defined_component_renders_in_its_instances_environment() {
    use cloudwright_toolkit::proton::render::{ComponentInput, Environments, StackKind, assembly, render_component};
    let environments =
        Environments::with_default("000000000000", "us-east-1").read(&inputs().join("environments.yaml")).unwrap();
    let stack = render_component(&ComponentInput {
        dir: &fixtures().join("component-templates/s3-bucket-component"),
        name: "bucket",
        service: "lb",
        instance: "load-balanced-fargate-svc-prod",
        instance_inputs: &serde_json::json!({}),
        environment: "fargate-env-prod",
        environments: &environments,
    })
    .unwrap();
    assert_eq!(stack.name, "lb-load-balanced-fargate-svc-prod-bucket");
    assert_eq!(
        stack.kind,
        StackKind::Component { component: "bucket".into(), instance: "load-balanced-fargate-svc-prod".into() }
    );
    assert_eq!((stack.account.as_str(), stack.region.as_str()), ("222222222222", "eu-west-1"));
    assert!(stack.template["Outputs"]["BucketAccessPolicyArn"].is_object());
    let assembly = assembly(&[stack]).unwrap();
    // CLOUDWRIGHT_RENDER_OUT keeps the assembly for the cfn-lint oracle.
    if let Some(dir) = std::env::var_os("CLOUDWRIGHT_RENDER_OUT") {
        assembly.write(Path::new(&dir)).unwrap();
    }
    assert_eq!(assembly.stacks().len(), 1);
}

#[test]
fn an_instance_without_an_environment_is_an_error_naming_it() {
    let mut a = args("lambda-multi-svc/service-crud/v1", "lambda-multi-svc/specs/svc-spec.yaml", None);
    a.spec = spec_file("proton: ServiceSpec\ninstances:\n  - name: beta\n    spec: {}\n");
    let err = render_files(&a).unwrap_err();
    assert!(format!("{err:#}").contains("instance 1 needs a `name` and an `environment`"), "{err:#}");
}
