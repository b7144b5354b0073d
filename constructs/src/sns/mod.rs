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

use crate::cfn::sns::CfnTopic;
use crate::iam::{self, Grantee};
use crate::kms::{self, Key};

/// An SNS topic (the CDK's `sns.ITopic`): its ARN, and grants on it.
pub trait ITopic: Construct {
    /// The topic's ARN.
    fn topic_arn(&self) -> Expr;

    /// True for a FIFO topic.
    fn is_fifo(&self) -> bool;

    /// The customer managed key encrypting the topic, whose use the grants also grant.
    fn encryption_key(&self) -> Option<&Key> {
        None
    }

    /// Publishing to the topic; with a customer managed key, the key use a publisher
    /// needs (as the CDK's `grantPublish`).
    /// <https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html>
    fn grant_publish(&self, grantee: &impl Grantee) -> Result<()>
    where
        Self: Sized,
    {
        let key_actions = ["kms:Decrypt", "kms:GenerateDataKey*"];
        kms::grant_with_key(grantee, &["sns:Publish"], [self.topic_arn()], self.encryption_key(), &key_actions)
    }

    /// Subscribing to the topic.
    fn grant_subscribe(&self, grantee: &impl Grantee) -> Result<()>
    where
        Self: Sized,
    {
        iam::grant(grantee, &["sns:Subscribe"], [self.topic_arn()])
    }
}

impl ITopic for CfnTopic {
    fn topic_arn(&self) -> Expr {
        self.reference()
    }

    fn is_fifo(&self) -> bool {
        self.property("FifoTopic") == Some(serde_json::Value::Bool(true))
    }
}
