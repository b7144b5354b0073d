//! The seed blog's Proton templates, typed: the `multi-svc-env` environment template (a VPC
//! with two public subnets, an ECS cluster and a private DNS namespace named by the
//! `dns_hostname` input) and a Lambda service template with a pipeline, in the management
//! account; a dev and a prod environment of it with a Lambda service instance in each; and
//! the environment account connections.
//!
//! In plain mode (the default) the environments and service instances are ordinary stacks
//! in their accounts; in Proton mode ([`app_with_mode`]) they are left to the bundles and
//! the management stack holds the `AWS::Proton::*` resources. Both write the bundles under
//! `proton/` and the specs under `proton/specs/`.

use cloudwright_constructs::iam::{Condition, Operator, PolicyStatement, Principal, Role, RoleProps};
use cloudwright_constructs::proton::{
    EnvironmentAccountConnection, EnvironmentAccountConnectionProps, EnvironmentContext, EnvironmentProps,
    EnvironmentTemplate, EnvironmentTemplateProps, InstanceContext, ManagementRoles, ManagementRolesProps,
    PipelineContext, SchemaLock, ServiceInstanceProps, ServiceProps, ServiceTemplate, ServiceTemplateProps,
};
use cloudwright_constructs::{App, AppProps, CfnResource, DeployMode, Environment, Expr, Result, Stack, StackProps};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::json;

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

/// The seed blog's `multi-svc-env` environment template, v1.0, checked against `lock`.
pub fn multi_svc_env_template(app: &App, lock: &SchemaLock) -> Result<EnvironmentTemplate<MultiSvcEnvInput>> {
    EnvironmentTemplate::<MultiSvcEnvInput>::new(
        app,
        "MultiSvcEnv",
        EnvironmentTemplateProps {
            name: "multi-svc-env".into(),
            display_name: Some("Multi Service Environment".into()),
            description: Some("Environment with VPC and public subnets".into()),
            major: 1,
            minor: 0,
            lock: Some(lock.clone()),
        },
        multi_svc_env,
    )
}

/// The `multi-svc-env` infrastructure.
pub fn multi_svc_env(ctx: &EnvironmentContext) -> Result<()> {
    let stack = ctx.stack();
    let vpc = CfnResource::from_json(
        stack,
        "Vpc",
        "AWS::EC2::VPC",
        json!({"CidrBlock": ctx.input("vpc_cidr"), "EnableDnsHostnames": true, "EnableDnsSupport": true}),
    )?;
    let igw = CfnResource::from_json(stack, "InternetGateway", "AWS::EC2::InternetGateway", json!({}))?;
    let attachment = CfnResource::from_json(
        stack,
        "GatewayAttachment",
        "AWS::EC2::VPCGatewayAttachment",
        json!({"VpcId": vpc.reference(), "InternetGatewayId": igw.reference()}),
    )?;
    let routes =
        CfnResource::from_json(stack, "PublicRouteTable", "AWS::EC2::RouteTable", json!({"VpcId": vpc.reference()}))?;
    let route = CfnResource::from_json(
        stack,
        "PublicRoute",
        "AWS::EC2::Route",
        json!({"RouteTableId": routes.reference(), "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": igw.reference()}),
    )?;
    route.add_depends_on(&attachment);
    let mut subnets = Vec::new();
    for (i, (id, input)) in
        [("PublicSubnetOne", "public_subnet_one_cidr"), ("PublicSubnetTwo", "public_subnet_two_cidr")]
            .into_iter()
            .enumerate()
    {
        let subnet = CfnResource::from_json(
            stack,
            id,
            "AWS::EC2::Subnet",
            json!({
                "VpcId": vpc.reference(),
                "CidrBlock": ctx.input(input),
                "AvailabilityZone": Expr::select(i as u32, Expr::azs()),
                "MapPublicIpOnLaunch": true,
            }),
        )?;
        CfnResource::from_json(
            stack,
            &format!("{id}RouteTableAssociation"),
            "AWS::EC2::SubnetRouteTableAssociation",
            json!({"SubnetId": subnet.reference(), "RouteTableId": routes.reference()}),
        )?;
        subnets.push(subnet);
    }
    let cluster = CfnResource::from_json(
        stack,
        "Cluster",
        "AWS::ECS::Cluster",
        json!({"ClusterSettings": [{"Name": "containerInsights", "Value": ctx.input("container_insights")}]}),
    )?;
    let namespace = CfnResource::from_json(
        stack,
        "CloudMapNamespace",
        "AWS::ServiceDiscovery::PrivateDnsNamespace",
        json!({
            "Name": ctx.input("dns_hostname"),
            "Vpc": vpc.reference(),
            "Description": Expr::concat([Expr::str("Service discovery of environment "), ctx.name()]),
        }),
    )?;
    ctx.output("VpcId", vpc.reference(), "The environment's VPC")?;
    ctx.output("PublicSubnetOne", subnets[0].reference(), "Public subnet one")?;
    ctx.output("PublicSubnetTwo", subnets[1].reference(), "Public subnet two")?;
    ctx.output("ClusterName", cluster.reference(), "The ECS cluster")?;
    ctx.output("ClusterArn", cluster.get_att("Arn"), "The ECS cluster's ARN")?;
    ctx.output("ServiceDiscoveryNamespaceId", namespace.get_att("Id"), "The private DNS namespace")?;
    Ok(())
}

const HANDLER: &str = "import json, os\n\ndef handler(event, context):\n    return {\"statusCode\": 200, \"body\": json.dumps({\"message\": os.environ[\"GREETING\"]})}\n";

/// One Lambda service instance: a function and its role, told about its environment.
fn lambda_instance(ctx: &InstanceContext) -> Result<()> {
    let stack = ctx.stack();
    let role = Role::new(
        stack,
        "FunctionRole",
        RoleProps {
            assumed_by: vec![Principal::service("lambda.amazonaws.com")],
            managed_policy_arns: vec![Expr::sub(
                "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            )],
            ..Default::default()
        },
    )?;
    let function = CfnResource::from_json(
        stack,
        "Function",
        "AWS::Lambda::Function",
        json!({
            "Description": Expr::concat([ctx.service_name(), Expr::str(" in "), ctx.environment_name()]),
            "Runtime": "python3.12",
            "Handler": "index.handler",
            "Code": {"ZipFile": HANDLER},
            "Role": role.arn(),
            "MemorySize": ctx.input("memory_size"),
            "Timeout": ctx.input("timeout"),
            "Environment": {"Variables": {
                "GREETING": ctx.input("greeting"),
                "CLUSTER_NAME": ctx.environment_output("ClusterName"),
                "NAMESPACE_ID": ctx.environment_output("ServiceDiscoveryNamespaceId"),
                "INSTANCE": ctx.name(),
            }},
            "TracingConfig": {"Mode": "Active"},
        }),
    )?;
    ctx.output("FunctionArn", function.get_att("Arn"), "The service instance's function")?;
    Ok(())
}

/// The Lambda service's pipeline: a CodeBuild project running the unit tests, and a role
/// every instance's account may assume to fetch the build's output.
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
    CfnResource::from_json(
        stack,
        "UnitTests",
        "AWS::CodeBuild::Project",
        json!({
            "Description": Expr::concat([Expr::str("Unit tests of "), ctx.service_name()]),
            "ServiceRole": build_role.arn(),
            "Artifacts": {"Type": "NO_ARTIFACTS"},
            "Environment": {"Type": "LINUX_CONTAINER", "ComputeType": "BUILD_GENERAL1_SMALL",
                "Image": "aws/codebuild/amazonlinux2-x86_64-standard:5.0"},
            "Source": {"Type": "NO_SOURCE", "BuildSpec": buildspec},
        }),
    )?;
    let principals = ctx.for_each_instance(|instance| {
        Expr::concat([Expr::str("arn:aws:iam::"), instance.account_id(), Expr::str(":root")])
    });
    CfnResource::from_json(
        stack,
        "DeploymentReadRole",
        "AWS::IAM::Role",
        json!({
            "Description": "Service instance accounts read the pipeline's output with this role",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": principals},
            }]},
        }),
    )?;
    Ok(())
}

/// Builds the Proton example in plain mode.
pub fn app() -> Result<App> {
    app_with_mode(DeployMode::from_env()?)
}

/// Builds the Proton example in the given deploy mode.
pub fn app_with_mode(mode: DeployMode) -> Result<App> {
    let app = App::with_props(AppProps { deploy_mode: mode, ..Default::default() });
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
            minor: 0,
            compatible_environments: vec![env_template.compatible()],
            components: false,
            lock: Some(lock),
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
        let connection_stack = Stack::new(
            &app,
            &format!("{id}Connection"),
            StackProps { env: env.clone(), description: Some(format!("Connection of {name}")), ..Default::default() },
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
        let environment = env_template.deploy(
            &app,
            id,
            EnvironmentProps {
                name: (*name).into(),
                inputs: MultiSvcEnvInput {
                    vpc_cidr: default_vpc_cidr(),
                    public_subnet_one_cidr: default_subnet_one(),
                    public_subnet_two_cidr: default_subnet_two(),
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
