//! A constructor that fails leaves no node behind (ARCHITECTURE.md, "Problems: one
//! policy"): one test per L2 constructor of lambda, iam, pipeline, ec2, dynamodb, s3, sqs,
//! sns, kms, org and proton connections that can fail after it would add its node; a problem it can record is
//! recorded on a whole construct and fails synthesis with the construct's path.
//!
//! Not listed, as they cannot fail once their node is added:
//! - `iam::ManagedPolicy`, `monitoring::Alarm`, `monitoring::dashboard`: one L1 node, added
//!   last (the L1 checks id and scope before adding).
//! - `stackset::StackSet`: renders its template before adding its one node (tested in
//!   `org_bad_input.rs`).
//! - `proton::EnvironmentTemplate`, `proton::ServiceTemplate`: record every problem on their
//!   node; their template builds in an app of its own.
//! - `Role::add_to_policy`, `DeployTarget::smoke_test_role`, `Function::add_*`: their first
//!   node is the only one that can be refused.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use cloudwright_constructs::dynamodb::{Attribute, Table, TableProps};
use cloudwright_constructs::ec2::{SecurityGroup, SecurityGroupProps, Vpc, VpcProps};
use cloudwright_constructs::iam::{Role, RoleProps};
use cloudwright_constructs::kms::{Key, KeyProps};
use cloudwright_constructs::lambda::{Code, Function, FunctionProps, LambdaService, LambdaServiceProps};
use cloudwright_constructs::org::{Organization, OrganizationProps};
use cloudwright_constructs::pipeline::{
    Action, BuildProject, BuildProjectProps, BuildSpec, DeliveryEnvironment, DeliveryPipeline, DeliveryPipelineProps,
    DeployTarget, Pipeline, PipelineNames, PipelineProps, Source, Stage,
};
use cloudwright_constructs::proton::{
    EnvironmentAccountConnection, EnvironmentAccountConnectionProps, ManagementRoles, ManagementRolesProps,
};
use cloudwright_constructs::s3::{Bucket, BucketProps};
use cloudwright_constructs::sns::{Topic, TopicProps};
use cloudwright_constructs::sqs::{Queue, QueueProps};
use cloudwright_constructs::{
    App, Construct, Environment, Error, Expr, Result, Stack, StackProps, Stage as AppStage, StageProps,
};

fn stack(app: &App, id: &str, account: &str) -> Stack {
    Stack::new(app, id, StackProps { env: Environment::new(account, "us-east-1"), ..Default::default() }).unwrap()
}

fn names() -> PipelineNames {
    PipelineNames::new("Mgmt/Delivery", "111111111111", "us-east-1")
}

/// Builds the construct as `id` under the App and under a Stage: both are refused as
/// `InvalidScope` naming where it would have been, and neither scope holds a node for it.
fn refused_outside_a_stack<T>(id: &str, build: impl Fn(&dyn Fn() -> Scope) -> Result<T>) {
    let app = App::new();
    let stage = AppStage::new(&app, "Beta", StageProps::default()).unwrap();
    for (scope, path) in [(Scope::App(app.clone()), id.to_owned()), (Scope::Stage(stage.clone()), format!("Beta/{id}"))]
    {
        let err = build(&|| scope.clone()).err().expect("refused outside a stack");
        assert!(matches!(err, Error::InvalidScope { .. }), "{err}");
        assert!(err.to_string().starts_with(&format!("{path}: ")), "{err}");
        assert!(err.to_string().contains("inside a Stack"), "{err}");
    }
    assert!(app.node().find_child(id).is_none() && stage.node().find_child(id).is_none());
    assert_eq!(app.node().children().len(), 1, "only the stage");
    assert!(stage.node().children().is_empty());
}

/// The App or a Stage, as a scope.
#[derive(Clone)]
enum Scope {
    App(App),
    Stage(AppStage),
}

impl Construct for Scope {
    fn node(&self) -> &cloudwright_constructs::Node {
        match self {
            Scope::App(a) => a.node(),
            Scope::Stage(s) => s.node(),
        }
    }
}

#[test]
fn function() {
    refused_outside_a_stack("Fn", |s| Function::new(&s(), "Fn", FunctionProps::default()));
    // Code that cannot be read is a recorded problem: the function is whole, synthesis fails.
    let app = App::new();
    let svc = stack(&app, "Svc", "111111111111");
    let code = Code::Asset("/nonexistent/cloudwright/code".into());
    let f = Function::new(&svc, "Fn", FunctionProps { code, ..Default::default() }).unwrap();
    assert!(f.node().find_child("Resource").is_some() && f.node().find_child("ServiceRole").is_some());
    let err = app.assembly().err().unwrap();
    assert!(err.problems().iter().any(|p| p.to_string().starts_with("Svc/Fn: code: ")), "{err}");
}

#[test]
fn lambda_service() {
    refused_outside_a_stack("Api", |s| LambdaService::new(&s(), "Api", LambdaServiceProps::default()));
}

#[test]
fn role() {
    refused_outside_a_stack("Role", |s| Role::new(&s(), "Role", RoleProps::default()));
}

#[test]
fn build_project() {
    refused_outside_a_stack("Build", |s| {
        BuildProject::new(&s(), "Build", BuildProjectProps::default(), &names(), Expr::str("key"))
    });
}

#[test]
fn deploy_target() {
    refused_outside_a_stack("DeployRoles", |s| DeployTarget::new(&s(), "DeployRoles", &names()));
}

#[test]
fn vpc() {
    refused_outside_a_stack("Vpc", |s| Vpc::new(&s(), "Vpc", VpcProps::default()));
}

#[test]
fn security_group() {
    refused_outside_a_stack("Web", |s| SecurityGroup::new(&s(), "Web", "vpc-1", SecurityGroupProps::default()));
}

#[test]
fn table() {
    refused_outside_a_stack("Orders", |s| {
        Table::new(&s(), "Orders", TableProps { partition_key: Attribute::string("pk"), ..Default::default() })
    });
}

#[test]
fn storage_messaging_and_keys() {
    refused_outside_a_stack("Bucket", |s| Bucket::new(&s(), "Bucket", BucketProps::default()));
    refused_outside_a_stack("Queue", |s| Queue::new(&s(), "Queue", QueueProps::default()));
    refused_outside_a_stack("Topic", |s| Topic::new(&s(), "Topic", TopicProps::default()));
    refused_outside_a_stack("Key", |s| Key::new(&s(), "Key", KeyProps::default()));
}

#[test]
fn organization() {
    refused_outside_a_stack("Org", |s| Organization::new(&s(), "Org", OrganizationProps::default()));
}

#[test]
fn environment_account_connection_and_management_roles() {
    refused_outside_a_stack("Connection", |s| {
        EnvironmentAccountConnection::new(&s(), "Connection", EnvironmentAccountConnectionProps::default())
    });
    refused_outside_a_stack("Roles", |s| ManagementRoles::new(&s(), "Roles", ManagementRolesProps::default()));
}

fn build(stage: &str, action: &str) -> Stage {
    Stage {
        name: stage.into(),
        actions: vec![Action::Build {
            name: action.into(),
            project: Box::new(BuildProjectProps { buildspec: BuildSpec::commands(&["make"]), ..Default::default() }),
        }],
    }
}

fn pipeline_props(stages: Vec<Stage>) -> PipelineProps {
    PipelineProps {
        pipeline_name: None,
        source: Source::CodeCommit { repository: "hello".into(), branch: "main".into() },
        stages,
        target_accounts: Vec::new(),
    }
}

#[test]
fn pipeline() {
    refused_outside_a_stack("Delivery", |s| Pipeline::new(&s(), "Delivery", pipeline_props(vec![build("B", "x")])));
    // Two actions asking for one build project id ("AB" + "C" and "A" + "BC"), or for the
    // pipeline's own "Resource": recorded, the action left out, the pipeline whole.
    let app = App::new();
    let mgmt = stack(&app, "Mgmt", "111111111111");
    let stages = vec![build("AB", "C"), build("A", "BC"), build("Res", "ource")];
    let pipeline = Pipeline::new(&mgmt, "Delivery", pipeline_props(stages)).unwrap();
    let projects: Vec<String> = pipeline
        .node()
        .children()
        .iter()
        .filter(|c| c.fqn() == "cloudwright.pipeline.BuildProject")
        .map(|c| c.id())
        .collect();
    assert_eq!(projects, ["ABC"]);
    assert!(pipeline.node().find_child("Resource").is_some());
    let problems: Vec<String> = app.assembly().err().unwrap().problems().iter().map(ToString::to_string).collect();
    for (stage, action, id) in [("A", "BC", "ABC"), ("Res", "ource", "Resource")] {
        let expected = format!(
            "Mgmt/Delivery: stage {stage:?} action {action:?}: its build project would have the id {id:?}, which is taken"
        );
        assert!(problems.iter().any(|p| p.starts_with(&expected)), "{problems:#?}");
    }
}

#[test]
fn delivery_pipeline() {
    let app = App::new();
    let mgmt = stack(&app, "Mgmt", "111111111111");
    let dev = stack(&app, "Dev", "222222222222");
    let props = |environments: Vec<DeliveryEnvironment>| DeliveryPipelineProps {
        source: Source::CodeCommit { repository: "hello".into(), branch: "main".into() },
        build_commands: vec!["make synth".into()],
        environments,
        approval_topic: None,
        proton_service: None,
    };
    let env = |name: &str| DeliveryEnvironment::new(name, dev.clone());
    // Outside a stack, under a taken id, or two environments sharing one account stack:
    // refused before the deploy roles are added to the account stack.
    let err = DeliveryPipeline::new(&app, "Delivery", props(vec![env("Dev")])).err().unwrap();
    assert!(matches!(err, Error::InvalidScope { .. }), "{err}");
    Role::new(&mgmt, "Taken", RoleProps::default()).unwrap();
    let err = DeliveryPipeline::new(&mgmt, "Taken", props(vec![env("Dev")])).err().unwrap();
    assert!(matches!(err, Error::DuplicateId { .. }), "{err}");
    let err = DeliveryPipeline::new(&mgmt, "Delivery", props(vec![env("Dev"), env("Test")])).err().unwrap();
    assert!(
        err.to_string().starts_with("Mgmt/Delivery: environments Dev and Test deploy from the same account stack Dev")
    );
    assert!(dev.node().children().is_empty(), "no deploy roles");
    assert_eq!(mgmt.node().children().len(), 1, "only the role");
    assert_eq!(app.node().children().len(), 2, "only the stacks");
    // The same account stack taken by a construct of that id: refused too.
    Role::new(&dev, "DeliveryDeployRoles", RoleProps::default()).unwrap();
    let err = DeliveryPipeline::new(&mgmt, "Delivery", props(vec![env("Dev")])).err().unwrap();
    assert!(err.to_string().starts_with("Dev/DeliveryDeployRoles: duplicate construct id"), "{err}");
    assert!(mgmt.node().find_child("Delivery").is_none());
    assert_eq!(dev.node().children().len(), 1);
}
