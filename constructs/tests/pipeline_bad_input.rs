//! Bad input to the pipeline constructs: every problem named with the construct path, nothing written.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use cloudwright_constructs::pipeline::{Action, BuildProjectProps, BuildSpec, Pipeline, PipelineProps, Source, Stage};
use cloudwright_constructs::{App, Environment, Stack, StackProps};

mod support;

fn problems(stages: Vec<Stage>, target_accounts: Vec<String>) -> Vec<String> {
    let app = App::new();
    let stack = Stack::new(
        &app,
        "Mgmt",
        StackProps { env: Environment::new("111111111111", "us-east-1"), ..Default::default() },
    )
    .unwrap();
    Pipeline::new(
        &stack,
        "Delivery",
        PipelineProps {
            pipeline_name: None,
            source: Source::CodeCommit { repository: "hello".into(), branch: "main".into() },
            stages,
            target_accounts,
        },
    )
    .unwrap();
    support::problems(&app)
}

fn deploy(stage: &str, account: &str) -> Stage {
    Stage {
        name: stage.into(),
        actions: vec![Action::CloudFormationDeploy {
            name: "Deploy".into(),
            account: account.into(),
            stack_name: "Service".into(),
            template_path: "Build::cloudwright.out/Service.template.json".into(),
        }],
    }
}

#[test]
fn a_pipeline_with_no_stages() {
    assert_eq!(
        problems(Vec::new(), Vec::new()),
        ["Mgmt/Delivery: the pipeline has no stages after its source; add at least a build or deploy stage"]
    );
}

#[test]
fn duplicate_stage_names_and_an_account_without_deploy_role() {
    let build = Stage {
        name: "Build".into(),
        actions: vec![Action::Build {
            name: "Build".into(),
            project: Box::new(BuildProjectProps { buildspec: BuildSpec::commands(&["make"]), ..Default::default() }),
        }],
    };
    let problems = problems(
        vec![
            build,
            deploy("DeployDev", "200000000000"),
            deploy("DeployDev", "200000000000"),
            deploy("DeployProd", "200000000002"),
        ],
        vec!["200000000000".into()],
    );
    assert_eq!(
        problems,
        [
            "Mgmt/Delivery: two stages are named \"DeployDev\"; stage names must be unique",
            "Mgmt/Delivery: stage \"DeployProd\" deploys to account 200000000002, which has no deploy role; create a DeployTarget in a stack of that account and list the account in PipelineProps::target_accounts",
        ]
    );
}

#[test]
fn a_build_with_nothing_to_run() {
    let stage = Stage {
        name: "Build".into(),
        actions: vec![Action::Build { name: "Build".into(), project: Box::new(BuildProjectProps::default()) }],
    };
    assert_eq!(
        problems(vec![stage], Vec::new()),
        ["Mgmt/Delivery/BuildBuild: the buildspec runs no command; give the build phase its commands"]
    );
}
