//! The L2s a CDK user reaches for first, with their secure defaults: a KMS key with an
//! alias, a versioned bucket encrypted with it, a queue with a dead-letter queue, a topic
//! delivering to the queue, an event bus, one role granted on each, a Lambda function
//! processing the queue, a DynamoDB table, a log group and a small VPC (no NAT gateway),
//! with outputs naming them.
//!
//! CI deploys it with the real `cdk` CLI to an emulator, then deploys it again at context
//! [`crate::REVISION`] `2` (the job queue's visibility timeout changes, and the output
//! that says it) and destroys it (`docs/deploying.md`).

use cloudwright_constructs::cfn::events::{CfnEventBus, CfnEventBusProps};
use cloudwright_constructs::cfn::logs::{CfnLogGroup, CfnLogGroupProps};
use cloudwright_constructs::dynamodb::{Attribute, ITable, Table, TableProps};
use cloudwright_constructs::ec2::{SubnetConfiguration, SubnetKind, Vpc, VpcProps};
use cloudwright_constructs::events::IEventBus;
use cloudwright_constructs::iam::{Condition, Operator, Principal, Role, RoleProps};
use cloudwright_constructs::kms::{IKey, Key, KeyProps};
use cloudwright_constructs::lambda::{Code, Function, FunctionProps, IFunction, Runtime};
use cloudwright_constructs::s3::{Bucket, BucketEncryption, BucketProps, IBucket};
use cloudwright_constructs::sns::{ITopic, Subscription, Topic, TopicProps};
use cloudwright_constructs::sqs::{DeadLetterQueue, IQueue, Queue, QueueEncryption, QueueProps};
use cloudwright_constructs::{App, CfnOutput, Environment, Expr, OutputProps, Result, Stack, StackProps};

/// The job processor's code, inline in the template.
const PROCESSOR_CODE: &str = "import os\n\n\ndef handler(event, context):\n    return {\"processed\": len(event.get(\"Records\", [])), \"table\": os.environ[\"STATE_TABLE\"]}\n";

/// Builds the essentials example app: one stack in one account.
pub fn app() -> Result<App> {
    let app = App::new();
    let revision = crate::revision(&app)?;
    // Each revision gives the job processor more time per message.
    let visibility_timeout = 300 * revision;
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
            visibility_timeout_seconds: Some(visibility_timeout),
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

    let state =
        Table::new(&stack, "JobState", TableProps { partition_key: Attribute::string("jobId"), ..Default::default() })?;
    let processor = Function::new(
        &stack,
        "Processor",
        FunctionProps {
            runtime: Runtime::Python312,
            handler: "index.handler".into(),
            code: Code::Inline(PROCESSOR_CODE.into()),
            description: Some("Processes jobs".into()),
            environment: vec![
                ("STATE_TABLE".into(), state.table_name()),
                ("REPORTS_BUCKET".into(), bucket.bucket_name()),
            ],
            ..Default::default()
        },
    )?;
    jobs.grant_consume_messages(&processor)?;
    state.grant_read_write_data(&processor)?;
    bucket.grant_read_write(&processor)?;
    key.grant_decrypt(&processor)?;
    let audit = CfnLogGroup::new(
        &stack,
        "Audit",
        CfnLogGroupProps { retention_in_days: Some(90.into()), ..Default::default() },
    )?;
    // Public and isolated subnets only: no NAT gateway to pay for.
    let vpc = Vpc::new(
        &stack,
        "Vpc",
        VpcProps {
            cidr: "10.30.0.0/16".into(),
            max_azs: Some(2),
            subnet_configuration: vec![
                SubnetConfiguration::new("Public", SubnetKind::Public, 24),
                SubnetConfiguration::new("Data", SubnetKind::Isolated, 24),
            ],
            nat_gateways: Some(0),
            ..Default::default()
        },
    )?;

    for (id, value) in [
        ("KeyArn", key.key_arn()),
        ("ReportsBucketName", bucket.bucket_name()),
        ("JobsQueueUrl", jobs.queue_url()),
        ("JobsVisibilityTimeout", Expr::str(visibility_timeout.to_string())),
        ("JobEventsTopicArn", topic.topic_arn()),
        ("WorkerRoleArn", worker.arn()),
        ("JobStateTableName", state.table_name()),
        ("ProcessorArn", processor.function_arn()),
        ("AuditLogGroupName", audit.reference()),
        ("VpcId", vpc.vpc_id()),
    ] {
        CfnOutput::new(&stack, id, OutputProps { value, ..Default::default() })?;
    }
    Ok(app)
}
