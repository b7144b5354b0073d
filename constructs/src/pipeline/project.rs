//! CodeBuild projects for the pipeline's build and deploy actions.

use cloudwright_core::{Construct, Expr, Group, Node, Result, Value};

use super::{BuildSpec, PipelineNames};
use crate::cfn::codebuild::project::{
    Artifacts, CloudWatchLogsConfig, Environment, EnvironmentVariable, LogsConfig, ProjectCache, Source,
};
use crate::cfn::codebuild::{CfnProject, CfnProjectProps};
use crate::cfn::logs::{CfnLogGroup, CfnLogGroupProps};
use crate::iam::{Condition, Grantee, Operator, PolicyStatement, Principal, Role, RoleProps};

/// The build environment.
#[derive(Debug, Clone)]
pub struct BuildEnvironment {
    /// Image, e.g. `aws/codebuild/standard:7.0`.
    pub image: String,
    /// `BUILD_GENERAL1_SMALL`, `..._MEDIUM`, `..._LARGE`.
    pub compute_type: String,
    /// Docker-in-docker; only for builds that build images.
    pub privileged: bool,
    /// Plain environment variables (deploy-time values allowed).
    pub variables: Vec<(String, Value<String>)>,
}

impl Default for BuildEnvironment {
    fn default() -> Self {
        BuildEnvironment {
            image: "aws/codebuild/standard:7.0".into(),
            compute_type: "BUILD_GENERAL1_MEDIUM".into(),
            privileged: false,
            variables: Vec::new(),
        }
    }
}

/// Properties of a [`BuildProject`].
#[derive(Debug, Clone, Default)]
pub struct BuildProjectProps {
    /// What the build runs.
    pub buildspec: BuildSpec,
    /// Where it runs.
    pub environment: BuildEnvironment,
    /// Cache the buildspec's cache paths between builds on the build host.
    pub local_cache: bool,
    /// Minutes before the build is stopped (5 to 2160); 60 when `None`.
    pub timeout_minutes: Option<u32>,
    /// More statements for the project's role (e.g. assuming asset-publishing roles).
    pub permissions: Vec<PolicyStatement>,
    /// The role's name, for roles other accounts trust by name; generated when `None`.
    pub role_name: Option<String>,
    /// Days the build's CloudWatch log group keeps its logs; 90 when `None` (one of the
    /// values CloudWatch Logs accepts).
    pub log_retention_days: Option<u32>,
}

/// A CodeBuild project run by the pipeline, with a role of its own.
#[derive(Clone)]
pub struct BuildProject {
    group: Group,
    resource: CfnProject,
    /// The project's service role.
    pub role: Role,
}

impl Construct for BuildProject {
    fn node(&self) -> &Node {
        self.group.node()
    }
}

impl BuildProject {
    /// Defines a project that reads and writes the pipeline's artifacts.
    pub fn new(
        scope: &impl Construct,
        id: &str,
        props: BuildProjectProps,
        names: &PipelineNames,
        key: Expr,
    ) -> Result<Self> {
        let group = crate::scope::group_in_stack(scope, id, "cloudwright.pipeline.BuildProject")?;
        let account = scope.node().stack().and_then(|s| s.environment().account).unwrap_or_default();
        let role = Role::new(
            &group,
            "Role",
            RoleProps {
                assumed_by: vec![Principal::service("codebuild.amazonaws.com")],
                // CodeBuild sends the project's account and ARN when it assumes its role:
                // https://docs.aws.amazon.com/codebuild/latest/userguide/cross-service-confused-deputy-prevention.html
                trust_conditions: vec![Condition::new(Operator::string_equals(), "aws:SourceAccount", [account])],
                role_name: props.role_name.clone(),
                ..Default::default()
            },
        )?;
        // The build logs go to a group of the project's own, kept for a bounded time,
        // rather than one CodeBuild creates on first use and keeps forever.
        let retention = props.log_retention_days.unwrap_or(90);
        let log_group = CfnLogGroup::new(
            &group,
            "Logs",
            CfnLogGroupProps { retention_in_days: Some(i64::from(retention).into()), ..Default::default() },
        )?;
        role.add_to_policy(PolicyStatement::allow(
            &["logs:CreateLogStream", "logs:PutLogEvents"],
            [log_group.attr_arn(), Expr::concat([log_group.attr_arn(), Expr::str(":*")])],
        ))?;
        super::artifacts::grant_artifacts(&role, names, &key)?;
        for statement in &props.permissions {
            role.add_to_policy(statement.clone())?;
        }
        if !props.buildspec.reports.is_empty() {
            role.add_to_policy(PolicyStatement::allow(
                &[
                    "codebuild:CreateReportGroup",
                    "codebuild:CreateReport",
                    "codebuild:UpdateReport",
                    "codebuild:BatchPutTestCases",
                    "codebuild:BatchPutCodeCoverages",
                ],
                [Expr::sub("arn:${AWS::Partition}:codebuild:${AWS::Region}:${AWS::AccountId}:report-group/*")],
            ))?;
        }
        let env = &props.environment;
        let variables: Vec<EnvironmentVariable> = env
            .variables
            .iter()
            .map(|(k, v)| EnvironmentVariable {
                r#type: Some("PLAINTEXT".into()),
                ..EnvironmentVariable::new(k, v.clone())
            })
            .collect();
        // Pipeline projects read their source from and write their output to the pipeline's
        // artifacts (`CODEPIPELINE`):
        // https://docs.aws.amazon.com/codebuild/latest/userguide/sample-codepipeline.html
        let cache = props.local_cache.then(|| ProjectCache {
            modes: Some(vec!["LOCAL_CUSTOM_CACHE".into(), "LOCAL_SOURCE_CACHE".into()]),
            ..ProjectCache::new("LOCAL")
        });
        let resource = CfnProject::new(
            &group,
            "Resource",
            CfnProjectProps {
                cache,
                encryption_key: Some(key.into()),
                logs_config: Some(LogsConfig {
                    cloud_watch_logs: Some(CloudWatchLogsConfig {
                        group_name: Some(log_group.reference().into()),
                        ..CloudWatchLogsConfig::new("ENABLED")
                    }),
                    ..Default::default()
                }),
                timeout_in_minutes: Some(i64::from(props.timeout_minutes.unwrap_or(60)).into()),
                ..CfnProjectProps::new(
                    Artifacts::new("CODEPIPELINE"),
                    Environment {
                        environment_variables: Some(variables),
                        image_pull_credentials_type: Some("CODEBUILD".into()),
                        privileged_mode: Some(env.privileged.into()),
                        ..Environment::new(&env.compute_type, &env.image, "LINUX_CONTAINER")
                    },
                    role.arn(),
                    Source { build_spec: Some(Value::from(props.buildspec.to_text())), ..Source::new("CODEPIPELINE") },
                )
            },
        )?;
        if let Some(policy) = role.default_policy() {
            resource.add_depends_on(&policy);
        }
        let node = group.node();
        if props.buildspec.is_empty() {
            node.add_error("the buildspec runs no command; give the build phase its commands");
        }
        if !crate::log_retention::RETENTION_DAYS.contains(&retention) {
            node.add_error(format!("log retention of {retention} days is not one CloudWatch Logs accepts"));
        }
        if let Some(t) = props.timeout_minutes {
            if !(5..=2160).contains(&t) {
                node.add_error(format!("timeout {t} minutes is outside 5..=2160, the range CodeBuild allows"));
            }
        }
        Ok(BuildProject { group, resource, role })
    }

    /// The project's name.
    pub fn project_name(&self) -> Expr {
        self.resource.reference()
    }

    /// The project's ARN.
    pub fn arn(&self) -> Expr {
        self.resource.attr_arn()
    }

    /// The `AWS::CodeBuild::Project` resource.
    pub fn resource(&self) -> &CfnProject {
        &self.resource
    }
}

/// A build acts with its service role, so grants to it go to that role's policy.
impl Grantee for BuildProject {
    fn add_to_principal_policy(&self, statement: PolicyStatement) -> Result<()> {
        self.role.add_to_policy(statement)
    }

    fn grant_role(&self) -> Option<crate::iam::Role> {
        Some(self.role.clone())
    }
}
