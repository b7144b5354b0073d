//! The roles a target account needs so the management account's pipeline can deploy
//! into it: a deploy role the pipeline assumes, and the execution role CloudFormation
//! uses. They live in a per-account stack deployed once, before the pipeline runs (as
//! `cdk bootstrap` does), and have deterministic names the pipeline refers to.

use cloudwright_core::{App, Construct, Expr, Group, Node, Result};

use super::PipelineNames;
use crate::iam::{Condition, Operator, PolicyStatement, Principal, Role, RoleProps};


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

    /// Lets the execution role deploy `stacks`: every action the handlers of their resource
    /// types call (from the resource schemas, `iam::needed`), so what the role holds
    /// follows what it deploys and the deploy rule CW-DEPLOY-2 holds by construction.
    pub fn allow_deploying(&self, stacks: &[cloudwright_core::Stack]) -> Result<()> {
        let mut kinds: Vec<String> = stacks
            .iter()
            .flat_map(|s| s.node().descendants())
            .filter_map(|n| cloudwright_core::CfnResource::from_node(&n))
            .map(|r| r.resource_type())
            .collect();
        kinds.sort();
        kinds.dedup();
        let actions = crate::iam::needed::deployer_actions(kinds.iter().map(String::as_str));
        // Passing a role stays within this account's roles (the functions' and services'
        // roles the stacks create), never `*`.
        let (pass, rest): (Vec<&str>, Vec<&str>) = actions.iter().partition(|a| a.eq_ignore_ascii_case("iam:PassRole"));
        if !rest.is_empty() {
            self.execution_role.add_to_policy(PolicyStatement::allow(&rest, ["*"]))?;
        }
        if !pass.is_empty() {
            let roles = Expr::sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*");
            self.execution_role.add_to_policy(PolicyStatement::allow(&pass, [roles]))?;
        }
        Ok(())
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
