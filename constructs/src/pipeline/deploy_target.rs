//! The roles a target account needs so the management account's pipeline can deploy
//! into it: a deploy role the pipeline assumes, and the execution role CloudFormation
//! uses. They live in a per-account stack deployed once, before the pipeline runs (as
//! `cdk bootstrap` does), and have deterministic names the pipeline refers to.

use cloudwright_core::{App, Construct, Expr, Group, Node, Result};

use super::PipelineNames;
use crate::iam::{Condition, Operator, PolicyStatement, Principal, Role, RoleProps};

/// What the target account's stacks may contain, for the execution role: the services
/// of the seed's baseline, environment (VPC, ECS cluster, Cloud Map namespace) and Lambda
/// services. A Cloud Map private DNS namespace creates a Route 53 private hosted zone with
/// the caller's permissions:
/// <https://docs.aws.amazon.com/cloud-map/latest/dg/cloud-map-api-permissions-ref.html>
pub const DEPLOYABLE_SERVICES: &[&str] = &[
    "lambda:*",
    "logs:*",
    "cloudwatch:*",
    "sns:*",
    "sqs:*",
    "events:*",
    "xray:*",
    "ssm:GetParameter*",
    "ec2:Describe*",
    "ec2:*Vpc*",
    "ec2:*Subnet*",
    "ec2:*SecurityGroup*",
    "ec2:*RouteTable*",
    "ec2:*Route",
    "ec2:*InternetGateway*",
    "ec2:*Tags",
    "ecs:*Cluster*",
    "ecs:TagResource",
    "servicediscovery:*",
    "route53:*HostedZone*",
    "route53:GetChange",
    "route53:ChangeResourceRecordSets",
    "route53:ListResourceRecordSets",
];

/// The deploy and execution roles in one target account.
#[derive(Clone)]
pub struct DeployTarget {
    group: Group,
    names: PipelineNames,
    /// The account id.
    pub account: String,
    /// The role the pipeline assumes.
    pub deploy_role: Role,
    /// The role CloudFormation deploys with.
    pub execution_role: Role,
}

impl Construct for DeployTarget {
    fn node(&self) -> &Node {
        self.group.node()
    }
}

impl DeployTarget {
    /// Creates the roles in `scope` (a stack of the target account).
    pub fn new(scope: &impl Construct, id: &str, names: &PipelineNames) -> Result<Self> {
        let group = crate::scope::group_in_stack(scope, id, "cloudwright.pipeline.DeployTarget")?;
        let qualifier = App::of(scope).bootstrap_qualifier();
        let account = scope.node().stack().and_then(|s| s.environment().account).unwrap_or_default();
        if account.is_empty() {
            group.node().add_error("deploy roles need a stack with a concrete account; set the stack's environment");
        }
        let execution_role = Role::new(
            &group,
            "ExecutionRole",
            RoleProps {
                role_name: Some(names.execution_role.clone()),
                description: Some("Used by CloudFormation to deploy the pipeline's stacks".into()),
                assumed_by: vec![Principal::service("cloudformation.amazonaws.com")],
                // Against the confused deputy: CloudFormation acts for this account only.
                trust_conditions: vec![Condition::new(
                    Operator::string_equals(),
                    "aws:SourceAccount",
                    [account.as_str()],
                )],
                ..Default::default()
            },
        )?;
        execution_role.add_to_policy(PolicyStatement::allow(DEPLOYABLE_SERVICES, ["*"]))?;
        execution_role.add_to_policy(PolicyStatement::allow(
            &[
                "iam:CreateRole",
                "iam:DeleteRole",
                "iam:GetRole",
                "iam:PassRole",
                "iam:TagRole",
                "iam:UntagRole",
                "iam:UpdateAssumeRolePolicy",
                "iam:PutRolePolicy",
                "iam:DeleteRolePolicy",
                "iam:GetRolePolicy",
                "iam:AttachRolePolicy",
                "iam:DetachRolePolicy",
            ],
            [Expr::sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*")],
        ))?;
        // Weak references of the stacks it deploys are read through the producers' reader
        // roles (`Fn::GetStackOutput`'s `RoleArn`, assumed with the deploying role).
        execution_role.add_to_policy(PolicyStatement::allow(
            &["sts:AssumeRole"],
            [Expr::sub(format!(
                "arn:${{AWS::Partition}}:iam::*:role/{}*",
                cloudwright_core::synth::READER_ROLE_PREFIX
            ))],
        ))?;
        // Lambda code assets published by the build to the account's bootstrap bucket
        // (`cdk bootstrap --qualifier`, the app's setting).
        execution_role.add_to_policy(PolicyStatement::allow(
            &["s3:GetObject"],
            [Expr::sub(format!(
                "arn:${{AWS::Partition}}:s3:::cdk-{qualifier}-assets-${{AWS::AccountId}}-${{AWS::Region}}/*"
            ))],
        ))?;

        let deploy_role = Role::new(
            &group,
            "DeployRole",
            RoleProps {
                role_name: Some(names.deploy_role.clone()),
                description: Some(format!("Assumed by the pipeline in account {} to deploy here", names.account)),
                assumed_by: vec![Principal::arn(names.pipeline_role_arn())],
                ..Default::default()
            },
        )?;
        deploy_role.add_to_policy(PolicyStatement::allow(
            &[
                "cloudformation:CreateStack",
                "cloudformation:UpdateStack",
                "cloudformation:DeleteStack",
                "cloudformation:DescribeStacks",
                "cloudformation:DescribeStackEvents",
                "cloudformation:CreateChangeSet",
                "cloudformation:ExecuteChangeSet",
                "cloudformation:DeleteChangeSet",
                "cloudformation:DescribeChangeSet",
                "cloudformation:GetTemplate",
            ],
            [Expr::sub("arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/*")],
        ))?;
        deploy_role.add_to_policy(PolicyStatement::allow(&["iam:PassRole"], [execution_role.arn()]))?;
        deploy_role.add_to_policy(PolicyStatement::allow(
            &["s3:GetObject", "s3:GetObjectVersion", "s3:GetBucketLocation", "s3:ListBucket"],
            [names.bucket_arn(), names.objects_arn()],
        ))?;
        // Any key of the management account here; its key policy admits this account on
        // the artifact key alone, and cross-account KMS access needs both.
        deploy_role.add_to_policy(PolicyStatement::allow(&["kms:Decrypt", "kms:DescribeKey"], [names.keys_arn()]))?;
        // The templates' `BootstrapVersion` parameter reads the bootstrap stack's version.
        deploy_role.add_to_policy(PolicyStatement::allow(
            &["ssm:GetParameter", "ssm:GetParameters"],
            [Expr::sub(format!(
                "arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter/cdk-bootstrap/{qualifier}/version"
            ))],
        ))?;
        Ok(DeployTarget { group, names: names.clone(), account, deploy_role, execution_role })
    }

    /// A role the smoke tests of `environment` assume in this account, trusted by that
    /// environment's smoke-test project in the management account, allowed `statements`.
    pub fn smoke_test_role(&self, environment: &str, statements: &[PolicyStatement]) -> Result<Role> {
        let trusted = PipelineNames::role_arn(&self.names.account, &self.names.smoke_test_project_role(environment));
        let role = Role::new(
            &self.group,
            "SmokeTestRole",
            RoleProps {
                role_name: Some(self.names.smoke_test_role.clone()),
                description: Some(format!(
                    "Assumed by the {environment} smoke tests of account {}",
                    self.names.account
                )),
                assumed_by: vec![Principal::arn(trusted)],
                ..Default::default()
            },
        )?;
        for statement in statements {
            role.add_to_policy(statement.clone())?;
        }
        Ok(role)
    }
}
