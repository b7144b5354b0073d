//! The smallest useful app: two stacks in one account, a parameter, an output, and a
//! cross-stack reference that becomes an export and an import.
//!
//! `Storage` holds a job queue and an alert topic; `Consumers` subscribes a queue of its
//! own to the topic, so it refers to the topic in `Storage`.
//!
//! CI deploys it with the real `cdk` CLI to an emulator, then deploys it again at context
//! [`crate::REVISION`] `2` (the job queue's visibility timeout changes, and the output
//! that says it) and destroys it (`docs/deploying.md`).

use cloudwright_constructs::cfn::sns::{CfnSubscription, CfnSubscriptionProps, CfnTopic, CfnTopicProps};
use cloudwright_constructs::cfn::sqs::{CfnQueue, CfnQueuePolicy, CfnQueuePolicyProps, CfnQueueProps};
use cloudwright_constructs::{
    App, CfnOutput, CfnParameter, Environment, Expr, OutputProps, ParameterProps, Result, Stack, StackProps, Tags,
};
use serde_json::json;

/// Builds the basic example app, with typed L1 resources: a misspelt property or a wrong
/// type is a compile error.
pub fn app() -> Result<App> {
    let app = App::new();
    // Each revision gives a job more time to be processed.
    let visibility_timeout = 120 * crate::revision(&app)?;
    let env = Environment::new("111111111111", "us-east-1");
    Tags::add(&app, "project", "cloudwright-basic");

    let storage = Stack::new(
        &app,
        "Storage",
        StackProps { env: env.clone(), description: Some("Job queue and alert topic".into()), ..Default::default() },
    )?;
    let display_name = CfnParameter::new(
        &storage,
        "AlertsDisplayName",
        ParameterProps {
            default: Some(json!("Job alerts")),
            description: Some("Name shown as the sender of alert messages".into()),
            min_length: Some(1),
            max_length: Some(100),
            ..Default::default()
        },
    )?;
    let jobs = CfnQueue::new(
        &storage,
        "Jobs",
        CfnQueueProps {
            visibility_timeout: Some(i64::from(visibility_timeout).into()),
            message_retention_period: Some(345_600.into()),
            ..Default::default()
        },
    )?;
    let alerts = CfnTopic::new(
        &storage,
        "Alerts",
        CfnTopicProps { display_name: Some(display_name.value().into()), ..Default::default() },
    )?;
    CfnOutput::new(
        &storage,
        "JobsQueueUrl",
        OutputProps { value: jobs.reference(), description: Some("URL of the job queue".into()), ..Default::default() },
    )?;
    CfnOutput::new(
        &storage,
        "JobsVisibilityTimeout",
        OutputProps {
            value: Expr::str(visibility_timeout.to_string()),
            description: Some("Seconds a received job stays hidden from other consumers".into()),
            ..Default::default()
        },
    )?;

    let consumers = Stack::new(&app, "Consumers", StackProps { env, ..Default::default() })?;
    let inbox = CfnQueue::new(&consumers, "AlertInbox", CfnQueueProps::default())?;
    CfnSubscription::new(
        &consumers,
        "AlertSubscription",
        CfnSubscriptionProps {
            endpoint: Some(inbox.attr_arn().into()),
            raw_message_delivery: Some(true.into()),
            ..CfnSubscriptionProps::new("sqs", alerts.reference())
        },
    )?;
    CfnQueuePolicy::new(
        &consumers,
        "AlertInboxPolicy",
        CfnQueuePolicyProps::new(
            json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": inbox.attr_arn(),
                    "Condition": {"ArnEquals": {"aws:SourceArn": alerts.reference()}}
                }]
            }),
            vec![inbox.reference().into()],
        ),
    )?;
    // The topic as this stack sees it, through its import.
    CfnOutput::new(
        &consumers,
        "AlertsTopicArn",
        OutputProps {
            value: alerts.reference(),
            description: Some("The alert topic the inbox subscribes to".into()),
            ..Default::default()
        },
    )?;
    CfnOutput::new(
        &consumers,
        "InboxArn",
        OutputProps {
            value: inbox.attr_arn(),
            export_name: Some(Expr::sub("${AWS::StackName}-InboxArn")),
            ..Default::default()
        },
    )?;
    Ok(app)
}
