//! Customer managed policies: a policy document of its own, attachable to many roles.

use cloudwright_core::{CfnResource, Construct, Expr, Node, Result};
use serde_json::json;

use super::{PolicyDocument, PolicyKind, Role};

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
    resource: CfnResource,
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
        let mut body = json!({"PolicyDocument": document.to_json()});
        if let Some(map) = body.as_object_mut() {
            if let Some(n) = &props.managed_policy_name {
                map.insert("ManagedPolicyName".into(), json!(n));
            }
            if let Some(d) = &props.description {
                map.insert("Description".into(), json!(d));
            }
            if !roles.is_empty() {
                map.insert("Roles".into(), json!(roles.iter().map(|r| r.role_name()).collect::<Vec<_>>()));
            }
        }
        let resource = CfnResource::from_json(scope, id, "AWS::IAM::ManagedPolicy", body)?;
        resource.node().set_fqn("cloudwright.iam.ManagedPolicy");
        let allow_admin = props.allow_admin;
        resource.node().add_validation(move |_| document.validate(PolicyKind::Identity, allow_admin));
        Ok(ManagedPolicy { resource })
    }

    /// The policy's ARN (what `Ref` returns), for `RoleProps::managed_policy_arns`.
    pub fn arn(&self) -> Expr {
        self.resource.reference()
    }
}
