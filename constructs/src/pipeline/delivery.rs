//! `DeliveryPipeline`: the seed's whole delivery path in one construct. Source from
//! GitHub or CodeCommit, a build that synthesizes the app and publishes its assets, then
//! each environment in order (an approval where asked, e.g. before prod), deploying with
//! CloudFormation (plain mode) or updating the Proton service instance (Proton mode).

use cloudwright_core::{App, Construct, DeployMode, Expr, Node, Result, Stack};

use super::{
    Action, BuildProjectProps, BuildSpec, DeployTarget, Phase, Phases, Pipeline, PipelineProps, Source, Stage,
};
use crate::iam::PolicyStatement;

/// One environment the pipeline deploys to.
#[derive(Clone)]
pub struct DeliveryEnvironment {
    /// Stage name, e.g. `Dev`.
    pub name: String,
    /// A stack of the environment's account, deployed before the pipeline runs, where the
    /// deploy roles go.
    pub account_stack: Stack,
    /// The stack the pipeline deploys there (plain mode; Proton mode deploys the instance).
    pub service_stack: Option<Stack>,
    /// Wait for a manual approval before deploying here.
    pub approval_before: bool,
    /// The Proton service instance deployed here (Proton mode).
    pub proton_instance: Option<String>,
}

/// Properties of a [`DeliveryPipeline`].
#[derive(Clone)]
pub struct DeliveryPipelineProps {
    /// Where the code comes from.
    pub source: Source,
    /// Commands that build the app and synthesize it into `cloudwright.out`.
    pub build_commands: Vec<String>,
    /// The environments, in deployment order.
    pub environments: Vec<DeliveryEnvironment>,
    /// Topic notified when an approval waits.
    pub approval_topic: Option<Expr>,
    /// The Proton service (Proton mode).
    pub proton_service: Option<String>,
}

/// The seed's delivery pipeline.
#[derive(Clone)]
pub struct DeliveryPipeline {
    /// The pipeline.
    pub pipeline: Pipeline,
    /// The roles in each environment's account.
    pub targets: Vec<DeployTarget>,
}

impl Construct for DeliveryPipeline {
    fn node(&self) -> &Node {
        self.pipeline.node()
    }
}

impl DeliveryPipeline {
    /// Defines the pipeline in `scope` (the management stack) and the deploy roles in each
    /// environment's account stack.
    pub fn new(scope: &impl Construct, id: &str, props: DeliveryPipelineProps) -> Result<Self> {
        let names = Pipeline::names_for(scope, id);
        let mode = App::of(scope).deploy_mode();
        let mut targets = Vec::new();
        let mut accounts = Vec::new();
        for env in &props.environments {
            let target = DeployTarget::new(&env.account_stack, &format!("{id}DeployRoles"), &names)?;
            accounts.push(target.account.clone());
            targets.push(target);
        }

        let mut build_commands = props.build_commands.clone();
        let mut publish = Vec::new();
        if mode == DeployMode::Plain {
            // Lambda code and other assets go to each account's CDK bootstrap bucket,
            // through the file-publishing role `cdk bootstrap --trust <management>` creates.
            for stack in props.environments.iter().filter_map(|e| e.service_stack.as_ref()) {
                let file = stack.template_file().replace(".template.json", ".assets.json");
                build_commands.push(format!("npx --yes cdk-assets@3 publish --path cloudwright.out/{file}"));
                let e = stack.environment();
                let (account, region) = (e.account.unwrap_or_default(), e.region.unwrap_or_default());
                publish.push(Expr::sub(format!(
                    "arn:${{AWS::Partition}}:iam::{account}:role/cdk-hnb659fds-file-publishing-role-{account}-{region}"
                )));
            }
        }
        let buildspec = BuildSpec {
            phases: Phases {
                install: Some(Phase {
                    commands: vec![
                        "curl --proto '=https' -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal".into(),
                        ". \"$HOME/.cargo/env\"".into(),
                    ],
                }),
                build: Some(Phase { commands: build_commands }),
                ..Default::default()
            },
            artifacts: Some(super::Artifacts {
                files: vec!["cloudwright.out/**/*".into(), "proton/**/*".into()],
                base_directory: None,
            }),
            cache: Some(super::Cache { paths: vec!["/root/.cargo/registry/**/*".into(), "target/**/*".into()] }),
            ..Default::default()
        };
        let permissions =
            if publish.is_empty() { Vec::new() } else { vec![PolicyStatement::allow(&["sts:AssumeRole"], publish)] };

        let mut stages = vec![Stage {
            name: "Build".into(),
            actions: vec![Action::Build {
                name: "Build".into(),
                project: Box::new(BuildProjectProps {
                    buildspec,
                    local_cache: true,
                    permissions,
                    ..Default::default()
                }),
            }],
        }];
        let mut errors = Vec::new();
        for (env, account) in props.environments.iter().zip(&accounts) {
            if env.approval_before {
                stages.push(Stage {
                    name: format!("Approve{}", env.name),
                    actions: vec![Action::ManualApproval {
                        name: "Approve".into(),
                        comment: Some(format!("Promote to {}?", env.name)),
                        notify: props.approval_topic.clone(),
                    }],
                });
            }
            let deploy = match (mode, &props.proton_service, &env.proton_instance) {
                (DeployMode::Proton, Some(service), Some(instance)) => Action::ProtonDeploy {
                    name: "Deploy".into(),
                    account: account.clone(),
                    service: service.clone(),
                    instance: instance.clone(),
                },
                _ => match &env.service_stack {
                    Some(stack) => Action::CloudFormationDeploy {
                        name: "Deploy".into(),
                        account: account.clone(),
                        stack_name: stack.stack_name(),
                        template_path: format!("Build::cloudwright.out/{}", stack.template_file()),
                    },
                    None => {
                        errors.push(format!(
                            "environment {} has neither a service stack (plain mode) nor a Proton instance (Proton mode) to deploy",
                            env.name
                        ));
                        continue;
                    }
                },
            };
            stages.push(Stage { name: format!("Deploy{}", env.name), actions: vec![deploy] });
        }
        let pipeline = Pipeline::new(
            scope,
            id,
            PipelineProps { pipeline_name: None, source: props.source, stages, target_accounts: accounts },
        )?;
        for e in errors {
            pipeline.node().add_error(e);
        }
        if mode == DeployMode::Proton && props.proton_service.is_none() {
            pipeline.node().add_error(
                "Proton mode needs DeliveryPipelineProps::proton_service and each environment's proton_instance",
            );
        }
        Ok(DeliveryPipeline { pipeline, targets })
    }
}
