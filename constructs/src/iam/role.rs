//! IAM roles: a trust policy, managed and inline policies, and a default policy that
//! grants add statements to, as the CDK's `iam.Role` does.

use std::cell::RefCell;
use std::rc::Rc;

use cloudwright_core::logical_id::physical_name;
use cloudwright_core::{Construct, Expr, Group, Node, Result, Value};
use serde_json::{Map, Value as Json};

use crate::cfn::iam::role::Policy;
use crate::cfn::iam::{CfnPolicy, CfnPolicyProps, CfnRole, CfnRoleProps};

use super::lazy::LazyDocument;
use super::{Condition, PolicyDocument, PolicyKind, PolicyStatement, Principal};

/// Properties of a [`Role`].
#[derive(Debug, Clone, Default)]
pub struct RoleProps {
    /// Who may assume the role.
    pub assumed_by: Vec<Principal>,
    /// Conditions on assuming it (e.g. `aws:SourceAccount` against confused deputies).
    pub trust_conditions: Vec<Condition>,
    /// The role name; CloudFormation generates one when `None`.
    pub role_name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// ARNs of managed policies.
    pub managed_policy_arns: Vec<Expr>,
    /// Inline policies by name.
    pub inline_policies: Vec<(String, PolicyDocument)>,
    /// Maximum session duration in seconds (3600 to 43200).
    pub max_session_duration: Option<u32>,
    /// Permissions boundary ARN.
    pub permissions_boundary: Option<Expr>,
    /// Path of the role, e.g. `/service/`.
    pub path: Option<String>,
    /// Permit `Allow *` on `*` (administrator access) in the role's policies.
    pub allow_admin: bool,
}

/// An IAM role.
#[derive(Clone)]
pub struct Role {
    group: Group,
    resource: CfnRole,
    default_policy: Rc<RefCell<Option<DefaultPolicy>>>,
    allow_admin: bool,
    /// The physical name, given or generated once another account must name the role.
    name: Rc<RefCell<Option<String>>>,
    /// The IAM path (`/` unless given), part of the role's ARN.
    path: Option<String>,
}

/// A role's default policy, once a statement has been added.
struct DefaultPolicy {
    resource: CfnPolicy,
    /// Also held by the policy's lazy `PolicyDocument` and the role's validator.
    document: LazyDocument,
}

impl Construct for Role {
    fn node(&self) -> &Node {
        self.group.node()
    }
}

/// A principal that can be granted permissions (the CDK's `IGrantable`).
pub trait Grantee {
    /// Adds a statement to the principal's own policy.
    fn add_to_principal_policy(&self, statement: PolicyStatement) -> Result<()>;

    /// The role the principal acts with (the CDK's `grantPrincipal`), which a resource of
    /// another account lets in through its resource policy. `None` (the default) for a
    /// principal with no role of this app: grants to it then write its own policy only.
    fn grant_role(&self) -> Option<Role> {
        None
    }
}

impl Role {
    /// Defines a role.
    pub fn new(scope: &impl Construct, id: &str, props: RoleProps) -> Result<Self> {
        let group = crate::scope::group_in_stack(scope, id, "cloudwright.iam.Role")?;
        let trust = PolicyDocument::new([PolicyStatement {
            actions: vec!["sts:AssumeRole".into()],
            principals: props.assumed_by,
            conditions: props.trust_conditions,
            ..Default::default()
        }]);
        let policies = (!props.inline_policies.is_empty()).then(|| {
            let policy = |(name, doc): &(String, PolicyDocument)| Policy::new(doc.minimized().to_json(), name.as_str());
            props.inline_policies.iter().map(policy).collect()
        });
        let resource = CfnRole::new(
            &group,
            "Resource",
            CfnRoleProps {
                // Set below: the props are serialized into the tree, and a document held
                // here would be copied once more on the way (a role per function in a
                // large app).
                assume_role_policy_document: Json::Null,
                description: props.description.map(Value::Literal),
                managed_policy_arns: (!props.managed_policy_arns.is_empty())
                    .then(|| props.managed_policy_arns.into_iter().map(Value::Expr).collect()),
                max_session_duration: props.max_session_duration.map(|s| Value::Literal(i64::from(s))),
                path: props.path.clone().map(Value::Literal),
                permissions_boundary: props.permissions_boundary.map(Value::Expr),
                policies,
                role_name: props.role_name.clone().map(Value::Literal),
                tags: None,
            },
        )?;
        resource.set(CfnRoleProps::ASSUME_ROLE_POLICY_DOCUMENT, trust.to_json());
        // The trust policy, inline policies and duration cannot change after this, so they
        // are checked now; only the default policy, which grants extend, is checked at
        // synthesis. A large app has a role per function: keeping every trust document
        // until then would cost memory for nothing.
        let group_node = group.node();
        for p in trust.validate(PolicyKind::Trust, false) {
            group_node.add_error(format!("trust policy: {p}"));
        }
        for (name, doc) in &props.inline_policies {
            for p in doc.validate(PolicyKind::Identity, props.allow_admin) {
                group_node.add_error(format!("inline policy {name}: {p}"));
            }
        }
        if let Some(d) = props.max_session_duration {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
            if !(3600..=43200).contains(&d) {
                group_node.add_error(format!("max session duration {d}s is outside 3600..=43200"));
            }
        }
        Ok(Role {
            group,
            resource,
            default_policy: Rc::new(RefCell::new(None)),
            allow_admin: props.allow_admin,
            name: Rc::new(RefCell::new(props.role_name)),
            path: props.path,
        })
    }

    /// The role's physical name, generated from its path when it has none (the CDK's
    /// `PhysicalName.GENERATE_IF_NEEDED`): a resource policy of another account names the
    /// role by ARN, which must be known at synthesis. Set only then, so a role no other
    /// account names keeps CloudFormation's generated name, and its template.
    pub(crate) fn name_for_other_accounts(&self) -> String {
        let mut name = self.name.borrow_mut();
        if let Some(name) = name.as_ref() {
            return name.clone();
        }
        // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html (64 characters)
        let generated = physical_name(&self.node().path(), 64);
        // The L1's props were serialized when the role was created, and only now is it
        // known that another account names it.
        self.resource.set(CfnRoleProps::ROLE_NAME, generated.as_str());
        *name = Some(generated.clone());
        generated
    }

    /// The IAM path, as a role's ARN has it between `role` and the name.
    pub(crate) fn iam_path(&self) -> &str {
        self.path.as_deref().unwrap_or("/")
    }

    /// The role's ARN.
    pub fn arn(&self) -> Expr {
        self.resource.attr_arn()
    }

    /// The role's name.
    pub fn role_name(&self) -> Expr {
        self.resource.reference()
    }

    /// The `AWS::IAM::Role` resource.
    pub fn resource(&self) -> &CfnRole {
        &self.resource
    }

    /// The default policy resource, once a statement has been added.
    pub fn default_policy(&self) -> Option<CfnPolicy> {
        self.default_policy.borrow().as_ref().map(|p| p.resource.clone())
    }

    /// Adds a statement to the role's default policy (`<Role>/DefaultPolicy`).
    pub fn add_to_policy(&self, statement: PolicyStatement) -> Result<()> {
        let mut slot = self.default_policy.borrow_mut();
        if slot.is_none() {
            let group = Group::with_fqn(&self.group, "DefaultPolicy", "cloudwright.iam.Policy")?;
            let policy = CfnPolicy::new(
                &group,
                "Resource",
                CfnPolicyProps {
                    // Both set below: the document at synthesis, the name once the
                    // resource exists to name it after.
                    roles: Some(vec![Value::Expr(self.resource.reference())]),
                    ..CfnPolicyProps::new(Json::Object(Map::new()), "")
                },
            )?;
            let document = LazyDocument::default();
            let kind = PolicyKind::Identity;
            let rendered = document.checked_with(self.node(), kind, self.allow_admin, "default policy");
            policy.set_lazy(CfnPolicyProps::POLICY_DOCUMENT, rendered);
            // The CDK names the default policy after its logical id.
            policy.set(CfnPolicyProps::POLICY_NAME, Expr::LogicalId(policy.element()));
            *slot = Some(DefaultPolicy { resource: policy, document });
        }
        if let Some(policy) = slot.as_ref() {
            policy.document.add(statement);
        }
        Ok(())
    }
}

impl Grantee for Role {
    fn add_to_principal_policy(&self, statement: PolicyStatement) -> Result<()> {
        self.add_to_policy(statement)
    }

    fn grant_role(&self) -> Option<Role> {
        Some(self.clone())
    }
}

/// Grants `actions` on `resources` to `grantee`, in its own policy only: the resource
/// kinds' grants (`bucket.grant_read`) also write the resource policy when the grantee is
/// in another account; this is for anything else, or for a resource whose policy you keep
/// yourself (see [`super::CrossAccount`]).
pub fn grant(grantee: &impl Grantee, actions: &[&str], resources: impl IntoIterator<Item = Expr>) -> Result<()> {
    grantee.add_to_principal_policy(PolicyStatement::allow(actions, resources))
}
