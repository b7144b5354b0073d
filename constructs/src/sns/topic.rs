//! `Topic`: encrypted with a KMS key (SNS's AWS managed key by default), optionally FIFO,
//! with typed subscriptions that also set up what delivery needs (queue policy, key
//! policy).
//!
//! Subscribers: SQS queues, Lambda functions, email addresses and HTTPS endpoints.

use std::cell::RefCell;
use std::rc::Rc;

use cloudwright_core::logical_id::physical_name;
use cloudwright_core::{Construct, Expr, Group, Node, Result, Value};
use serde_json::Value as Json;

use super::ITopic;
use crate::cfn::sns::{
    CfnSubscription, CfnSubscriptionProps, CfnTopic, CfnTopicPolicy, CfnTopicPolicyProps, CfnTopicProps,
};
use crate::iam::lazy::LazyDocument;
use crate::iam::{Condition, Operator, PolicyKind, PolicyStatement, Principal};
use crate::kms::{IKey, Key};
use crate::lambda::{Function, IFunction, Permission};
use crate::sqs::{IQueue, Queue};

/// SNS's AWS managed key.
pub(super) const AWS_MANAGED_KEY: &str = "alias/aws/sns";

/// How a topic's messages are encrypted at rest.
#[derive(Clone, Default)]
pub enum TopicEncryption {
    /// SNS's AWS managed key (`alias/aws/sns`). Its key policy cannot be changed, so AWS
    /// services that publish on their own (CloudWatch alarms, EventBridge) cannot use
    /// the topic: give those a customer managed key.
    #[default]
    AwsManaged,
    /// A customer managed key; grants on the topic grant use of the key too.
    Kms(Key),
}

/// Properties of a [`Topic`].
#[derive(Clone, Default)]
pub struct TopicProps {
    /// The topic's name; CloudFormation generates one when `None` (a FIFO topic gets one
    /// from its path). A FIFO topic's name gets `.fifo` appended when it lacks it.
    pub topic_name: Option<String>,
    /// The display name (the sender name of SMS and email messages).
    pub display_name: Option<String>,
    /// Encryption at rest.
    pub encryption: TopicEncryption,
    /// A FIFO topic (ordered, deduplicated; delivers to SQS queues only).
    pub fifo: bool,
    /// Deduplicate FIFO messages by a hash of their body.
    pub content_based_deduplication: bool,
}

/// A subscriber to a topic.
#[derive(Clone)]
pub enum Subscription<'a> {
    /// An SQS queue; the queue policy lets the topic send to it.
    Sqs {
        /// The queue.
        queue: &'a Queue,
        /// Deliver the message body only, without SNS's JSON envelope.
        raw_message_delivery: bool,
    },
    /// A Lambda function; its resource policy lets the topic invoke it.
    Lambda(&'a Function),
    /// An email address (the recipient confirms the subscription).
    Email(String),
    /// An HTTPS endpoint (which confirms the subscription).
    Https(String),
}

/// An SNS topic.
#[derive(Clone)]
pub struct Topic {
    group: Group,
    resource: CfnTopic,
    key: Option<Key>,
    fifo: bool,
    policy: Rc<RefCell<Option<(CfnTopicPolicy, LazyDocument)>>>,
}

impl Construct for Topic {
    fn node(&self) -> &Node {
        self.group.node()
    }
}

impl ITopic for Topic {
    fn topic_arn(&self) -> Expr {
        self.resource.reference()
    }

    fn is_fifo(&self) -> bool {
        self.fifo
    }

    fn encryption_key(&self) -> Option<&Key> {
        self.key.as_ref()
    }

    fn encrypted_with_aws_managed_key(&self) -> bool {
        self.key.is_none()
    }

    fn try_add_to_resource_policy(&self, statement: PolicyStatement) -> Result<bool> {
        Topic::add_to_resource_policy(self, statement).map(|_| true)
    }
}

impl Topic {
    /// Defines a topic.
    pub fn new(scope: &impl Construct, id: &str, props: TopicProps) -> Result<Self> {
        let group = crate::scope::group_in_stack(scope, id, "cloudwright.sns.Topic")?;
        let key = match props.encryption {
            TopicEncryption::AwsManaged => None,
            TopicEncryption::Kms(key) => Some(key),
        };
        // https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html
        let topic_name = match (props.topic_name, props.fifo) {
            (Some(name), true) if !name.ends_with(".fifo") => Some(format!("{name}.fifo")),
            (None, true) => Some(format!("{}.fifo", physical_name(&group.node().path(), 251))),
            (name, _) => name,
        };
        let resource = CfnTopic::new(
            &group,
            "Resource",
            CfnTopicProps {
                content_based_deduplication: props.content_based_deduplication.then_some(Value::Literal(true)),
                display_name: props.display_name.map(Value::Literal),
                fifo_topic: props.fifo.then_some(Value::Literal(true)),
                kms_master_key_id: Some(match &key {
                    Some(key) => Value::Expr(key.key_arn()),
                    None => Value::from(AWS_MANAGED_KEY),
                }),
                topic_name: topic_name.as_deref().map(Value::from),
                ..Default::default()
            },
        )?;
        let node = group.node();
        if let Some(name) = &topic_name {
            if let Err(why) = check_topic_name(name, props.fifo) {
                node.add_error(format!("topic name {name:?}: {why}"));
            }
        }
        if props.content_based_deduplication && !props.fifo {
            node.add_error("content-based deduplication is for FIFO topics only; set fifo: true or drop it");
        }
        Ok(Topic { group, resource, key, fifo: props.fifo, policy: Rc::new(RefCell::new(None)) })
    }

    /// Adds a statement to the topic policy (created on first use; a resource policy: it
    /// names principals), and returns that policy. It replaces SNS's default topic policy,
    /// which lets in the topic's own account: principals there keep their access through
    /// their IAM policies, but a service publishing on the account's behalf through that
    /// default needs a statement of its own here.
    /// <https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html>
    pub fn add_to_resource_policy(&self, statement: PolicyStatement) -> Result<CfnTopicPolicy> {
        let mut slot = self.policy.borrow_mut();
        if let Some((policy, document)) = slot.as_ref() {
            document.add(statement);
            return Ok(policy.clone());
        }
        let props = CfnTopicPolicyProps::new(Json::Null, vec![Value::Expr(self.topic_arn())]);
        let policy = CfnTopicPolicy::new(&self.group, "Policy", props)?;
        let document = LazyDocument::new([statement]);
        let rendered = document.checked(self.group.node(), PolicyKind::Resource, "topic policy");
        policy.set_lazy(CfnTopicPolicyProps::POLICY_DOCUMENT, rendered);
        *slot = Some((policy.clone(), document));
        Ok(policy)
    }

    /// The `AWS::SNS::TopicPolicy` resource, once a statement has been added.
    pub fn policy(&self) -> Option<CfnTopicPolicy> {
        self.policy.borrow().as_ref().map(|(p, _)| p.clone())
    }

    /// Subscribes `subscription` to the topic. A queue's subscription lives with the
    /// queue (as in the CDK), after its queue policy.
    pub fn add_subscription(&self, subscription: Subscription<'_>) -> Result<CfnSubscription> {
        let node = self.group.node();
        let (scope, id, protocol, endpoint, raw) = match &subscription {
            Subscription::Sqs { queue, raw_message_delivery } => {
                (queue.node().clone(), node.id(), "sqs", queue.queue_arn(), *raw_message_delivery)
            }
            Subscription::Lambda(function) => {
                (function.node().clone(), node.id(), "lambda", function.function_arn(), false)
            }
            Subscription::Email(address) => {
                if !address.contains('@') {
                    node.add_error(format!("email subscription {address:?} is not an email address"));
                }
                (node.clone(), address.clone(), "email", Expr::str(address), false)
            }
            Subscription::Https(url) => {
                if !url.starts_with("https://") {
                    node.add_error(format!("HTTPS subscription {url:?} does not start with \"https://\""));
                }
                (node.clone(), url.replace('/', "-"), "https", Expr::str(url), false)
            }
        };
        // FIFO topics deliver to SQS only; standard topics cannot deliver to FIFO queues.
        // https://docs.aws.amazon.com/sns/latest/dg/fifo-message-delivery.html
        match &subscription {
            Subscription::Sqs { queue, .. } if queue.is_fifo() && !self.fifo => node.add_error(format!(
                "{} is a FIFO queue, which only FIFO topics deliver to; make the topic FIFO",
                queue.node().path()
            )),
            Subscription::Lambda(_) | Subscription::Email(_) | Subscription::Https(_) if self.fifo => {
                node.add_error(format!("FIFO topics deliver to SQS queues only, not by {protocol}"))
            }
            _ => {}
        }
        let created = CfnSubscription::new(
            &scope,
            &id,
            CfnSubscriptionProps {
                endpoint: Some(Value::Expr(endpoint)),
                raw_message_delivery: raw.then_some(Value::Literal(true)),
                ..CfnSubscriptionProps::new(protocol, Value::Expr(self.topic_arn()))
            },
        )?;
        match subscription {
            Subscription::Sqs { queue, .. } => self.allow_delivery(queue, &created)?,
            Subscription::Lambda(function) => self.allow_invoke(function, &created)?,
            Subscription::Email(_) | Subscription::Https(_) => {}
        }
        Ok(created)
    }

    /// Lets the topic send to `queue` (and use its key), before the subscription exists,
    /// so no message is lost to a denied delivery.
    /// <https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html>
    fn allow_delivery(&self, queue: &Queue, subscription: &CfnSubscription) -> Result<()> {
        let from_topic = || Condition::new(Operator::arn_equals(), "aws:SourceArn", [self.topic_arn()]);
        let sns = || Principal::service("sns.amazonaws.com");
        let send = PolicyStatement::allow(&["sqs:SendMessage"], [queue.queue_arn()])
            .with_principal(sns())
            .with_condition(from_topic());
        let policy = queue.add_to_resource_policy(send)?;
        subscription.add_depends_on(&policy);
        if let Some(key) = queue.encryption_key() {
            // https://docs.aws.amazon.com/sns/latest/dg/sns-enable-encryption-for-topic-sqs-queue-subscriptions.html
            key.add_to_resource_policy(
                PolicyStatement::allow(&["kms:Decrypt", "kms:GenerateDataKey"], ["*"])
                    .with_principal(sns())
                    .with_condition(from_topic()),
            );
        }
        Ok(())
    }

    /// Lets the topic invoke `function` (only this topic: `SourceArn`), before the
    /// subscription exists, as the CDK's `LambdaSubscription` does.
    /// <https://docs.aws.amazon.com/sns/latest/dg/sns-lambda-as-subscriber.html>
    fn allow_invoke(&self, function: &Function, subscription: &CfnSubscription) -> Result<()> {
        let permission = function.add_permission(
            &format!("AllowInvoke{}", self.group.node().id()),
            Permission {
                principal: "sns.amazonaws.com".into(),
                source_arn: Some(self.topic_arn()),
                ..Default::default()
            },
        )?;
        subscription.add_depends_on(&permission);
        Ok(())
    }

    /// The `AWS::SNS::Topic` resource.
    pub fn resource(&self) -> &CfnTopic {
        &self.resource
    }
}

/// Checks a topic name: 1 to 256 letters, digits, `-` and `_`, with `.fifo` at the end
/// of exactly the FIFO topics' names.
fn check_topic_name(name: &str, fifo: bool) -> std::result::Result<(), String> {
    let stem = match (name.strip_suffix(".fifo"), fifo) {
        (Some(stem), true) => stem,
        (None, false) => name,
        (_, true) => return Err("a FIFO topic's name ends in \".fifo\"".into()),
        (Some(_), false) => return Err("only FIFO topics' names end in \".fifo\"; set fifo: true".into()),
    };
    if name.len() > 256 || stem.is_empty() {
        return Err(format!("has {} characters; topic names have 1 to 256", name.len()));
    }
    if let Some(c) = stem.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))) {
        return Err(format!("{c:?} is not allowed; use letters, digits, '-' and '_'"));
    }
    Ok(())
}
