//! What each deploy stage of the delivery pipeline deploys, in which order, and what it
//! refuses: every stack of the target account in dependency order, then the smoke test;
//! the approval before prod; a stack of a target account that no stage deploys; the CDK
//! bootstrap qualifier from the app's settings.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use cloudwright_constructs::iam::{self, PolicyStatement};
use cloudwright_constructs::pipeline::{
    BuildProject, BuildProjectProps, BuildSpec, DeliveryEnvironment, DeliveryPipeline, DeliveryPipelineProps, Pipeline,
    Source,
};
use cloudwright_constructs::{App, AppProps, CfnResource, Environment, Expr, Stack, StackProps};
use serde_json::Value;

mod support;
use support::problems;

fn env(account: &str, region: &str) -> StackProps {
    StackProps { env: Environment::new(account, region), ..Default::default() }
}

fn stack(app: &App, id: &str, account: &str) -> Stack {
    let stack = Stack::new(app, id, env(account, "us-east-1")).unwrap();
    CfnResource::new(&stack, "Queue", "AWS::SQS::Queue", Default::default()).unwrap();
    stack
}

fn props(environments: Vec<DeliveryEnvironment>) -> DeliveryPipelineProps {
    DeliveryPipelineProps {
        source: Source::CodeCommit { repository: "hello".into(), branch: "main".into() },
        build_commands: vec!["make synth".into()],
        environments,
        approval_topic: None,
        proton_service: None,
    }
}

/// Dev and Prod, each with a baseline, an environment and a service, where the service
/// is created before the environment it depends on (dependency order must win).
fn app_with(qualifier: &str) -> (App, Stack) {
    let app = App::with_props(AppProps { bootstrap_qualifier: qualifier.into(), ..Default::default() });
    let mgmt = stack(&app, "Mgmt", "111111111111");
    let mut environments = Vec::new();
    for (name, account) in [("Dev", "200000000000"), ("Prod", "200000000002")] {
        let baseline = stack(&app, &format!("{name}Baseline"), account);
        let service = stack(&app, &format!("{name}Service"), account);
        let environment = stack(&app, &format!("{name}Environment"), account);
        service.add_dependency(&environment);
        environment.add_dependency(&baseline);
        environments.push(DeliveryEnvironment {
            approval_before: name == "Prod",
            smoke_test: vec!["curl -sSf https://hello.example.com/health".into()],
            smoke_test_permissions: vec![PolicyStatement::allow(&["cloudformation:DescribeStacks"], ["*"])],
            ..DeliveryEnvironment::new(name, baseline)
        });
    }
    DeliveryPipeline::new(&mgmt, "Delivery", props(environments)).unwrap();
    (app, mgmt)
}

fn pipeline(template: &Value) -> &Value {
    let resources = template["Resources"].as_object().unwrap();
    &resources.values().find(|r| r["Type"] == "AWS::CodePipeline::Pipeline").unwrap()["Properties"]
}

/// Each stage as `name: [runOrder action provider, ...]`.
fn stages(template: &Value) -> Vec<String> {
    pipeline(template)["Stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let actions: Vec<String> = s["Actions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| {
                    format!(
                        "{} {} {}",
                        a["RunOrder"],
                        a["Name"].as_str().unwrap(),
                        a["ActionTypeId"]["Provider"].as_str().unwrap()
                    )
                })
                .collect();
            format!("{}: {}", s["Name"].as_str().unwrap(), actions.join(", "))
        })
        .collect()
}

#[test]
fn each_stage_deploys_every_stack_of_its_account_in_dependency_order_then_tests() {
    let (app, _) = app_with("hnb659fds");
    let assembly = app.assembly().unwrap();
    let mgmt = assembly.template("Mgmt").unwrap();
    assert_eq!(
        stages(&mgmt),
        [
            "Source: 1 CodeCommit CodeCommit",
            "Build: 1 Build CodeBuild",
            "DeployDev: 1 DevBaseline.Deploy CloudFormation, 2 DevEnvironment.Deploy CloudFormation, \
             3 DevService.Deploy CloudFormation, 4 SmokeTest CodeBuild",
            "ApproveProd: 1 Approve Manual",
            "DeployProd: 1 ProdBaseline.Deploy CloudFormation, 2 ProdEnvironment.Deploy CloudFormation, \
             3 ProdService.Deploy CloudFormation, 4 SmokeTest CodeBuild",
        ]
    );
    // The smoke test is a Test action on the build's output, in the management account,
    // assuming the role its environment's account gives it.
    let test = &pipeline(&mgmt)["Stages"][2]["Actions"][3];
    assert_eq!(test["ActionTypeId"]["Category"], "Test");
    assert_eq!(test["InputArtifacts"][0]["Name"], "Build");
    let spec = mgmt.to_string();
    assert!(spec.contains("curl -sSf https://hello.example.com/health"), "{spec}");
    assert!(spec.contains("export AWS_PROFILE=target"));
    let baseline = assembly.template("DevBaseline").unwrap().to_string();
    assert!(baseline.contains("mgmt-delivery-smoketestrole-"), "{baseline}");
    assert!(baseline.contains("mgmt-delivery-smoketestdevrole-"), "the target role trusts the Dev project's role");
    // Assets of every deployed stack are published, not only the service's.
    for stack in ["DevBaseline", "DevEnvironment", "DevService", "ProdService"] {
        assert!(spec.contains(&format!("publish --path cloudwright.out/{stack}.assets.json")), "{stack}");
    }
}

#[test]
fn a_stack_of_a_target_account_that_no_stage_deploys_is_an_error_naming_it() {
    let (app, _) = app_with("hnb659fds");
    // Created after the pipeline, and one in another region of the same account.
    stack(&app, "DevLateAddition", "200000000000");
    let west = Stack::new(&app, "DevWest", env("200000000000", "eu-west-1")).unwrap();
    CfnResource::new(&west, "Queue", "AWS::SQS::Queue", Default::default()).unwrap();
    let text = problems(&app);
    for path in ["DevLateAddition", "DevWest"] {
        assert!(
            text.iter().any(|p| p.contains("Mgmt/Delivery")
                && p.contains(&format!("stack {path} is in account 200000000000"))
                && p.contains("DeliveryEnvironment::excluded")),
            "{text:#?}"
        );
    }
    assert_eq!(text.len(), 2, "{text:#?}");
}

#[test]
fn an_excluded_stack_needs_a_reason_and_is_not_deployed() {
    let app = App::new();
    let mgmt = stack(&app, "Mgmt", "111111111111");
    let baseline = stack(&app, "DevBaseline", "200000000000");
    let shared = stack(&app, "DevShared", "200000000000");
    let other = stack(&app, "DevOther", "200000000000");
    let environments = vec![DeliveryEnvironment {
        excluded: vec![(shared, "deployed by the network team".into()), (other, " ".into())],
        ..DeliveryEnvironment::new("Dev", baseline)
    }];
    DeliveryPipeline::new(&mgmt, "Delivery", props(environments)).unwrap();
    let text = problems(&app);
    assert_eq!(text.len(), 1, "{text:#?}");
    assert!(text[0].contains("excludes stack DevOther without a reason"), "{text:#?}");
}

#[test]
fn the_bootstrap_qualifier_follows_the_app_setting() {
    let (app, _) = app_with("custom123");
    let assembly = app.assembly().unwrap();
    let mgmt = assembly.template("Mgmt").unwrap().to_string();
    assert!(mgmt.contains("cdk-custom123-file-publishing-role-200000000000-us-east-1"), "{mgmt}");
    let baseline = assembly.template("DevBaseline").unwrap().to_string();
    assert!(baseline.contains("cdk-custom123-assets-${AWS::AccountId}-${AWS::Region}"), "{baseline}");
    assert!(baseline.contains("parameter/cdk-bootstrap/custom123/version"), "{baseline}");
    for (path, bytes) in assembly.files() {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains("hnb659fds"), "{path} still names the default qualifier");
    }
}

#[test]
fn a_build_project_is_a_grantee() {
    let app = App::new();
    let mgmt = stack(&app, "Mgmt", "111111111111");
    let names = Pipeline::names_for(&mgmt, "Delivery");
    let project = BuildProject::new(
        &mgmt,
        "Tests",
        BuildProjectProps { buildspec: BuildSpec::commands(&["make test"]), ..Default::default() },
        &names,
        Expr::str("arn:aws:kms:us-east-1:111111111111:key/k"),
    )
    .unwrap();
    iam::grant(&project, &["ssm:GetParameter"], [Expr::str("arn:aws:ssm:us-east-1:111111111111:parameter/x")]).unwrap();
    let template = app.assembly().unwrap().template("Mgmt").unwrap().to_string();
    assert!(template.contains("ssm:GetParameter"), "{template}");
    assert_eq!(project.resource().resource_type(), "AWS::CodeBuild::Project");
}

#[test]
fn a_stack_excluded_with_a_reason_is_left_alone() {
    let app = App::new();
    let mgmt = stack(&app, "Mgmt", "111111111111");
    let baseline = stack(&app, "DevBaseline", "200000000000");
    let shared = stack(&app, "DevShared", "200000000000");
    let environments = vec![DeliveryEnvironment {
        excluded: vec![(shared, "deployed by the network team".into())],
        ..DeliveryEnvironment::new("Dev", baseline)
    }];
    DeliveryPipeline::new(&mgmt, "Delivery", props(environments)).unwrap();
    let mgmt = app.assembly().unwrap().template("Mgmt").unwrap();
    assert_eq!(stages(&mgmt)[2], "DeployDev: 1 DevBaseline.Deploy CloudFormation");
    assert!(!mgmt.to_string().contains("DevShared"));
}
