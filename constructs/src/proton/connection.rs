//! Environment account connections: the role Proton assumes in an environment account
//! (trusting `proton.amazonaws.com` only for the management account's environments), the
//! `AWS::Proton::EnvironmentAccountConnection` that requests the connection (Proton mode),
//! and the management account's roles of the seed blog's `proton-account-connection-roles`
//! stack. In plain mode a connection is only recorded (environments find it), with no
//! role: the pipeline deploys with its own deploy and execution roles
//! (`pipeline::DeployTarget`), and a role trusted by the management account and holding
//! the environment's permissions, unused, would only widen who may act in the account.

use cloudwright_core::{App, CfnOutput, Construct, Expr, Group, Node, OutputProps, Result};

use super::DeployMode;

use crate::cfn::proton::{CfnEnvironmentAccountConnection, CfnEnvironmentAccountConnectionProps};
use crate::iam::{Condition, Operator, PolicyDocument, PolicyStatement, Principal, Role, RoleProps};

fn admin_policy() -> Expr {
    Expr::sub("arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess")
}

fn proton_trust(management_account_id: &str, source_arn: Expr) -> Vec<Condition> {
    vec![
        Condition::new(Operator::string_equals(), "aws:SourceAccount", [management_account_id]),
        Condition::new(Operator::arn_like(), "aws:SourceArn", [source_arn]),
    ]
}

/// Metadata type a connection records its environment's name under.
pub const CONNECTION_METADATA: &str = "cloudwright:proton:connection";

/// Properties of an [`EnvironmentAccountConnection`].
#[derive(Debug, Clone, Default)]
pub struct EnvironmentAccountConnectionProps {
    /// The management account (where the templates live and the pipeline runs).
    pub management_account_id: String,
    /// The Proton environment the connection is for.
    pub environment_name: String,
    /// What the role may do: least privilege for the environment's resources.
    pub statements: Vec<PolicyStatement>,
    /// Grant `AdministratorAccess` instead (explicit opt-in).
    pub allow_admin: bool,
    /// The role's name; generated when `None`.
    pub role_name: Option<String>,
}

/// The environment-account side of a connection.
#[derive(Clone)]
pub struct EnvironmentAccountConnection {
    group: Group,
    role: Option<Role>,
    connection: Option<CfnEnvironmentAccountConnection>,
}

impl Construct for EnvironmentAccountConnection {
    fn node(&self) -> &Node {
        self.group.node()
    }
}

impl EnvironmentAccountConnection {
    /// Defines the role (and, in Proton mode, the connection request) in the environment
    /// account's stack `scope`.
    pub fn new(scope: &impl Construct, id: &str, props: EnvironmentAccountConnectionProps) -> Result<Self> {
        let proton = DeployMode::of(&App::of(scope))? == DeployMode::Proton;
        let group = crate::scope::group_in_stack(scope, id, "cloudwright.proton.EnvironmentAccountConnection")?;
        let node = group.node();
        // Environments look for their connection by this record (see `ProtonEnvironment`).
        node.add_metadata(CONNECTION_METADATA, props.environment_name.clone());
        if !cloudwright_core::env::is_account_id(&props.management_account_id) {
            node.add_error(format!("management account id {:?} is not 12 digits", props.management_account_id));
        }
        if props.statements.is_empty() && !props.allow_admin {
            node.add_error(
                "the connection role has no permissions: give EnvironmentAccountConnectionProps::statements \
                 (least privilege for the environment's resources) or opt into allow_admin",
            );
        }
        if !proton {
            return Ok(EnvironmentAccountConnection { group, role: None, connection: None });
        }
        let mgmt = props.management_account_id.as_str();
        let source =
            Expr::sub(format!("arn:${{AWS::Partition}}:proton:*:{mgmt}:environment/{}", props.environment_name));
        let mut inline = Vec::new();
        if !props.statements.is_empty() {
            inline.push(("Environment".to_owned(), PolicyDocument::new(props.statements.clone())));
        }
        let role = Role::new(
            &group,
            "Role",
            RoleProps {
                assumed_by: vec![Principal::service("proton.amazonaws.com")],
                trust_conditions: proton_trust(mgmt, source),
                role_name: props.role_name.clone(),
                description: Some(format!(
                    "AWS Proton provisions environment {} with this role",
                    props.environment_name
                )),
                managed_policy_arns: if props.allow_admin { vec![admin_policy()] } else { Vec::new() },
                inline_policies: inline,
                allow_admin: props.allow_admin,
                ..Default::default()
            },
        )?;
        let connection = Some(CfnEnvironmentAccountConnection::new(
            &group,
            "Connection",
            CfnEnvironmentAccountConnectionProps {
                management_account_id: Some(mgmt.into()),
                environment_name: Some(props.environment_name.as_str().into()),
                role_arn: Some(role.arn().into()),
                ..Default::default()
            },
        )?);
        let role = Some(role);
        Ok(EnvironmentAccountConnection { group, role, connection })
    }

    /// The role Proton assumes (Proton mode; `None` in plain mode).
    pub fn role(&self) -> Option<&Role> {
        self.role.as_ref()
    }

    /// The `AWS::Proton::EnvironmentAccountConnection` it wraps, in Proton mode (`None` in
    /// plain mode, where no Proton resource is emitted).
    pub fn resource(&self) -> Option<&CfnEnvironmentAccountConnection> {
        self.connection.as_ref()
    }
}

/// Properties of [`ManagementRoles`].
#[derive(Debug, Clone, Default)]
pub struct ManagementRolesProps {
    /// The environment accounts that connect to this management account.
    pub environment_account_ids: Vec<String>,
    /// What Proton may provision for pipelines in the management account.
    pub pipeline_statements: Vec<PolicyStatement>,
    /// Grant `AdministratorAccess` to the pipeline role instead (explicit opt-in).
    pub allow_admin: bool,
}

/// The management account's side (the seed blog's `proton-account-connection-roles`
/// stack): the role Proton provisions service pipelines with, trusting
/// `proton.amazonaws.com` for this account only, and a switch-role link per environment
/// account.
#[derive(Clone)]
pub struct ManagementRoles {
    group: Group,
    pipeline_role: Role,
}

impl Construct for ManagementRoles {
    fn node(&self) -> &Node {
        self.group.node()
    }
}

impl ManagementRoles {
    /// Defines the roles in the management account's stack `scope`.
    pub fn new(scope: &impl Construct, id: &str, props: ManagementRolesProps) -> Result<Self> {
        let group = crate::scope::group_in_stack(scope, id, "cloudwright.proton.ManagementRoles")?;
        if props.pipeline_statements.is_empty() && !props.allow_admin {
            group.node().add_error(
                "the pipeline role has no permissions: give ManagementRolesProps::pipeline_statements or opt \
                 into allow_admin",
            );
        }
        let conditions = vec![
            Condition::new(Operator::string_equals(), "aws:SourceAccount", [Expr::account_id()]),
            Condition::new(
                Operator::arn_like(),
                "aws:SourceArn",
                [Expr::sub("arn:${AWS::Partition}:proton:${AWS::Region}:${AWS::AccountId}:service/*")],
            ),
        ];
        let mut inline = Vec::new();
        if !props.pipeline_statements.is_empty() {
            inline.push(("Pipelines".to_owned(), PolicyDocument::new(props.pipeline_statements.clone())));
        }
        let pipeline_role = Role::new(
            &group,
            "PipelineServiceRole",
            RoleProps {
                assumed_by: vec![Principal::service("proton.amazonaws.com")],
                trust_conditions: conditions,
                description: Some("AWS Proton provisions service pipelines with this role".into()),
                managed_policy_arns: if props.allow_admin { vec![admin_policy()] } else { Vec::new() },
                inline_policies: inline,
                allow_admin: props.allow_admin,
                ..Default::default()
            },
        )?;
        CfnOutput::new(
            &group,
            "PipelineServiceRoleArn",
            OutputProps {
                value: pipeline_role.arn(),
                description: Some("Proton pipeline service role".into()),
                ..Default::default()
            },
        )?;
        for account in &props.environment_account_ids {
            if !cloudwright_core::env::is_account_id(account) {
                group.node().add_error(format!("environment account id {account:?} is not 12 digits"));
                continue;
            }
            CfnOutput::new(
                &group,
                &format!("SwitchRole{account}"),
                OutputProps {
                    value: Expr::str(format!(
                        "https://signin.aws.amazon.com/switchrole?account={account}&roleName=AWSControlTowerExecution"
                    )),
                    description: Some(format!("Sign in to environment account {account} to request the connection")),
                    ..Default::default()
                },
            )?;
        }
        Ok(ManagementRoles { group, pipeline_role })
    }

    /// The role Proton provisions service pipelines with.
    pub fn pipeline_role(&self) -> &Role {
        &self.pipeline_role
    }
}
