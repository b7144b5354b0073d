//! Bad input: each case gives a clear error naming the construct path, and nothing is written.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use cloudwright_core::{
    App, CfnResource, Construct, Environment, Error, Expr, Group, Node, Stack, StackProps, Stage, StageProps,
};
use serde_json::{Map, json};

fn env(account: &str, region: &str) -> StackProps {
    StackProps { env: Environment::new(account, region), ..Default::default() }
}

fn queue(scope: &impl cloudwright_core::Construct, id: &str) -> CfnResource {
    CfnResource::new(scope, id, "AWS::SQS::Queue", Map::new()).unwrap()
}

/// Synthesizes into a fresh directory, asserting nothing is written on error.
fn synth_err(app: &App) -> Error {
    let dir = std::env::temp_dir().join(format!("cw-bad-{}-{}", std::process::id(), rand_suffix()));
    let err = app.synth(&dir).expect_err("synthesis should fail");
    assert!(!dir.exists(), "nothing may be written when synthesis fails");
    err
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

#[test]
fn empty_id() {
    let app = App::new();
    let stack = Stack::new(&app, "S", env("111111111111", "us-east-1")).unwrap();
    let err = CfnResource::new(&stack, "", "AWS::SQS::Queue", Map::new()).unwrap_err();
    assert_eq!(err.to_string(), "S: invalid construct id \"\": ids must not be empty; give the construct a name");
}

#[test]
fn id_with_slash() {
    let app = App::new();
    let err = Stack::new(&app, "a/b", StackProps::default()).unwrap_err();
    assert!(matches!(&err, Error::InvalidId { id, .. } if id == "a/b"));
    assert!(err.to_string().starts_with("App: invalid construct id \"a/b\": ids must not contain '/'"), "{err}");
}

#[test]
fn duplicate_id_in_a_scope() {
    let app = App::new();
    let stack = Stack::new(&app, "S", env("111111111111", "us-east-1")).unwrap();
    queue(&stack, "Q");
    let err = Group::new(&stack, "Q").unwrap_err();
    assert_eq!(
        err.to_string(),
        "S/Q: duplicate construct id: a CfnResource already has this path; give the new construct another id"
    );
    // The same id under another scope is fine.
    let group = Group::new(&stack, "G").unwrap();
    queue(&group, "Q");
}

#[test]
fn elements_outside_a_stack() {
    let app = App::new();
    let err = CfnResource::new(&app, "Q", "AWS::SQS::Queue", Map::new()).unwrap_err();
    assert!(err.to_string().contains("must be defined inside a Stack"), "{err}");
    let stack = Stack::new(&app, "S", StackProps::default()).unwrap();
    let err = Stack::new(&stack, "Inner", StackProps::default()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("S/Inner: a Stack cannot be defined inside another Stack; add it to the App or a Stage"),
        "{err}"
    );
}

#[test]
fn malformed_account_id() {
    let app = App::new();
    let stage = Stage::new(&app, "Dev", StageProps { env: Environment::new("12345678901", "us-east-1") }).unwrap();
    let stack = Stack::new(&stage, "S", StackProps::default()).unwrap();
    queue(&stack, "Q");
    let err = synth_err(&app);
    assert_eq!(
        err.to_string(),
        "Dev: account id \"12345678901\" is not 12 digits; write the account id as 12 decimal digits, e.g. \"123456789012\""
    );
}

#[test]
fn unknown_region() {
    let app = App::new();
    let stack = Stack::new(&app, "S", env("111111111111", "us-easst-1")).unwrap();
    queue(&stack, "Q");
    let err = synth_err(&app);
    assert_eq!(err.to_string(), "S: unknown region \"us-easst-1\"; did you mean us-east-1?");
}

#[test]
fn strong_reference_across_accounts() {
    let app = App::new();
    let producer = Stack::new(&app, "Producer", env("111111111111", "us-east-1")).unwrap();
    let topic = CfnResource::new(&producer, "Topic", "AWS::SNS::Topic", Map::new()).unwrap();
    let consumer = Stack::new(&app, "Consumer", env("222222222222", "us-east-1")).unwrap();
    let mut props = Map::new();
    props.insert("TopicArn".into(), topic.reference().strong().into());
    props.insert("Protocol".into(), json!("email"));
    CfnResource::new(&consumer, "Sub", "AWS::SNS::Subscription", props).unwrap();
    let err = synth_err(&app);
    let text = err.to_string();
    assert!(matches!(err, Error::CrossEnvironmentReference { .. }), "{text}");
    assert!(
        text.starts_with(
            "Consumer/Sub: refers to Producer/Topic with a strong reference (`Expr::strong`), but Producer/Topic \
             deploys to aws://111111111111/us-east-1 while this stack deploys to aws://222222222222/us-east-1"
        ),
        "{text}"
    );
    assert!(text.contains("Drop `.strong()`"), "{text}");
}

#[test]
fn strong_reference_across_regions_and_any_across_stages() {
    let app = App::new();
    let east = Stack::new(&app, "East", env("111111111111", "us-east-1")).unwrap();
    let topic = CfnResource::new(&east, "Topic", "AWS::SNS::Topic", Map::new()).unwrap();
    let west = Stack::new(&app, "West", env("111111111111", "us-west-2")).unwrap();
    let mut props = Map::new();
    props.insert("DisplayName".into(), topic.get_att("TopicName").strong().into());
    CfnResource::new(&west, "Other", "AWS::SNS::Topic", props).unwrap();
    let stage = Stage::new(&app, "Dev", StageProps { env: Environment::new("111111111111", "us-east-1") }).unwrap();
    let staged = Stack::new(&stage, "S", StackProps::default()).unwrap();
    let mut props = Map::new();
    props.insert("DisplayName".into(), topic.get_att("TopicName").weak().into());
    CfnResource::new(&staged, "Other", "AWS::SNS::Topic", props).unwrap();
    let err = synth_err(&app);
    let problems = err.problems();
    assert_eq!(problems.len(), 2, "{err}");
    assert!(matches!(problems[0], Error::CrossEnvironmentReference { .. }));
    assert!(matches!(problems[1], Error::CrossStageReference { .. }));
    let stage_text = problems[1].to_string();
    assert!(stage_text.starts_with("Dev/S/Other: refers to East/Topic in another stage"), "{stage_text}");
    assert!(stage_text.contains("Put both stacks in one stage"), "{stage_text}");
    assert!(err.to_string().starts_with("2 problems found, nothing was written:"), "{err}");
}

#[test]
fn stack_dependency_cycle() {
    let app = App::new();
    let a = Stack::new(&app, "A", env("111111111111", "us-east-1")).unwrap();
    let b = Stack::new(&app, "B", env("111111111111", "us-east-1")).unwrap();
    let c = Stack::new(&app, "C", env("111111111111", "us-east-1")).unwrap();
    let qa = queue(&a, "Q");
    let qb = queue(&b, "Q");
    queue(&c, "Q");
    // A -> B through a reference, B -> C and C -> A explicitly.
    qa.set_property("RedrivePolicy", json!({"deadLetterTargetArn": qb.get_att("Arn"), "maxReceiveCount": 1}));
    b.add_dependency(&c);
    c.add_dependency(&a);
    let err = synth_err(&app);
    assert_eq!(
        err.to_string(),
        "stack dependency cycle: A -> B -> C -> A; remove one of the references or dependencies in the cycle"
    );
}

#[test]
fn output_directory_not_writable() {
    let app = App::new();
    let stack = Stack::new(&app, "S", env("111111111111", "us-east-1")).unwrap();
    queue(&stack, "Q");
    // A regular file where a directory must go: no permission trick that root would bypass.
    let file = std::env::temp_dir().join(format!("cw-file-{}", std::process::id()));
    std::fs::write(&file, b"x").unwrap();
    let err = app.synth(file.join("out")).unwrap_err();
    assert!(matches!(err, Error::Output { .. }), "{err}");
    assert!(err.to_string().contains("check that the directory is writable"), "{err}");
    let _ = std::fs::remove_file(&file);
}

#[test]
fn every_problem_is_reported_not_only_the_first() {
    let app = App::new();
    let bad = Stack::new(&app, "Bad", env("1234", "mars-1")).unwrap();
    queue(&bad, "Q");
    let empty = Stack::new(&app, "Empty", env("111111111111", "us-east-1")).unwrap();
    Group::new(&empty, "Nothing").unwrap();
    let validated = Stack::new(&app, "Validated", env("111111111111", "us-east-1")).unwrap();
    let q = queue(&validated, "Q");
    q.node().add_validation(|n: &Node| vec![format!("{} needs a dead-letter queue", n.id())]);
    let err = synth_err(&app);
    let problems: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
    assert_eq!(problems.len(), 4, "{problems:#?}");
    assert_eq!(problems[0], "Validated/Q: Q needs a dead-letter queue");
    assert!(problems[1].starts_with("Bad: account id \"1234\""));
    assert!(problems[2].starts_with("Bad: unknown region \"mars-1\""));
    assert!(problems[3].starts_with("Empty: the stack has no resources"));
}

#[test]
fn logical_id_conflicts_and_grammar() {
    let app = App::new();
    let stack = Stack::new(&app, "S", env("111111111111", "us-east-1")).unwrap();
    queue(&stack, "A").override_logical_id("Same");
    queue(&stack, "B").override_logical_id("Same");
    queue(&stack, ".");
    queue(&stack, "C").override_logical_id("BootstrapVersion");
    let err = synth_err(&app);
    let problems: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert_eq!(
        problems[0],
        "S/B: logical id \"Same\" is already used by S/A in the same stack; override one of the logical ids"
    );
    assert!(problems[1].starts_with("S/.: logical id \"\" must match"));
    assert!(problems[2].contains("the CDK bootstrap version check"));
}

#[test]
fn stack_values_in_a_stack_that_resolves_none() {
    let app = App::new();
    let stack = Stack::new(&app, "S", env("111111111111", "us-east-1")).unwrap();
    let q = queue(&stack, "Q");
    q.set_property("QueueName", Expr::stack_value("inputs.queue_name"));
    let err = synth_err(&app);
    assert_eq!(
        err.to_string(),
        "S/Q: uses the stack value `inputs.queue_name` in a stack that resolves no stack values; such a value \
         only resolves in a stack given `StackProps::values` (the stacks of the template it came from)"
    );
}

#[test]
fn references_to_another_app() {
    let other = App::new();
    let s1 = Stack::new(&other, "S", env("111111111111", "us-east-1")).unwrap();
    let foreign = queue(&s1, "Q");
    let app = App::new();
    let s2 = Stack::new(&app, "S", env("111111111111", "us-east-1")).unwrap();
    queue(&s2, "Q").set_property("RedrivePolicy", json!({"deadLetterTargetArn": foreign.get_att("Arn")}));
    let err = synth_err(&app);
    assert!(matches!(err, Error::ForeignReference { .. }), "{err}");
}

#[test]
fn failed_synth_keeps_the_previous_output() {
    let dir = std::env::temp_dir().join(format!("cw-keep-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let good = App::new();
    let stack = Stack::new(&good, "S", env("111111111111", "us-east-1")).unwrap();
    queue(&stack, "Q");
    good.synth(&dir).unwrap();
    let before = std::fs::read(dir.join("S.template.json")).unwrap();

    let bad = App::new();
    let stack = Stack::new(&bad, "S", env("11", "us-east-1")).unwrap();
    queue(&stack, "Q");
    assert!(bad.synth(&dir).is_err());
    assert_eq!(std::fs::read(dir.join("S.template.json")).unwrap(), before);
    let leftovers: Vec<_> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(&format!(".cw-keep-{}", std::process::id())))
        .collect();
    assert!(leftovers.is_empty(), "no staging directories are left behind");
    std::fs::remove_dir_all(&dir).unwrap();
}
