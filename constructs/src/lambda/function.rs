//! The Lambda `Function` L2: code, an execution role with least privilege, a log group
//! with retention, X-Ray tracing, versions, aliases, grants and alarms.

use std::path::PathBuf;

use cloudwright_core::asset::stage_asset;
use cloudwright_core::{CfnResource, Construct, Expr, Group, Node, RemovalPolicy, Result};
use serde_json::{Map, Value as Json, json};

use super::Runtime;
use crate::iam::{Grantee, PolicyStatement, Principal, Role, RoleProps, grant_invoke};
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

/// Properties of a [`Function`].
#[derive(Debug, Clone)]
pub struct FunctionProps {
    /// The runtime.
    pub runtime: Runtime,
    /// The handler, in the runtime's form.
    pub handler: String,
    /// The code.
    pub code: Code,
    /// Memory in MB, 128 to 10240.
    pub memory_size: u32,
    /// Timeout in seconds, at most 900.
    pub timeout_seconds: u32,
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
}

impl Default for FunctionProps {
    fn default() -> Self {
        FunctionProps {
            runtime: Runtime::Python312,
            handler: "index.handler".into(),
            code: Code::Inline(String::new()),
            memory_size: 128,
            timeout_seconds: 3,
            architecture: Architecture::X86_64,
            environment: Vec::new(),
            secrets: Vec::new(),
            allow_secret_values_in_environment: false,
            log_retention_days: 30,
            tracing: true,
            reserved_concurrency: None,
            function_name: None,
            description: None,
        }
    }
}

/// Retention periods CloudWatch Logs accepts.
pub(crate) const RETENTION_DAYS: &[u32] =
    &[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/// A Lambda function.
#[derive(Clone)]
pub struct Function {
    group: Group,
    resource: CfnResource,
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
        let group = Group::with_fqn(scope, id, "cloudwright.lambda.Function")?;
        let node = group.node().clone();
        check_props(&node, &props);

        let mut log_props = Map::with_capacity(1);
        log_props.insert("RetentionInDays".into(), Json::from(props.log_retention_days));
        let log_group = CfnResource::new(&group, "LogGroup", "AWS::Logs::LogGroup", log_props)?;
        log_group.apply_removal_policy(RemovalPolicy::Retain);
        log_group.set_tag_format(cloudwright_core::TagFormat::Standard);

        let role = Role::new(
            &group,
            "ServiceRole",
            RoleProps { assumed_by: vec![Principal::service("lambda.amazonaws.com")], ..Default::default() },
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
            Code::Inline(source) => json!({"ZipFile": source}),
            Code::S3 { bucket, key } => json!({"S3Bucket": bucket, "S3Key": key}),
            Code::Asset(dir) => match stage_asset(&group, dir) {
                Ok(asset) => json!({"S3Bucket": asset.bucket, "S3Key": asset.key}),
                Err(e) => {
                    node.add_error(format!("code: {e}"));
                    json!({"ZipFile": ""})
                }
            },
        };
        let mut variables = Map::new();
        for (name, value) in &props.environment {
            variables.insert(name.clone(), value.to_json());
        }
        for (name, arn) in &props.secrets {
            variables.insert(name.clone(), arn.to_json());
        }
        // Built as a map, not with `json!`, which would serialize each value a second time.
        let architecture = match props.architecture {
            Architecture::X86_64 => "x86_64",
            Architecture::Arm64 => "arm64",
        };
        let mut map = Map::new();
        map.insert("Architectures".into(), Json::Array(vec![Json::from(architecture)]));
        map.insert("Code".into(), code);
        map.insert("Handler".into(), Json::from(props.handler.as_str()));
        map.insert("LoggingConfig".into(), one_entry("LogGroup", log_group.reference().to_json()));
        map.insert("MemorySize".into(), Json::from(props.memory_size));
        map.insert("Role".into(), role.arn().to_json());
        map.insert("Runtime".into(), Json::from(props.runtime.name()));
        map.insert("Timeout".into(), Json::from(props.timeout_seconds));
        if let Some(d) = &props.description {
            map.insert("Description".into(), Json::from(d.as_str()));
        }
        if !variables.is_empty() {
            map.insert("Environment".into(), one_entry("Variables", Json::Object(variables)));
        }
        if let Some(n) = &props.function_name {
            map.insert("FunctionName".into(), Json::from(n.as_str()));
        }
        if let Some(r) = props.reserved_concurrency {
            map.insert("ReservedConcurrentExecutions".into(), Json::from(r));
        }
        if props.tracing {
            map.insert("TracingConfig".into(), one_entry("Mode", Json::from("Active")));
        }
        let resource = CfnResource::new(&group, "Resource", "AWS::Lambda::Function", map)?;
        resource.set_tag_format(cloudwright_core::TagFormat::Standard);
        // The function must not start before it may write its logs and traces (the role
        // itself is already a dependency through `Role`).
        if let Some(policy) = role.default_policy() {
            resource.add_depends_on(&policy);
        }
        Ok(Function { group, resource, role })
    }

    /// The function's ARN.
    pub fn arn(&self) -> Expr {
        self.resource.get_att("Arn")
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
    pub fn resource(&self) -> &CfnResource {
        &self.resource
    }

    /// Lets `grantee` invoke the function.
    pub fn grant_invoke(&self, grantee: &impl Grantee) -> Result<()> {
        grant_invoke(&self.resource, grantee)
    }

    /// Publishes an immutable version of the current code and configuration.
    pub fn add_version(&self, id: &str, description: Option<&str>) -> Result<CfnResource> {
        let mut body = json!({"FunctionName": self.function_name()});
        if let (Some(d), Some(map)) = (description, body.as_object_mut()) {
            map.insert("Description".into(), json!(d));
        }
        CfnResource::from_json(&self.group, id, "AWS::Lambda::Version", body)
    }

    /// Points an alias (e.g. `live`) at a version.
    pub fn add_alias(&self, name: &str, version: &CfnResource) -> Result<CfnResource> {
        CfnResource::from_json(
            &self.group,
            &format!("Alias{name}"),
            "AWS::Lambda::Alias",
            json!({"FunctionName": self.function_name(), "FunctionVersion": version.get_att("Version"), "Name": name}),
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

/// `{key: value}`, without the second serialization `json!` does of a value.
fn one_entry(key: &str, value: Json) -> Json {
    let mut map = Map::with_capacity(1);
    map.insert(key.into(), value);
    Json::Object(map)
}

/// Every problem with the props, recorded on the function's node.
fn check_props(node: &Node, props: &FunctionProps) {
    if props.timeout_seconds == 0 || props.timeout_seconds > 900 {
        node.add_error(format!(
            "timeout {}s is outside 1..=900 seconds, the range Lambda allows",
            props.timeout_seconds
        ));
    }
    if !(128..=10240).contains(&props.memory_size) {
        node.add_error(format!("memory {} MB is outside 128..=10240 MB, the range Lambda allows", props.memory_size));
    }
    if let Some(problem) = props.runtime.handler_problem(&props.handler) {
        node.add_error(problem);
    }
    if !RETENTION_DAYS.contains(&props.log_retention_days) {
        node.add_error(format!(
            "log retention {} days is not one CloudWatch Logs offers; use one of {RETENTION_DAYS:?}",
            props.log_retention_days
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
