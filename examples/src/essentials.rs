//! The L2s a CDK user reaches for first, with their secure defaults: a KMS key with an
//! alias, a versioned bucket encrypted with it, a queue with a dead-letter queue, a topic
//! delivering to the queue, an event bus, and one role granted on each.

use cloudwright_constructs::cfn::events::{CfnEventBus, CfnEventBusProps};
use cloudwright_constructs::events::IEventBus;
use cloudwright_constructs::iam::{Condition, Operator, Principal, Role, RoleProps};
use cloudwright_constructs::kms::{IKey, Key, KeyProps};
use cloudwright_constructs::s3::{Bucket, BucketEncryption, BucketProps, IBucket};
use cloudwright_constructs::sns::{ITopic, Subscription, Topic, TopicProps};
use cloudwright_constructs::sqs::{DeadLetterQueue, IQueue, Queue, QueueEncryption, QueueProps};
use cloudwright_constructs::{App, Environment, Result, Stack, StackProps};

/// Builds the essentials example app: one stack in one account.
pub fn app() -> Result<App> {
    let app = App::new();
    let stack = Stack::new(
        &app,
        "Essentials",
        StackProps { env: Environment::new("111111111111", "us-east-1"), ..Default::default() },
    )?;
    let key = Key::new(
        &stack,
        "DataKey",
        KeyProps {
            description: Some("Encrypts the app's data".into()),
            alias: Some("alias/essentials/data".into()),
            ..Default::default()
        },
    )?;
    let bucket = Bucket::new(
        &stack,
        "Reports",
        BucketProps { encryption: BucketEncryption::Kms(key.clone()), versioned: true, ..Default::default() },
    )?;
    let failed = Queue::new(
        &stack,
        "FailedJobs",
        QueueProps { retention_period_seconds: Some(14 * 24 * 3600), ..Default::default() },
    )?;
    let jobs = Queue::new(
        &stack,
        "Jobs",
        QueueProps {
            encryption: QueueEncryption::Kms(key.clone()),
            visibility_timeout_seconds: Some(300),
            dead_letter_queue: Some(DeadLetterQueue { queue: &failed, max_receive_count: 5 }),
            ..Default::default()
        },
    )?;
    let topic =
        Topic::new(&stack, "JobEvents", TopicProps { display_name: Some("Job events".into()), ..Default::default() })?;
    topic.add_subscription(Subscription::Sqs { queue: &jobs, raw_message_delivery: true })?;
    let bus = CfnEventBus::new(&stack, "Findings", CfnEventBusProps::new("essentials-findings"))?;

    let worker = Role::new(
        &stack,
        "Worker",
        RoleProps {
            assumed_by: vec![Principal::service("lambda.amazonaws.com")],
            trust_conditions: vec![Condition::new(Operator::string_equals(), "aws:SourceAccount", ["111111111111"])],
            description: Some("Processes jobs and writes reports".into()),
            ..Default::default()
        },
    )?;
    bucket.grant_read_write(&worker)?;
    jobs.grant_consume_messages(&worker)?;
    failed.grant_send_messages(&worker)?;
    topic.grant_publish(&worker)?;
    bus.grant_put_events(&worker)?;
    key.grant_decrypt(&worker)?;
    Ok(app)
}
