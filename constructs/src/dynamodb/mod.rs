//! DynamoDB: the [`Table`] L2 (secure defaults, as aws-cdk-lib's `dynamodb.Table`) and the
//! [`ITable`] kind with its grants, implemented for the L2 and the generated `CfnTable`.
//!
//! ```
//! use cloudwright_constructs::dynamodb::{Attribute, ITable, Table, TableProps};
//! use cloudwright_constructs::iam::{Principal, Role, RoleProps};
//! use cloudwright_constructs::{App, Stack, StackProps};
//!
//! let app = App::new();
//! let stack = Stack::new(&app, "Data", StackProps::default())?;
//! let table = Table::new(&stack, "Orders", TableProps {
//!     partition_key: Attribute::string("pk"),
//!     sort_key: Some(Attribute::number("created")),
//!     time_to_live_attribute: Some("expires".into()),
//!     ..Default::default()
//! })?;
//! let role = Role::new(&stack, "Worker", RoleProps {
//!     assumed_by: vec![Principal::service("lambda.amazonaws.com")],
//!     ..Default::default()
//! })?;
//! table.grant_read_write_data(&role)?;
//! let template = app.assembly()?.template("Data").unwrap();
//! let orders = &template["Resources"][table.resource().logical_id()];
//! assert_eq!(orders["DeletionPolicy"], "Retain");
//! assert_eq!(orders["Properties"]["BillingMode"], "PAY_PER_REQUEST");
//! # Ok::<(), cloudwright_constructs::Error>(())
//! ```
//!
//! Passing a table where a grant expects another kind of resource does not compile:
//!
//! ```compile_fail,E0599
//! use cloudwright_constructs::dynamodb::ITable;
//! use cloudwright_constructs::cfn::sqs::{CfnQueue, CfnQueueProps};
//! use cloudwright_constructs::iam::{Role, RoleProps};
//! use cloudwright_constructs::{App, Stack, StackProps};
//!
//! let app = App::new();
//! let stack = Stack::new(&app, "S", StackProps::default()).unwrap();
//! let queue = CfnQueue::new(&stack, "Q", CfnQueueProps::default()).unwrap();
//! let role = Role::new(&stack, "R", RoleProps::default()).unwrap();
//! queue.grant_read_data(&role).unwrap(); // a queue is not an ITable
//! ```

mod table;

use cloudwright_core::{Construct, Expr, Result};

use crate::cfn::dynamodb::CfnTable;
use crate::iam::{self, Grantee, PolicyStatement};

pub use table::{Attribute, AttributeType, Billing, Table, TableEncryption, TableProps};

/// Item reads, as aws-cdk-lib grants them (`aws-dynamodb/lib/perms.ts`) less its stream
/// reads (`GetRecords`, `GetShardIterator`), whose only resource type is a stream ARN
/// (<https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html>):
/// granted on the table and its indexes they allow nothing.
const READ_DATA_ACTIONS: &[&str] =
    &["dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:GetItem", "dynamodb:Scan", "dynamodb:ConditionCheckItem"];
/// Item writes, as aws-cdk-lib grants them.
const WRITE_DATA_ACTIONS: &[&str] =
    &["dynamodb:BatchWriteItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"];
/// Every data grant includes it (SDKs describe the table before use).
const DESCRIBE_TABLE: &str = "dynamodb:DescribeTable";
/// On a customer managed key, to read items.
const KEY_READ_ACTIONS: &[&str] = &["kms:Decrypt", "kms:DescribeKey"];
/// On a customer managed key, to write items (reads too: writes that return items decrypt).
const KEY_WRITE_ACTIONS: &[&str] =
    &["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"];

/// A DynamoDB table (the CDK's `ITable`): its ARN and name, and grants on its items.
///
/// A grant writes the grantee's own policy and, when the grantee is in another account,
/// the table's resource policy too (naming its account, narrowed to its role), as both
/// must allow a request across accounts; likewise the key policy of a [`crate::kms::Key`]
/// encrypting the table.
/// <https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/rbac-examples.html>
pub trait ITable: Construct {
    /// The table's ARN.
    fn table_arn(&self) -> Expr;
    /// The table's name.
    fn table_name(&self) -> Expr;
    /// The customer managed KMS key encrypting the table, if any (grants cover it too).
    fn encryption_key_arn(&self) -> Option<Expr> {
        None
    }
    /// The customer managed key of this app encrypting the table, whose key policy grants
    /// to another account add to.
    #[cfg(feature = "kms")]
    fn encryption_key(&self) -> Option<&crate::kms::Key> {
        None
    }
    /// True when DynamoDB's AWS managed key (`alias/aws/dynamodb`) encrypts the table,
    /// which refuses access from other accounts.
    fn encrypted_with_aws_managed_key(&self) -> bool {
        false
    }
    /// Adds `statement` to the table's resource policy; false when this handle keeps none
    /// to add to (the L1), so that a grant to another account is reported instead of
    /// denied at run time.
    fn try_add_to_resource_policy(&self, _statement: PolicyStatement) -> Result<bool> {
        Ok(false)
    }

    /// Reading items of the table and its indexes.
    fn grant_read_data(&self, grantee: &impl Grantee) -> Result<()> {
        grant_data(self, grantee, READ_DATA_ACTIONS, KEY_READ_ACTIONS)
    }
    /// Writing items of the table.
    fn grant_write_data(&self, grantee: &impl Grantee) -> Result<()> {
        grant_data(self, grantee, WRITE_DATA_ACTIONS, KEY_WRITE_ACTIONS)
    }
    /// Reading and writing items of the table and its indexes.
    fn grant_read_write_data(&self, grantee: &impl Grantee) -> Result<()> {
        let actions: Vec<&str> = READ_DATA_ACTIONS.iter().chain(WRITE_DATA_ACTIONS).copied().collect();
        grant_data(self, grantee, &actions, KEY_WRITE_ACTIONS)
    }
}

/// What to do about a grant across accounts on a table whose policy cloudwright does not keep.
const NO_TABLE_POLICY: &str = "use dynamodb::Table, or grant with iam::grant and add \
     iam::CrossAccount::between(&table, &grantee)'s statement (resource \"*\") to the CfnTable's ResourcePolicy";

/// `actions` and `DescribeTable` on the table and `<arn>/index/*` (in the table's resource
/// policy too across accounts), and `key_actions` on its customer managed key.
fn grant_data<T: ITable + ?Sized>(
    table: &T,
    grantee: &impl Grantee,
    actions: &[&str],
    key_actions: &[&str],
) -> Result<()> {
    let arn = table.table_arn();
    let mut all: Vec<&str> = actions.to_vec();
    all.push(DESCRIBE_TABLE);
    let indexes = Expr::concat([arn.clone(), Expr::str("/index/*")]);
    let node = table.node();
    // A policy attached to the table covers the table and its indexes, and `*` stands for
    // them: the table's own ARN in its own property would be a circular reference (the
    // CDK writes `*` too).
    // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/access-control-resource-based.html
    iam::grant_with_resource_policy(
        node,
        grantee,
        &all,
        vec![arn, indexes],
        Some(vec![Expr::str("*")]),
        |statement| table.try_add_to_resource_policy(statement),
        ("resource policy", NO_TABLE_POLICY),
    )?;
    let other = || iam::CrossAccount::between(node, grantee);
    if table.encrypted_with_aws_managed_key() {
        if let Some(other) = other() {
            // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/rbac-considerations.html
            node.add_error(format!(
                "granted to {} of account {}, but the table is encrypted with DynamoDB's AWS managed key, \
                 which DynamoDB refuses to other accounts: use TableEncryption::AwsOwned or a customer managed key",
                other.role_path(),
                other.account()
            ));
        }
    }
    #[cfg(feature = "kms")]
    if let Some(key) = table.encryption_key() {
        return crate::kms::IKey::grant(key, grantee, key_actions);
    }
    if let Some(key) = table.encryption_key_arn() {
        grantee.add_to_principal_policy(PolicyStatement::allow(key_actions, [key]))?;
        if let Some(other) = other() {
            node.add_error(format!(
                "granted to {} of account {}, but the table's customer managed key is given by ARN, whose key \
                 policy cloudwright cannot add to, and across accounts it must let the role in too: use \
                 TableEncryption::Kms with a kms::Key of this app, or add \
                 iam::CrossAccount::between(&table, &grantee)'s statement to that key's policy yourself",
                other.role_path(),
                other.account()
            ));
        }
    }
    Ok(())
}

impl ITable for CfnTable {
    fn table_arn(&self) -> Expr {
        self.attr_arn()
    }
    fn table_name(&self) -> Expr {
        self.reference()
    }
}
