//! Customer managed policies: a policy document of its own, attachable to many roles.

use cloudwright_core::{Construct, Expr, Node, Result, Value};

use super::{PolicyDocument, PolicyKind, Role};
use crate::cfn::iam::{CfnManagedPolicy, CfnManagedPolicyProps};

/// Properties of a [`ManagedPolicy`].
#[derive(Debug, Clone, Default)]
pub struct ManagedPolicyProps {
    /// The policy's name; CloudFormation generates one when `None`.
    pub managed_policy_name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// The permissions.
    pub document: PolicyDocument,
    /// Permit `Allow *` on `*`.
    pub allow_admin: bool,
}

/// A customer managed IAM policy.
#[derive(Clone)]
pub struct ManagedPolicy {
    resource: CfnManagedPolicy,
}

impl Construct for ManagedPolicy {
    fn node(&self) -> &Node {
        self.resource.node()
    }
}

impl ManagedPolicy {
    /// Defines the policy and attaches it to `roles`.
    pub fn new(scope: &impl Construct, id: &str, props: ManagedPolicyProps, roles: &[&Role]) -> Result<Self> {
        let document = props.document.minimized();
        let resource = CfnManagedPolicy::new(
            scope,
            id,
            CfnManagedPolicyProps {
                description: props.description.map(Value::Literal),
                managed_policy_name: props.managed_policy_name.map(Value::Literal),
                roles: (!roles.is_empty()).then(|| roles.iter().map(|r| Value::Expr(r.role_name())).collect()),
                ..CfnManagedPolicyProps::new(document.to_json())
            },
        )?;
        resource.node().set_fqn("cloudwright.iam.ManagedPolicy");
        let allow_admin = props.allow_admin;
        resource.node().add_validation(move |_| document.validate(PolicyKind::Identity, allow_admin));
        Ok(ManagedPolicy { resource })
    }

    /// The policy's ARN (what `Ref` returns), for `RoleProps::managed_policy_arns`.
    pub fn arn(&self) -> Expr {
        self.resource.reference()
    }

    /// The `AWS::IAM::ManagedPolicy` resource.
    pub fn resource(&self) -> &CfnManagedPolicy {
        &self.resource
    }
}
