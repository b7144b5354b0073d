//! The smallest useful app: two stacks in one account, a parameter, an output, and a
//! cross-stack reference that becomes an export and an import.
//!
//! `Storage` holds a job queue and an alert topic; `Consumers` subscribes a queue of its
//! own to the topic, so it refers to the topic in `Storage`.

use cloudwright_constructs::{
    App, CfnOutput, CfnParameter, CfnResource, Environment, Expr, OutputProps, ParameterProps, Result, Stack,
    StackProps, TagFormat, Tags,
};
use serde_json::{Map, Value, json};

fn props(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// Builds the basic example app.
pub fn app() -> Result<App> {
    let app = App::new();
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
    let jobs = CfnResource::new(
        &storage,
        "Jobs",
        "AWS::SQS::Queue",
        props(json!({"VisibilityTimeout": 120, "MessageRetentionPeriod": 345600})),
    )?;
    jobs.set_tag_format(TagFormat::Standard);
    let alerts = CfnResource::new(&storage, "Alerts", "AWS::SNS::Topic", Map::new())?;
    alerts.set_property("DisplayName", display_name.value());
    alerts.set_tag_format(TagFormat::Standard);
    CfnOutput::new(
        &storage,
        "JobsQueueUrl",
        OutputProps { value: jobs.reference(), description: Some("URL of the job queue".into()), ..Default::default() },
    )?;

    let consumers = Stack::new(&app, "Consumers", StackProps { env, ..Default::default() })?;
    let inbox = CfnResource::new(&consumers, "AlertInbox", "AWS::SQS::Queue", Map::new())?;
    inbox.set_tag_format(TagFormat::Standard);
    CfnResource::new(
        &consumers,
        "AlertSubscription",
        "AWS::SNS::Subscription",
        props(json!({
            "Protocol": "sqs",
            "TopicArn": alerts.reference(),
            "Endpoint": inbox.get_att("Arn"),
            "RawMessageDelivery": true,
        })),
    )?;
    CfnResource::new(
        &consumers,
        "AlertInboxPolicy",
        "AWS::SQS::QueuePolicy",
        props(json!({
            "Queues": [inbox.reference()],
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": inbox.get_att("Arn"),
                    "Condition": {"ArnEquals": {"aws:SourceArn": alerts.reference()}}
                }]
            }
        })),
    )?;
    CfnOutput::new(
        &consumers,
        "InboxArn",
        OutputProps {
            value: inbox.get_att("Arn"),
            export_name: Some(Expr::sub("${AWS::StackName}-InboxArn")),
            ..Default::default()
        },
    )?;
    Ok(app)
}
