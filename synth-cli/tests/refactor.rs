//! `cloudwright refactor` and the moves of `cloudwright diff` on apps synthesized twice: a
//! renamed bucket, a queue moved to a sibling stack, a move mixed with another change,
//! alike resources settled by a mapping file, a move to another account, bad mapping files.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

mod common;

use common::{run, scratch, text};

use std::fs;
use std::path::Path;

use cloudwright_constructs::s3::{Bucket, BucketProps};
use cloudwright_constructs::sns::{Topic, TopicProps};
use cloudwright_constructs::sqs::{Queue, QueueProps};
use cloudwright_constructs::{App, AppProps, Environment, Stack, StackProps};
use serde_json::Value;

/// What differs between the versions of the test app.
#[derive(Clone, Copy, Default)]
struct Version {
    /// The bucket's construct id.
    bucket: &'static str,
    /// The stack the queue is in.
    queue_stack: &'static str,
    /// The account of the `Work` stack.
    work_account: &'static str,
    /// An unrelated new topic in `Storage`.
    extra_topic: bool,
    /// Ids of two alike topics in `Storage`.
    alike: Option<[&'static str; 2]>,
}

const V1: Version = Version {
    bucket: "Archive",
    queue_stack: "Web",
    work_account: "111111111111",
    extra_topic: false,
    alike: Some(["One", "Two"]),
};

fn synth(dir: &Path, name: &str, v: Version) {
    let app = App::with_props(AppProps::default());
    let env = |account: &str| StackProps { env: Environment::new(account, "us-east-1"), ..Default::default() };
    let storage = Stack::new(&app, "Storage", env("111111111111")).unwrap();
    let web = Stack::new(&app, "Web", env("111111111111")).unwrap();
    let work = Stack::new(&app, "Work", env(v.work_account)).unwrap();
    Bucket::new(&storage, v.bucket, BucketProps::default()).unwrap();
    Topic::new(&web, "Alerts", TopicProps::default()).unwrap();
    Topic::new(&work, "Events", TopicProps::default()).unwrap();
    let queue_scope = if v.queue_stack == "Web" { &web } else { &work };
    Queue::new(queue_scope, "Jobs", QueueProps::default()).unwrap();
    if v.extra_topic {
        Topic::new(&storage, "Extra", TopicProps::default()).unwrap();
    }
    for id in v.alike.into_iter().flatten() {
        Topic::new(&storage, id, TopicProps::default()).unwrap();
    }
    app.synth(dir.join(name)).unwrap();
}

fn refactor(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let mut all = vec!["refactor", "old", "new", "-o", "plan"];
    all.extend_from_slice(args);
    let out = run(dir, &all);
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

/// Copies the plan where `cargo xtask ci` validates it against botocore's model
/// (`scripts/check-refactor.sh`).
fn keep_for_ci(dir: &Path, case: &str) {
    let kept = Path::new(env!("CARGO_TARGET_TMPDIR")).join("refactor").join(case);
    let _ = fs::remove_dir_all(&kept);
    common::copy_dir(&dir.join("plan"), &kept);
}

fn request(dir: &Path) -> Value {
    serde_json::from_slice(&fs::read(dir.join("plan/111111111111-us-east-1/create-stack-refactor.json")).unwrap())
        .unwrap()
}

#[test]
fn a_rename_and_a_move_make_one_refactor() {
    let dir = scratch("refactor-ok");
    synth(&dir, "old", V1);
    synth(&dir, "new", Version { bucket: "ArchiveV2", queue_stack: "Work", ..V1 });

    let diff = run(&dir, &["diff", "old", "new"]);
    let shown = text(&diff.stdout);
    assert!(shown.contains("0 removed, 3 moved; 1 resource with data loss"), "{shown}");
    assert!(shown.contains("(moved from Storage.Archive"), "{shown}");
    assert!(shown.contains("> AWS::SQS::Queue Jobs"), "{shown}");
    assert!(shown.contains("(moved from Web.Jobs"), "{shown}");
    assert!(shown.contains("keep_former_id(\"Archive\")"), "{shown}");

    let (code, stdout, stderr) = refactor(&dir, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("bash plan/111111111111-us-east-1/refactor.sh"), "{stdout}");
    let request = request(&dir);
    let mappings = request["ResourceMappings"].as_array().unwrap();
    let pairs: Vec<String> = mappings
        .iter()
        .map(|m| {
            let end = |e: &Value| {
                format!("{}.{}", e["StackName"].as_str().unwrap(), e["LogicalResourceId"].as_str().unwrap())
            };
            format!("{} -> {}", end(&m["Source"]), end(&m["Destination"]))
        })
        .collect();
    assert_eq!(
        pairs,
        [
            "Web.JobsDF1CC2D4 -> Work.JobsDF1CC2D4",
            "Storage.ArchiveDA4CB258 -> Storage.ArchiveV2D864CA9B",
            "Storage.ArchivePolicyA09DB26D -> Storage.ArchiveV2Policy829A17A4"
        ]
    );
    let stacks: Vec<&str> =
        request["StackDefinitions"].as_array().unwrap().iter().map(|d| d["StackName"].as_str().unwrap()).collect();
    assert_eq!(stacks, ["Storage", "Web", "Work"]);
    // The templates sent are the new ones.
    let body: Value = serde_json::from_str(request["StackDefinitions"][2]["TemplateBody"].as_str().unwrap()).unwrap();
    assert!(body["Resources"].as_object().unwrap().keys().any(|k| k.starts_with("Jobs")));
    keep_for_ci(&dir, "rename-and-move");
    let script = fs::read_to_string(dir.join("plan/111111111111-us-east-1/refactor.sh")).unwrap();
    assert!(script.contains("get-stack-policy") && script.contains("execute-stack-refactor"), "{script}");
    assert!(script.contains("for stack in Storage Web; do"), "{script}");
}

#[test]
fn a_move_mixed_with_another_change_is_refused_with_the_order_to_follow() {
    let dir = scratch("refactor-mixed");
    synth(&dir, "old", V1);
    synth(&dir, "new", Version { bucket: "ArchiveV2", extra_topic: true, ..V1 });
    fs::create_dir_all(dir.join("plan")).unwrap();
    fs::write(dir.join("plan/keep.txt"), "previous plan").unwrap();
    let (code, _, stderr) = refactor(&dir, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("AWS::SNS::Topic Storage.Extra"), "{stderr}");
    assert!(stderr.contains(": added\n"), "{stderr}");
    assert!(stderr.contains("ship the renames and moves alone first (refactor, then deploy)"), "{stderr}");
    assert_eq!(fs::read_to_string(dir.join("plan/keep.txt")).unwrap(), "previous plan", "nothing written");
}

#[test]
fn alike_resources_need_a_mapping_and_bad_mappings_name_their_line() {
    let dir = scratch("refactor-ambiguous");
    synth(&dir, "old", V1);
    synth(&dir, "new", Version { alike: Some(["Uno", "Dos"]), ..V1 });
    let (code, _, stderr) = refactor(&dir, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("say which moved where in a mapping file"), "{stderr}");

    let ids = |side: &str| -> Vec<String> {
        let t: Value =
            serde_json::from_slice(&fs::read(dir.join(side).join("Storage.template.json")).unwrap()).unwrap();
        t["Resources"].as_object().unwrap().keys().filter(|k| k.starts_with(['O', 'T', 'U', 'D'])).cloned().collect()
    };
    let (old, new) = (ids("old"), ids("new"));
    let find = |ids: &[String], prefix: &str| ids.iter().find(|i| i.starts_with(prefix)).unwrap().clone();
    let mapping = format!(
        "{{\"environments\": [{{\"account\": \"111111111111\", \"region\": \"us-east-1\",\n \"resources\": {{\n  \"Storage.{}\": \"Storage.{}\",\n  \"Storage.{}\": \"Storage.{}\"\n}}}}]}}",
        find(&old, "One"),
        find(&new, "Uno"),
        find(&old, "Two"),
        find(&new, "Dos")
    );
    fs::write(dir.join("mapping.json"), &mapping).unwrap();
    let (code, stdout, stderr) = refactor(&dir, &["--mapping", "mapping.json"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("AWS::SNS::Topic `Storage.One"), "{stdout}");
    keep_for_ci(&dir, "mapped");

    // Bad mapping files: each names the file and line; nothing is written.
    fs::remove_dir_all(dir.join("plan")).unwrap();
    for (file, content, expected) in [
        ("syntax.json", "{\"environments\": [\n  {\"account\": ", "syntax.json:2: is not a mapping file"),
        (
            "missing.json",
            "{\"environments\": [{\"account\": \"111111111111\", \"region\": \"us-east-1\",\n \"resources\": {\"Storage.Nope\": \"Storage.Nada\"}}]}",
            "missing.json:2: the old side has no resource Storage.Nope",
        ),
        (
            "form.json",
            "{\"environments\": [{\"account\": \"1111\", \"region\": \"us-east-1\", \"resources\": {}}]}",
            "form.json:1: account \"1111\" is not a 12-digit AWS account id",
        ),
    ] {
        fs::write(dir.join(file), content).unwrap();
        let (code, _, stderr) = refactor(&dir, &["--mapping", file]);
        assert_eq!(code, Some(2), "{file}: {stderr}");
        assert!(stderr.contains(expected), "{file}: {stderr}");
        assert!(!dir.join("plan").exists(), "{file}: nothing written");
    }
}

#[test]
fn a_move_to_another_account_is_refused() {
    let dir = scratch("refactor-account");
    synth(&dir, "old", Version { work_account: "222222222222", ..V1 });
    synth(&dir, "new", Version { work_account: "222222222222", queue_stack: "Work", ..V1 });
    let (code, _, stderr) = refactor(&dir, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("CloudFormation cannot move a resource to another account or region"), "{stderr}");
    let diff = text(&run(&dir, &["diff", "old", "new"]).stdout);
    assert!(diff.contains("CloudFormation cannot move it there"), "{diff}");
}

/// The reference system's environment template, upgraded from the workshop's 1.0 to our 1.1
/// (docs/refactoring.md): `diff` says the network is replaced, `refactor` says why it cannot
/// be kept.
#[test]
fn upgrading_multi_svc_env_says_its_network_is_replaced() {
    let dir = scratch("refactor-multi-svc-env");
    cloudwright_examples::proton::app().unwrap().synth(dir.join("synth")).unwrap();
    let workshop = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/proton/aws-proton-workshop-code/aws-managed/multi-svc-env/v1");
    fs::write(
        dir.join("spec-1.0.yaml"),
        "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.0.0.0/16\n  dns_hostname: dev.local\n",
    )
    .unwrap();
    fs::write(dir.join("envs.yaml"), "multi-svc-dev:\n  account: \"222222222222\"\n  region: us-east-1\n").unwrap();
    let render = |bundle: &str, spec: &str, out: &str| {
        let args = [
            "proton",
            "render",
            bundle,
            "--spec",
            spec,
            "--name",
            "multi-svc-dev",
            "--environments",
            "envs.yaml",
            "-o",
            out,
        ];
        let done = run(&dir, &args);
        assert_eq!(done.status.code(), Some(0), "{}", text(&done.stderr));
    };
    render(workshop.to_str().unwrap(), "spec-1.0.yaml", "v1.0");
    render("synth/proton/multi-svc-env/v1", "synth/proton/specs/environment-multi-svc-dev.yaml", "v1.1");

    let shown = text(&run(&dir, &["diff", "v1.0", "v1.1"]).stdout);
    for replaced in [
        "? AWS::EC2::VPC: multi-svc-dev.VPC removed and multi-svc-dev.Vpc8378EB38 added in the same stack: a replacement",
        "? AWS::EC2::SecurityGroup: multi-svc-dev.ContainerSecurityGroup removed",
        "? AWS::EC2::Subnet: multi-svc-dev.PublicSubnetOne, multi-svc-dev.PublicSubnetTwo, multi-svc-dev.PublicSubnetThree removed",
    ] {
        assert!(shown.contains(replaced), "{replaced}\n{shown}");
    }
    fs::write(
        dir.join("mapping.json"),
        r#"{"environments": [{"account": "222222222222", "region": "us-east-1", "resources": {
  "multi-svc-dev.PublicSubnetOne": "multi-svc-dev.VpcPublicSubnet1Subnet5C2D37C4",
  "multi-svc-dev.ContainerSecurityGroup": "multi-svc-dev.SecurityGroupDD263621"}}]}"#,
    )
    .unwrap();
    let shown = text(&run(&dir, &["diff", "v1.0", "v1.1", "--mapping", "mapping.json"]).stdout);
    assert!(
        shown.contains("> AWS::EC2::Subnet VpcPublicSubnet1Subnet5C2D37C4 (moved from multi-svc-dev.PublicSubnetOne) (will be replaced)"),
        "{shown}"
    );
    assert!(shown.contains("Properties.GroupDescription: \"Access to the ECS Containers\" -> \"Services of the multi-svc-env environment\" (requires replacement)"), "{shown}");
    let out = run(&dir, &["refactor", "v1.0", "v1.1", "--mapping", "mapping.json", "-o", "plan"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("AWS::EC2::SecurityGroup multi-svc-dev.ContainerSecurityGroup -> multi-svc-dev.SecurityGroupDD263621: it moves and its properties change"), "{stderr}");
}
