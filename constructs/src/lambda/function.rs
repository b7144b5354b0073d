//! The Lambda `Function` L2: code, an execution role with least privilege, a log group
//! with retention, X-Ray tracing, versions, aliases, grants and alarms.

use std::path::PathBuf;

use cloudwright_core::asset::stage_asset;
use cloudwright_core::{Construct, Expr, Group, Node, RemovalPolicy, Result, Value};
use indexmap::IndexMap;

use super::{IFunction, Runtime};
use crate::cfn::lambda::function::{
    ArchitecturesItem, Code as CfnCode, Environment as CfnEnvironment, LoggingConfig, Mode, TracingConfig, VpcConfig,
};
use crate::cfn::lambda::{
    CfnAlias, CfnAliasProps, CfnFunction, CfnFunctionProps, CfnPermission, CfnPermissionProps, CfnVersion,
    CfnVersionProps,
};
use crate::cfn::logs::{CfnLogGroup, CfnLogGroupProps};
use crate::iam::{Grantee, PolicyStatement, Principal, Role, RoleProps};
use crate::monitoring::{Alarm, AlarmProps, Comparison, Metric};

/// Where a function's code comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Code {
    /// A local directory, staged into the cloud assembly and published by `cdk deploy`.
    Asset(PathBuf),
    /// An object already in S3.
    S3 {
        /// Bucket name.
        bucket: Expr,
        /// Object key.
        key: Expr,
    },
    /// Source inline in the template (up to 4 KB, interpreted runtimes only).
    Inline(String),
}

/// The instruction set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Architecture {
    /// `x86_64`
    #[default]
    X86_64,
    /// `arm64` (Graviton).
    Arm64,
}

/// Where a function in a VPC runs: its network interfaces go into these subnets with these
/// security groups (ids may be deploy-time values, e.g. an environment's outputs). A
/// function in a VPC reaches AWS APIs and the internet only through the subnets' routes (a
/// NAT gateway or VPC endpoints), never through a public address:
/// <https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc-internet.html>
#[derive(Debug, Clone, Default)]
pub struct VpcPlacement {
    /// Subnet ids, private subnets with egress in at least two availability zones.
    pub subnet_ids: Vec<Expr>,
    /// Security group ids.
    pub security_group_ids: Vec<Expr>,
}

/// Properties of a [`Function`].
#[derive(Debug, Clone)]
pub struct FunctionProps {
    /// The runtime.
    pub runtime: Runtime,
    /// The handler, in the runtime's form.
    pub handler: String,
    /// The code.
    pub code: Code,
    /// Memory in MB, 128 to 10240 (checked when literal; a deploy-time value such as a
    /// Proton input is checked by its own schema).
    pub memory_size: Value<u32>,
    /// Timeout in seconds, at most 900 (checked when literal).
    pub timeout_seconds: Value<u32>,
    /// Instruction set.
    pub architecture: Architecture,
    /// Environment variables.
    pub environment: Vec<(String, Expr)>,
    /// Secrets the function reads: an environment variable holding the secret's ARN, and
    /// `secretsmanager:GetSecretValue` on it. The value itself never enters the configuration.
    pub secrets: Vec<(String, Expr)>,
    /// Permit secret values (`{{resolve:secretsmanager:...}}`, `ssm-secure`) in environment variables.
    pub allow_secret_values_in_environment: bool,
    /// Days the log group keeps logs.
    pub log_retention_days: u32,
    /// X-Ray active tracing.
    pub tracing: bool,
    /// Reserved concurrent executions.
    pub reserved_concurrency: Option<u32>,
    /// The function name; CloudFormation generates one when `None`.
    pub function_name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Runs the function in a VPC; `None` runs it in Lambda's own network.
    pub vpc: Option<VpcPlacement>,
}

impl Default for FunctionProps {
    fn default() -> Self {
        FunctionProps {
            runtime: Runtime::Python312,
            handler: "index.handler".into(),
            code: Code::Inline(String::new()),
            memory_size: Value::Literal(128),
            timeout_seconds: Value::Literal(3),
            architecture: Architecture::X86_64,
            environment: Vec::new(),
            secrets: Vec::new(),
            allow_secret_values_in_environment: false,
            log_retention_days: 30,
            tracing: true,
            reserved_concurrency: None,
            function_name: None,
            description: None,
            vpc: None,
        }
    }
}

/// Who else may invoke a function, as a resource-based policy statement (for services
/// that call it with their own principal: EventBridge, S3, SNS, API Gateway).
#[derive(Debug, Clone)]
pub struct Permission {
    /// The principal, e.g. `events.amazonaws.com` or an account id.
    pub principal: String,
    /// The action; `lambda:InvokeFunction` in nearly every case.
    pub action: String,
    /// The resource that invokes the function (rule, bucket, topic ARN), against the confused deputy.
    pub source_arn: Option<Expr>,
    /// The account that owns the source, against the confused deputy.
    pub source_account: Option<Expr>,
}

impl Default for Permission {
    fn default() -> Self {
        Permission {
            principal: String::new(),
            action: "lambda:InvokeFunction".into(),
            source_arn: None,
            source_account: None,
        }
    }
}

/// A Lambda function.
#[derive(Clone)]
pub struct Function {
    group: Group,
    resource: CfnFunction,
    log_group: CfnLogGroup,
    role: Role,
}

impl Construct for Function {
    fn node(&self) -> &Node {
        self.group.node()
    }
}

impl Function {
    /// Defines a function, its execution role and its log group.
    pub fn new(scope: &impl Construct, id: &str, props: FunctionProps) -> Result<Self> {
        let group = crate::scope::group_in_stack(scope, id, "cloudwright.lambda.Function")?;
        let node = group.node().clone();
        check_props(&node, &props);

        let log_group = CfnLogGroup::new(
            &group,
            "LogGroup",
            CfnLogGroupProps {
                retention_in_days: Some(i64::from(props.log_retention_days).into()),
                ..Default::default()
            },
        )?;
        log_group.apply_removal_policy(RemovalPolicy::Retain);

        // A function in a VPC manages its network interfaces with the managed policy the CDK
        // attaches too: https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions
        let managed_policy_arns = match &props.vpc {
            Some(_) => {
                vec![Expr::sub("arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole")]
            }
            None => Vec::new(),
        };
        let role = Role::new(
            &group,
            "ServiceRole",
            RoleProps {
                assumed_by: vec![Principal::service("lambda.amazonaws.com")],
                managed_policy_arns,
                ..Default::default()
            },
        )?;
        // Least privilege: write to this function's log group only, not every log group.
        let log_streams = Expr::sub_with(
            "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${LogGroup}:log-stream:*",
            [("LogGroup", log_group.reference())],
        );
        role.add_to_policy(PolicyStatement::allow(&["logs:CreateLogStream", "logs:PutLogEvents"], [log_streams]))?;
        if props.tracing {
            role.add_to_policy(PolicyStatement::allow(&["xray:PutTraceSegments", "xray:PutTelemetryRecords"], ["*"]))?;
        }
        for (_, secret_arn) in &props.secrets {
            role.add_to_policy(PolicyStatement::allow(&["secretsmanager:GetSecretValue"], [secret_arn.clone()]))?;
        }

        let code = match &props.code {
            Code::Inline(source) => CfnCode { zip_file: Some(source.into()), ..Default::default() },
            Code::S3 { bucket, key } => CfnCode {
                s3_bucket: Some(bucket.clone().into()),
                s3_key: Some(key.clone().into()),
                ..Default::default()
            },
            Code::Asset(dir) => match stage_asset(&group, dir) {
                Ok(asset) => CfnCode {
                    s3_bucket: Some(asset.bucket.into()),
                    s3_key: Some(asset.key.into()),
                    ..Default::default()
                },
                Err(e) => {
                    node.add_error(format!("code: {e}"));
                    CfnCode { zip_file: Some("".into()), ..Default::default() }
                }
            },
        };
        let variables: IndexMap<String, serde_json::Value> = props
            .environment
            .iter()
            .chain(&props.secrets)
            .map(|(name, value)| (name.clone(), value.to_json()))
            .collect();
        let architecture = match props.architecture {
            Architecture::X86_64 => ArchitecturesItem::X8664,
            Architecture::Arm64 => ArchitecturesItem::Arm64,
        };
        let resource = CfnFunction::new(
            &group,
            "Resource",
            CfnFunctionProps {
                architectures: Some(vec![architecture.into()]),
                description: props.description.as_ref().map(Value::from),
                environment: (!variables.is_empty()).then(|| CfnEnvironment { variables: Some(variables) }),
                function_name: props.function_name.as_ref().map(Value::from),
                handler: Some(Value::from(&props.handler)),
                logging_config: Some(LoggingConfig {
                    log_group: Some(log_group.reference().into()),
                    ..Default::default()
                }),
                memory_size: Some(widen(&props.memory_size)),
                reserved_concurrent_executions: props.reserved_concurrency.map(|r| i64::from(r).into()),
                runtime: Some(props.runtime.cfn().into()),
                timeout: Some(widen(&props.timeout_seconds)),
                tracing_config: props.tracing.then(|| TracingConfig { mode: Some(Mode::Active.into()) }),
                vpc_config: props.vpc.as_ref().map(|vpc| VpcConfig {
                    security_group_ids: Some(vpc.security_group_ids.iter().cloned().map(Value::from).collect()),
                    subnet_ids: Some(vpc.subnet_ids.iter().cloned().map(Value::from).collect()),
                    ..Default::default()
                }),
                ..CfnFunctionProps::new(code, role.arn())
            },
        )?;
        // The function must not start before it may write its logs and traces (the role
        // itself is already a dependency through `Role`).
        if let Some(policy) = role.default_policy() {
            resource.add_depends_on(&policy);
        }
        Ok(Function { group, resource, log_group, role })
    }

    /// The function's name.
    pub fn function_name(&self) -> Expr {
        self.resource.reference()
    }

    /// The execution role.
    pub fn role(&self) -> &Role {
        &self.role
    }

    /// The `AWS::Lambda::Function` resource.
    pub fn resource(&self) -> &CfnFunction {
        &self.resource
    }

    /// The function's `AWS::Logs::LogGroup`.
    pub fn log_group(&self) -> &CfnLogGroup {
        &self.log_group
    }

    /// Publishes an immutable version of the current code and configuration.
    pub fn add_version(&self, id: &str, description: Option<&str>) -> Result<CfnVersion> {
        CfnVersion::new(
            &self.group,
            id,
            CfnVersionProps { description: description.map(Value::from), ..CfnVersionProps::new(self.function_name()) },
        )
    }

    /// Points an alias (e.g. `live`) at a version.
    pub fn add_alias(&self, name: &str, version: &CfnVersion) -> Result<CfnAlias> {
        CfnAlias::new(
            &self.group,
            &format!("Alias{name}"),
            CfnAliasProps::new(self.function_name(), version.attr_version(), name),
        )
    }

    /// Lets a service or account invoke the function through its resource-based policy.
    pub fn add_permission(&self, id: &str, permission: Permission) -> Result<CfnPermission> {
        if permission.principal.is_empty() {
            self.node().add_error(format!(
                "permission {id} names no principal; give the service (events.amazonaws.com) or account that invokes it"
            ));
        }
        CfnPermission::new(
            &self.group,
            id,
            CfnPermissionProps {
                source_account: permission.source_account.map(Value::from),
                source_arn: permission.source_arn.map(Value::from),
                ..CfnPermissionProps::new(permission.action, self.function_arn(), permission.principal)
            },
        )
    }

    /// A metric of this function (`Errors`, `Throttles`, `Duration`, `Invocations`, ...).
    pub fn metric(&self, name: &str, statistic: &str) -> Metric {
        Metric {
            namespace: "AWS/Lambda".into(),
            name: name.into(),
            dimensions: vec![("FunctionName".into(), self.function_name())],
            statistic: statistic.into(),
            period_seconds: 300,
        }
    }

    /// Alarms when errors in five minutes reach `threshold`.
    pub fn alarm_errors(&self, threshold: f64, notify: &[Expr]) -> Result<Alarm> {
        self.alarm("ErrorsAlarm", self.metric("Errors", "Sum"), threshold, "errors", notify)
    }

    /// Alarms when throttles in five minutes reach `threshold`.
    pub fn alarm_throttles(&self, threshold: f64, notify: &[Expr]) -> Result<Alarm> {
        self.alarm("ThrottlesAlarm", self.metric("Throttles", "Sum"), threshold, "throttles", notify)
    }

    /// Alarms when the 99th percentile duration over five minutes reaches `threshold_ms`.
    pub fn alarm_duration_p99(&self, threshold_ms: f64, notify: &[Expr]) -> Result<Alarm> {
        self.alarm("DurationP99Alarm", self.metric("Duration", "p99"), threshold_ms, "p99 duration (ms)", notify)
    }

    fn alarm(&self, id: &str, metric: Metric, threshold: f64, what: &str, notify: &[Expr]) -> Result<Alarm> {
        Alarm::new(
            &self.group,
            id,
            AlarmProps {
                metric,
                threshold,
                comparison: Comparison::GreaterThanOrEqual,
                evaluation_periods: 1,
                description: Some(format!("{} {what} at or above {threshold}", self.node().path())),
                actions: notify.to_vec(),
            },
        )
    }
}

impl IFunction for Function {
    fn function_arn(&self) -> Expr {
        self.resource.attr_arn()
    }
}

/// The function acts with its execution role, so grants to it go to that role's policy
/// (the CDK's `IGrantable` on `lambda.Function`).
impl Grantee for Function {
    fn add_to_principal_policy(&self, statement: PolicyStatement) -> Result<()> {
        self.role.add_to_policy(statement)
    }

    fn grant_role(&self) -> Option<Role> {
        Some(self.role.clone())
    }
}

/// A number as the L1 takes it.
fn widen(value: &Value<u32>) -> Value<i64> {
    match value {
        Value::Literal(n) => Value::Literal(i64::from(*n)),
        Value::Expr(e) => Value::Expr(e.clone()),
    }
}

/// Every problem with the props, recorded on the function's node.
fn check_props(node: &Node, props: &FunctionProps) {
    if let Value::Literal(timeout) = props.timeout_seconds {
        if timeout == 0 || timeout > 900 {
            node.add_error(format!("timeout {timeout}s is outside 1..=900 seconds, the range Lambda allows"));
        }
    }
    if let Value::Literal(memory) = props.memory_size {
        if !(128..=10240).contains(&memory) {
            node.add_error(format!("memory {memory} MB is outside 128..=10240 MB, the range Lambda allows"));
        }
    }
    if let Some(vpc) = &props.vpc {
        if vpc.subnet_ids.is_empty() || vpc.security_group_ids.is_empty() {
            node.add_error(
                "vpc: a function in a VPC needs at least one subnet and one security group; give both, or set vpc \
                 to None",
            );
        }
    }
    if let Some(problem) = props.runtime.handler_problem(&props.handler) {
        node.add_error(problem);
    }
    if !crate::log_retention::RETENTION_DAYS.contains(&props.log_retention_days) {
        node.add_error(format!(
            "log retention {} days is not one CloudWatch Logs offers; use one of {:?}",
            props.log_retention_days,
            crate::log_retention::RETENTION_DAYS
        ));
    }
    if let Code::Inline(source) = &props.code {
        if source.len() > 4096 {
            node.add_error(format!("inline code is {} bytes, over Lambda's 4096; use Code::Asset", source.len()));
        }
    }
    if !props.allow_secret_values_in_environment {
        for (name, value) in &props.environment {
            let text = value.to_json().to_string();
            if text.contains("{{resolve:secretsmanager:") || text.contains("{{resolve:ssm-secure:") {
                node.add_error(format!(
                    "environment variable {name} resolves a secret into the function's configuration, where anyone \
                     who can read the function sees it; pass the secret's ARN in FunctionProps::secrets (the role \
                     gets read access), or set allow_secret_values_in_environment"
                ));
            }
        }
    }
    if let Some(0) = props.reserved_concurrency {
        node.add_error(
            "reserved concurrency 0 stops the function from running; leave it unset or give a positive value",
        );
    }
}
