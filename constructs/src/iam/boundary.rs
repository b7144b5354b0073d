//! Permissions boundaries: a managed policy every role of some stacks must carry, so a
//! role that deploys them may create roles without handing out more than the boundary
//! allows (the CDK's `PermissionsBoundary.of(scope).apply(..)` and its bootstrap's example
//! boundary: <https://docs.aws.amazon.com/cdk/v2/guide/customize-permissions-boundaries.html>).

use cloudwright_core::{Aspect, CfnResource, Construct, Expr, Node, Stack};

use crate::cfn::iam::{CfnRole, CfnRoleProps, CfnUser, CfnUserProps};

use super::{Condition, Operator, PolicyDocument, PolicyStatement};

/// Applies a permissions boundary to every IAM role and user of a stack.
pub struct PermissionsBoundary;

impl PermissionsBoundary {
    /// Every `AWS::IAM::Role` and `AWS::IAM::User` of `stack` that names no boundary of its
    /// own gets the managed policy `policy_name` of the stack's account, those synthesis
    /// adds included (the reader roles of weak references).
    pub fn apply(stack: &Stack, policy_name: &str) {
        stack.set_permissions_boundary(policy_name);
        stack.node().add_aspect(Applied(arn(policy_name)));
    }

    /// [`PermissionsBoundary::apply`] for the stack that creates the boundary `policy`: its
    /// roles refer to it, so CloudFormation creates it first.
    pub fn apply_own(stack: &Stack, policy: &super::ManagedPolicy, policy_name: &str) {
        stack.set_permissions_boundary(policy_name);
        stack.node().add_aspect(Applied(policy.arn()));
    }

    /// The boundary's own document: everything is allowed (a boundary grants nothing; it
    /// caps), except creating a role or user without this boundary, changing the boundary
    /// policy, or removing a boundary, so what a role with it creates stays within it.
    pub fn document(policy_name: &str) -> PolicyDocument {
        let boundary = arn(policy_name);
        PolicyDocument::new([
            PolicyStatement { sid: Some("ExplicitAllowAll".into()), ..PolicyStatement::allow(&["*"], ["*"]) },
            PolicyStatement {
                sid: Some("DenyAccessIfRequiredPermBoundaryIsNotBeingApplied".into()),
                ..PolicyStatement::deny(
                    &[
                        "iam:CreateUser",
                        "iam:CreateRole",
                        "iam:PutRolePermissionsBoundary",
                        "iam:PutUserPermissionsBoundary",
                    ],
                    ["*"],
                )
            }
            .with_condition(Condition::new(
                Operator::string_not_equals(),
                "iam:PermissionsBoundary",
                [boundary.clone()],
            )),
            PolicyStatement {
                sid: Some("DenyPermBoundaryIAMPolicyAlteration".into()),
                ..PolicyStatement::deny(
                    &[
                        "iam:CreatePolicyVersion",
                        "iam:DeletePolicy",
                        "iam:DeletePolicyVersion",
                        "iam:SetDefaultPolicyVersion",
                    ],
                    [boundary],
                )
            },
            PolicyStatement {
                sid: Some("DenyRemovalOfPermBoundaryFromAnyUserOrRole".into()),
                ..PolicyStatement::deny(
                    &["iam:DeleteUserPermissionsBoundary", "iam:DeleteRolePermissionsBoundary"],
                    ["*"],
                )
            },
        ])
    }
}

/// The ARN of a managed policy of the stack's account.
pub(crate) fn arn(policy_name: &str) -> Expr {
    Expr::sub(format!("arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:policy/{policy_name}"))
}

/// Sets the boundary on the roles and users below the stack that name none.
struct Applied(Expr);

impl Aspect for Applied {
    fn visit(&self, node: &Node) {
        let Some(resource) = CfnResource::from_node(node) else { return };
        // An aspect over any L1 of the types, as the `Tags` aspect is: the property is the
        // schema's, set on what may be a user's escape hatch, so through its name.
        let boundary = match resource.resource_type().as_str() {
            CfnRole::TYPE => CfnRoleProps::PERMISSIONS_BOUNDARY.name(),
            CfnUser::TYPE => CfnUserProps::PERMISSIONS_BOUNDARY.name(),
            _ => return,
        };
        if resource.property(boundary).is_none() {
            resource.set_property(boundary, self.0.to_json());
        }
    }
}
