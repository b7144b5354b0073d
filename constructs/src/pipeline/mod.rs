//! The multi-account delivery pipeline: CodePipeline in the management account with a
//! KMS-encrypted artifact store, typed source, build, approval and deploy actions, and
//! the cross-account roles the target accounts need.
//!
//! The management stack refers to the target accounts' roles (and they to its bucket,
//! key and pipeline role) by deterministic names derived from the pipeline's path, so
//! no deploy-time value crosses an account.
//!
//! ```
//! use cloudwright_constructs::pipeline::{DeliveryEnvironment, DeliveryPipeline, DeliveryPipelineProps, Source};
//! use cloudwright_constructs::{App, CfnResource, Environment, Stack, StackProps};
//!
//! let app = App::new();
//! let env = |account: &str| StackProps { env: Environment::new(account, "us-east-1"), ..Default::default() };
//! let mgmt = Stack::new(&app, "Mgmt", env("111111111111"))?;
//! let baseline = Stack::new(&app, "ProdBaseline", env("200000000002"))?;
//! let service = Stack::new(&app, "ProdService", env("200000000002"))?;
//! CfnResource::new(&service, "Queue", "AWS::SQS::Queue", Default::default())?;
//! DeliveryPipeline::new(&mgmt, "Delivery", DeliveryPipelineProps {
//!     source: Source::CodeCommit { repository: "hello".into(), branch: "main".into() },
//!     build_commands: vec!["make synth".into()],
//!     environments: vec![DeliveryEnvironment {
//!         name: "Prod".into(),
//!         account_stack: baseline,
//!         service_stack: Some(service),
//!         approval_before: true,
//!         proton_instance: None,
//!     }],
//!     approval_topic: None,
//!     proton_service: None,
//! })?;
//! let assembly = app.assembly()?;
//! // The deploy roles are in the target account's baseline stack.
//! assert!(assembly.template("ProdBaseline").unwrap().to_string().contains("cloudformation.amazonaws.com"));
//! # Ok::<(), cloudwright_constructs::Error>(())
//! ```

mod artifacts;
mod buildspec;
mod delivery;
mod deploy_target;
mod project;

use std::collections::HashSet;

use cloudwright_core::{CfnResource, Construct, Expr, Group, Node, Result};
use serde_json::{Value as Json, json};

pub use artifacts::PipelineNames;
pub use buildspec::{Artifacts, BuildSpec, Cache, Env, Phase, Phases, Report};
pub use delivery::{DeliveryEnvironment, DeliveryPipeline, DeliveryPipelineProps};
pub use deploy_target::{DEPLOYABLE_SERVICES, DeployTarget};
pub use project::{BuildEnvironment, BuildProject, BuildProjectProps};

use crate::iam::{PolicyStatement, Principal, Role, RoleProps};

/// Where the code comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A GitHub repository through a CodeStar connection.
    GitHub {
        /// The connection's ARN.
        connection_arn: Expr,
        /// `owner/repository`.
        repository: String,
        /// The branch that triggers the pipeline.
        branch: String,
    },
    /// A CodeCommit repository in the management account.
    CodeCommit {
        /// Repository name.
        repository: String,
        /// The branch that triggers the pipeline.
        branch: String,
    },
}

/// One action of a stage.
#[derive(Debug, Clone)]
pub enum Action {
    /// Runs a CodeBuild project on the source; its output artifact is named after the action.
    Build {
        /// Action name.
        name: String,
        /// The project.
        project: Box<BuildProjectProps>,
    },
    /// Waits for a person to approve.
    ManualApproval {
        /// Action name.
        name: String,
        /// Shown to the approver.
        comment: Option<String>,
        /// Topic notified when approval is needed.
        notify: Option<Expr>,
    },
    /// Creates or updates a stack in a target account from a template the build wrote.
    CloudFormationDeploy {
        /// Action name.
        name: String,
        /// Target account (must have a [`DeployTarget`]).
        account: String,
        /// CloudFormation stack name.
        stack_name: String,
        /// `<artifact>::<path>` of the template, e.g. `Build::cloudwright.out/Service.template.json`.
        template_path: String,
    },
    /// Updates a Proton service instance (Proton mode), with the AWS CLI in CodeBuild.
    ProtonDeploy {
        /// Action name.
        name: String,
        /// Target account (for the record; Proton deploys through its connection role).
        account: String,
        /// Proton service name.
        service: String,
        /// Service instance name.
        instance: String,
    },
}

impl Action {
    fn name(&self) -> &str {
        match self {
            Action::Build { name, .. }
            | Action::ManualApproval { name, .. }
            | Action::CloudFormationDeploy { name, .. }
            | Action::ProtonDeploy { name, .. } => name,
        }
    }
}

/// A stage: actions run in order.
#[derive(Debug, Clone)]
pub struct Stage {
    /// Stage name, unique in the pipeline.
    pub name: String,
    /// The actions.
    pub actions: Vec<Action>,
}

/// Properties of a [`Pipeline`].
#[derive(Debug, Clone)]
pub struct PipelineProps {
    /// The pipeline's name; derived from the path when `None`.
    pub pipeline_name: Option<String>,
    /// Where the code comes from (the first stage, `Source`).
    pub source: Source,
    /// The stages after the source.
    pub stages: Vec<Stage>,
    /// Accounts whose deploy roles the pipeline may assume (created with [`DeployTarget`]).
    pub target_accounts: Vec<String>,
}

/// A CodePipeline (V2) in the management account.
#[derive(Clone)]
pub struct Pipeline {
    group: Group,
    resource: CfnResource,
    /// The names shared with the target accounts.
    pub names: PipelineNames,
    /// The pipeline's role.
    pub role: Role,
}

impl Construct for Pipeline {
    fn node(&self) -> &Node {
        self.group.node()
    }
}

impl Pipeline {
    /// The names a pipeline at `scope/id` will use, for creating [`DeployTarget`]s first.
    pub fn names_for(scope: &impl Construct, id: &str) -> PipelineNames {
        let node = scope.node();
        let env = node.stack().map(|s| s.environment()).unwrap_or_default();
        PipelineNames::new(
            &format!("{}/{id}", node.path()),
            env.account.as_deref().unwrap_or("000000000000"),
            env.region.as_deref().unwrap_or("us-east-1"),
        )
    }

    /// Defines the pipeline, its artifact store, roles and build projects.
    pub fn new(scope: &impl Construct, id: &str, props: PipelineProps) -> Result<Self> {
        let names = Pipeline::names_for(scope, id);
        let group = Group::with_fqn(scope, id, "cloudwright.pipeline.Pipeline")?;
        let node = group.node().clone();
        check_stages(&node, &props);
        if node.stack().and_then(|s| s.environment().account).is_none() {
            node.add_error("a cross-account pipeline needs a stack with a concrete account and region");
        }
        let store = artifacts::artifact_store(&group, &names, &props.target_accounts)?;
        let key = store.key.get_att("Arn");
        let role = Role::new(
            &group,
            "Role",
            RoleProps {
                role_name: Some(names.pipeline_role.clone()),
                assumed_by: vec![Principal::service("codepipeline.amazonaws.com")],
                ..Default::default()
            },
        )?;
        artifacts::grant_artifacts(&role, &names, &key)?;
        role.add_to_policy(PolicyStatement::allow(&["kms:DescribeKey"], [key.clone()]))?;

        let mut stages = vec![source_stage(&role, &props.source)?];
        let mut assumed: Vec<Expr> = Vec::new();
        for stage in &props.stages {
            let mut actions = Vec::new();
            for (a, action) in stage.actions.iter().enumerate() {
                let run_order = a + 1;
                let rendered = match action {
                    Action::Build { name, project } => {
                        let project = BuildProject::new(
                            &group,
                            &format!("{}{name}", stage.name),
                            (**project).clone(),
                            &names,
                            key.clone(),
                        )?;
                        codebuild_action(&role, name, &project, "Source", Some(name), run_order)?
                    }
                    Action::ManualApproval { name, comment, notify } => {
                        let mut config = serde_json::Map::new();
                        if let Some(c) = comment {
                            config.insert("CustomData".into(), json!(c));
                        }
                        if let Some(topic) = notify {
                            config.insert("NotificationArn".into(), topic.to_json());
                            role.add_to_policy(PolicyStatement::allow(&["sns:Publish"], [topic.clone()]))?;
                        }
                        let mut out = json!({
                            "Name": name,
                            "ActionTypeId": {"Category": "Approval", "Owner": "AWS", "Provider": "Manual", "Version": "1"},
                            "RunOrder": run_order,
                        });
                        if let (false, Some(map)) = (config.is_empty(), out.as_object_mut()) {
                            map.insert("Configuration".into(), Json::Object(config));
                        }
                        out
                    }
                    Action::CloudFormationDeploy { name, account, stack_name, template_path } => {
                        let deploy_role = names.deploy_role_arn(account);
                        if !assumed.contains(&deploy_role) {
                            assumed.push(deploy_role.clone());
                        }
                        let input = template_path.split("::").next().unwrap_or("Build");
                        json!({
                            "Name": name,
                            "ActionTypeId": {"Category": "Deploy", "Owner": "AWS", "Provider": "CloudFormation", "Version": "1"},
                            "Configuration": {
                                "ActionMode": "CREATE_UPDATE",
                                "StackName": stack_name,
                                "TemplatePath": template_path,
                                "Capabilities": "CAPABILITY_NAMED_IAM,CAPABILITY_AUTO_EXPAND",
                                "RoleArn": names.execution_role_arn(account),
                            },
                            "InputArtifacts": [{"Name": input}],
                            "RoleArn": deploy_role,
                            "RunOrder": run_order,
                        })
                    }
                    Action::ProtonDeploy { name, service, instance, .. } => {
                        let project = BuildProject::new(
                            &group,
                            &format!("{}{name}", stage.name),
                            BuildProjectProps {
                                buildspec: BuildSpec::commands(&[
                                    "aws proton update-service-instance --service-name \"$SERVICE\" --name \"$INSTANCE\" --deployment-type CURRENT_VERSION --spec \"file://proton/specs/$SERVICE.yaml\"",
                                    "aws proton wait service-instance-deployed --service-name \"$SERVICE\" --name \"$INSTANCE\"",
                                ]),
                                environment: BuildEnvironment {
                                    variables: vec![
                                        ("SERVICE".into(), service.clone()),
                                        ("INSTANCE".into(), instance.clone()),
                                    ],
                                    compute_type: "BUILD_GENERAL1_SMALL".into(),
                                    ..Default::default()
                                },
                                ..Default::default()
                            },
                            &names,
                            key.clone(),
                        )?;
                        project.role.add_to_policy(PolicyStatement::allow(
                            &["proton:UpdateServiceInstance", "proton:GetServiceInstance"],
                            [Expr::sub(format!("arn:${{AWS::Partition}}:proton:${{AWS::Region}}:${{AWS::AccountId}}:service/{service}/service-instance/{instance}"))],
                        ))?;
                        codebuild_action(&role, name, &project, "Build", None, run_order)?
                    }
                };
                actions.push(rendered);
            }
            stages.push(json!({"Name": stage.name, "Actions": actions}));
        }
        if !assumed.is_empty() {
            role.add_to_policy(PolicyStatement::allow(&["sts:AssumeRole"], assumed))?;
        }
        let mut body = json!({
            "PipelineType": "V2",
            "RoleArn": role.arn(),
            "ArtifactStore": {"Type": "S3", "Location": store.bucket.reference(), "EncryptionKey": {"Id": key, "Type": "KMS"}},
            "Stages": stages,
            "RestartExecutionOnUpdate": false,
        });
        if let (Some(n), Some(map)) = (&props.pipeline_name, body.as_object_mut()) {
            map.insert("Name".into(), json!(n));
        }
        let resource = CfnResource::from_json(&group, "Resource", "AWS::CodePipeline::Pipeline", body)?;
        resource.set_tag_format(cloudwright_core::TagFormat::Standard);
        if let Some(policy) = role.default_policy() {
            resource.add_depends_on(&policy);
        }
        Ok(Pipeline { group, resource, names, role })
    }

    /// The pipeline's name.
    pub fn pipeline_name(&self) -> Expr {
        self.resource.reference()
    }
}

/// A CodeBuild action, and the pipeline role's permission to run its project.
fn codebuild_action(
    role: &Role,
    name: &str,
    project: &BuildProject,
    input: &str,
    output: Option<&str>,
    run_order: usize,
) -> Result<Json> {
    role.add_to_policy(PolicyStatement::allow(
        &["codebuild:StartBuild", "codebuild:BatchGetBuilds", "codebuild:StopBuild"],
        [project.arn()],
    ))?;
    let mut action = json!({
        "Name": name,
        "ActionTypeId": {"Category": "Build", "Owner": "AWS", "Provider": "CodeBuild", "Version": "1"},
        "Configuration": {"ProjectName": project.project_name()},
        "InputArtifacts": [{"Name": input}],
        "RunOrder": run_order,
    });
    if let (Some(output), Some(map)) = (output, action.as_object_mut()) {
        map.insert("OutputArtifacts".into(), json!([{"Name": output}]));
    }
    Ok(action)
}

fn source_stage(role: &Role, source: &Source) -> Result<Json> {
    let action = match source {
        Source::GitHub { connection_arn, repository, branch } => {
            role.add_to_policy(PolicyStatement::allow(
                &["codestar-connections:UseConnection"],
                [connection_arn.clone()],
            ))?;
            json!({
                "Name": "GitHub",
                "ActionTypeId": {"Category": "Source", "Owner": "AWS", "Provider": "CodeStarSourceConnection", "Version": "1"},
                "Configuration": {"ConnectionArn": connection_arn, "FullRepositoryId": repository, "BranchName": branch, "OutputArtifactFormat": "CODE_ZIP"},
                "OutputArtifacts": [{"Name": "Source"}],
                "RunOrder": 1,
            })
        }
        Source::CodeCommit { repository, branch } => {
            let arn = Expr::sub(format!(
                "arn:${{AWS::Partition}}:codecommit:${{AWS::Region}}:${{AWS::AccountId}}:{repository}"
            ));
            role.add_to_policy(PolicyStatement::allow(
                &[
                    "codecommit:GetBranch",
                    "codecommit:GetCommit",
                    "codecommit:UploadArchive",
                    "codecommit:GetUploadArchiveStatus",
                    "codecommit:CancelUploadArchive",
                ],
                [arn],
            ))?;
            json!({
                "Name": "CodeCommit",
                "ActionTypeId": {"Category": "Source", "Owner": "AWS", "Provider": "CodeCommit", "Version": "1"},
                "Configuration": {"RepositoryName": repository, "BranchName": branch, "PollForSourceChanges": false},
                "OutputArtifacts": [{"Name": "Source"}],
                "RunOrder": 1,
            })
        }
    };
    Ok(json!({"Name": "Source", "Actions": [action]}))
}

/// Stage and action checks, recorded on the pipeline's node.
fn check_stages(node: &Node, props: &PipelineProps) {
    if props.stages.is_empty() {
        node.add_error("the pipeline has no stages after its source; add at least a build or deploy stage");
    }
    let mut stage_names: HashSet<&str> = HashSet::from(["Source"]);
    for stage in &props.stages {
        if !stage_names.insert(stage.name.as_str()) {
            node.add_error(format!("two stages are named {:?}; stage names must be unique", stage.name));
        }
        if stage.actions.is_empty() {
            node.add_error(format!("stage {:?} has no actions", stage.name));
        }
        let mut action_names = HashSet::new();
        for action in &stage.actions {
            if !action_names.insert(action.name()) {
                node.add_error(format!("stage {:?} has two actions named {:?}", stage.name, action.name()));
            }
            if let Action::CloudFormationDeploy { account, .. } | Action::ProtonDeploy { account, .. } = action {
                if !props.target_accounts.contains(account) {
                    node.add_error(format!(
                        "stage {:?} deploys to account {account}, which has no deploy role; create a DeployTarget in a \
                         stack of that account and list the account in PipelineProps::target_accounts",
                        stage.name
                    ));
                }
            }
        }
    }
}
