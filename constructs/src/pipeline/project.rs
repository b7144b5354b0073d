//! CodeBuild projects for the pipeline's build and deploy actions.

use cloudwright_core::{CfnResource, Construct, Expr, Group, Node, Result};
use serde_json::json;

use super::{BuildSpec, PipelineNames};
use crate::iam::{PolicyStatement, Principal, Role, RoleProps};

/// The build environment.
#[derive(Debug, Clone)]
pub struct BuildEnvironment {
    /// Image, e.g. `aws/codebuild/standard:7.0`.
    pub image: String,
    /// `BUILD_GENERAL1_SMALL`, `..._MEDIUM`, `..._LARGE`.
    pub compute_type: String,
    /// Docker-in-docker; only for builds that build images.
    pub privileged: bool,
    /// Plain environment variables.
    pub variables: Vec<(String, String)>,
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
}

/// A CodeBuild project run by the pipeline, with a role of its own.
#[derive(Clone)]
pub struct BuildProject {
    group: Group,
    resource: CfnResource,
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
        let group = Group::with_fqn(scope, id, "cloudwright.pipeline.BuildProject")?;
        let role = Role::new(
            &group,
            "Role",
            RoleProps { assumed_by: vec![Principal::service("codebuild.amazonaws.com")], ..Default::default() },
        )?;
        let logs = Expr::sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/codebuild/*");
        role.add_to_policy(PolicyStatement::allow(
            &["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            [logs],
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
        let variables: Vec<_> = props
            .environment
            .variables
            .iter()
            .map(|(k, v)| json!({"Name": k, "Value": v, "Type": "PLAINTEXT"}))
            .collect();
        let mut body = json!({
            "Artifacts": {"Type": "CODEPIPELINE"},
            "Environment": {
                "ComputeType": props.environment.compute_type,
                "Image": props.environment.image,
                "ImagePullCredentialsType": "CODEBUILD",
                "PrivilegedMode": props.environment.privileged,
                "Type": "LINUX_CONTAINER",
                "EnvironmentVariables": variables,
            },
            "EncryptionKey": key,
            "ServiceRole": role.arn(),
            "Source": {"Type": "CODEPIPELINE", "BuildSpec": props.buildspec.to_text()},
            "TimeoutInMinutes": props.timeout_minutes.unwrap_or(60),
        });
        if let (true, Some(map)) = (props.local_cache, body.as_object_mut()) {
            map.insert("Cache".into(), json!({"Type": "LOCAL", "Modes": ["LOCAL_CUSTOM_CACHE", "LOCAL_SOURCE_CACHE"]}));
        }
        let resource = CfnResource::from_json(&group, "Resource", "AWS::CodeBuild::Project", body)?;
        resource.set_tag_format(cloudwright_core::TagFormat::Standard);
        if let Some(policy) = role.default_policy() {
            resource.add_depends_on(&policy);
        }
        let node = group.node();
        if props.buildspec.is_empty() {
            node.add_error("the buildspec runs no command; give the build phase its commands");
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
        self.resource.get_att("Arn")
    }
}
