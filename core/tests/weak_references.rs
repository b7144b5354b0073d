//! References between stacks: strong (export + `Fn::ImportValue`) within one account and
//! region, weak (`Fn::GetStackOutput`) across accounts and regions or on request, and the
//! problems neither can solve, each naming both constructs and the remedy.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use cloudwright_core::{App, AppProps, CfnResource, Environment, Expr, Stack, StackProps, Strength};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

const A: &str = "111111111111";
const B: &str = "222222222222";

fn stack(app: &App, id: &str, env: Environment) -> Stack {
    Stack::new(app, id, StackProps { env, ..Default::default() }).unwrap()
}

fn topic(stack: &Stack, id: &str) -> CfnResource {
    CfnResource::new(stack, id, "AWS::SNS::Topic", Map::new()).unwrap()
}

/// A subscription in `stack` to the topic `arn` names.
fn subscribe(stack: &Stack, id: &str, arn: Expr) -> CfnResource {
    let mut props = Map::new();
    props.insert("TopicArn".into(), arn.into());
    props.insert("Protocol".into(), json!("email"));
    props.insert("Endpoint".into(), json!("ops@example.com"));
    CfnResource::new(stack, id, "AWS::SNS::Subscription", props).unwrap()
}

fn topic_arn(template: &Value, id: &str) -> Value {
    template["Resources"][id]["Properties"]["TopicArn"].clone()
}

fn manifest(app: &App) -> Value {
    serde_json::from_slice(app.assembly().unwrap().file("manifest.json").unwrap()).unwrap()
}

/// Whether the manifest says `consumer` deploys after `producer`.
fn depends(app: &App, consumer: &str, producer: &str) -> bool {
    let deps = manifest(app)["artifacts"][consumer]["dependencies"].clone();
    deps.as_array().is_some_and(|d| d.contains(&json!(producer)))
}

fn problems(app: &App) -> Vec<String> {
    let err = app.assembly().expect_err("synthesis should fail");
    err.problems().iter().map(|p| p.to_string()).collect()
}

#[test]
fn across_accounts_the_consumer_reads_an_output_with_a_reader_role() {
    let app = App::new();
    let producer = stack(&app, "Producer", Environment::new(A, "us-east-1"));
    let t = topic(&producer, "Topic");
    let consumer = stack(&app, "Consumer", Environment::new(B, "eu-west-1"));
    subscribe(&consumer, "Sub", t.reference());
    let assembly = app.assembly().unwrap();
    let produced = assembly.template("Producer").unwrap();
    let consumed = assembly.template("Consumer").unwrap();

    let outputs = produced["Outputs"].as_object().unwrap();
    assert_eq!(outputs.len(), 1, "{outputs:?}");
    let (output_id, output) = outputs.iter().next().unwrap();
    assert!(output_id.starts_with("PublishOutputRefTopic"), "{output_id}");
    assert_eq!(output, &json!({"Value": {"Ref": "Topic"}}), "a plain output, no export");

    let role_name = "cw-output-reader-producer-222222222222-";
    let read = &topic_arn(&consumed, "Sub")["Fn::GetStackOutput"];
    assert_eq!(read["StackName"], "Producer");
    assert_eq!(read["OutputName"], output_id.as_str());
    assert_eq!(read["Region"], "us-east-1");
    let role_arn = read["RoleArn"]["Fn::Sub"].as_str().unwrap();
    assert!(role_arn.starts_with(&format!("arn:${{AWS::Partition}}:iam::{A}:role/{role_name}")), "{role_arn}");

    let roles: Vec<(&String, &Value)> =
        produced["Resources"].as_object().unwrap().iter().filter(|(_, r)| r["Type"] == "AWS::IAM::Role").collect();
    assert_eq!(roles.len(), 1);
    let role = &roles[0].1["Properties"];
    assert_eq!(format!("arn:${{AWS::Partition}}:iam::{A}:role/{}", role["RoleName"].as_str().unwrap()), role_arn);
    let trust = &role["AssumeRolePolicyDocument"]["Statement"][0];
    assert_eq!(trust["Principal"]["AWS"], json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:iam::{B}:root")}));
    assert_eq!(
        trust["Condition"]["ArnEquals"]["aws:PrincipalArn"],
        json!([{"Fn::Sub": format!("arn:${{AWS::Partition}}:iam::{B}:role/cdk-hnb659fds-cfn-exec-role-{B}-eu-west-1")}])
    );
    assert_eq!(
        role["Policies"][0]["PolicyDocument"]["Statement"],
        json!([{"Action": "cloudformation:DescribeStacks", "Effect": "Allow", "Resource": {"Ref": "AWS::StackId"}}])
    );
    assert!(depends(&app, "Consumer", "Producer"));
}

#[test]
fn one_reader_role_per_consumer_account_trusting_each_of_its_regions() {
    let app = App::with_props(AppProps { bootstrap_qualifier: "custom123".into(), ..Default::default() });
    let producer = stack(&app, "Producer", Environment::new(A, "us-east-1"));
    let t = topic(&producer, "Topic");
    for (id, region) in [("East", "us-east-1"), ("West", "us-west-2"), ("West2", "us-west-2")] {
        let consumer = stack(&app, id, Environment::new(B, region));
        if id == "West2" {
            consumer.add_execution_role("pipeline-execution");
        }
        subscribe(&consumer, "Sub", t.get_att("TopicArn"));
    }
    subscribe(&stack(&app, "Other", Environment::new("333333333333", "us-east-1")), "Sub", t.reference());
    let produced = app.assembly().unwrap().template("Producer").unwrap();
    let roles: Vec<&Value> =
        produced["Resources"].as_object().unwrap().values().filter(|r| r["Type"] == "AWS::IAM::Role").collect();
    assert_eq!(roles.len(), 2, "one per consumer account");
    let principals = &roles[0]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]["ArnEquals"]["aws:PrincipalArn"];
    assert_eq!(
        principals,
        &json!([
            {"Fn::Sub": format!("arn:${{AWS::Partition}}:iam::{B}:role/cdk-custom123-cfn-exec-role-{B}-us-east-1")},
            {"Fn::Sub": format!("arn:${{AWS::Partition}}:iam::{B}:role/cdk-custom123-cfn-exec-role-{B}-us-west-2")},
            {"Fn::Sub": format!("arn:${{AWS::Partition}}:iam::{B}:role/pipeline-execution")}
        ])
    );
    assert_eq!(produced["Outputs"].as_object().unwrap().len(), 2, "one output per referenced value");
}

#[test]
fn across_regions_of_one_account_no_role_is_needed() {
    let app = App::new();
    let t = topic(&stack(&app, "East", Environment::new(A, "us-east-1")), "Topic");
    let west = stack(&app, "West", Environment::new(A, "us-west-2"));
    subscribe(&west, "Sub", t.reference());
    let assembly = app.assembly().unwrap();
    let read = &topic_arn(&assembly.template("West").unwrap(), "Sub")["Fn::GetStackOutput"];
    assert_eq!(read["Region"], "us-east-1");
    assert!(read.get("RoleArn").is_none(), "{read}");
    let east = assembly.template("East").unwrap();
    assert!(east["Resources"].as_object().unwrap().values().all(|r| r["Type"] != "AWS::IAM::Role"));
}

#[test]
fn the_app_setting_and_each_reference_choose_the_strength() {
    let weak_app = App::with_props(AppProps { reference_strength: Strength::Weak, ..Default::default() });
    assert_eq!(weak_app.reference_strength(), Strength::Weak);
    let strong_app = App::new();
    assert_eq!(strong_app.reference_strength(), Strength::Strong);
    for (app, plain, overridden) in
        [(&weak_app, "Fn::GetStackOutput", "Fn::ImportValue"), (&strong_app, "Fn::ImportValue", "Fn::GetStackOutput")]
    {
        let t = topic(&stack(app, "Producer", Environment::new(A, "us-east-1")), "Topic");
        let consumer = stack(app, "Consumer", Environment::new(A, "us-east-1"));
        subscribe(&consumer, "Plain", t.reference());
        let other = match app.reference_strength() {
            Strength::Weak => t.reference().strong(),
            Strength::Strong => t.reference().weak(),
        };
        subscribe(&consumer, "Overridden", other);
        let assembly = app.assembly().unwrap();
        let consumed = assembly.template("Consumer").unwrap();
        let function = |id: &str| topic_arn(&consumed, id).as_object().unwrap().keys().next().unwrap().clone();
        assert_eq!(function("Plain"), plain);
        assert_eq!(function("Overridden"), overridden);
        let outputs = assembly.template("Producer").unwrap()["Outputs"].clone();
        assert_eq!(outputs.as_object().unwrap().len(), 2, "an export and a plain output: {outputs}");
        assert!(depends(app, "Consumer", "Producer"));
    }
}

#[test]
fn strength_survives_composition_and_leaves_same_stack_references_alone() {
    let app = App::new();
    let producer = stack(&app, "Producer", Environment::new(A, "us-east-1"));
    let t = topic(&producer, "Topic");
    let consumer = stack(&app, "Consumer", Environment::new(A, "us-east-1"));
    let arn = Expr::join("", [Expr::str("prefix-"), t.get_att("TopicName")]).weak();
    subscribe(&consumer, "Sub", arn);
    subscribe(&producer, "Local", t.reference().weak());
    let assembly = app.assembly().unwrap();
    let joined = topic_arn(&assembly.template("Consumer").unwrap(), "Sub");
    assert!(joined["Fn::Join"][1][1].get("Fn::GetStackOutput").is_some(), "{joined}");
    assert_eq!(topic_arn(&assembly.template("Producer").unwrap(), "Local"), json!({"Ref": "Topic"}));
}

#[test]
fn a_cycle_of_references_across_accounts_names_both_ends_and_suggests_a_physical_name() {
    let app = App::new();
    let management = stack(&app, "Management", Environment::new(A, "us-east-1"));
    let workload = stack(&app, "Workload", Environment::new(B, "us-east-1"));
    let bucket = topic(&management, "Artifacts");
    let role = topic(&workload, "DeployRole");
    subscribe(&management, "Policy", role.get_att("Arn"));
    subscribe(&workload, "Uses", bucket.get_att("Arn"));
    let problems = problems(&app);
    assert_eq!(problems.len(), 1, "{problems:?}");
    let text = &problems[0];
    assert!(text.starts_with("Management/Policy: refers to Workload/DeployRole in another account"), "{text}");
    assert!(text.contains("Management -> Workload -> Management"), "{text}");
    assert!(text.contains("deterministic physical name"), "{text}");
}

#[test]
fn bad_references_are_all_reported_with_both_paths() {
    let app = App::new();
    let t = topic(&stack(&app, "Producer", Environment::new(A, "us-east-1")), "Topic");
    // Another partition.
    subscribe(&stack(&app, "China", Environment::new(B, "cn-north-1")), "Sub", t.reference());
    // A stack without an account.
    let agnostic = stack(&app, "Agnostic", Environment { account: None, region: Some("us-east-1".into()) });
    subscribe(&agnostic, "Sub", t.reference());
    // A list through a weak reference.
    let lister = stack(&app, "Lister", Environment::new(B, "us-east-1"));
    let first = Expr::select(0, t.get_att("Subscriptions"));
    subscribe(&lister, "Sub", first);
    let problems = problems(&app);
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(problems[0].starts_with("China/Sub: refers to Producer/Topic, deployed to us-east-1"), "{}", problems[0]);
    assert!(problems[0].contains("across partitions"), "{}", problems[0]);
    assert!(problems[1].starts_with("Agnostic/Sub: refers to Producer/Topic, a stack of"), "{}", problems[1]);
    assert!(problems[1].contains("explicit account and region"), "{}", problems[1]);
    assert!(
        problems[2].starts_with("Lister/Sub: uses `Subscriptions` of Producer/Topic as a list (in `Fn::Select`)"),
        "{}",
        problems[2]
    );
    assert!(problems[2].contains("`Fn::Join` round trip"), "{}", problems[2]);
}

#[test]
fn a_list_through_a_strong_reference_is_left_to_the_export() {
    let app = App::new();
    let t = topic(&stack(&app, "Producer", Environment::new(A, "us-east-1")), "Topic");
    let consumer = stack(&app, "Consumer", Environment::new(A, "us-east-1"));
    subscribe(&consumer, "Sub", Expr::join(",", [t.get_att("Arn")]));
    subscribe(&consumer, "Sub2", Expr::Join(",".into(), vec![]));
    app.assembly().unwrap();
}

/// Where a stack deploys, for the property test.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Place {
    Known(&'static str, &'static str),
    NoAccount(&'static str),
    Agnostic,
}

impl Place {
    fn env(self) -> Environment {
        match self {
            Place::Known(account, region) => Environment::new(account, region),
            Place::NoAccount(region) => Environment { account: None, region: Some(region.into()) },
            Place::Agnostic => Environment::agnostic(),
        }
    }
}

fn place() -> impl Strategy<Value = Place> {
    prop_oneof![
        Just(Place::Known(A, "us-east-1")),
        Just(Place::Known(A, "us-west-2")),
        Just(Place::Known(B, "us-east-1")),
        Just(Place::Known(B, "cn-north-1")),
        Just(Place::NoAccount("us-east-1")),
        Just(Place::Agnostic),
    ]
}

fn strength() -> impl Strategy<Value = Option<Strength>> {
    prop_oneof![Just(None), Just(Some(Strength::Strong)), Just(Some(Strength::Weak))]
}

/// What the rules say a reference resolves to.
#[derive(Debug, PartialEq)]
enum Outcome {
    Import,
    Read { role: bool },
    Problem(&'static str),
}

fn expected(consumer: Place, producer: Place, setting: Strength, override_: Option<Strength>) -> Outcome {
    if consumer == producer {
        return match override_.unwrap_or(setting) {
            Strength::Strong => Outcome::Import,
            Strength::Weak => Outcome::Read { role: false },
        };
    }
    match (consumer, producer) {
        (Place::Known(ca, cr), Place::Known(pa, pr)) => {
            if cr.starts_with("cn-") != pr.starts_with("cn-") {
                Outcome::Problem("across partitions")
            } else if override_ == Some(Strength::Strong) {
                Outcome::Problem("Drop `.strong()`")
            } else {
                Outcome::Read { role: ca != pa }
            }
        }
        _ => Outcome::Problem("explicit account and region"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Every combination of places, app setting and override resolves as the rules say.
    #[test]
    fn resolution_follows_the_rules(
        consumer in place(),
        producer in place(),
        weak_app in any::<bool>(),
        override_ in strength(),
    ) {
        let setting = if weak_app { Strength::Weak } else { Strength::Strong };
        let app = App::with_props(AppProps { reference_strength: setting, ..Default::default() });
        let t = topic(&stack(&app, "Producer", producer.env()), "Topic");
        let arn = match override_ {
            Some(s) => t.reference().with_strength(s),
            None => t.reference(),
        };
        let consumer_stack = stack(&app, "Consumer", consumer.env());
        subscribe(&consumer_stack, "Sub", arn);
        let outcome = match app.assembly() {
            Err(e) => {
                let text = e.to_string();
                prop_assert!(text.contains("Consumer/Sub") && text.contains("Producer/Topic"), "{}", text);
                ["across partitions", "Drop `.strong()`", "explicit account and region"]
                    .into_iter()
                    .find(|remedy| text.contains(remedy))
                    .map_or(Outcome::Problem("?"), Outcome::Problem)
            }
            Ok(assembly) => {
                let value = topic_arn(&assembly.template("Consumer").unwrap(), "Sub");
                let produced = assembly.template("Producer").unwrap();
                let has_role = produced["Resources"].as_object().unwrap().len() > 1;
                match value.as_object().and_then(|o| o.keys().next()).map(String::as_str) {
                    Some("Fn::ImportValue") => Outcome::Import,
                    Some("Fn::GetStackOutput") => {
                        prop_assert_eq!(value["Fn::GetStackOutput"].get("RoleArn").is_some(), has_role);
                        Outcome::Read { role: has_role }
                    }
                    _ => Outcome::Problem("unexpected value"),
                }
            }
        };
        prop_assert_eq!(outcome, expected(consumer, producer, setting, override_));
    }
}

#[test]
fn the_manifest_lists_a_stack_after_the_stacks_it_reads_from() {
    let app = App::new();
    let early = stack(&app, "Early", Environment::new(B, "eu-west-1"));
    let t = topic(&stack(&app, "Producer", Environment::new(A, "us-east-1")), "Topic");
    subscribe(&early, "Sub", t.reference());
    let manifest = manifest(&app);
    let stacks: Vec<&String> = manifest["artifacts"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, a)| a["type"] == "aws:cloudformation:stack")
        .map(|(id, _)| id)
        .collect();
    assert_eq!(stacks, ["Producer", "Early"], "`cdk ls` lists stacks in manifest order");
    let summaries: Vec<String> = app.assembly().unwrap().stacks().iter().map(|s| s.display_name.clone()).collect();
    assert_eq!(summaries, ["Early", "Producer"], "the summary stays in tree order");
}
