//! The seed blog's Proton templates, typed: the `multi-svc-env` environment template (an
//! `ec2::Vpc` with two public subnets holding NAT gateways and two private subnets for the
//! services, the `ec2::SecurityGroup` its services share, an ECS cluster and a private DNS
//! namespace named by the `dns_hostname` input) and a Lambda service template with a
//! pipeline (the function runs in the environment's private subnets with its security
//! group), in the management account; a dev and a prod environment of it with a Lambda
//! service instance in each; and the environment account connections. Resources are L2s
//! (`ec2`, `iam`) and typed L1s (`cfn::*`).
//!
//! In plain mode (the default) the environments and service instances are ordinary stacks
//! in their accounts; in Proton mode ([`app_with_mode`]) they are left to the bundles and
//! the management stack holds the `AWS::Proton::*` resources. Both write the bundles under
//! `proton/` and the specs under `proton/specs/`.

use cloudwright_constructs::cfn::codebuild::project::{Artifacts, Environment as BuildEnvironment, Source};
use cloudwright_constructs::cfn::codebuild::{CfnProject, CfnProjectProps};
use cloudwright_constructs::cfn::ecs::cluster::ClusterSettings;
use cloudwright_constructs::cfn::ecs::{CfnCluster, CfnClusterProps};
use cloudwright_constructs::cfn::lambda::function::{
    Code, Environment as LambdaEnvironment, Mode, Runtime, TracingConfig, VpcConfig,
};
use cloudwright_constructs::cfn::lambda::{CfnFunction, CfnFunctionProps};
use cloudwright_constructs::cfn::servicediscovery::{CfnPrivateDnsNamespace, CfnPrivateDnsNamespaceProps};
use cloudwright_constructs::ec2::{
    Peer, Port, SecurityGroup, SecurityGroupProps, SubnetConfiguration, SubnetKind, Vpc, VpcProps,
};
use cloudwright_constructs::iam::{Condition, Operator, PolicyStatement, Principal, Role, RoleProps};
use cloudwright_constructs::proton::DeployMode;
use cloudwright_constructs::proton::{
    EnvironmentAccountConnection, EnvironmentAccountConnectionProps, EnvironmentContext, EnvironmentProps,
    EnvironmentTemplate, EnvironmentTemplateProps, InstanceContext, ManagementRoles, ManagementRolesProps,
    PipelineContext, SchemaLock, ServiceInstanceProps, ServiceProps, ServiceTemplate, ServiceTemplateProps,
};
use cloudwright_constructs::{App, Environment, Expr, Result, Stack, StackProps};
use schemars::JsonSchema;
use serde::Serialize;

/// The management account (templates, pipelines).
pub const MANAGEMENT_ACCOUNT: &str = "111111111111";
/// The environment accounts: (stack id prefix, environment name, account).
pub const ENVIRONMENTS: &[(&str, &str, &str)] =
    &[("Dev", "multi-svc-dev", "222222222222"), ("Prod", "multi-svc-prod", "444444444444")];
const REGION: &str = "us-east-1";

/// Inputs of the `multi-svc-env` environment template.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MultiSvcEnvInput {
    /// VPC CIDR block
    ///
    /// The address range of the environment's VPC.
    #[serde(default = "default_vpc_cidr")]
    #[schemars(regex(pattern = r"^([0-9]{1,3}\.){3}[0-9]{1,3}/([0-9]|[1-2][0-9]|3[0-2])$"))]
    pub vpc_cidr: String,
    /// Public subnet one CIDR block
    #[serde(default = "default_subnet_one")]
    pub public_subnet_one_cidr: String,
    /// Public subnet two CIDR block
    #[serde(default = "default_subnet_two")]
    pub public_subnet_two_cidr: String,
    /// Private subnet one CIDR block
    ///
    /// The services' subnet in the first availability zone (added in v1.1).
    #[serde(default = "default_private_subnet_one")]
    pub private_subnet_one_cidr: String,
    /// Private subnet two CIDR block
    ///
    /// The services' subnet in the second availability zone (added in v1.1).
    #[serde(default = "default_private_subnet_two")]
    pub private_subnet_two_cidr: String,
    /// DNS hostname
    ///
    /// The private DNS namespace the environment's services register in.
    #[schemars(
        example = "example_hostname",
        regex(pattern = r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$"),
        length(max = 253)
    )]
    pub dns_hostname: String,
    /// Container Insights
    ///
    /// Whether the ECS cluster collects Container Insights metrics.
    #[serde(default = "default_insights")]
    pub container_insights: Insights,
}

/// Container Insights setting of the cluster.
#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Insights {
    /// Collect metrics.
    Enabled,
    /// Do not collect metrics.
    Disabled,
}

/// The default of the input.
pub fn default_vpc_cidr() -> String {
    "10.0.0.0/16".into()
}
/// The default of the input.
pub fn default_subnet_one() -> String {
    "10.0.0.0/18".into()
}
/// The default of the input.
pub fn default_subnet_two() -> String {
    "10.0.64.0/18".into()
}
/// The default of the input.
pub fn default_private_subnet_one() -> String {
    "10.0.128.0/18".into()
}
/// The default of the input.
pub fn default_private_subnet_two() -> String {
    "10.0.192.0/18".into()
}
fn default_insights() -> Insights {
    Insights::Disabled
}
fn example_hostname() -> &'static str {
    "myapp.dev.local"
}

/// Inputs of a Lambda service instance.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LambdaServiceInput {
    /// Memory size
    ///
    /// The function's memory in MB.
    #[serde(default = "default_memory")]
    #[schemars(range(min = 128, max = 10240))]
    pub memory_size: u32,
    /// Timeout
    ///
    /// The function's timeout in seconds.
    #[serde(default = "default_timeout")]
    #[schemars(range(min = 1, max = 900))]
    pub timeout: u32,
    /// Greeting
    ///
    /// What the function answers.
    #[serde(default = "default_greeting")]
    #[schemars(length(min = 1, max = 100))]
    pub greeting: String,
}

fn default_memory() -> u32 {
    256
}
/// The default of the input.
pub fn default_timeout() -> u32 {
    30
}
fn default_greeting() -> String {
    "hello".into()
}

/// Inputs of the Lambda service's pipeline.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LambdaPipelineInput {
    /// Unit test command
    ///
    /// The command that runs the unit tests.
    #[serde(default = "default_test_command")]
    #[schemars(length(min = 1, max = 200))]
    pub unit_test_command: String,
}

fn default_test_command() -> String {
    "make test".into()
}

/// The seed blog's `multi-svc-env` environment template, v1.1 (v1.0 ran the services in
/// public subnets without a route to AWS APIs; v1.1 adds private subnets with NAT gateways,
/// their CIDR blocks optional inputs), checked against `lock`.
pub fn multi_svc_env_template(app: &App, lock: &SchemaLock) -> Result<EnvironmentTemplate<MultiSvcEnvInput>> {
    EnvironmentTemplate::<MultiSvcEnvInput>::new(
        app,
        "MultiSvcEnv",
        EnvironmentTemplateProps {
            name: "multi-svc-env".into(),
            display_name: Some("Multi Service Environment".into()),
            description: Some("Environment with a VPC, public subnets and private subnets for the services".into()),
            major: 1,
            minor: 1,
            lock: Some(lock.clone()),
        },
        multi_svc_env,
    )
}

/// The `multi-svc-env` infrastructure: a VPC whose public subnets hold one NAT gateway per
/// zone and whose private subnets hold the services, which reach AWS APIs (X-Ray, Lambda's
/// own calls) through those gateways; the security group the services share; an ECS
/// cluster; and the private DNS namespace the services register in.
pub fn multi_svc_env(ctx: &EnvironmentContext) -> Result<()> {
    let stack = ctx.stack();
    let vpc = Vpc::new(
        stack,
        "Vpc",
        VpcProps {
            cidr: ctx.input("vpc_cidr").into(),
            max_azs: Some(2),
            subnet_configuration: vec![
                SubnetConfiguration::with_blocks(
                    "Public",
                    SubnetKind::Public,
                    [ctx.input("public_subnet_one_cidr"), ctx.input("public_subnet_two_cidr")],
                ),
                SubnetConfiguration::with_blocks(
                    "Private",
                    SubnetKind::PrivateWithEgress,
                    [ctx.input("private_subnet_one_cidr"), ctx.input("private_subnet_two_cidr")],
                ),
            ],
            ..Default::default()
        },
    )?;
    // The seed blog's container security group: the services reach each other on any port,
    // nothing reaches them from outside, and they may call out.
    let services = SecurityGroup::new(
        stack,
        "SecurityGroup",
        vpc.vpc_id(),
        SecurityGroupProps {
            description: Some("Services of the multi-svc-env environment".into()),
            ..Default::default()
        },
    )?;
    services.add_ingress(
        Peer::SecurityGroup(&services),
        Port::all_traffic(),
        "Services of the environment reach each other",
    )?;
    let cluster = CfnCluster::new(
        stack,
        "Cluster",
        CfnClusterProps {
            cluster_settings: Some(vec![ClusterSettings {
                name: Some("containerInsights".into()),
                value: Some(ctx.input("container_insights").into()),
            }]),
            ..Default::default()
        },
    )?;
    let namespace = CfnPrivateDnsNamespace::new(
        stack,
        "CloudMapNamespace",
        CfnPrivateDnsNamespaceProps {
            description: Some(Expr::concat([Expr::str("Service discovery of environment "), ctx.name()]).into()),
            vpc: Some(vpc.vpc_id().into()),
            ..CfnPrivateDnsNamespaceProps::new(ctx.input("dns_hostname"))
        },
    )?;
    ctx.output("VpcId", vpc.vpc_id(), "The environment's VPC")?;
    let subnets = vpc.public_subnet_ids().into_iter().chain(vpc.private_subnet_ids());
    for ((name, description), subnet) in [
        ("PublicSubnetOne", "Public subnet one"),
        ("PublicSubnetTwo", "Public subnet two"),
        ("PrivateSubnetOne", "Private subnet one, where the services run"),
        ("PrivateSubnetTwo", "Private subnet two, where the services run"),
    ]
    .into_iter()
    .zip(subnets)
    {
        ctx.output(name, subnet, description)?;
    }
    ctx.output("SecurityGroupId", services.group_id(), "The security group of the environment's services")?;
    ctx.output("ClusterName", cluster.reference(), "The ECS cluster")?;
    ctx.output("ClusterArn", cluster.attr_arn(), "The ECS cluster's ARN")?;
    ctx.output("ServiceDiscoveryNamespaceId", namespace.attr_id(), "The private DNS namespace")?;
    Ok(())
}

const HANDLER: &str = "import json, os\n\ndef handler(event, context):\n    return {\"statusCode\": 200, \"body\": json.dumps({\"message\": os.environ[\"GREETING\"]})}\n";

/// A managed policy of the AWS partition the stack deploys to.
fn aws_managed_policy(name: &str) -> Expr {
    Expr::sub(format!("arn:${{AWS::Partition}}:iam::aws:policy/{name}"))
}

/// One Lambda service instance: a function and its role, told about its environment and
/// attached to the environment's private subnets (their NAT gateways are its way to AWS
/// APIs) with its security group.
fn lambda_instance(ctx: &InstanceContext) -> Result<()> {
    let stack = ctx.stack();
    let role = Role::new(
        stack,
        "FunctionRole",
        RoleProps {
            assumed_by: vec![Principal::service("lambda.amazonaws.com")],
            // Logs, the network interfaces of a function in a VPC, and X-Ray segments of
            // active tracing: https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html
            managed_policy_arns: vec![
                aws_managed_policy("service-role/AWSLambdaBasicExecutionRole"),
                aws_managed_policy("service-role/AWSLambdaVPCAccessExecutionRole"),
                aws_managed_policy("AWSXRayDaemonWriteAccess"),
            ],
            ..Default::default()
        },
    )?;
    let variables = [
        ("GREETING", ctx.input("greeting")),
        ("CLUSTER_NAME", ctx.environment_output("ClusterName")),
        ("NAMESPACE_ID", ctx.environment_output("ServiceDiscoveryNamespaceId")),
        ("INSTANCE", ctx.name()),
    ];
    let function = CfnFunction::new(
        stack,
        "Function",
        CfnFunctionProps {
            description: Some(Expr::concat([ctx.service_name(), Expr::str(" in "), ctx.environment_name()]).into()),
            runtime: Some(Runtime::Python312.into()),
            handler: Some("index.handler".into()),
            memory_size: Some(ctx.input("memory_size").into()),
            timeout: Some(ctx.input("timeout").into()),
            environment: Some(LambdaEnvironment {
                variables: Some(variables.into_iter().map(|(k, v)| (k.to_owned(), v.into())).collect()),
            }),
            tracing_config: Some(TracingConfig { mode: Some(Mode::Active.into()) }),
            vpc_config: Some(VpcConfig {
                security_group_ids: Some(vec![ctx.environment_output("SecurityGroupId").into()]),
                subnet_ids: Some(vec![
                    ctx.environment_output("PrivateSubnetOne").into(),
                    ctx.environment_output("PrivateSubnetTwo").into(),
                ]),
                ..Default::default()
            }),
            ..CfnFunctionProps::new(Code { zip_file: Some(HANDLER.into()), ..Default::default() }, role.arn())
        },
    )?;
    ctx.output("FunctionArn", function.attr_arn(), "The service instance's function")?;
    Ok(())
}

/// The Lambda service's pipeline: a CodeBuild project running the unit tests, and a role
/// every instance's account may assume to read the test builds' results.
fn lambda_pipeline(ctx: &PipelineContext) -> Result<()> {
    let stack = ctx.stack();
    let build_role = Role::new(
        stack,
        "BuildRole",
        RoleProps { assumed_by: vec![Principal::service("codebuild.amazonaws.com")], ..Default::default() },
    )?;
    build_role.add_to_policy(PolicyStatement::allow(
        &["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        [Expr::sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/codebuild/*")],
    ))?;
    let buildspec = Expr::concat([
        Expr::str("version: 0.2\nphases:\n  build:\n    commands:\n      - "),
        ctx.input("unit_test_command"),
        Expr::str("\n"),
    ]);
    let project = CfnProject::new(
        stack,
        "UnitTests",
        CfnProjectProps {
            description: Some(Expr::concat([Expr::str("Unit tests of "), ctx.service_name()]).into()),
            ..CfnProjectProps::new(
                Artifacts::new("NO_ARTIFACTS"),
                BuildEnvironment::new(
                    "BUILD_GENERAL1_SMALL",
                    "aws/codebuild/amazonlinux2-x86_64-standard:5.0",
                    "LINUX_CONTAINER",
                ),
                build_role.arn(),
                Source { build_spec: Some(buildspec.into()), ..Source::new("NO_SOURCE") },
            )
        },
    )?;
    let instance_accounts = ctx.for_each_instance(|instance| {
        Expr::concat([Expr::str("arn:aws:iam::"), instance.account_id(), Expr::str(":root")])
    });
    let read_role = Role::new(
        stack,
        "DeploymentReadRole",
        RoleProps {
            assumed_by: instance_accounts.into_iter().map(Principal::arn).collect(),
            description: Some("Service instance accounts read the unit test builds with this role".into()),
            ..Default::default()
        },
    )?;
    read_role.add_to_policy(PolicyStatement::allow(&["codebuild:BatchGetBuilds"], [project.attr_arn()]))?;
    Ok(())
}

/// Builds the Proton example in plain mode.
pub fn app() -> Result<App> {
    app_with_mode(DeployMode::from_env()?)
}

/// Builds the Proton example in the given deploy mode.
pub fn app_with_mode(mode: DeployMode) -> Result<App> {
    let app = App::with_props(mode.app_props());
    let lock =
        SchemaLock::parse(&app, "examples/proton-schemas.lock.json", include_str!("../proton-schemas.lock.json"))?;
    let management = Stack::new(
        &app,
        "ProtonManagement",
        StackProps {
            env: Environment::new(MANAGEMENT_ACCOUNT, REGION),
            description: Some("Proton templates and the management account's connection roles".into()),
            ..Default::default()
        },
    )?;
    let env_template = multi_svc_env_template(&app, &lock)?;
    let service_template = ServiceTemplate::<LambdaServiceInput, LambdaPipelineInput>::with_pipeline(
        &app,
        "LambdaSvc",
        ServiceTemplateProps {
            name: "lambda-svc".into(),
            display_name: Some("Lambda service".into()),
            description: Some("A Lambda function in a multi-svc-env environment".into()),
            major: 1,
            // 1.1: the function runs in the environment's private subnets.
            minor: 1,
            compatible_environments: vec![env_template.compatible()],
            components: false,
            lock: Some(lock),
            ..Default::default()
        },
        lambda_instance,
        lambda_pipeline,
    )?;
    env_template.register(&management, "EnvironmentTemplate")?;
    service_template.register(&management, "ServiceTemplate")?;
    ManagementRoles::new(
        &management,
        "ConnectionRoles",
        ManagementRolesProps {
            environment_account_ids: ENVIRONMENTS.iter().map(|(_, _, a)| (*a).to_owned()).collect(),
            pipeline_statements: vec![
                PolicyStatement::allow(&["cloudformation:*", "codebuild:*"], [Expr::str("*")]),
                pass_role_to(&["cloudformation.amazonaws.com", "codebuild.amazonaws.com"]),
            ],
            allow_admin: false,
        },
    )?;

    let mut instances = Vec::new();
    for (id, name, account) in ENVIRONMENTS {
        let env = Environment::new(*account, REGION);
        // Proton reaches an environment account through its connection; in plain mode the
        // stacks deploy with their account's own roles and no connection stack is needed.
        if mode == DeployMode::Proton {
            let connection_stack = Stack::new(
                &app,
                &format!("{id}Connection"),
                StackProps {
                    env: env.clone(),
                    description: Some(format!("Connection of {name}")),
                    ..Default::default()
                },
            )?;
            EnvironmentAccountConnection::new(
                &connection_stack,
                "Connection",
                EnvironmentAccountConnectionProps {
                    management_account_id: MANAGEMENT_ACCOUNT.into(),
                    environment_name: (*name).into(),
                    statements: vec![
                        PolicyStatement::allow(
                            &[
                                "cloudformation:*",
                                "ec2:*",
                                "ecs:*",
                                "servicediscovery:*",
                                "route53:*",
                                "lambda:*",
                                "iam:CreateRole",
                                "iam:DeleteRole",
                                "iam:GetRole",
                                "iam:TagRole",
                                "iam:PutRolePolicy",
                                "iam:DeleteRolePolicy",
                                "iam:AttachRolePolicy",
                                "iam:DetachRolePolicy",
                            ],
                            [Expr::str("*")],
                        ),
                        pass_role_to(&["lambda.amazonaws.com", "ecs-tasks.amazonaws.com"]),
                    ],
                    allow_admin: false,
                    role_name: None,
                },
            )?;
        }
        let environment = env_template.deploy(
            &app,
            id,
            EnvironmentProps {
                name: (*name).into(),
                inputs: MultiSvcEnvInput {
                    vpc_cidr: default_vpc_cidr(),
                    public_subnet_one_cidr: default_subnet_one(),
                    public_subnet_two_cidr: default_subnet_two(),
                    private_subnet_one_cidr: default_private_subnet_one(),
                    private_subnet_two_cidr: default_private_subnet_two(),
                    dns_hostname: format!("{}.local", id.to_lowercase()),
                    container_insights: if *id == "Prod" { Insights::Enabled } else { Insights::Disabled },
                },
                env,
                stack_name: None,
            },
        )?;
        instances.push(ServiceInstanceProps {
            name: format!("{}-hello", id.to_lowercase()),
            environment,
            inputs: LambdaServiceInput {
                memory_size: if *id == "Prod" { 512 } else { 256 },
                timeout: default_timeout(),
                greeting: format!("hello from {}", id.to_lowercase()),
            },
            component_outputs: Vec::new(),
        });
    }
    service_template.deploy(
        &app,
        "HelloPipeline",
        ServiceProps {
            name: "hello".into(),
            repository_id: "example-org/hello-service".into(),
            repository_connection_arn: format!(
                "arn:aws:codestar-connections:{REGION}:{MANAGEMENT_ACCOUNT}:connection/00000000-0000-0000-0000-000000000000"
            ),
            branch_name: "main".into(),
            pipeline: Some(LambdaPipelineInput { unit_test_command: default_test_command() }),
            pipeline_env: Environment::new(MANAGEMENT_ACCOUNT, REGION),
            instances,
        },
    )?;
    Ok(app)
}

/// `iam:PassRole` limited to the services the roles are passed to (governance rule CW-IAM-4).
fn pass_role_to(services: &[&str]) -> PolicyStatement {
    PolicyStatement::allow(&["iam:PassRole"], [Expr::str("*")]).with_condition(Condition::new(
        Operator::string_equals(),
        "iam:PassedToService",
        services.iter().copied(),
    ))
}
