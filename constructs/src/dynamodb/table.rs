//! `Table`: a DynamoDB table with typed keys and the defaults a platform team wants:
//! on-demand billing, encryption with a KMS key, point-in-time recovery, and a table that
//! outlives its stack (`Retain`, as the CDK).

use std::cell::RefCell;
use std::rc::Rc;

use cloudwright_core::{Construct, Error, Expr, Group, Node, RemovalPolicy, Result};

use super::ITable;
use crate::cfn::dynamodb::table::{
    AttributeDefinition, AttributeType as CfnAttributeType, BillingMode, KeySchemaItem,
    PointInTimeRecoverySpecification, ProvisionedThroughput, ResourcePolicy, SseSpecification, SseType,
    StreamSpecification, StreamViewType, TimeToLiveSpecification,
};
use crate::cfn::dynamodb::{CfnTable, CfnTableProps};
use crate::iam::lazy::LazyDocument;
use crate::iam::{PolicyKind, PolicyStatement};

/// The type of a key attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AttributeType {
    /// `S`
    #[default]
    String,
    /// `N`
    Number,
    /// `B`
    Binary,
}

/// A key attribute: its name and type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attribute {
    /// The attribute name.
    pub name: String,
    /// Its type.
    pub kind: AttributeType,
}

impl Attribute {
    /// A string attribute.
    pub fn string(name: impl Into<String>) -> Self {
        Attribute { name: name.into(), kind: AttributeType::String }
    }
    /// A number attribute.
    pub fn number(name: impl Into<String>) -> Self {
        Attribute { name: name.into(), kind: AttributeType::Number }
    }
    /// A binary attribute.
    pub fn binary(name: impl Into<String>) -> Self {
        Attribute { name: name.into(), kind: AttributeType::Binary }
    }

    fn definition(&self) -> AttributeDefinition {
        let kind = match self.kind {
            AttributeType::String => CfnAttributeType::S,
            AttributeType::Number => CfnAttributeType::N,
            AttributeType::Binary => CfnAttributeType::B,
        };
        AttributeDefinition::new(self.name.as_str(), kind)
    }
}

/// How reads and writes are paid for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Billing {
    /// Per request, no capacity to plan (the default).
    #[default]
    OnDemand,
    /// Provisioned read and write capacity units.
    Provisioned {
        /// Read capacity units (at least 1).
        read_capacity: u32,
        /// Write capacity units (at least 1).
        write_capacity: u32,
    },
}

/// Which key encrypts the table at rest (DynamoDB always encrypts).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum TableEncryption {
    /// A key AWS owns; not visible in the account.
    AwsOwned,
    /// The AWS managed key `alias/aws/dynamodb`, whose use CloudTrail records (the default).
    #[default]
    AwsManaged,
    /// A customer managed key, by ARN; grants on the table cover it (in the grantee's own
    /// policy: a grant to another account needs [`TableEncryption::Kms`]).
    CustomerManaged(Expr),
    /// A customer managed key of this app; grants on the table cover it, and a grant to
    /// another account adds to its key policy too.
    #[cfg(feature = "kms")]
    Kms(crate::kms::Key),
}

/// Properties of a [`Table`].
#[derive(Debug, Clone)]
pub struct TableProps {
    /// The partition (hash) key.
    pub partition_key: Attribute,
    /// The sort (range) key, if any.
    pub sort_key: Option<Attribute>,
    /// Billing (default on demand).
    pub billing: Billing,
    /// Encryption at rest (default the AWS managed key).
    pub encryption: TableEncryption,
    /// Point-in-time recovery (default on).
    pub point_in_time_recovery: bool,
    /// What happens to the table when it leaves the stack (default `Retain`).
    pub removal_policy: RemovalPolicy,
    /// Deletion protection, which refuses `DeleteTable` whoever asks (default off).
    pub deletion_protection: bool,
    /// The Number attribute holding each item's expiry time (epoch seconds), if items expire.
    pub time_to_live_attribute: Option<String>,
    /// A DynamoDB stream of item changes, if wanted.
    pub stream: Option<StreamViewType>,
    /// A physical name; CloudFormation generates one when `None` (a fixed name forbids
    /// replacement updates).
    pub table_name: Option<String>,
}

impl Default for TableProps {
    fn default() -> Self {
        TableProps {
            partition_key: Attribute::default(),
            sort_key: None,
            billing: Billing::OnDemand,
            encryption: TableEncryption::AwsManaged,
            point_in_time_recovery: true,
            removal_policy: RemovalPolicy::Retain,
            deletion_protection: false,
            time_to_live_attribute: None,
            stream: None,
            table_name: None,
        }
    }
}

/// A DynamoDB table (the CDK's `dynamodb.Table`).
#[derive(Clone)]
pub struct Table {
    group: Group,
    resource: CfnTable,
    encryption: TableEncryption,
    /// The resource policy, once a grant to another account needs one.
    policy: Rc<RefCell<Option<LazyDocument>>>,
}

impl Construct for Table {
    fn node(&self) -> &Node {
        self.group.node()
    }
}

impl Table {
    /// Defines a table.
    pub fn new(scope: &impl Construct, id: &str, props: TableProps) -> Result<Self> {
        let mut keys = vec![KeySchemaItem::new(props.partition_key.name.as_str(), "HASH")];
        let mut definitions = vec![props.partition_key.definition()];
        if let Some(sort) = &props.sort_key {
            keys.push(KeySchemaItem::new(sort.name.as_str(), "RANGE"));
            definitions.push(sort.definition());
        }
        // `KeySchema` is untyped in the schema (a list or an object): the typed items go in
        // as their JSON.
        // Built before the group, so that failing here leaves no node behind.
        let key_schema = serde_json::to_value(&keys).map_err(|source| Error::Serialize {
            path: format!("{}/{id}", scope.node().path()),
            what: "the key schema".into(),
            source,
        })?;
        let group = crate::scope::group_in_stack(scope, id, "cloudwright.dynamodb.Table")?;
        for problem in problems(&props) {
            group.node().add_error(problem);
        }
        let (billing_mode, provisioned_throughput) = match props.billing {
            Billing::OnDemand => (BillingMode::PayPerRequest, None),
            Billing::Provisioned { read_capacity, write_capacity } => (
                BillingMode::Provisioned,
                Some(ProvisionedThroughput::new(i64::from(read_capacity), i64::from(write_capacity))),
            ),
        };
        let sse_specification = match &props.encryption {
            TableEncryption::AwsOwned => None,
            TableEncryption::AwsManaged => Some(SseSpecification::new(true)),
            TableEncryption::CustomerManaged(_) => customer_managed(&props.encryption),
            #[cfg(feature = "kms")]
            TableEncryption::Kms(_) => customer_managed(&props.encryption),
        };
        let resource = CfnTable::new(
            &group,
            "Resource",
            CfnTableProps {
                attribute_definitions: Some(definitions),
                billing_mode: Some(billing_mode.into()),
                deletion_protection_enabled: props.deletion_protection.then(|| true.into()),
                point_in_time_recovery_specification: Some(PointInTimeRecoverySpecification {
                    point_in_time_recovery_enabled: Some(props.point_in_time_recovery.into()),
                    ..Default::default()
                }),
                provisioned_throughput,
                sse_specification,
                stream_specification: props.stream.clone().map(StreamSpecification::new),
                table_name: props.table_name.clone().map(Into::into),
                time_to_live_specification: props.time_to_live_attribute.as_deref().map(|name| {
                    TimeToLiveSpecification { attribute_name: Some(name.into()), ..TimeToLiveSpecification::new(true) }
                }),
                ..CfnTableProps::new(key_schema)
            },
        )?;
        resource.apply_removal_policy(props.removal_policy);
        Ok(Table { group, resource, encryption: props.encryption, policy: Rc::new(RefCell::new(None)) })
    }

    /// Adds a statement to the table's resource policy (`ResourcePolicy`, written once a
    /// statement is added; a resource policy: it names principals).
    pub fn add_to_resource_policy(&self, statement: PolicyStatement) {
        let mut slot = self.policy.borrow_mut();
        match slot.as_ref() {
            Some(document) => document.add(statement),
            None => {
                let document = LazyDocument::new([statement]);
                let node = self.group.node();
                let rendered = document.checked(node, PolicyKind::Resource, "resource policy");
                self.resource.set_lazy(CfnTableProps::RESOURCE_POLICY, move || ResourcePolicy::new(rendered()));
                *slot = Some(document);
            }
        }
    }

    /// The stream's ARN, when the table has a stream.
    pub fn table_stream_arn(&self) -> Expr {
        self.resource.attr_stream_arn()
    }

    /// The `AWS::DynamoDB::Table` resource.
    pub fn resource(&self) -> &CfnTable {
        &self.resource
    }
}

impl ITable for Table {
    fn table_arn(&self) -> Expr {
        self.resource.attr_arn()
    }
    fn table_name(&self) -> Expr {
        self.resource.reference()
    }
    fn encryption_key_arn(&self) -> Option<Expr> {
        key_arn(&self.encryption)
    }
    #[cfg(feature = "kms")]
    fn encryption_key(&self) -> Option<&crate::kms::Key> {
        match &self.encryption {
            TableEncryption::Kms(key) => Some(key),
            _ => None,
        }
    }
    fn encrypted_with_aws_managed_key(&self) -> bool {
        self.encryption == TableEncryption::AwsManaged
    }
    fn try_add_to_resource_policy(&self, statement: PolicyStatement) -> Result<bool> {
        Table::add_to_resource_policy(self, statement);
        Ok(true)
    }
}

/// The ARN of the customer managed key, if one encrypts the table.
fn key_arn(encryption: &TableEncryption) -> Option<Expr> {
    match encryption {
        TableEncryption::CustomerManaged(key) => Some(key.clone()),
        #[cfg(feature = "kms")]
        TableEncryption::Kms(key) => Some(crate::kms::IKey::key_arn(key)),
        TableEncryption::AwsOwned | TableEncryption::AwsManaged => None,
    }
}

/// The server-side encryption of a customer managed key.
fn customer_managed(encryption: &TableEncryption) -> Option<SseSpecification> {
    let key = key_arn(encryption)?;
    Some(SseSpecification {
        kms_master_key_id: Some(key.into()),
        sse_type: Some(SseType::Kms.into()),
        ..SseSpecification::new(true)
    })
}

/// DynamoDB's naming rules and capacity minimums.
/// <https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html>
fn problems(props: &TableProps) -> Vec<String> {
    let mut problems = Vec::new();
    let keys = std::iter::once(("partition", &props.partition_key)).chain(props.sort_key.iter().map(|k| ("sort", k)));
    for (role, key) in keys {
        if key.name.is_empty() || key.name.len() > 255 {
            problems.push(format!(
                "{role} key name \"{}\" must be 1 to 255 bytes long (e.g. Attribute::string(\"pk\"))",
                key.name
            ));
        }
    }
    if props.sort_key.as_ref().is_some_and(|s| s.name == props.partition_key.name) {
        problems.push(format!(
            "the sort key and the partition key are both named \"{}\": give them different attributes",
            props.partition_key.name
        ));
    }
    if let Billing::Provisioned { read_capacity, write_capacity } = props.billing {
        if read_capacity == 0 || write_capacity == 0 {
            problems.push(format!(
                "provisioned capacity {read_capacity} read / {write_capacity} write: each must be at least 1 \
                 (or use Billing::OnDemand)"
            ));
        }
    }
    if let Some(name) = &props.table_name {
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
        if !(3..=255).contains(&name.len()) || !name.chars().all(allowed) {
            problems
                .push(format!("table name \"{name}\" must be 3 to 255 characters of a-z, A-Z, 0-9, '_', '-' and '.'"));
        }
    }
    if props.time_to_live_attribute.as_deref().is_some_and(str::is_empty) {
        problems
            .push("the time-to-live attribute name is empty: name the Number attribute holding expiry times".into());
    }
    problems
}
