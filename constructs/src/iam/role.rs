//! IAM roles: a trust policy, managed and inline policies, and a default policy that
//! grants add statements to, as the CDK's `iam.Role` does.

use std::cell::RefCell;
use std::rc::Rc;

use cloudwright_core::{CfnResource, Construct, Expr, Group, Node, Result};
use serde_json::{Map, Value as Json};

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
    resource: CfnResource,
    default_policy: Rc<RefCell<Option<DefaultPolicy>>>,
    allow_admin: bool,
}

/// A role's default policy, once a statement has been added.
struct DefaultPolicy {
    resource: CfnResource,
    /// Also held by the policy's lazy `PolicyDocument` and the role's validator, which live
    /// in the tree: they hold the document only, as a construct handle there would keep
    /// the whole tree alive.
    document: Rc<RefCell<PolicyDocument>>,
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
}

impl Role {
    /// Defines a role.
    pub fn new(scope: &impl Construct, id: &str, props: RoleProps) -> Result<Self> {
        let group = Group::with_fqn(scope, id, "cloudwright.iam.Role")?;
        let trust = PolicyDocument::new([PolicyStatement {
            actions: vec!["sts:AssumeRole".into()],
            principals: props.assumed_by.clone(),
            conditions: props.trust_conditions.clone(),
            ..Default::default()
        }]);
        // Built as a map, not with `json!`, which would serialize each value a second time.
        let mut map = Map::new();
        map.insert("AssumeRolePolicyDocument".into(), trust.to_json());
        if let Some(d) = &props.description {
            map.insert("Description".into(), Json::from(d.as_str()));
        }
        if !props.managed_policy_arns.is_empty() {
            map.insert("ManagedPolicyArns".into(), props.managed_policy_arns.iter().map(Expr::to_json).collect());
        }
        if let Some(s) = props.max_session_duration {
            map.insert("MaxSessionDuration".into(), Json::from(s));
        }
        if let Some(p) = &props.path {
            map.insert("Path".into(), Json::from(p.as_str()));
        }
        if let Some(b) = &props.permissions_boundary {
            map.insert("PermissionsBoundary".into(), b.to_json());
        }
        if !props.inline_policies.is_empty() {
            let policies = props.inline_policies.iter().map(|(name, doc)| {
                let mut policy = Map::with_capacity(2);
                policy.insert("PolicyName".into(), Json::from(name.as_str()));
                policy.insert("PolicyDocument".into(), doc.minimized().to_json());
                Json::Object(policy)
            });
            map.insert("Policies".into(), policies.collect());
        }
        if let Some(n) = &props.role_name {
            map.insert("RoleName".into(), Json::from(n.as_str()));
        }
        let resource = CfnResource::new(&group, "Resource", "AWS::IAM::Role", map)?;
        resource.set_tag_format(cloudwright_core::TagFormat::Standard);
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
            if !(3600..=43200).contains(&d) {
                group_node.add_error(format!("max session duration {d}s is outside 3600..=43200"));
            }
        }
        Ok(Role { group, resource, default_policy: Rc::new(RefCell::new(None)), allow_admin: props.allow_admin })
    }

    /// The role's ARN.
    pub fn arn(&self) -> Expr {
        self.resource.get_att("Arn")
    }

    /// The role's name.
    pub fn role_name(&self) -> Expr {
        self.resource.reference()
    }

    /// The `AWS::IAM::Role` resource.
    pub fn resource(&self) -> &CfnResource {
        &self.resource
    }

    /// The default policy resource, once a statement has been added.
    pub fn default_policy(&self) -> Option<CfnResource> {
        self.default_policy.borrow().as_ref().map(|p| p.resource.clone())
    }

    /// Adds a statement to the role's default policy (`<Role>/DefaultPolicy`).
    pub fn add_to_policy(&self, statement: PolicyStatement) -> Result<()> {
        let mut slot = self.default_policy.borrow_mut();
        if slot.is_none() {
            let group = Group::with_fqn(&self.group, "DefaultPolicy", "cloudwright.iam.Policy")?;
            let mut properties = Map::with_capacity(3);
            properties.insert("PolicyDocument".into(), Json::Object(Map::new()));
            properties.insert("PolicyName".into(), Json::from(""));
            properties.insert("Roles".into(), Json::Array(vec![self.resource.reference().to_json()]));
            let policy = CfnResource::new(&group, "Resource", "AWS::IAM::Policy", properties)?;
            let document = Rc::new(RefCell::new(PolicyDocument::default()));
            // Rendered once, at synthesis, however many statements are added.
            let rendered = Rc::clone(&document);
            policy.set_lazy_property("PolicyDocument", move || rendered.borrow().minimized().to_json());
            // The CDK names the default policy after its logical id.
            policy.set_property("PolicyName", Expr::LogicalId(policy.element()).to_json());
            let (checked, allow_admin) = (Rc::clone(&document), self.allow_admin);
            self.node().add_validation(move |_| {
                let problems = checked.borrow().validate(PolicyKind::Identity, allow_admin);
                problems.into_iter().map(|p| format!("default policy: {p}")).collect()
            });
            *slot = Some(DefaultPolicy { resource: policy, document });
        }
        if let Some(policy) = slot.as_ref() {
            policy.document.borrow_mut().add_statement(statement);
        }
        Ok(())
    }
}

impl Grantee for Role {
    fn add_to_principal_policy(&self, statement: PolicyStatement) -> Result<()> {
        self.add_to_policy(statement)
    }
}

/// Grants `actions` on `resources` to `grantee`.
pub fn grant(grantee: &impl Grantee, actions: &[&str], resources: impl IntoIterator<Item = Expr>) -> Result<()> {
    grantee.add_to_principal_policy(PolicyStatement::allow(actions, resources))
}

/// `sns:Publish` on a topic (`AWS::SNS::Topic`, whose `Ref` is its ARN).
pub fn grant_publish(topic: &CfnResource, grantee: &impl Grantee) -> Result<()> {
    grant(grantee, &["sns:Publish"], [topic.reference()])
}

/// Sending messages to a queue.
pub fn grant_send_messages(queue: &CfnResource, grantee: &impl Grantee) -> Result<()> {
    grant(grantee, &["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"], [queue.get_att("Arn")])
}

/// Reading objects of a bucket.
pub fn grant_read(bucket: &CfnResource, grantee: &impl Grantee) -> Result<()> {
    let arn = bucket.get_att("Arn");
    grant(
        grantee,
        &["s3:GetObject", "s3:GetObjectVersion", "s3:GetBucketLocation", "s3:ListBucket"],
        [arn.clone(), Expr::concat([arn, Expr::str("/*")])],
    )
}

/// Putting events on an event bus.
pub fn grant_put_events(bus: &CfnResource, grantee: &impl Grantee) -> Result<()> {
    grant(grantee, &["events:PutEvents"], [bus.get_att("Arn")])
}
