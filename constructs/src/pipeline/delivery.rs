//! `DeliveryPipeline`: the seed's whole delivery path in one construct. Source from
//! GitHub or CodeCommit, a build that synthesizes the app and publishes its assets, then
//! each environment in order (an approval where asked, e.g. before prod): in plain mode
//! every stack of the environment's account deployed with CloudFormation in dependency
//! order, in Proton mode the Proton service instance updated; then the environment's
//! smoke tests, before the next environment.
//!
//! As CDK Pipelines deploys a stage: its stacks in dependency order, then the stage's
//! `post` steps (a `ShellStep` in CodeBuild, in the pipeline's account):
//! <https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.pipelines.StageDeployment.html>

use std::collections::HashSet;

use cloudwright_core::assembly::{Bootstrap, RoleKind};
use cloudwright_core::{App, Construct, Environment, Error, Expr, Node, Result, Stack, Value};

use super::{
    Action, BuildEnvironment, BuildProjectProps, BuildSpec, DeployTarget, Phase, Phases, Pipeline, PipelineNames,
    PipelineProps, Source, Stage,
};
use crate::iam::PolicyStatement;
use crate::proton::DeployMode;

/// One environment the pipeline deploys to.
#[derive(Clone)]
pub struct DeliveryEnvironment {
    /// Stage name, e.g. `Dev`.
    pub name: String,
    /// The account's baseline stack, where the deploy roles go. It is deployed once by hand
    /// before the pipeline first runs (as `cdk bootstrap` is), since it holds the roles the
    /// pipeline deploys with; after that the pipeline keeps it current as the first stack
    /// of the stage. Its account and region are the environment's.
    pub account_stack: Stack,
    /// Stacks of the environment's account that the pipeline does not deploy (plain mode),
    /// each with the reason, e.g. a stack another team deploys.
    pub excluded: Vec<(Stack, String)>,
    /// Wait for a manual approval before deploying here.
    pub approval_before: bool,
    /// The Proton service instance deployed here (Proton mode).
    pub proton_instance: Option<String>,
    /// Smoke-test commands run in CodeBuild after the environment's deploys and before the
    /// next environment; a failing command stops the pipeline. No test action when empty.
    /// The commands see `STAGE`, `TARGET_ACCOUNT` and `TARGET_REGION`.
    pub smoke_test: Vec<String>,
    /// What the smoke tests may do in the environment's account: a role there holding
    /// these statements, which the commands use through `AWS_PROFILE=target`. No role
    /// when empty (the tests then reach the service from outside, e.g. over HTTPS).
    pub smoke_test_permissions: Vec<PolicyStatement>,
}

impl DeliveryEnvironment {
    /// An environment deploying the account of `account_stack`, every stack included,
    /// with no approval and no smoke test.
    pub fn new(name: &str, account_stack: Stack) -> Self {
        DeliveryEnvironment {
            name: name.into(),
            account_stack,
            excluded: Vec::new(),
            approval_before: false,
            proton_instance: None,
            smoke_test: Vec::new(),
            smoke_test_permissions: Vec::new(),
        }
    }
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

/// Where an environment deploys, and what.
struct Target {
    account: String,
    region: String,
    /// Plain mode: every stack of the account and region, in dependency order.
    stacks: Vec<Stack>,
}

impl DeliveryPipeline {
    /// Defines the pipeline in `scope` (the management stack) and the deploy roles in each
    /// environment's account stack. Define it after the stacks it deploys: it takes every
    /// stack of each environment's account that exists now, and synthesis reports a stack
    /// of those accounts that no stage deploys.
    pub fn new(scope: &impl Construct, id: &str, props: DeliveryPipelineProps) -> Result<Self> {
        let names = Pipeline::names_for(scope, id);
        let app = App::of(scope);
        let mode = DeployMode::of(&app)?;
        let bootstrap = Bootstrap::new(app.bootstrap_qualifier());
        let all_stacks = app.stacks();
        let targets: Vec<Target> = props.environments.iter().map(|env| target(env, &all_stacks)).collect();

        // The deploy roles go into other stacks before the pipeline is added: everything that
        // could refuse either is checked first, so a failure leaves no node behind.
        crate::scope::check_can_add(scope, id)?;
        let roles_id = format!("{id}DeployRoles");
        for (i, env) in props.environments.iter().enumerate() {
            if let Some(twin) = props.environments[..i].iter().find(|e| e.account_stack == env.account_stack) {
                return Err(Error::Validation {
                    path: format!("{}/{id}", scope.node().path()),
                    message: format!(
                        "environments {} and {} deploy from the same account stack {}, which can hold one set of \
                         deploy roles; give each environment its own account stack",
                        twin.name,
                        env.name,
                        env.account_stack.node().path()
                    ),
                });
            }
            crate::scope::check_can_add(&env.account_stack, &roles_id)?;
        }
        let mut deploy_targets = Vec::new();
        let mut smoke_roles = Vec::new();
        for env in &props.environments {
            let deploy_target = DeployTarget::new(&env.account_stack, &roles_id, &names)?;
            let has_role = !env.smoke_test.is_empty() && !env.smoke_test_permissions.is_empty();
            if has_role {
                deploy_target.smoke_test_role(&env.name, &env.smoke_test_permissions)?;
            }
            smoke_roles.push(has_role);
            deploy_targets.push(deploy_target);
        }

        if mode == DeployMode::Plain {
            for (deploy_target, target) in deploy_targets.iter().zip(&targets) {
                deploy_target.allow_deploying(&target.stacks)?;
            }
        }
        let mut stages =
            vec![build_stage(&props.build_commands, (mode == DeployMode::Plain).then_some(&targets), &bootstrap)];
        let mut errors = Vec::new();
        for ((env, target), has_role) in props.environments.iter().zip(&targets).zip(smoke_roles) {
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
            let mut actions = match (mode, &props.proton_service, &env.proton_instance) {
                (DeployMode::Proton, Some(service), Some(instance)) => vec![Action::ProtonDeploy {
                    name: "Deploy".into(),
                    account: target.account.clone(),
                    service: service.clone(),
                    instance: instance.clone(),
                }],
                _ => target
                    .stacks
                    .iter()
                    .map(|stack| {
                        // `Fn::GetStackOutput` reads with the role that deploys the stack.
                        stack.add_execution_role(&names.execution_role);
                        Action::CloudFormationDeploy {
                            // CDK Pipelines names a stack's action `<stack>.Deploy` too.
                            name: format!("{}.Deploy", stack.stack_name()),
                            account: target.account.clone(),
                            stack_name: stack.stack_name(),
                            template_path: format!("Build::cloudwright.out/{}", stack.template_file()),
                        }
                    })
                    .collect(),
            };
            if actions.is_empty() {
                errors.push(format!(
                    "environment {} has no stack of account {} to deploy (plain mode) nor a Proton instance (Proton \
                     mode); define its stacks before the pipeline",
                    env.name, target.account
                ));
                continue;
            }
            if !env.smoke_test.is_empty() {
                actions.push(Action::Test {
                    name: "SmokeTest".into(),
                    project: Box::new(smoke_test_project(&names, env, target, has_role)),
                });
            }
            stages.push(Stage { name: format!("Deploy{}", env.name), actions });
        }
        let accounts = targets.iter().map(|t| t.account.clone()).collect();
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
        if mode == DeployMode::Plain {
            check_coverage(pipeline.node(), &props.environments, &targets);
        }
        Ok(DeliveryPipeline { pipeline, targets: deploy_targets })
    }
}

/// The environment's account and region, and (plain mode) its stacks in dependency order.
fn target(env: &DeliveryEnvironment, all_stacks: &[Stack]) -> Target {
    let e = env.account_stack.environment();
    let (account, region) = (e.account.unwrap_or_default(), e.region.unwrap_or_default());
    let excluded: Vec<&Stack> = env.excluded.iter().map(|(s, _)| s).collect();
    let members: Vec<Stack> = all_stacks
        .iter()
        .filter(|s| {
            let se = s.environment();
            se.account.as_deref() == Some(account.as_str())
                && se.region.as_deref() == Some(region.as_str())
                && !excluded.contains(s)
        })
        .cloned()
        .collect();
    Target { account, region, stacks: dependency_order(&members) }
}

/// `stacks` ordered so each comes after the stacks it depends on, otherwise in creation
/// order: a stack that references another's resources is created after it, so creation
/// order also follows the references, whose dependencies the core adds only at synthesis.
fn dependency_order(stacks: &[Stack]) -> Vec<Stack> {
    let mut ordered: Vec<Stack> = Vec::with_capacity(stacks.len());
    let mut visiting: Vec<Stack> = Vec::new();
    fn visit(stack: &Stack, members: &[Stack], ordered: &mut Vec<Stack>, visiting: &mut Vec<Stack>) {
        if ordered.contains(stack) || visiting.contains(stack) {
            // A cycle is reported by synthesis; the order then does not matter.
            return;
        }
        visiting.push(stack.clone());
        for dep in stack.dependencies() {
            if members.contains(&dep) {
                visit(&dep, members, ordered, visiting);
            }
        }
        visiting.pop();
        ordered.push(stack.clone());
    }
    for stack in stacks {
        visit(stack, stacks, &mut ordered, &mut visiting);
    }
    ordered
}

/// The build's tools, pinned so a build is the same whenever it runs: rustup-init by
/// version and checksum (from `static.rust-lang.org/rustup/archive/<version>/<target>/rustup-init.sha256`)
/// rather than `curl | sh` of whatever `sh.rustup.rs` serves, the toolchain, and
/// `cdk-assets`.
const RUSTUP_VERSION: &str = "1.28.2";
const RUSTUP_INIT_SHA256: &str = "20a06e644b0d9bd2fbdbfd52d42540bdde820ea7df86e92e533c073da0cdd43c";
const RUST_TOOLCHAIN: &str = "1.95.0";
const CDK_ASSETS_VERSION: &str = "3.3.1";

/// The build stage: synthesize, then publish the assets of every deployed stack with the
/// file-publishing role `cdk bootstrap --trust <management account>` creates in its account.
fn build_stage(build_commands: &[String], plain: Option<&Vec<Target>>, bootstrap: &Bootstrap) -> Stage {
    let mut commands = build_commands.to_vec();
    let mut publish: Vec<Expr> = Vec::new();
    for target in plain.into_iter().flatten() {
        for stack in &target.stacks {
            let file = stack.template_file().replace(".template.json", ".assets.json");
            commands.push(format!("npx --yes cdk-assets@{CDK_ASSETS_VERSION} publish --path cloudwright.out/{file}"));
        }
        let (account, region) = (&target.account, &target.region);
        let role = Expr::sub(bootstrap.role_arn(RoleKind::FilePublishing, &Environment::new(account, region)));
        if !target.stacks.is_empty() && !publish.contains(&role) {
            publish.push(role);
        }
    }
    let buildspec = BuildSpec {
        phases: Phases {
            install: Some(Phase {
                commands: vec![
                    format!(
                        "curl --proto '=https' -sSfo rustup-init https://static.rust-lang.org/rustup/archive/{RUSTUP_VERSION}/x86_64-unknown-linux-gnu/rustup-init"
                    ),
                    format!("echo '{RUSTUP_INIT_SHA256}  rustup-init' | sha256sum -c -"),
                    format!(
                        "chmod +x rustup-init && ./rustup-init -y --profile minimal --default-toolchain {RUST_TOOLCHAIN} && rm rustup-init"
                    ),
                    ". \"$HOME/.cargo/env\"".into(),
                ],
            }),
            build: Some(Phase { commands }),
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
    Stage {
        name: "Build".into(),
        actions: vec![Action::Build {
            name: "Build".into(),
            project: Box::new(BuildProjectProps { buildspec, local_cache: true, permissions, ..Default::default() }),
        }],
    }
}

/// The smoke-test project of one environment. With a role in the target account, the
/// commands run under profile `target`, which assumes it from the build's own credentials;
/// buildspec 0.2 runs a phase's commands in one shell, so the export holds for the rest:
/// <https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html>
fn smoke_test_project(
    names: &PipelineNames,
    env: &DeliveryEnvironment,
    target: &Target,
    has_role: bool,
) -> BuildProjectProps {
    let mut commands = Vec::new();
    let mut permissions = Vec::new();
    let mut variables: Vec<(String, Value<String>)> = vec![
        ("STAGE".into(), (&env.name).into()),
        ("TARGET_ACCOUNT".into(), (&target.account).into()),
        ("TARGET_REGION".into(), (&target.region).into()),
    ];
    if has_role {
        let role = names.smoke_test_role_arn(&target.account).into();
        commands.extend([
            "aws configure set profile.target.role_arn \"$SMOKE_TEST_ROLE_ARN\"".to_owned(),
            "aws configure set profile.target.credential_source EcsContainer".to_owned(),
            "aws configure set profile.target.region \"$TARGET_REGION\"".to_owned(),
            "export AWS_PROFILE=target".to_owned(),
        ]);
        permissions.push(PolicyStatement::allow(&["sts:AssumeRole"], [names.smoke_test_role_arn(&target.account)]));
        variables.push(("SMOKE_TEST_ROLE_ARN".to_owned(), role));
    }
    commands.extend(env.smoke_test.iter().cloned());
    BuildProjectProps {
        buildspec: BuildSpec {
            phases: Phases { build: Some(Phase { commands }), ..Default::default() },
            ..Default::default()
        },
        environment: BuildEnvironment { variables, compute_type: "BUILD_GENERAL1_SMALL".into(), ..Default::default() },
        permissions,
        role_name: has_role.then(|| names.smoke_test_project_role(&env.name)),
        timeout_minutes: Some(15),
        ..Default::default()
    }
}

/// At synthesis, every stack of a target account is deployed by its stage or excluded with
/// a reason (a stack nobody deploys leaves its consumers importing exports that do not
/// exist). The validator keeps paths and accounts only, not construct handles.
fn check_coverage(node: &Node, environments: &[DeliveryEnvironment], targets: &[Target]) {
    let mut covered: HashSet<String> = HashSet::new();
    let mut accounts: Vec<(String, String)> = Vec::new();
    for (env, target) in environments.iter().zip(targets) {
        covered.extend(target.stacks.iter().map(|s| s.node().path()));
        for (stack, reason) in &env.excluded {
            covered.insert(stack.node().path());
            if reason.trim().is_empty() {
                node.add_error(format!(
                    "environment {} excludes stack {} without a reason; say why the pipeline does not deploy it",
                    env.name,
                    stack.node().path()
                ));
            }
        }
        accounts.push((target.account.clone(), env.name.clone()));
    }
    node.add_validation(move |node| {
        App::of(node)
            .stacks()
            .into_iter()
            .filter_map(|stack| {
                let account = stack.environment().account?;
                let (_, env) = accounts.iter().find(|(a, _)| *a == account)?;
                let path = stack.node().path();
                (!covered.contains(&path)).then(|| {
                    format!(
                        "stack {path} is in account {account} (environment {env}) but no stage deploys it; define \
                         it before the DeliveryPipeline, in the environment's region, or list it in \
                         DeliveryEnvironment::excluded with the reason"
                    )
                })
            })
            .collect()
    });
}
