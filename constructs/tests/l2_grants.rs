//! Typed handles: grants on the L1s and the L2s, and the key use grants on encrypted
//! resources carry.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use cloudwright_constructs::cfn::events::{CfnEventBus, CfnEventBusProps};
use cloudwright_constructs::cfn::kms::{CfnAlias, CfnKey, CfnKeyProps};
use cloudwright_constructs::cfn::lambda::CfnPermission;
use cloudwright_constructs::cfn::s3::{CfnBucket, CfnBucketPolicy, CfnBucketProps};
use cloudwright_constructs::cfn::sns::{CfnSubscription, CfnTopic};
use cloudwright_constructs::cfn::sqs::{CfnQueue, CfnQueuePolicy, CfnQueueProps};
use cloudwright_constructs::events::IEventBus;
use cloudwright_constructs::iam::{Principal, Role, RoleProps};
use cloudwright_constructs::kms::{IKey, Key, KeyProps};
use cloudwright_constructs::s3::{Bucket, BucketProps, IBucket};
use cloudwright_constructs::sns::{ITopic, Subscription, Topic, TopicEncryption, TopicProps};
use cloudwright_constructs::sqs::{DeadLetterQueue, IQueue, Queue, QueueEncryption, QueueProps};
use cloudwright_constructs::testing::{Capture, Match, Template};
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
    let (_app, stack, _) = setup();
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
    let t = Template::from_stack(&stack);

    t.has_resource_of::<CfnKey>(Match::object_like([
        ("DeletionPolicy", "Retain".into()),
        (
            "Properties",
            Match::object_like([
                ("EnableKeyRotation", true.into()),
                (
                    "KeyPolicy",
                    Match::object_like([(
                        "Statement",
                        Match::array_equals([
                            Match::object_like(json!({"Action": "kms:*"})),
                            // The topic may use the queue's key to deliver.
                            Match::object_like(json!({"Principal": {"Service": "sns.amazonaws.com"}})),
                        ]),
                    )]),
                ),
            ]),
        ),
    ]));
    t.has_resource_properties_of::<CfnAlias>(json!({"AliasName": "alias/app"}));

    t.has_resource_of::<CfnBucket>(json!({
        "DeletionPolicy": "Retain",
        "Properties": {
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            },
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true
            }
        }
    }));
    let tls = Match::object_like([
        ("Effect", "Deny".into()),
        ("Condition", Match::exact(json!({"Bool": {"aws:SecureTransport": "false"}}))),
    ]);
    t.has_resource_properties_of::<CfnBucketPolicy>(Match::object_like([(
        "PolicyDocument",
        Match::object_like([("Statement", Match::array_with([tls]))]),
    )]));

    t.resource_count_is_of::<CfnQueue>(2);
    t.has_resource_properties_of::<CfnQueue>(json!({"SqsManagedSseEnabled": true}));
    t.has_resource_properties_of::<CfnQueue>(Match::object_like([
        ("RedrivePolicy", json!({"maxReceiveCount": 4}).into()),
        ("KmsMasterKeyId", Match::object_like(json!({}))),
    ]));

    t.has_resource_properties_of::<CfnTopic>(json!({"KmsMasterKeyId": "alias/aws/sns"}));
    let send = Match::object_like([
        ("Action", "sqs:SendMessage".into()),
        ("Condition", json!({"ArnEquals": {"aws:SourceArn": {"Ref": topic.resource().logical_id()}}}).into()),
    ]);
    t.has_resource_properties_of::<CfnQueuePolicy>(Match::object_like([(
        "PolicyDocument",
        Match::object_like([("Statement", Match::array_with([send]))]),
    )]));
    let queue_policy = queue.policy().unwrap().logical_id();
    let subscriptions = t.find_resources_of::<CfnSubscription>(json!({
        "Properties": {"Protocol": "sqs"},
        "DependsOn": [queue_policy],
    }));
    assert_eq!(subscriptions.keys().collect::<Vec<_>>(), [&subscription.logical_id()]);
}

#[test]
fn a_lambda_subscription_lets_only_its_topic_invoke_the_function() {
    use cloudwright_constructs::lambda::{Code, Function, FunctionProps};
    let (_app, stack, _) = setup();
    let function = Function::new(
        &stack,
        "Handler",
        FunctionProps { code: Code::Inline("def handler(e, c):\n    return e\n".into()), ..Default::default() },
    )
    .unwrap();
    let topic = Topic::new(&stack, "Events", TopicProps::default()).unwrap();
    topic.add_subscription(Subscription::Lambda(&function)).unwrap();
    let t = Template::from_stack(&stack);
    t.has_resource_properties_of::<CfnPermission>(json!({
        "Principal": "sns.amazonaws.com",
        "SourceArn": {"Ref": topic.resource().logical_id()},
    }));
    // Delivery must not start before the function's policy admits the topic: the
    // subscription's dependency, captured, is the permission.
    let dependency = Capture::new();
    t.has_resource_of::<CfnSubscription>(Match::object_like([
        ("Properties", json!({"Protocol": "lambda"}).into()),
        ("DependsOn", Match::array_equals([Match::from(&dependency)])),
    ]));
    let permission = dependency.as_string().unwrap();
    assert!(t.find_resources_of::<CfnPermission>(json!({})).contains_key(&permission), "{permission}");
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
