//! Amazon SQS: the [`IQueue`] kind with its grants, and [`Queue`], an encrypted queue
//! with limits checked and an optional dead-letter queue.
//!
//! ```
//! use cloudwright_constructs::iam::{Principal, Role, RoleProps};
//! use cloudwright_constructs::sqs::{DeadLetterQueue, IQueue, Queue, QueueProps};
//! use cloudwright_constructs::{App, Stack, StackProps};
//!
//! let app = App::new();
//! let stack = Stack::new(&app, "S", StackProps::default())?;
//! let failed = Queue::new(&stack, "Failed", QueueProps::default())?;
//! let jobs = Queue::new(&stack, "Jobs", QueueProps {
//!     dead_letter_queue: Some(DeadLetterQueue { queue: &failed, max_receive_count: 5 }),
//!     ..Default::default()
//! })?;
//! let role = Role::new(&stack, "Worker", RoleProps { assumed_by: vec![Principal::service("lambda.amazonaws.com")], ..Default::default() })?;
//! jobs.grant_consume_messages(&role)?;
//! let template = app.assembly()?.template("S").unwrap();
//! assert_eq!(template["Resources"]["JobsDF1CC2D4"]["Properties"]["RedrivePolicy"]["maxReceiveCount"], 5);
//! # Ok::<(), cloudwright_constructs::Error>(())
//! ```

mod queue;

pub use queue::{DeadLetterQueue, Queue, QueueEncryption, QueueProps};

use cloudwright_core::{Construct, Expr, Result};

use crate::cfn::sqs::{CfnQueue, CfnQueueProps};
use crate::iam::{self, Grantee, PolicyStatement};
use crate::kms::{self, Key};

/// An SQS queue (the CDK's `sqs.IQueue`): its ARN and URL, and grants on it.
///
/// A grant writes the grantee's own policy and, when the grantee is in another account,
/// the queue policy too (naming its account, narrowed to its role), as both must allow a
/// request across accounts; likewise the key policy of a customer managed key encrypting
/// the queue.
/// <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-basic-examples-of-sqs-policies.html>
pub trait IQueue: Construct {
    /// The queue's ARN.
    fn queue_arn(&self) -> Expr;

    /// The queue's URL.
    fn queue_url(&self) -> Expr;

    /// True for a FIFO queue.
    fn is_fifo(&self) -> bool;

    /// The customer managed key encrypting the queue, whose use the grants also grant.
    fn encryption_key(&self) -> Option<&Key> {
        None
    }

    /// Adds `statement` to the queue policy; false when this handle keeps no queue policy
    /// to add to (the L1), so that a grant to another account is reported instead of
    /// denied at run time.
    fn try_add_to_resource_policy(&self, _statement: PolicyStatement) -> Result<bool> {
        Ok(false)
    }

    /// Sending messages; with a customer managed key, encrypting and decrypting with it,
    /// which SQS needs of a sender.
    /// <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html>
    fn grant_send_messages(&self, grantee: &impl Grantee) -> Result<()>
    where
        Self: Sized,
    {
        let actions = ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"];
        grant(self, grantee, &actions, kms::KEY_ENCRYPT_DECRYPT)
    }

    /// Receiving and deleting messages.
    fn grant_consume_messages(&self, grantee: &impl Grantee) -> Result<()>
    where
        Self: Sized,
    {
        let actions = [
            "sqs:ReceiveMessage",
            "sqs:ChangeMessageVisibility",
            "sqs:GetQueueUrl",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
        ];
        grant(self, grantee, &actions, kms::KEY_DECRYPT)
    }

    /// Purging the queue.
    fn grant_purge(&self, grantee: &impl Grantee) -> Result<()>
    where
        Self: Sized,
    {
        grant(self, grantee, &["sqs:PurgeQueue", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"], &[])
    }
}

/// What to do about a grant across accounts on a queue whose policy cloudwright does not keep.
const NO_QUEUE_POLICY: &str = "use sqs::Queue, or grant with iam::grant and add \
     iam::CrossAccount::between(&queue, &grantee)'s statement to your own CfnQueuePolicy";

/// `actions` on `queue` (queue policy too across accounts), and `key_actions` on its
/// customer managed key.
fn grant(queue: &impl IQueue, grantee: &impl Grantee, actions: &[&str], key_actions: &[&str]) -> Result<()> {
    iam::grant_with_resource_policy(
        queue.node(),
        grantee,
        actions,
        vec![queue.queue_arn()],
        None,
        |statement| queue.try_add_to_resource_policy(statement),
        ("queue policy", NO_QUEUE_POLICY),
    )?;
    if key_actions.is_empty() {
        return Ok(());
    }
    kms::grant_key(grantee, queue.encryption_key(), key_actions)
}

impl IQueue for CfnQueue {
    fn queue_arn(&self) -> Expr {
        self.attr_arn()
    }

    fn queue_url(&self) -> Expr {
        self.reference()
    }

    fn is_fifo(&self) -> bool {
        self.property(CfnQueueProps::FIFO_QUEUE.name()) == Some(serde_json::Value::Bool(true))
    }
}
