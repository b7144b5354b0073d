//! `cloudwright proton migrate` on a template-sync repository built from AWS's sample bundles
//! (`fixtures/proton/aws-samples`), the bundles and specs `cloudwright synth` writes, and a
//! hand-written service with a pipeline (`fixtures/proton/migrate/repo`); the takeover of
//! deployed stacks (`fixtures/proton/migrate/deployed`); and bad input.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use cloudwright_core::synth::weak_reference;
use common::{run, scratch, text};
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/proton")
}

/// The fixture repository in `dir/repo`: AWS's `lambda-env` with its spec and `service-crud`
/// (its pipeline, which uses Jinja's `tojson`, included), our own synth's `proton/` and the
/// committed `migrate/repo` files.
fn repository(dir: &Path) -> PathBuf {
    let repo = dir.join("repo");
    let samples = fixtures().join("aws-samples/lambda-multi-svc");
    common::copy_dir(&fixtures().join("migrate/repo"), &repo);
    common::copy_dir(&samples.join("lambda-env"), &repo.join("lambda-multi-svc/lambda-env"));
    common::copy_dir(&samples.join("service-crud/v1"), &repo.join("lambda-multi-svc/service-crud/v1"));
    fs::create_dir_all(repo.join("lambda-multi-svc/specs")).unwrap();
    fs::copy(samples.join("specs/env-spec.yaml"), repo.join("lambda-multi-svc/specs/env-spec.yaml")).unwrap();
    let synth = dir.join("synth");
    let out = run(dir, &["synth", "-q", "-o", synth.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    common::copy_dir(&synth.join("proton"), &repo.join("proton"));
    repo
}

fn deployed_args() -> Vec<String> {
    let d = fixtures().join("migrate/deployed");
    let mut args = Vec::new();
    for f in ["describe-stacks-222222222222.json", "describe-stacks-111111111111.json"] {
        args.push("--deployed".to_owned());
        args.push(d.join(f).display().to_string());
    }
    args.push("--deployed-templates".into());
    args.push(d.join("templates").display().to_string());
    args
}

fn migrate(dir: &Path, repo: &Path, out: &Path, extra: &[String]) -> std::process::Output {
    let mut args: Vec<String> =
        vec!["proton".into(), "migrate".into(), repo.display().to_string(), "-o".into(), out.display().to_string()];
    args.extend(extra.iter().cloned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(dir, &args)
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

/// Where CI's oracle step finds the migrated fixture (`cargo xtask ci`: check-assembly).
fn oracle_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("proton-migrate/assembly")
}

#[test]
fn migrates_the_repository_and_takes_over_the_deployed_stacks() {
    let dir = scratch("takeover");
    let repo = repository(&dir);
    let out = oracle_dir();
    let result = migrate(&dir, &repo, &out, &deployed_args());
    assert!(result.status.success(), "{}", text(&result.stderr));
    assert!(text(&result.stdout).contains("migrated 12 stacks"), "{}", text(&result.stdout));

    // One nested assembly per account; the environment before the instances reading it.
    let top = json(&out.join("manifest.json"));
    let nested: Vec<&String> = top["artifacts"].as_object().unwrap().keys().collect();
    assert_eq!(
        nested,
        [
            "assembly-000000000000",
            "assembly-111111111111",
            "assembly-200000000000",
            "assembly-222222222222",
            "assembly-300000000000"
        ]
    );
    let beta = json(&out.join("assembly-222222222222/manifest.json"));
    let ids: Vec<&String> = beta["artifacts"].as_object().unwrap().keys().collect();
    assert_eq!(ids[0], "AWSProtonmultisvcbetacfnstack1a2b3c");

    // Taken over by the Proton tags: the deployed names, both tag forms, the user's tags kept.
    let env = &beta["artifacts"]["AWSProtonmultisvcbetacfnstack1a2b3c"];
    assert_eq!(env["properties"]["stackName"], "AWSProton-multi-svc-beta-cfn-stack-1a2b3c");
    assert_eq!(env["properties"]["tags"]["team"], "platform");
    let queues = &beta["artifacts"]["AWSProtonqueuesbetacfnstackaa11bb"];
    assert_eq!(queues["properties"]["stackName"], "AWSProton-queues-beta-cfn-stack-aa11bb");
    assert_eq!(queues["dependencies"], serde_json::json!(["AWSProtonmultisvcbetacfnstack1a2b3c"]));
    assert_eq!(beta["artifacts"]["crudbackend"]["properties"]["stackName"], "crud-back-end");

    // Environment outputs are references to the deployed environment stack, not copies.
    let crud = json(&out.join("assembly-222222222222/AWSProtoncrudfrontendcfnstack4d5e6f.template.json"));
    let table = &crud["Resources"]["ListFunction"]["Properties"]["Environment"]["Variables"]["TABLE_NAME"];
    assert_eq!(
        table,
        &serde_json::json!({"Fn::GetStackOutput": {"StackName": "AWSProton-multi-svc-beta-cfn-stack-1a2b3c", "OutputName": "TableName", "Region": "us-east-1"}})
    );
    // The pipeline reads an instance in another account: core's reader role there (the one
    // weak references add), trusted by the pipeline account's bootstrap execution role.
    let pipeline = json(&out.join("assembly-111111111111/AWSProtonqueuespipelinecfnstackcc22dd.template.json"));
    let reference = pipeline.to_string();
    let role_name = weak_reference::reader_role_name("AWSProton-queues-beta-cfn-stack-aa11bb", "111111111111");
    assert!(reference.contains(&format!("iam::222222222222:role/{role_name}")), "{reference}");
    let queue_stack = json(&out.join("assembly-222222222222/AWSProtonqueuesbetacfnstackaa11bb.template.json"));
    let deployers = ["cdk-hnb659fds-cfn-exec-role-111111111111-us-east-1".to_owned()].into();
    assert_eq!(
        queue_stack["Resources"][weak_reference::reader_logical_id("111111111111")],
        weak_reference::reader_role(&role_name, "111111111111", &deployers, None)
    );
    // The service pipeline of AWS's sample renders (its buildspec uses `tojson`) with the
    // literal outputs of its instances.
    let crud_pipeline = json(&out.join("assembly-111111111111/crudpipeline.template.json"));
    let buildspec = crud_pipeline["Resources"]["BuildProject"]["Properties"]["Source"]["BuildSpec"].as_str().unwrap();
    assert!(buildspec.contains(r#""runtime-versions": {"java": "openjdk11.x"}"#), "{buildspec}");
    assert!(buildspec.contains("make test"), "{buildspec}");
    // A literal output is the value itself.
    assert!(reference.contains("\"Value\": \"86400\"") || reference.contains("\"Value\":\"86400\""), "{reference}");

    let report = fs::read_to_string(out.join("MIGRATION.md")).unwrap();
    assert!(report.contains("would replace `AppBucket`"), "{report}");
    assert!(report.contains("would delete `LegacyQueue`"), "{report}");
    assert!(report.contains("`AWSProton-legacy-worker-cfn-stack-778899`"), "{report}");
    assert!(!report.contains("CDKToolkit"), "a stack Proton did not deploy is none of the migration's business");

    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots/proton_migrate");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::assert_snapshot!("MIGRATION.md", report);
        for m in ["manifest.json", "assembly-111111111111/manifest.json", "assembly-222222222222/manifest.json"] {
            insta::assert_snapshot!(m.replace('/', "__"), fs::read_to_string(out.join(m)).unwrap());
        }
    });
}

#[test]
fn without_deployed_stacks_every_stack_is_new() {
    let dir = scratch("fresh");
    let repo = repository(&dir);
    let out = dir.join("out");
    let result = migrate(&dir, &repo, &out, &[]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let beta = json(&out.join("assembly-222222222222/manifest.json"));
    assert_eq!(beta["artifacts"]["multisvcbeta"]["properties"]["stackName"], "multi-svc-beta");
    let report = fs::read_to_string(out.join("MIGRATION.md")).unwrap();
    assert!(report.contains("No deployed stacks were given"), "{report}");
}

/// Runs migrate on a broken copy of the repository: exit 2, the message, nothing written.
fn refused(name: &str, breaks: impl FnOnce(&Path), extra: &[String], expected: &[&str]) {
    let dir = scratch(name);
    let repo = repository(&dir);
    breaks(&repo);
    let out = dir.join("out");
    let result = migrate(&dir, &repo, &out, extra);
    let stderr = text(&result.stderr);
    assert_eq!(result.status.code(), Some(2), "{stderr}");
    for e in expected {
        assert!(stderr.contains(e), "{name}: expected {e:?} in {stderr}");
    }
    assert!(!out.exists(), "{name}: nothing is written on error");
}

#[test]
fn an_instance_in_an_environment_the_repository_lacks_is_refused() {
    refused(
        "unknown-env",
        |repo| {
            let spec = repo.join("specs/queues.yaml");
            let text =
                fs::read_to_string(&spec).unwrap().replace("environment: multi-svc-beta", "environment: staging");
            fs::write(spec, text).unwrap();
        },
        &[],
        &["specs/queues.yaml", "instance \"beta\" runs in environment \"staging\", which is not in the repository"],
    );
}

#[test]
fn a_major_version_the_repository_lacks_is_refused() {
    refused(
        "missing-major",
        |repo| {
            let config = repo.join("migration.yaml");
            let text = fs::read_to_string(&config).unwrap().replacen(
                "template: lambda-env\n    major: 1",
                "template: lambda-env\n    major: 2",
                1,
            );
            fs::write(config, text).unwrap();
        },
        &[],
        &["migration.yaml", "major version 2 of template \"lambda-env\", which the repository lacks (found: v1 at"],
    );
}

#[test]
fn a_file_that_is_not_describe_stacks_output_is_refused() {
    for (name, content, why) in [
        ("not-json", "Stacks:\n  - StackName: x\n", "not JSON"),
        ("no-stacks", r#"{"StackSummaries": []}"#, "no `Stacks` list"),
        ("no-id", r#"{"Stacks": [{"StackName": "x"}]}"#, "Stacks[0] has no StackName or StackId"),
    ] {
        let file = scratch(&format!("deployed-{name}")).join("stacks.json");
        fs::write(&file, content).unwrap();
        let args = vec!["--deployed".to_owned(), file.display().to_string()];
        refused(name, |_| {}, &args, &["is not the output of `aws cloudformation describe-stacks", why]);
    }
}

#[test]
fn an_output_changed_by_a_filter_is_refused() {
    refused(
        "filtered-output",
        |repo| {
            let t = repo.join("templates/queue-svc/v1/instance_infrastructure/cloudformation.yaml");
            let text = fs::read_to_string(&t).unwrap().replace(
                "Value: {{ environment.outputs.TableName }}",
                "Value: {{ environment.outputs.TableName | upper }}",
            );
            fs::write(t, text).unwrap();
        },
        &[],
        &["changed by a filter", "/Resources/Queue/Properties/Tags/0/Value"],
    );
}

#[test]
fn an_input_the_schema_refuses_is_named() {
    refused(
        "bad-input",
        |repo| {
            let spec = repo.join("specs/queues.yaml");
            let text = fs::read_to_string(&spec).unwrap().replace("retention_seconds: 86400", "retention_seconds: 10");
            fs::write(spec, text).unwrap();
        },
        &[],
        &["specs/queues.yaml", "service \"queues\" instance \"beta\"", "retention_seconds"],
    );
}

#[test]
fn a_template_the_repository_lacks_is_refused() {
    refused(
        "missing-template",
        |repo| {
            let spec = repo.join("specs/queues.yaml");
            let text =
                fs::read_to_string(&spec).unwrap().replace("# template: queue-svc:1", "# template: queue-service:1");
            fs::write(spec, text).unwrap();
        },
        &[],
        &["specs/queues.yaml", "names template \"queue-service\", which is not in the repository"],
    );
}

/// Every JSON file of an assembly directory (manifests and templates), parsed, by path.
fn assembly_json(dir: &Path) -> std::collections::BTreeMap<String, Value> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.insert(path.strip_prefix(dir).unwrap().display().to_string(), json(&path));
            }
        }
    }
    out
}

/// `--rust`: the project builds; its synth writes the repository again, from typed
/// templates where the translation could express them; and `proton migrate` of that gives
/// the same stacks, manifests and takeover as of the original repository.
#[test]
fn the_rust_project_synthesizes_the_same_stacks() {
    let dir = scratch("rust");
    let repo = repository(&dir);
    let (original, project) = (dir.join("original"), dir.join("migrated-app"));
    let mut args = deployed_args();
    args.extend(["--rust".to_owned(), project.display().to_string()]);
    let result = migrate(&dir, &repo, &original, &args);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let stdout = text(&result.stdout);
    assert!(stdout.contains("4 templates as Rust, 1 kept as Jinja"), "{stdout}");
    assert!(stdout.contains("kept service-crud v1: instance_infrastructure/cloudformation.yaml:16"), "{stdout}");

    // Typed: inputs from the schema (defaults, checks), resources as L1s, parameters as accessors.
    let lambda_env = fs::read_to_string(project.join("src/templates/lambda_env_v1.rs")).unwrap();
    for part in [
        "pub struct EnvironmentInput {",
        "#[schemars(length(min = 1, max = 100))]",
        "cfn::dynamodb::CfnTable::new(",
        "attribute_name: Some(Value::Expr(ctx.input(\"ttl_attribute\")))",
        "ctx.output(",
        "stack.add_transform(\"AWS::Serverless-2016-10-31\")",
    ] {
        assert!(lambda_env.contains(part), "{part} not in\n{lambda_env}");
    }
    // A pipeline's `service_instances` loop over list items is the context's loop.
    let queue_svc = fs::read_to_string(project.join("src/templates/queue_svc_v1.rs")).unwrap();
    assert!(queue_svc.contains("Expr::List(ctx.for_each_instance(|i| i.output(\"QueueArn\")))"), "{queue_svc}");
    let readme = fs::read_to_string(project.join("README.md")).unwrap();
    assert!(readme.contains("`service-crud v1`: kept as Jinja"), "{readme}");

    // Built apart from this workspace's target directory, which `cargo test` holds locked.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("migrated-app-target");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let synth = std::process::Command::new(cargo)
        .args(["run", "--offline", "--quiet", "--", "synth", "-q", "-o", "cloudwright.out"])
        .current_dir(&project)
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap();
    assert!(synth.status.success(), "{}", text(&synth.stderr));
    assert!(!text(&synth.stderr).contains("warning"), "the generated project has warnings:\n{}", text(&synth.stderr));

    let again = dir.join("again");
    let result = migrate(&dir, &project.join("cloudwright.out/proton"), &again, &deployed_args());
    assert!(result.status.success(), "{}", text(&result.stderr));
    let (before, after) = (assembly_json(&original), assembly_json(&again));
    assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>());
    for (path, template) in &before {
        // Equal as JSON: the typed closures add resources in dependency order, so the
        // template's key order differs, which CloudFormation does not read.
        assert_eq!(template, &after[path], "{path} differs");
    }
    // The check the project's README gives its users.
    let diff = run(&dir, &["diff", original.to_str().unwrap(), again.to_str().unwrap()]);
    assert_eq!(diff.status.code(), Some(0), "{}", text(&diff.stdout));
}

#[test]
fn a_rust_project_into_a_directory_with_files_is_refused() {
    let dir = scratch("rust-project-taken");
    let taken = dir.join("taken");
    fs::create_dir_all(&taken).unwrap();
    fs::write(taken.join("main.rs"), "// mine\n").unwrap();
    refused(
        "rust-taken",
        |_| {},
        &["--rust".to_owned(), taken.display().to_string()],
        &["taken is not empty", "nothing was written"],
    );
    assert_eq!(fs::read_dir(&taken).unwrap().count(), 1, "the user's file is left alone");
}
