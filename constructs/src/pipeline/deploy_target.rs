//! The roles a target account needs so the management account's pipeline can deploy
//! into it: a deploy role the pipeline assumes, and the execution role CloudFormation
//! uses. They live in a per-account stack deployed once, before the pipeline runs (as
//! `cdk bootstrap` does), and have deterministic names the pipeline refers to.

use cloudwright_core::assembly::Bootstrap;
use cloudwright_core::{App, Construct, Environment, Expr, Group, Node, Result};

use super::PipelineNames;
use crate::iam::{
    Condition, ManagedPolicy, ManagedPolicyProps, Operator, PermissionsBoundary, PolicyStatement, Principal, Role,
    RoleProps,
};

/// What the pipeline's CloudFormation actions call with the deploy role
/// (<https://docs.aws.amazon.com/codepipeline/latest/userguide/security-iam.html#how-to-custom-role>).
const DEPLOY_ACTIONS: &[&str] = &[
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
    /// The permissions boundary of every role the deployed stacks create.
    pub boundary: ManagedPolicy,
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
        let bootstrap = Bootstrap::new(App::of(scope).bootstrap_qualifier());
        let account = scope.node().stack().and_then(|s| s.environment().account).unwrap_or_default();
        if account.is_empty() {
            group.node().add_error("deploy roles need a stack with a concrete account; set the stack's environment");
        }
        // Roles the execution role creates carry this boundary: it may hand out no more than
        // the boundary allows, nor create a role without it (a security reviewer's answer to
        // "the deployer may create and attach any role").
        let boundary = ManagedPolicy::new(
            &group,
            "PermissionsBoundary",
            ManagedPolicyProps {
                managed_policy_name: Some(names.permissions_boundary.clone()),
                description: Some("Caps every role the delivery pipeline's stacks create".into()),
                document: PermissionsBoundary::document(&names.permissions_boundary),
                allow_admin: true,
            },
            &[],
        )?;
        for rule in ["CW-IAM-1", "CW-IAM-3", "CW-IAM-4"] {
            crate::governance::suppress(
                &boundary,
                rule,
                "a permissions boundary grants nothing: it caps what the roles carrying it may do",
            );
        }
        let execution_role = Role::new(
            &group,
            "ExecutionRole",
            RoleProps {
                role_name: Some(names.execution_role.clone()),
                description: Some("Used by CloudFormation to deploy the pipeline's stacks".into()),
                // No `aws:SourceAccount` condition: CloudFormation's service-role guide
                // documents none for the role it assumes, and a condition on a key the
                // service does not send denies every deployment
                // (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-iam-servicerole.html).
                // Who may have CloudFormation use it is decided by `iam:PassRole`, which only
                // the deploy role holds, as the CDK bootstrap's execution role is trusted.
                assumed_by: vec![Principal::service("cloudformation.amazonaws.com")],
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
                "arn:${{AWS::Partition}}:s3:::{}/*",
                bootstrap.assets_bucket(&Environment::agnostic())
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
                "arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter{}",
                bootstrap.version_parameter()
            ))],
        ))?;
        Ok(DeployTarget { group, names: names.clone(), account, deploy_role, execution_role, boundary })
    }

    /// Lets the execution role deploy `stacks`: the actions their resources' handlers call
    /// (from the resource schemas, less those only properties the resources do not set
    /// need: `iam::needed`), so what the role holds follows what it deploys, and the deploy
    /// rule CW-DEPLOY-2 checks it again on the synthesized templates.
    pub fn allow_deploying(&self, stacks: &[cloudwright_core::Stack]) -> Result<()> {
        let resources: Vec<(String, serde_json::Value)> = stacks
            .iter()
            .flat_map(|s| s.node().descendants())
            .filter_map(|n| cloudwright_core::CfnResource::from_node(&n))
            .map(|r| {
                let kind = r.resource_type();
                let mut props = r.properties();
                // Roles and users get the boundary below (at synthesis, by an aspect).
                if kind == "AWS::IAM::Role" || kind == "AWS::IAM::User" {
                    props.entry("PermissionsBoundary").or_insert(serde_json::Value::Bool(true));
                }
                (kind, serde_json::Value::Object(props))
            })
            .collect();
        // The deploy role may act on these stacks only: not on `CDKToolkit` or any other
        // stack of the account.
        let stack_arns: Vec<Expr> = stacks
            .iter()
            .map(|s| {
                Expr::sub(format!(
                    "arn:${{AWS::Partition}}:cloudformation:${{AWS::Region}}:${{AWS::AccountId}}:stack/{}/*",
                    s.stack_name()
                ))
            })
            .collect();
        if !stack_arns.is_empty() {
            self.deploy_role.add_to_policy(PolicyStatement::allow(DEPLOY_ACTIONS, stack_arns))?;
        }
        let actions = crate::iam::needed::deployer_actions(resources.iter().map(|(k, p)| (k.as_str(), p)));
        // Passing a role stays within this account's roles (the functions' and services'
        // roles the stacks create), never `*`; creating a role or user, or setting one's
        // boundary, only with the boundary.
        const BOUNDED: &[&str] =
            &["iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:CreateUser", "iam:PutUserPermissionsBoundary"];
        let is = |a: &str, list: &[&str]| list.iter().any(|l| l.eq_ignore_ascii_case(a));
        let pass: Vec<&str> = actions.iter().copied().filter(|a| is(a, &["iam:PassRole"])).collect();
        let bounded: Vec<&str> = actions.iter().copied().filter(|a| is(a, BOUNDED)).collect();
        let rest: Vec<&str> =
            actions.iter().copied().filter(|a| !is(a, &["iam:PassRole"]) && !is(a, BOUNDED)).collect();
        if !rest.is_empty() {
            self.execution_role.add_to_policy(PolicyStatement::allow(&rest, ["*"]))?;
        }
        if !pass.is_empty() {
            let roles = Expr::sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*");
            self.execution_role.add_to_policy(PolicyStatement::allow(&pass, [roles]))?;
        }
        if !bounded.is_empty() {
            let boundary = crate::iam::boundary::arn(&self.names.permissions_boundary);
            let principals = [
                Expr::sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*"),
                Expr::sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:user/*"),
            ];
            self.execution_role.add_to_policy(
                PolicyStatement::allow(&bounded, principals).with_condition(Condition::new(
                    Operator::string_equals(),
                    "iam:PermissionsBoundary",
                    [boundary],
                )),
            )?;
        }
        // Every role of the deployed stacks carries the boundary, which their account stack
        // creates: they deploy after it.
        let account_stack = self.node().stack();
        for stack in stacks {
            if account_stack.as_ref() == Some(stack) {
                PermissionsBoundary::apply_own(stack, &self.boundary, &self.names.permissions_boundary);
            } else {
                PermissionsBoundary::apply(stack, &self.names.permissions_boundary);
                if let Some(account_stack) = account_stack.as_ref().filter(|a| !a.dependencies().contains(stack)) {
                    stack.add_dependency(account_stack);
                }
            }
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
