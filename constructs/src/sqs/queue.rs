//! `Queue`: server-side encrypted (SQS-managed keys, or a customer managed key), limits
//! checked against SQS's, an optional dead-letter queue in the same account and region,
//! and a queue policy created on first use.

use std::cell::RefCell;
use std::rc::Rc;

use cloudwright_core::{Construct, Environment, Expr, Group, Node, RemovalPolicy, Result, Value};
use serde_json::{Map, Value as Json};

use super::IQueue;
use crate::cfn::sqs::{CfnQueue, CfnQueuePolicy, CfnQueuePolicyProps, CfnQueueProps};
use crate::iam::lazy::LazyDocument;
use crate::iam::{PolicyKind, PolicyStatement};
use crate::kms::{IKey, Key};

/// How a queue's messages are encrypted at rest.
#[derive(Clone, Default)]
pub enum QueueEncryption {
    /// Keys SQS manages (SSE-SQS).
    #[default]
    SqsManaged,
    /// A customer managed KMS key (SSE-KMS); grants on the queue grant use of the key too.
    Kms(Key),
}

/// Where messages go after `max_receive_count` failed receives.
/// <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html>
#[derive(Clone, Copy)]
pub struct DeadLetterQueue<'a> {
    /// The dead-letter queue: a [`Queue`] or any [`IQueue`], in the same account and region.
    pub queue: &'a dyn IQueue,
    /// Receives of a message before it moves to the dead-letter queue (1 to 1,000).
    pub max_receive_count: u32,
}

/// Properties of a [`Queue`].
#[derive(Clone)]
pub struct QueueProps<'a> {
    /// The queue's name; CloudFormation generates one when `None`.
    pub queue_name: Option<String>,
    /// A FIFO queue (exactly-once, ordered); its name, if given, ends in `.fifo`.
    pub fifo: bool,
    /// Encryption at rest.
    pub encryption: QueueEncryption,
    /// Seconds a received message stays invisible to other consumers (0 to 43,200).
    pub visibility_timeout_seconds: Option<u32>,
    /// Seconds a message is kept (60 to 1,209,600).
    pub retention_period_seconds: Option<u32>,
    /// Seconds each message is delayed (0 to 900).
    pub delivery_delay_seconds: Option<u32>,
    /// Seconds a receive waits for messages, long polling (0 to 20).
    pub receive_wait_seconds: Option<u32>,
    /// Where messages go after repeated failures.
    pub dead_letter_queue: Option<DeadLetterQueue<'a>>,
    /// What happens to the queue when it leaves the stack (`Delete` by default, as the CDK).
    pub removal_policy: RemovalPolicy,
}

impl Default for QueueProps<'_> {
    fn default() -> Self {
        QueueProps {
            queue_name: None,
            fifo: false,
            encryption: QueueEncryption::default(),
            visibility_timeout_seconds: None,
            retention_period_seconds: None,
            delivery_delay_seconds: None,
            receive_wait_seconds: None,
            dead_letter_queue: None,
            removal_policy: RemovalPolicy::Delete,
        }
    }
}

/// An SQS queue.
#[derive(Clone)]
pub struct Queue {
    group: Group,
    resource: CfnQueue,
    key: Option<Key>,
    fifo: bool,
    policy: Rc<RefCell<Option<(CfnQueuePolicy, LazyDocument)>>>,
}

impl Construct for Queue {
    fn node(&self) -> &Node {
        self.group.node()
    }
}

impl IQueue for Queue {
    fn queue_arn(&self) -> Expr {
        self.resource.attr_arn()
    }

    fn queue_url(&self) -> Expr {
        self.resource.reference()
    }

    fn is_fifo(&self) -> bool {
        self.fifo
    }

    fn encryption_key(&self) -> Option<&Key> {
        self.key.as_ref()
    }

    fn try_add_to_resource_policy(&self, statement: PolicyStatement) -> Result<bool> {
        Queue::add_to_resource_policy(self, statement).map(|_| true)
    }
}

/// SQS's limits on queue attributes: name, property, range.
/// <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html>
const LIMITS: &[(&str, &str, u32, u32)] = &[
    ("visibility timeout", "visibility_timeout_seconds", 0, 43_200),
    ("retention period", "retention_period_seconds", 60, 1_209_600),
    ("delivery delay", "delivery_delay_seconds", 0, 900),
    ("receive wait", "receive_wait_seconds", 0, 20),
];

impl Queue {
    /// Defines a queue.
    pub fn new(scope: &impl Construct, id: &str, props: QueueProps<'_>) -> Result<Self> {
        let group = crate::scope::group_in_stack(scope, id, "cloudwright.sqs.Queue")?;
        let key = match props.encryption {
            QueueEncryption::SqsManaged => None,
            QueueEncryption::Kms(key) => Some(key),
        };
        let seconds = |s: Option<u32>| s.map(|s| Value::Literal(i64::from(s)));
        let resource = CfnQueue::new(
            &group,
            "Resource",
            CfnQueueProps {
                fifo_queue: props.fifo.then_some(Value::Literal(true)),
                kms_master_key_id: key.as_ref().map(|k| Value::Expr(k.key_arn())),
                message_retention_period: seconds(props.retention_period_seconds),
                delay_seconds: seconds(props.delivery_delay_seconds),
                queue_name: props.queue_name.as_deref().map(Value::from),
                receive_message_wait_time_seconds: seconds(props.receive_wait_seconds),
                redrive_policy: props.dead_letter_queue.map(|d| redrive_policy(&d)),
                sqs_managed_sse_enabled: key.is_none().then_some(Value::Literal(true)),
                visibility_timeout: seconds(props.visibility_timeout_seconds),
                ..Default::default()
            },
        )?;
        resource.apply_removal_policy(props.removal_policy);
        let node = group.node();
        let values = [
            props.visibility_timeout_seconds,
            props.retention_period_seconds,
            props.delivery_delay_seconds,
            props.receive_wait_seconds,
        ];
        for ((what, field, min, max), value) in LIMITS.iter().zip(values) {
            if let Some(v) = value.filter(|v| !(*min..=*max).contains(v)) {
                node.add_error(format!("{what} of {v}s is outside SQS's {min}..={max}; set {field} within it"));
            }
        }
        if let Some(name) = &props.queue_name {
            if let Err(why) = check_queue_name(name, props.fifo) {
                node.add_error(format!("queue name {name:?}: {why}"));
            }
        }
        if let Some(dlq) = &props.dead_letter_queue {
            for problem in check_dead_letter_queue(node, props.fifo, dlq) {
                node.add_error(problem);
            }
        }
        Ok(Queue { group, resource, key, fifo: props.fifo, policy: Rc::new(RefCell::new(None)) })
    }

    /// Adds a statement to the queue policy (created on first use; a resource policy: it
    /// names principals), and returns that policy, for resources that need it in place
    /// first.
    pub fn add_to_resource_policy(&self, statement: PolicyStatement) -> Result<CfnQueuePolicy> {
        let mut slot = self.policy.borrow_mut();
        if let Some((policy, document)) = slot.as_ref() {
            document.add(statement);
            return Ok(policy.clone());
        }
        let props = CfnQueuePolicyProps::new(Json::Null, vec![Value::Expr(self.resource.reference())]);
        let policy = CfnQueuePolicy::new(&self.group, "Policy", props)?;
        let document = LazyDocument::new([statement]);
        let rendered = document.checked(self.group.node(), PolicyKind::Resource, "queue policy");
        policy.set_lazy(CfnQueuePolicyProps::POLICY_DOCUMENT, rendered);
        *slot = Some((policy.clone(), document));
        Ok(policy)
    }

    /// The `AWS::SQS::Queue` resource.
    pub fn resource(&self) -> &CfnQueue {
        &self.resource
    }

    /// The `AWS::SQS::QueuePolicy` resource, once a statement has been added.
    pub fn policy(&self) -> Option<CfnQueuePolicy> {
        self.policy.borrow().as_ref().map(|(p, _)| p.clone())
    }
}

fn redrive_policy(dlq: &DeadLetterQueue<'_>) -> Json {
    let mut policy = Map::with_capacity(2);
    policy.insert("deadLetterTargetArn".into(), dlq.queue.queue_arn().to_json());
    policy.insert("maxReceiveCount".into(), Json::from(dlq.max_receive_count));
    Json::Object(policy)
}

/// What SQS would reject about `dlq` as the dead-letter queue of the queue at `node`.
/// <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html>
fn check_dead_letter_queue(node: &Node, fifo: bool, dlq: &DeadLetterQueue<'_>) -> Vec<String> {
    let mut problems = Vec::new();
    let dlq_path = dlq.queue.node().path();
    if !(1..=1000).contains(&dlq.max_receive_count) {
        problems
            .push(format!("max_receive_count {} of the dead-letter queue is outside 1..=1000", dlq.max_receive_count));
    }
    if dlq.queue.is_fifo() != fifo {
        let kind = |f: bool| if f { "a FIFO queue" } else { "a standard queue" };
        problems.push(format!(
            "the dead-letter queue {dlq_path} is {} but this is {}; SQS requires both of one kind",
            kind(dlq.queue.is_fifo()),
            kind(fifo)
        ));
    }
    let env_of = |n: &Node| n.stack().map(|s| s.environment()).unwrap_or_default();
    let (own, theirs) = (env_of(node), env_of(dlq.queue.node()));
    if differs(&own, &theirs) {
        problems.push(format!(
            "the dead-letter queue {dlq_path} deploys to {theirs} but this queue deploys to {own}; \
             SQS requires a dead-letter queue in the same account and region: define it in a stack of {own}"
        ));
    }
    problems
}

/// True when two environments name different accounts or regions (agnostic parts match
/// anything: the reference itself is checked at synthesis).
fn differs(a: &Environment, b: &Environment) -> bool {
    let differ = |x: &Option<String>, y: &Option<String>| matches!((x, y), (Some(x), Some(y)) if x != y);
    differ(&a.account, &b.account) || differ(&a.region, &b.region)
}

/// Checks a queue name: 1 to 80 letters, digits, `-` and `_`, and `.fifo` at the end of
/// exactly the FIFO queues' names.
/// <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html>
fn check_queue_name(name: &str, fifo: bool) -> std::result::Result<(), String> {
    let stem = match (name.strip_suffix(".fifo"), fifo) {
        (Some(stem), true) => stem,
        (None, false) => name,
        (None, true) => return Err("a FIFO queue's name ends in \".fifo\"".into()),
        (Some(_), false) => return Err("only FIFO queues' names end in \".fifo\"; set fifo: true".into()),
    };
    if name.len() > 80 || stem.is_empty() {
        return Err(format!("has {} characters; queue names have 1 to 80", name.len()));
    }
    if let Some(c) = stem.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))) {
        return Err(format!("{c:?} is not allowed; use letters, digits, '-' and '_'"));
    }
    Ok(())
}
