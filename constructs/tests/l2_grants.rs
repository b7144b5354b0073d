//! Typed handles: grants on the L1s and the L2s, and the key use grants on encrypted
//! resources carry.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use cloudwright_constructs::cfn::events::{CfnEventBus, CfnEventBusProps};
use cloudwright_constructs::cfn::kms::{CfnKey, CfnKeyProps};
use cloudwright_constructs::cfn::s3::{CfnBucket, CfnBucketProps};
use cloudwright_constructs::cfn::sqs::{CfnQueue, CfnQueueProps};
use cloudwright_constructs::events::IEventBus;
use cloudwright_constructs::iam::{Principal, Role, RoleProps};
use cloudwright_constructs::kms::{IKey, Key, KeyProps};
use cloudwright_constructs::s3::{Bucket, BucketProps, IBucket};
use cloudwright_constructs::sns::{ITopic, Subscription, Topic, TopicEncryption, TopicProps};
use cloudwright_constructs::sqs::{DeadLetterQueue, IQueue, Queue, QueueEncryption, QueueProps};
use cloudwright_constructs::{App, Stack, StackProps};
use serde_json::{Value, json};

mod support;
use support::one_of_type;

fn setup() -> (App, Stack, Role) {
    let app = App::new();
    let stack = Stack::new(&app, "S", StackProps::default()).unwrap();
    let role = Role::new(
        &stack,
        "Worker",
        RoleProps { assumed_by: vec![Principal::service("lambda.amazonaws.com")], ..Default::default() },
    )
    .unwrap();
    (app, stack, role)
}

fn template(app: &App) -> Value {
    app.assembly().unwrap().template("S").unwrap().clone()
}

fn statements(template: &Value) -> Vec<Value> {
    one_of_type(template, "AWS::IAM::Policy")["Properties"]["PolicyDocument"]["Statement"].as_array().unwrap().clone()
}

#[test]
fn grants_work_on_the_generated_l1s() {
    let (app, stack, role) = setup();
    let bucket = CfnBucket::new(&stack, "Bucket", CfnBucketProps::default()).unwrap();
    let queue = CfnQueue::new(&stack, "Queue", CfnQueueProps::default()).unwrap();
    let key = CfnKey::new(&stack, "Key", CfnKeyProps::default()).unwrap();
    let bus = CfnEventBus::new(&stack, "Bus", CfnEventBusProps::new("bus")).unwrap();
    bucket.grant_read(&role).unwrap();
    queue.grant_send_messages(&role).unwrap();
    key.grant_decrypt(&role).unwrap();
    bus.grant_put_events(&role).unwrap();
    let t = template(&app);
    let actions: Vec<Value> = statements(&t).iter().map(|s| s["Action"].clone()).collect();
    assert_eq!(
        actions,
        [
            json!(["s3:GetObject", "s3:GetObjectVersion", "s3:GetBucketLocation", "s3:ListBucket"]),
            json!(["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"]),
            json!("kms:Decrypt"),
            json!("events:PutEvents"),
        ]
    );
    // An L1 queue is known to be FIFO from its props.
    let fifo =
        CfnQueue::new(&stack, "Fifo", CfnQueueProps { fifo_queue: Some(true.into()), ..Default::default() }).unwrap();
    assert!(fifo.is_fifo() && !queue.is_fifo());
}

#[test]
fn grants_on_resources_under_a_customer_managed_key_grant_the_key_too() {
    let (app, stack, role) = setup();
    let key = Key::new(&stack, "Key", KeyProps::default()).unwrap();
    let topic =
        Topic::new(&stack, "Topic", TopicProps { encryption: TopicEncryption::Kms(key.clone()), ..Default::default() })
            .unwrap();
    topic.grant_publish(&role).unwrap();
    let t = template(&app);
    let s = statements(&t);
    assert_eq!(s[0]["Action"], "sns:Publish");
    assert_eq!(s[1]["Action"], json!(["kms:Decrypt", "kms:GenerateDataKey*"]));
    assert_eq!(s[1]["Resource"], json!({"Fn::GetAtt": [key.resource().logical_id(), "Arn"]}));
    let topic_props = &one_of_type(&t, "AWS::SNS::Topic")["Properties"];
    assert_eq!(topic_props["KmsMasterKeyId"]["Fn::GetAtt"][1], "Arn");
}

#[test]
fn the_secure_defaults_are_in_the_template() {
    let (app, stack, _) = setup();
    let key = Key::new(&stack, "Key", KeyProps { alias: Some("alias/app".into()), ..Default::default() }).unwrap();
    Bucket::new(&stack, "Bucket", BucketProps::default()).unwrap();
    let dlq = Queue::new(&stack, "Dlq", QueueProps::default()).unwrap();
    let queue = Queue::new(
        &stack,
        "Queue",
        QueueProps {
            encryption: QueueEncryption::Kms(key.clone()),
            dead_letter_queue: Some(DeadLetterQueue { queue: &dlq, max_receive_count: 4 }),
            ..Default::default()
        },
    )
    .unwrap();
    let topic = Topic::new(&stack, "Topic", TopicProps::default()).unwrap();
    let subscription =
        topic.add_subscription(Subscription::Sqs { queue: &queue, raw_message_delivery: false }).unwrap();
    let t = template(&app);

    let k = one_of_type(&t, "AWS::KMS::Key");
    assert_eq!(k["Properties"]["EnableKeyRotation"], true);
    assert_eq!(k["DeletionPolicy"], "Retain");
    assert_eq!(k["Properties"]["KeyPolicy"]["Statement"][0]["Action"], "kms:*");
    // The topic may use the queue's key to deliver.
    assert_eq!(k["Properties"]["KeyPolicy"]["Statement"][1]["Principal"]["Service"], "sns.amazonaws.com");
    assert_eq!(one_of_type(&t, "AWS::KMS::Alias")["Properties"]["AliasName"], "alias/app");

    let b = one_of_type(&t, "AWS::S3::Bucket");
    assert_eq!(b["DeletionPolicy"], "Retain");
    let sse = &b["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0];
    assert_eq!(sse["ServerSideEncryptionByDefault"]["SSEAlgorithm"], "AES256");
    assert_eq!(b["Properties"]["OwnershipControls"]["Rules"][0]["ObjectOwnership"], "BucketOwnerEnforced");
    let block = &b["Properties"]["PublicAccessBlockConfiguration"];
    for flag in ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"] {
        assert_eq!(block[flag], true, "{flag}");
    }
    let tls = &one_of_type(&t, "AWS::S3::BucketPolicy")["Properties"]["PolicyDocument"]["Statement"][0];
    assert_eq!(tls["Effect"], "Deny");
    assert_eq!(tls["Condition"], json!({"Bool": {"aws:SecureTransport": "false"}}));

    let queues: Vec<&Value> =
        t["Resources"].as_object().unwrap().values().filter(|r| r["Type"] == "AWS::SQS::Queue").collect();
    assert_eq!(queues[0]["Properties"]["SqsManagedSseEnabled"], true);
    assert_eq!(queues[1]["Properties"]["RedrivePolicy"]["maxReceiveCount"], 4);
    assert!(queues[1]["Properties"]["KmsMasterKeyId"].is_object());

    assert_eq!(one_of_type(&t, "AWS::SNS::Topic")["Properties"]["KmsMasterKeyId"], "alias/aws/sns");
    let send = &one_of_type(&t, "AWS::SQS::QueuePolicy")["Properties"]["PolicyDocument"]["Statement"][0];
    assert_eq!(send["Action"], "sqs:SendMessage");
    assert_eq!(send["Condition"]["ArnEquals"]["aws:SourceArn"]["Ref"], topic.resource().logical_id());
    let sub = &t["Resources"][subscription.logical_id()];
    assert_eq!(sub["Properties"]["Protocol"], "sqs");
    assert_eq!(sub["DependsOn"], json!([queue.policy().unwrap().logical_id()]));
}

#[test]
fn a_lambda_subscription_lets_only_its_topic_invoke_the_function() {
    use cloudwright_constructs::lambda::{Code, Function, FunctionProps};
    let (app, stack, _) = setup();
    let function = Function::new(
        &stack,
        "Handler",
        FunctionProps { code: Code::Inline("def handler(e, c):\n    return e\n".into()), ..Default::default() },
    )
    .unwrap();
    let topic = Topic::new(&stack, "Events", TopicProps::default()).unwrap();
    topic.add_subscription(Subscription::Lambda(&function)).unwrap();
    let t = template(&app);
    let permission = one_of_type(&t, "AWS::Lambda::Permission");
    assert_eq!(permission["Properties"]["Principal"], "sns.amazonaws.com");
    assert_eq!(permission["Properties"]["SourceArn"], json!({"Ref": topic.resource().logical_id()}));
    let subscription = one_of_type(&t, "AWS::SNS::Subscription");
    assert_eq!(subscription["Properties"]["Protocol"], "lambda");
    let permission_id = t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, r)| r["Type"] == "AWS::Lambda::Permission")
        .map(|(id, _)| id.clone())
        .unwrap();
    // Delivery must not start before the function's policy admits the topic.
    assert_eq!(subscription["DependsOn"], json!([permission_id]));
}

#[test]
fn a_fifo_topic_does_not_deliver_to_a_function() {
    use cloudwright_constructs::lambda::{Code, Function, FunctionProps};
    let (app, stack, _) = setup();
    let function =
        Function::new(&stack, "Handler", FunctionProps { code: Code::Inline("x".into()), ..Default::default() })
            .unwrap();
    let topic = Topic::new(&stack, "Orders", TopicProps { fifo: true, ..Default::default() }).unwrap();
    topic.add_subscription(Subscription::Lambda(&function)).unwrap();
    let err = app.assembly().unwrap_err().to_string();
    assert!(err.contains("S/Orders") && err.contains("FIFO topics deliver to SQS queues only"), "{err}");
}
