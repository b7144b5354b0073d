//! Grants across accounts: what a resource policy must say for a role of another account.
//!
//! Within one account, a grant in the role's own policy is enough: IAM allows a request
//! when either the identity policy or the resource policy allows it. Across accounts both
//! must allow it, so a grant to a role of another account also writes the resource's
//! policy (the CDK's `Grant.addToPrincipalOrResource`).
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html>
//!
//! The resource policy names the role's *account* (`arn:${AWS::Partition}:iam::ACCOUNT:root`)
//! with an `ArnEquals` condition on `aws:PrincipalArn` naming the role, never the role as
//! principal: S3, KMS, SQS, SNS and IAM refuse a policy naming a role that does not exist
//! yet ("Invalid principal in policy"), and the role's stack, in the other account, reads
//! the resource's ARN and so deploys after it. For the condition the role's ARN must be
//! known at synthesis, so the role gets a physical name derived from its path (the CDK's
//! `PhysicalName.GENERATE_IF_NEEDED`) when it has none.
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles>,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn>

use cloudwright_core::{Construct, Expr, Node, Result};

use super::{Condition, Grantee, Operator, PolicyStatement, Principal};

/// A grantee whose role is in another account than the resource it is granted: who that
/// resource's policy must let in. Use it for a resource whose policy cloudwright does not
/// keep (an L1 bucket with your own `CfnBucketPolicy`, say).
#[derive(Debug, Clone)]
pub struct CrossAccount {
    account: String,
    role_arn: Expr,
    role_path: String,
    role_name: String,
}

impl CrossAccount {
    /// The grantee's role when it is in another account than `resource`; `None` in the same
    /// account, when either account is unknown (an environment-agnostic stack: the CDK then
    /// takes them to be the same), or when the grantee acts with no role of this app.
    ///
    /// Gives the role a physical name when it has none, since the resource policy names it.
    pub fn between(resource: &impl Construct, grantee: &impl Grantee) -> Option<CrossAccount> {
        let role = grantee.grant_role()?;
        let account_of = |node: &Node| node.stack().and_then(|s| s.environment().account);
        let theirs = account_of(role.node())?;
        let ours = account_of(resource.node())?;
        if ours == theirs {
            return None;
        }
        let role_name = role.name_for_other_accounts();
        let role_arn = Expr::sub(format!("arn:${{AWS::Partition}}:iam::{theirs}:role{}{role_name}", role.iam_path()));
        Some(CrossAccount { account: theirs, role_arn, role_path: role.node().path(), role_name })
    }

    /// The grantee role's account.
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The role's ARN, as the resource's stack writes it (`Fn::Sub` of the partition).
    pub fn role_arn(&self) -> &Expr {
        &self.role_arn
    }

    /// The role's physical name.
    pub fn role_name(&self) -> &str {
        &self.role_name
    }

    /// The role's construct path, for messages.
    pub fn role_path(&self) -> &str {
        &self.role_path
    }

    /// The principal a resource policy names: the role's account root.
    pub fn principal(&self) -> Principal {
        Principal::arn(Expr::sub(format!("arn:${{AWS::Partition}}:iam::{}:root", self.account)))
    }

    /// The condition that narrows [`CrossAccount::principal`] to the role.
    pub fn condition(&self) -> Condition {
        Condition::new(Operator::arn_equals(), "aws:PrincipalArn", [self.role_arn.clone()])
    }

    /// The resource policy statement allowing the role `actions` on `resources`: the
    /// account as principal, narrowed to the role by `aws:PrincipalArn`.
    pub fn statement(&self, actions: &[&str], resources: impl IntoIterator<Item = impl Into<Expr>>) -> PolicyStatement {
        PolicyStatement::allow(actions, resources).with_principal(self.principal()).with_condition(self.condition())
    }

    /// Records on `resource` that it keeps no resource policy to let the role in, so its
    /// requests would be denied; `fix` says what to use instead.
    #[cfg_attr(not(feature = "full"), allow(dead_code))] // used by L2s that may be off
    pub(crate) fn report_no_policy(&self, resource: &Node, policy: &str, fix: &str) {
        resource.add_error(format!(
            "granted to {} of account {}, but keeps no {policy} cloudwright can add to, and across accounts \
             the {policy} must let the role in too (its requests would be denied): {fix}",
            self.role_path, self.account
        ));
    }
}

/// Grants `actions` on `resources` to `grantee`'s own policy and, when the grantee is in
/// another account than `resource`, lets its role in through the resource policy: `add`
/// puts the statement there (naming `policy_resources`, or `resources` when `None`) and
/// returns false for a resource that keeps no policy, which is then reported on its node
/// with `policy` and `fix`.
#[cfg_attr(not(feature = "full"), allow(dead_code))] // used by L2s that may be off
pub(crate) fn grant_with_resource_policy(
    resource: &Node,
    grantee: &impl Grantee,
    actions: &[&str],
    resources: Vec<Expr>,
    policy_resources: Option<Vec<Expr>>,
    add: impl FnOnce(PolicyStatement) -> Result<bool>,
    (policy, fix): (&str, &str),
) -> Result<()> {
    grantee.add_to_principal_policy(PolicyStatement::allow(actions, resources.clone()))?;
    if let Some(other) = CrossAccount::between(resource, grantee) {
        if !add(other.statement(actions, policy_resources.unwrap_or(resources)))? {
            other.report_no_policy(resource, policy, fix);
        }
    }
    Ok(())
}
