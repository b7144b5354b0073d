//! Amazon SNS: the [`ITopic`] kind with its grants, and [`Topic`], an encrypted topic with
//! typed subscriptions.
//!
//! A grant takes only the kind of resource it is about:
//!
//! ```
//! use cloudwright_constructs::iam::{Principal, Role, RoleProps};
//! use cloudwright_constructs::sns::{ITopic, Topic, TopicProps};
//! use cloudwright_constructs::{App, Stack, StackProps};
//!
//! let app = App::new();
//! let stack = Stack::new(&app, "S", StackProps::default())?;
//! let topic = Topic::new(&stack, "Alerts", TopicProps::default())?;
//! let role = Role::new(&stack, "Reporter", RoleProps { assumed_by: vec![Principal::service("lambda.amazonaws.com")], ..Default::default() })?;
//! topic.grant_publish(&role)?;
//! # Ok::<(), cloudwright_constructs::Error>(())
//! ```
//!
//! A bucket is not a topic, so publishing to one does not compile:
//!
//! ```compile_fail
//! use cloudwright_constructs::iam::{Principal, Role, RoleProps};
//! use cloudwright_constructs::s3::{Bucket, BucketProps};
//! use cloudwright_constructs::sns::ITopic;
//! use cloudwright_constructs::{App, Stack, StackProps};
//!
//! let app = App::new();
//! let stack = Stack::new(&app, "S", StackProps::default())?;
//! let bucket = Bucket::new(&stack, "Reports", BucketProps::default())?;
//! let role = Role::new(&stack, "Reporter", RoleProps { assumed_by: vec![Principal::service("lambda.amazonaws.com")], ..Default::default() })?;
//! bucket.grant_publish(&role)?;
//! # Ok::<(), cloudwright_constructs::Error>(())
//! ```

mod topic;

pub use topic::{Subscription, Topic, TopicEncryption, TopicProps};

use cloudwright_core::{Construct, Expr, Result};

use crate::cfn::sns::{CfnTopic, CfnTopicProps};
use crate::iam::{self, Grantee, PolicyStatement};
use crate::kms::{self, Key};

/// An SNS topic (the CDK's `sns.ITopic`): its ARN, and grants on it.
///
/// A grant writes the grantee's own policy and, when the grantee is in another account,
/// the topic policy too (naming its account, narrowed to its role), as both must allow a
/// request across accounts; likewise the key policy of a customer managed key encrypting
/// the topic.
/// <https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html>
pub trait ITopic: Construct {
    /// The topic's ARN.
    fn topic_arn(&self) -> Expr;

    /// True for a FIFO topic.
    fn is_fifo(&self) -> bool;

    /// The customer managed key encrypting the topic, whose use the grants also grant.
    fn encryption_key(&self) -> Option<&Key> {
        None
    }

    /// True when SNS's AWS managed key (`alias/aws/sns`) encrypts the topic: its key
    /// policy, which nobody can change, lets only the topic's own account use it.
    fn encrypted_with_aws_managed_key(&self) -> bool {
        false
    }

    /// Adds `statement` to the topic policy; false when this handle keeps no topic policy
    /// to add to (the L1), so that a grant to another account is reported instead of
    /// denied at run time.
    fn try_add_to_resource_policy(&self, _statement: PolicyStatement) -> Result<bool> {
        Ok(false)
    }

    /// Publishing to the topic; with a customer managed key, the key use a publisher
    /// needs (as the CDK's `grantPublish`).
    /// <https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html>
    fn grant_publish(&self, grantee: &impl Grantee) -> Result<()>
    where
        Self: Sized,
    {
        grant(self, grantee, &["sns:Publish"])?;
        if self.encrypted_with_aws_managed_key() {
            if let Some(other) = iam::CrossAccount::between(self, grantee) {
                // The AWS managed key's policy allows only principals of its own account
                // (`kms:CallerAccount`), and a publisher's request uses the key.
                // https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-managed-key
                self.node().add_error(format!(
                    "publishing is granted to {} of account {}, but the topic is encrypted with SNS's AWS managed \
                     key, which no other account may use: encrypt it with a customer managed key \
                     (TopicEncryption::Kms)",
                    other.role_path(),
                    other.account()
                ));
            }
        }
        let key_actions = ["kms:Decrypt", "kms:GenerateDataKey*"];
        kms::grant_key(grantee, self.encryption_key(), &key_actions)
    }

    /// Subscribing to the topic.
    fn grant_subscribe(&self, grantee: &impl Grantee) -> Result<()>
    where
        Self: Sized,
    {
        grant(self, grantee, &["sns:Subscribe"])
    }
}

/// What to do about a grant across accounts on a topic whose policy cloudwright does not keep.
const NO_TOPIC_POLICY: &str = "use sns::Topic, or grant with iam::grant and add \
     iam::CrossAccount::between(&topic, &grantee)'s statement to your own CfnTopicPolicy";

/// `actions` on `topic`, in the topic policy too across accounts.
fn grant(topic: &impl ITopic, grantee: &impl Grantee, actions: &[&str]) -> Result<()> {
    iam::grant_with_resource_policy(
        topic.node(),
        grantee,
        actions,
        vec![topic.topic_arn()],
        None,
        |statement| topic.try_add_to_resource_policy(statement),
        ("topic policy", NO_TOPIC_POLICY),
    )
}

impl ITopic for CfnTopic {
    fn topic_arn(&self) -> Expr {
        self.reference()
    }

    fn is_fifo(&self) -> bool {
        self.property(CfnTopicProps::FIFO_TOPIC.name()) == Some(serde_json::Value::Bool(true))
    }

    fn encrypted_with_aws_managed_key(&self) -> bool {
        self.property(CfnTopicProps::KMS_MASTER_KEY_ID.name()) == Some(serde_json::Value::from(topic::AWS_MANAGED_KEY))
    }
}
