//! `deploy::plan` over assemblies built here: waves from dependencies (stages included),
//! trust from what a stack of one account does in another, manual steps, sample context
//! refused, the JSON document's shape, and malformed assemblies as errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::collections::BTreeMap;

use cloudwright_constructs::deploy::{self, ManualStep};
use cloudwright_constructs::{
    App, AppProps, Assembly, CfnResource, Environment, Error, Stack, StackProps, Stage, StageProps,
};
use cloudwright_toolkit::plan::{Plan, plan};
use serde_json::{Map, Value as Json, json};

const MGMT: &str = "111111111111";
const DEV: &str = "222222222222";

fn stack(scope: &impl cloudwright_constructs::Construct, id: &str, account: Option<&str>) -> Stack {
    let env = account.map_or_else(Environment::default, |a| Environment::new(a, "eu-west-1"));
    Stack::new(scope, id, StackProps { env, ..Default::default() }).unwrap()
}

fn resource(stack: &Stack, id: &str, kind: &str, props: Json) -> CfnResource {
    let Json::Object(props) = props else { panic!("props must be an object") };
    CfnResource::new(stack, id, kind, props).unwrap()
}

fn topic(stack: &Stack, id: &str) -> CfnResource {
    CfnResource::new(stack, id, "AWS::SNS::Topic", Map::new()).unwrap()
}

fn planned(app: &App) -> Plan {
    plan(&app.assembly().unwrap(), "out").unwrap()
}

fn wave_ids(plan: &Plan) -> Vec<Vec<&str>> {
    plan.waves.iter().map(|w| w.stacks.iter().map(|s| s.id.as_str()).collect()).collect()
}

#[test]
fn stacks_deploy_in_waves_after_their_dependencies_and_a_stages_stacks_are_stage_slash_stack() {
    // In the order `cdk ls` lists them: the app's own stacks, then each stage's.
    let app = App::new();
    for (name, account) in [("Dev", DEV), ("Prod", "333333333333")] {
        let stage = Stage::new(&app, name, StageProps { env: Environment::new(account, "eu-west-1") }).unwrap();
        let queues = stack(&stage, "Queues", None);
        let dead = topic(&queues, "DeadLetters");
        let consumers = stack(&stage, "Consumers", None);
        resource(&consumers, "Work", "AWS::SQS::Queue", json!({"Name": dead.get_att("TopicName")}));
    }
    let base = stack(&app, "Base", Some(MGMT));
    topic(&base, "T");
    let top = stack(&app, "Top", Some(MGMT));
    topic(&top, "T");
    top.add_dependency(&base);

    let plan = planned(&app);
    assert_eq!(
        wave_ids(&plan),
        [vec!["Base", "Dev/Queues", "Prod/Queues"], vec!["Top", "Dev/Consumers", "Prod/Consumers"]]
    );
    let first = &plan.waves[0];
    assert_eq!(first.accounts, [MGMT, DEV, "333333333333"]);
    // No account is trusted by the others: one command per account.
    let commands: Vec<&str> = first.commands.iter().map(|c| c.command.as_str()).collect();
    assert_eq!(
        commands,
        [
            "cdk deploy --app out --exclusively --require-approval never Base",
            "cdk deploy --app out --exclusively --require-approval never Dev/Queues",
            "cdk deploy --app out --exclusively --require-approval never Prod/Queues",
        ]
    );
    assert_eq!(first.commands[1].credentials, DEV);
    let envs: Vec<&str> = plan.bootstrap.iter().map(|b| b.command.as_str()).collect();
    assert_eq!(
        envs,
        [
            "cdk bootstrap aws://111111111111/eu-west-1",
            "cdk bootstrap aws://222222222222/eu-west-1",
            "cdk bootstrap aws://333333333333/eu-west-1",
        ]
    );
}

/// A management stack whose pipeline deploys into DEV with a role a DEV stack creates, whose
/// build role may assume DEV's file-publishing role, and which trusts DEV's execution role to
/// read its outputs (the other direction: no trust for that).
fn cross_account_app(qualifier: &str) -> App {
    let app = App::with_props(AppProps { bootstrap_qualifier: qualifier.into(), ..Default::default() });
    let mgmt = stack(&app, "Management", Some(MGMT));
    let deployer = format!("arn:aws:iam::{DEV}:role/deployer");
    let pipeline = resource(
        &mgmt,
        "Pipeline",
        "AWS::CodePipeline::Pipeline",
        json!({"RoleArn": "arn:aws:iam::111111111111:role/pipeline", "Stages": [
            {"Name": "Source", "Actions": [{"Name": "GitHub", "ActionTypeId": {"Provider": "CodeStarSourceConnection"}}]},
            {"Name": "Deploy", "Actions": [{
                "Name": "Dev", "ActionTypeId": {"Category": "Deploy", "Provider": "CloudFormation"},
                "RoleArn": {"Fn::Sub": deployer.replace("arn:aws:", "arn:${AWS::Partition}:")},
                "Configuration": {"StackName": "Service", "RoleArn": deployer}
            }]}
        ]}),
    );
    deploy::manual_step(&pipeline, ManualStep::new("activate the connection").command("aws codestar-connections ..."));
    resource(
        &mgmt,
        "BuildPolicy",
        "AWS::IAM::Policy",
        json!({"PolicyName": "p", "Roles": ["build"], "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "sts:AssumeRole",
            "Resource": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"},
                format!(":iam::{DEV}:role/cdk-{qualifier}-file-publishing-role-{DEV}-eu-west-1")]]}
        }]}}),
    );
    resource(
        &mgmt,
        "Reader",
        "AWS::IAM::Role",
        json!({"AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
            "Principal": {"AWS": format!("arn:aws:iam::333333333333:role/cdk-{qualifier}-cfn-exec-role-333333333333-eu-west-1")}}]}}),
    );
    let roles = stack(&app, "DevRoles", Some(DEV));
    resource(
        &roles,
        "Deployer",
        "AWS::IAM::Role",
        json!({"RoleName": "deployer", "AssumeRolePolicyDocument": {"Statement": []}}),
    );
    roles.add_dependency(&mgmt);
    let service = Stack::new(
        &app,
        "DevService",
        StackProps {
            env: Environment::new(DEV, "eu-west-1"),
            stack_name: Some("Service".into()),
            ..Default::default()
        },
    )
    .unwrap();
    topic(&service, "T");
    service.add_dependency(&roles);
    app
}

#[test]
fn another_accounts_pipeline_and_bootstrap_roles_are_trusted_and_a_reader_trust_policy_is_not() {
    let plan = planned(&cross_account_app("hnb659fds"));
    let commands: Vec<&str> = plan.bootstrap.iter().map(|b| b.command.as_str()).collect();
    assert_eq!(
        commands,
        [
            "cdk bootstrap aws://111111111111/eu-west-1",
            "cdk bootstrap aws://222222222222/eu-west-1 --trust 111111111111 \
             --cloudformation-execution-policies arn:aws:iam::aws:policy/AdministratorAccess",
        ],
        "the reader role's trust policy names 333333333333, which deploys nothing into the management account"
    );
    let reasons: Vec<(&str, &str, &str)> =
        plan.bootstrap[1].trust_reasons.iter().map(|r| (r.path.as_str(), r.kind.as_str(), r.role.as_str())).collect();
    assert_eq!(
        reasons,
        [
            (
                "Management/BuildPolicy",
                "assumesBootstrapRole",
                "cdk-hnb659fds-file-publishing-role-222222222222-eu-west-1"
            ),
            ("Management/Pipeline", "pipelineAction", "deployer"),
        ]
    );
    // Every environment of a wave trusts the management account (or is it): one command.
    assert_eq!(wave_ids(&plan), [vec!["Management"], vec!["DevRoles"], vec!["DevService"]]);
    assert!(plan.waves.iter().all(|w| w.commands.len() == 1 && w.commands[0].credentials == MGMT));

    // The pipeline's first run: the role it needs comes in wave 2, the stack it deploys in wave 3.
    let note = &plan.notes[0];
    assert_eq!((note.path.as_str(), note.wave), ("Management/Pipeline", 1));
    assert!(note.message.contains("later waves create (DevRoles: wave 2)"), "{}", note.message);
    assert!(note.message.contains("deploys stacks the waves deploy too (DevService)"), "{}", note.message);

    let step = &plan.manual_steps[0];
    assert_eq!((step.before_wave, step.stack.as_str(), step.before.as_str()), (1, "Management", "Management/Pipeline"));
    assert_eq!(step.command.as_deref(), Some("aws codestar-connections ..."));
}

#[test]
fn a_qualifier_other_than_the_default_is_passed_to_bootstrap() {
    let plan = planned(&cross_account_app("custom1"));
    assert!(plan.bootstrap.iter().all(|b| b.qualifier == "custom1"));
    assert!(plan.bootstrap[0].command.ends_with("--qualifier custom1"), "{}", plan.bootstrap[0].command);
    assert_eq!(plan.bootstrap[1].trust, [MGMT], "bootstrap roles of another qualifier are still found");
}

#[test]
fn a_manual_step_precedes_the_wave_of_its_construct() {
    let app = App::new();
    let first = stack(&app, "First", Some(MGMT));
    topic(&first, "T");
    let second = stack(&app, "Second", Some(MGMT));
    let t = topic(&second, "T");
    second.add_dependency(&first);
    deploy::manual_step(&t, ManualStep::new("confirm the subscription").docs("https://example.invalid/doc"));
    let plan = planned(&app);
    assert_eq!(plan.manual_steps.len(), 1);
    let step = &plan.manual_steps[0];
    assert_eq!((step.before_wave, step.stack.as_str(), step.before.as_str()), (2, "Second", "Second/T"));
    assert_eq!(step.docs.as_deref(), Some("https://example.invalid/doc"));
}

#[test]
fn keys_at_their_sample_are_refused_all_named_and_live_values_are_listed() {
    let app = App::new();
    app.set_context("org:rootId", "r-live");
    app.context_or_sample("org:rootId", "r-a1b2");
    app.context_or_sample("connection", "arn:sample:1");
    app.context_or_sample("baseline", "arn:sample:2");
    topic(&stack(&app, "S", Some(MGMT)), "T");
    let err = plan(&app.assembly().unwrap(), "out").unwrap_err();
    let Error::SampleContext(keys) = &err else { panic!("{err}") };
    assert_eq!(keys.iter().map(|k| k.key.as_str()).collect::<Vec<_>>(), ["connection", "baseline"]);
    let message = err.to_string();
    assert!(message.starts_with("2 context keys hold sample values"), "{message}");
    assert!(message.contains("connection: sample \"arn:sample:1\" (--context connection=VALUE)"), "{message}");
    assert!(message.contains("cloudwright.json"), "{message}");

    app.set_context("connection", "arn:live:1");
    app.set_context("baseline", "arn:live:2");
    // A fresh app reads the context when keys are declared.
    let live = App::new();
    for (k, v) in [("org:rootId", "r-live"), ("connection", "arn:live:1")] {
        live.set_context(k, v);
        live.context_or_sample(k, "sample");
    }
    topic(&stack(&live, "S", Some(MGMT)), "T");
    let plan = planned(&live);
    let context: Vec<(&str, &str)> = plan.context.iter().map(|c| (c.key.as_str(), c.value.as_str())).collect();
    assert_eq!(context, [("org:rootId", "r-live"), ("connection", "arn:live:1")]);
}

#[test]
fn the_json_document_has_a_stable_shape() {
    let plan = planned(&cross_account_app("hnb659fds"));
    let doc = serde_json::to_value(&plan).unwrap();
    let keys: Vec<&str> = doc.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["version", "assemblyDir", "context", "bootstrap", "manualSteps", "waves", "notes"]);
    assert_eq!(doc["version"], 1);
    let bootstrap: Vec<&str> = doc["bootstrap"][1].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(bootstrap, ["environment", "account", "region", "qualifier", "trust", "trustReasons", "command"]);
    let reason: Vec<&str> =
        doc["bootstrap"][1]["trustReasons"][0].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(reason, ["account", "stack", "path", "kind", "role"]);
    let wave: Vec<&str> = doc["waves"][0].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(wave, ["number", "stacks", "accounts", "commands"]);
    assert_eq!(
        doc["waves"][0]["stacks"][0],
        json!({"id": "Management", "stackName": "Management", "account": MGMT, "region": "eu-west-1"})
    );
    let command: Vec<&str> = doc["waves"][0]["commands"][0].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(command, ["credentials", "stacks", "command"]);
    let step: Vec<&str> = doc["manualSteps"][0].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(step, ["beforeWave", "stack", "before", "step", "command"]);
    let note: Vec<&str> = doc["notes"][0].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(note, ["path", "wave", "message", "command"]);
}

fn assembly(files: &[(&str, Json)]) -> Result<Plan, Error> {
    let files: BTreeMap<String, Vec<u8>> =
        files.iter().map(|(p, v)| ((*p).to_owned(), serde_json::to_vec(v).unwrap())).collect();
    plan(&Assembly::from_files(files)?, "out")
}

fn stack_artifact(env: &str, deps: &[&str]) -> Json {
    json!({"type": "aws:cloudformation:stack", "environment": env, "dependencies": deps,
           "properties": {"templateFile": "A.template.json"}})
}

#[test]
fn assemblies_that_cannot_be_planned_are_input_errors_naming_the_fix() {
    let template = ("A.template.json", json!({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}));
    let message = |r: Result<Plan, Error>| match r {
        Err(e @ Error::Input { .. }) => e.to_string(),
        other => panic!("expected an input error, got {other:?}"),
    };

    let agnostic = message(assembly(&[
        ("manifest.json", json!({"artifacts": {"A": stack_artifact("aws://unknown-account/unknown-region", &[])}})),
        template.clone(),
    ]));
    assert!(agnostic.contains("stack A has environment \"aws://unknown-account/unknown-region\""), "{agnostic}");
    assert!(agnostic.contains("give the stack (or its stage) an Environment"), "{agnostic}");

    let missing_dep = message(assembly(&[
        ("manifest.json", json!({"artifacts": {"A": stack_artifact("aws://111111111111/eu-west-1", &["Gone"])}})),
        template.clone(),
    ]));
    assert!(missing_dep.contains("depends on Gone, which this assembly does not have"), "{missing_dep}");

    let cycle = message(assembly(&[
        (
            "manifest.json",
            json!({"artifacts": {
                "A": stack_artifact("aws://111111111111/eu-west-1", &["B"]),
                "B": stack_artifact("aws://111111111111/eu-west-1", &["A"]),
            }}),
        ),
        template.clone(),
    ]));
    assert!(cycle.contains("dependencies of A, B form a cycle"), "{cycle}");

    let no_template = message(assembly(&[(
        "manifest.json",
        json!({"artifacts": {"A": stack_artifact("aws://111111111111/eu-west-1", &[])}}),
    )]));
    assert!(no_template.contains("names template A.template.json, which is missing"), "{no_template}");

    let bad_context = message(assembly(&[(
        "manifest.json",
        json!({"artifacts": {"Tree": {"type": "cdk:tree", "metadata": {"/": [
            {"type": "cloudwright:context", "data": {"key": "k"}}
        ]}}}}),
    )]));
    assert!(bad_context.contains("not {\"key\", \"value\", \"sample\"}"), "{bad_context}");

    let bad_step = message(assembly(&[
        (
            "manifest.json",
            json!({"artifacts": {"A": {
                "type": "aws:cloudformation:stack", "environment": "aws://111111111111/eu-west-1",
                "properties": {"templateFile": "A.template.json"},
                "metadata": {"/A/T": [{"type": "cloudwright:deploy:manualStep", "data": {"command": "x"}}]}
            }}}),
        ),
        template.clone(),
    ]));
    assert!(bad_step.contains("entry of /A/T has no \"step\" text"), "{bad_step}");

    let not_assembly = assembly(&[("a.txt", json!(1))]).unwrap_err();
    assert!(matches!(not_assembly, Error::Input { .. }), "{not_assembly}");
}

#[test]
fn a_manifest_without_cloudwright_metadata_plans_as_declaring_no_context() {
    let plan = assembly(&[
        (
            "manifest.json",
            json!({"version": "55.0.0", "artifacts": {"A": stack_artifact("aws://111111111111/eu-west-1", &[])}}),
        ),
        ("A.template.json", json!({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}})),
    ])
    .unwrap();
    assert!(plan.context.is_empty() && plan.manual_steps.is_empty() && plan.notes.is_empty());
    assert_eq!(wave_ids(&plan), [vec!["A"]]);
}
