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
//! use cloudwright_constructs::cfn::sqs::{CfnQueue, CfnQueueProps};
//! use cloudwright_constructs::{App, Environment, Stack, StackProps};
//!
//! let app = App::new();
//! let env = |account: &str| StackProps { env: Environment::new(account, "us-east-1"), ..Default::default() };
//! let mgmt = Stack::new(&app, "Mgmt", env("111111111111"))?;
//! let baseline = Stack::new(&app, "ProdBaseline", env("200000000002"))?;
//! let service = Stack::new(&app, "ProdService", env("200000000002"))?;
//! CfnQueue::new(&service, "Queue", CfnQueueProps::default())?;
//! DeliveryPipeline::new(&mgmt, "Delivery", DeliveryPipelineProps {
//!     source: Source::CodeCommit { repository: "hello".into(), branch: "main".into() },
//!     build_commands: vec!["make synth".into()],
//!     environments: vec![DeliveryEnvironment {
//!         approval_before: true,
//!         smoke_test: vec!["curl -sSf https://hello.example.com/health".into()],
//!         ..DeliveryEnvironment::new("Prod", baseline)
//!     }],
//!     approval_topic: None,
//!     proton_service: None,
//! })?;
//! let assembly = app.assembly()?;
//! // The deploy roles are in the target account's baseline stack, which the pipeline
//! // deploys first, then the service, then the smoke test.
//! assert!(assembly.template("ProdBaseline").unwrap().to_string().contains("cloudformation.amazonaws.com"));
//! let mgmt = assembly.template("Mgmt").unwrap().to_string();
//! let at = |action: &str| mgmt.find(&format!(r#""Name":"{action}""#)).unwrap();
//! assert!(at("ProdBaseline.Deploy") < at("ProdService.Deploy"));
//! assert!(at("ProdService.Deploy") < at("SmokeTest"));
//! # Ok::<(), cloudwright_constructs::Error>(())
//! ```

mod artifacts;
mod buildspec;
mod delivery;
mod deploy_target;
mod project;

use std::collections::HashSet;

use cloudwright_core::{Construct, Error, Expr, Group, Node, Result, Value};
use serde::Serialize;
use serde_json::Value as Json;

pub use artifacts::PipelineNames;
pub use buildspec::{Artifacts, BuildSpec, Cache, Env, Phase, Phases, Report};
pub use delivery::{DeliveryEnvironment, DeliveryPipeline, DeliveryPipelineProps};
pub use deploy_target::DeployTarget;
pub use project::{BuildEnvironment, BuildProject, BuildProjectProps};

use crate::cfn::codepipeline::pipeline::{
    ActionDeclaration, ActionTypeId, ArtifactStore, Category, EncryptionKey, InputArtifact, OutputArtifact,
    PipelineType, StageDeclaration, Type as StoreType,
};
use crate::cfn::codepipeline::{CfnPipeline, CfnPipelineProps};
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
    /// Runs a CodeBuild project on the build's output (smoke tests after a deploy); it
    /// fails the stage when a command fails.
    Test {
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
            | Action::Test { name, .. }
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
    resource: CfnPipeline,
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
        let group = crate::scope::group_in_stack(scope, id, "cloudwright.pipeline.Pipeline")?;
        let node = group.node().clone();
        check_stages(&node, &props);
        if node.stack().and_then(|s| s.environment().account).is_none() {
            node.add_error("a cross-account pipeline needs a stack with a concrete account and region");
        }
        let store = artifacts::artifact_store(&group, &names, &props.target_accounts)?;
        let key = store.key.attr_arn();
        let role = Role::new(
            &group,
            "Role",
            RoleProps {
                role_name: Some(names.pipeline_role.clone()),
                assumed_by: vec![Principal::service("codepipeline.amazonaws.com")],
                // CodePipeline sends the pipeline's account when it assumes its role:
                // https://docs.aws.amazon.com/codepipeline/latest/userguide/security_iam_service-with-iam.html
                trust_conditions: vec![crate::iam::Condition::new(
                    crate::iam::Operator::string_equals(),
                    "aws:SourceAccount",
                    [names.account.as_str()],
                )],
                ..Default::default()
            },
        )?;
        artifacts::grant_artifacts(&role, &names, &key)?;
        role.add_to_policy(PolicyStatement::allow(&["kms:DescribeKey"], [key.clone()]))?;

        let mut stages = vec![source_stage(&node, &role, &props.source)?];
        let mut assumed: Vec<Expr> = Vec::new();
        // A project's id joins its stage's and action's names, so two actions can ask for one
        // id (or one the pipeline uses): that is recorded and the action left out, rather
        // than failing with the pipeline half-built.
        let new_project = |stage: &Stage, name: &str, project: BuildProjectProps| {
            let id = format!("{}{name}", stage.name);
            if id.contains('/') || id == "Resource" || group.node().find_child(&id).is_some() {
                node.add_error(format!(
                    "stage {:?} action {name:?}: its build project would have the id {id:?}, which is taken or \
                     contains '/'; rename the stage or the action",
                    stage.name
                ));
                return Ok(None);
            }
            BuildProject::new(&group, &id, project, &names, key.clone()).map(Some)
        };
        for stage in &props.stages {
            let mut actions = Vec::new();
            for (a, action) in stage.actions.iter().enumerate() {
                // Actions of a stage run one after the other, in the order given: a larger
                // runOrder waits for every smaller one to succeed.
                // https://docs.aws.amazon.com/codepipeline/latest/userguide/reference-pipeline-structure.html
                let run_order = i64::try_from(a + 1).unwrap_or(i64::MAX);
                let rendered = match action {
                    Action::Build { name, project } => {
                        let project = new_project(stage, name, (**project).clone())?;
                        let Some(project) = project else { continue };
                        codebuild_action(&role, name, &project, Category::Build, "Source", Some(name), run_order)?
                    }
                    Action::Test { name, project } => {
                        let project = new_project(stage, name, (**project).clone())?;
                        let Some(project) = project else { continue };
                        codebuild_action(&role, name, &project, Category::Test, "Build", None, run_order)?
                    }
                    Action::ManualApproval { name, comment, notify } => {
                        if let Some(topic) = notify {
                            role.add_to_policy(PolicyStatement::allow(&["sns:Publish"], [topic.clone()]))?;
                        }
                        let config = ApprovalConfig { custom_data: comment.clone(), notification_arn: notify.clone() };
                        let configuration = (comment.is_some() || notify.is_some())
                            .then(|| configuration(&node, &config))
                            .transpose()?;
                        ActionDeclaration {
                            configuration,
                            run_order: Some(run_order.into()),
                            ..ActionDeclaration::new(action_type(Category::Approval, "Manual"), name)
                        }
                    }
                    Action::CloudFormationDeploy { name, account, stack_name, template_path } => {
                        let deploy_role = names.deploy_role_arn(account);
                        if !assumed.contains(&deploy_role) {
                            assumed.push(deploy_role.clone());
                        }
                        let input = template_path.split("::").next().unwrap_or("Build");
                        // https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CloudFormation.html
                        let config = CloudFormationConfig {
                            action_mode: "CREATE_UPDATE",
                            stack_name,
                            template_path,
                            capabilities: "CAPABILITY_NAMED_IAM,CAPABILITY_AUTO_EXPAND",
                            role_arn: names.execution_role_arn(account),
                        };
                        ActionDeclaration {
                            configuration: Some(configuration(&node, &config)?),
                            input_artifacts: Some(vec![InputArtifact::new(input)]),
                            role_arn: Some(deploy_role.into()),
                            run_order: Some(run_order.into()),
                            ..ActionDeclaration::new(action_type(Category::Deploy, "CloudFormation"), name)
                        }
                    }
                    Action::ProtonDeploy { name, service, instance, .. } => {
                        let project = new_project(
                            stage,
                            name,
                            BuildProjectProps {
                                buildspec: BuildSpec::commands(&[
                                    "aws proton update-service-instance --service-name \"$SERVICE\" --name \"$INSTANCE\" --deployment-type CURRENT_VERSION --spec \"file://proton/specs/$SERVICE.yaml\"",
                                    "aws proton wait service-instance-deployed --service-name \"$SERVICE\" --name \"$INSTANCE\"",
                                ]),
                                environment: BuildEnvironment {
                                    variables: vec![
                                        ("SERVICE".into(), service.into()),
                                        ("INSTANCE".into(), instance.into()),
                                    ],
                                    compute_type: "BUILD_GENERAL1_SMALL".into(),
                                    ..Default::default()
                                },
                                ..Default::default()
                            },
                        )?;
                        let Some(project) = project else { continue };
                        project.role.add_to_policy(PolicyStatement::allow(
                            &["proton:UpdateServiceInstance", "proton:GetServiceInstance"],
                            [Expr::sub(format!("arn:${{AWS::Partition}}:proton:${{AWS::Region}}:${{AWS::AccountId}}:service/{service}/service-instance/{instance}"))],
                        ))?;
                        codebuild_action(&role, name, &project, Category::Build, "Build", None, run_order)?
                    }
                };
                actions.push(rendered);
            }
            stages.push(StageDeclaration::new(actions, &stage.name));
        }
        if !assumed.is_empty() {
            role.add_to_policy(PolicyStatement::allow(&["sts:AssumeRole"], assumed))?;
        }
        let resource = CfnPipeline::new(
            &group,
            "Resource",
            CfnPipelineProps {
                artifact_store: Some(ArtifactStore {
                    encryption_key: Some(EncryptionKey::new(key, "KMS")),
                    ..ArtifactStore::new(store.bucket.reference(), StoreType::S3)
                }),
                name: props.pipeline_name.as_ref().map(Value::from),
                pipeline_type: Some(PipelineType::V2.into()),
                restart_execution_on_update: Some(false.into()),
                ..CfnPipelineProps::new(role.arn(), stages)
            },
        )?;
        if let Some(policy) = role.default_policy() {
            resource.add_depends_on(&policy);
        }
        Ok(Pipeline { group, resource, names, role })
    }

    /// The pipeline's name.
    pub fn pipeline_name(&self) -> Expr {
        self.resource.reference()
    }

    /// The `AWS::CodePipeline::Pipeline` resource.
    pub fn resource(&self) -> &CfnPipeline {
        &self.resource
    }
}

/// The configuration of a manual approval action.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ApprovalConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    custom_data: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    notification_arn: Option<Expr>,
}

/// The configuration of a CloudFormation deploy action.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct CloudFormationConfig<'a> {
    action_mode: &'static str,
    stack_name: &'a str,
    template_path: &'a str,
    capabilities: &'static str,
    role_arn: Expr,
}

/// The configuration of a CodeBuild action.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct CodeBuildConfig {
    project_name: Expr,
}

/// The configuration of a CodeStar connections (GitHub) source action.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ConnectionSourceConfig<'a> {
    connection_arn: &'a Expr,
    full_repository_id: &'a str,
    branch_name: &'a str,
    output_artifact_format: &'static str,
}

/// The configuration of a CodeCommit source action.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct CodeCommitSourceConfig<'a> {
    repository_name: &'a str,
    branch_name: &'a str,
    poll_for_source_changes: bool,
}

/// An action's configuration: the schema leaves it an untyped object, whose keys depend
/// on the provider; the structs above type it.
fn configuration(node: &Node, config: &impl Serialize) -> Result<Json> {
    serde_json::to_value(config).map_err(|source| Error::Serialize {
        path: node.path(),
        what: "an action's configuration".into(),
        source,
    })
}

/// An AWS-owned action type, version 1.
fn action_type(category: Category, provider: &str) -> ActionTypeId {
    ActionTypeId::new(category, "AWS", provider, "1")
}

/// A CodeBuild action, and the pipeline role's permission to run its project.
fn codebuild_action(
    role: &Role,
    name: &str,
    project: &BuildProject,
    category: Category,
    input: &str,
    output: Option<&str>,
    run_order: i64,
) -> Result<ActionDeclaration> {
    role.add_to_policy(PolicyStatement::allow(
        &["codebuild:StartBuild", "codebuild:BatchGetBuilds", "codebuild:StopBuild"],
        [project.arn()],
    ))?;
    Ok(ActionDeclaration {
        configuration: Some(configuration(project.node(), &CodeBuildConfig { project_name: project.project_name() })?),
        input_artifacts: Some(vec![InputArtifact::new(input)]),
        output_artifacts: output.map(|o| vec![OutputArtifact::new(o)]),
        run_order: Some(run_order.into()),
        ..ActionDeclaration::new(action_type(category, "CodeBuild"), name)
    })
}

fn source_stage(node: &Node, role: &Role, source: &Source) -> Result<StageDeclaration> {
    let (name, provider, config) = match source {
        Source::GitHub { connection_arn, repository, branch } => {
            crate::deploy::manual_step(node, crate::deploy::activate_connection(connection_arn.as_literal_str()));
            role.add_to_policy(PolicyStatement::allow(
                &["codestar-connections:UseConnection"],
                [connection_arn.clone()],
            ))?;
            let config = ConnectionSourceConfig {
                connection_arn,
                full_repository_id: repository,
                branch_name: branch,
                output_artifact_format: "CODE_ZIP",
            };
            ("GitHub", "CodeStarSourceConnection", configuration(node, &config)?)
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
            let config = CodeCommitSourceConfig {
                repository_name: repository,
                branch_name: branch,
                poll_for_source_changes: false,
            };
            ("CodeCommit", "CodeCommit", configuration(node, &config)?)
        }
    };
    let action = ActionDeclaration {
        configuration: Some(config),
        output_artifacts: Some(vec![OutputArtifact::new("Source")]),
        run_order: Some(1.into()),
        ..ActionDeclaration::new(action_type(Category::Source, provider), name)
    };
    Ok(StageDeclaration::new(vec![action], "Source"))
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
