//! Grants across accounts write both sides: the grantee role's own policy (the resource's
//! ARN read with `Fn::GetStackOutput`) and the resource policy, naming the role's account
//! root narrowed to the role by `aws:PrincipalArn`, the role getting a physical name.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use cloudwright_constructs::cfn::events::{CfnEventBus, CfnEventBusProps};
use cloudwright_constructs::cfn::s3::{CfnBucket, CfnBucketProps};
use cloudwright_constructs::dynamodb::{Attribute, ITable, Table, TableEncryption, TableProps};
use cloudwright_constructs::events::IEventBus;
use cloudwright_constructs::iam::{Principal, Role, RoleProps};
use cloudwright_constructs::kms::{IKey, Key, KeyProps};
use cloudwright_constructs::lambda::{Code, Function, FunctionProps, IFunction};
use cloudwright_constructs::logical_id::physical_name;
use cloudwright_constructs::s3::{Bucket, BucketEncryption, BucketProps, IBucket};
use cloudwright_constructs::sns::{ITopic, Topic, TopicEncryption, TopicProps};
use cloudwright_constructs::sqs::{IQueue, Queue, QueueEncryption, QueueProps};
use cloudwright_constructs::{App, Construct, Environment, Stack, StackProps};
use serde_json::{Value, json};

mod support;
use support::{one_of_type, problems, resources_of_type};

const CONSUMER: &str = "123456789012";
const PRODUCER: &str = "222222222222";

fn stack(app: &App, id: &str, account: Option<&str>) -> Stack {
    let env = match account {
        Some(account) => Environment::new(account, "us-east-1"),
        None => Environment::default(),
    };
    Stack::new(app, id, StackProps { env, ..Default::default() }).unwrap()
}

/// An app with the resource's stack `Producer` (222222222222) and the grantee's stack
/// `Consumer` (123456789012), and a function in the consumer.
fn setup() -> (App, Stack, Function) {
    let app = App::new();
    let producer = stack(&app, "Producer", Some(PRODUCER));
    let consumer = stack(&app, "Consumer", Some(CONSUMER));
    (app, producer, function(&consumer))
}

fn function(stack: &Stack) -> Function {
    let props = FunctionProps { code: Code::Inline("def handler(e, c):\n    return 1\n".into()), ..Default::default() };
    Function::new(stack, "Fn", props).unwrap()
}

fn template(app: &App, stack: &str) -> Value {
    app.assembly().unwrap().template(stack).unwrap().clone()
}

/// The name the function's role gets, derived from its path.
fn role_name() -> String {
    physical_name("Consumer/Fn/ServiceRole", 64)
}

/// The principal and condition every resource policy statement of a grant to the
/// consumer's function carries.
fn lets_in_the_role(statement: &Value) {
    assert_eq!(
        statement["Principal"],
        json!({"AWS": {"Fn::Sub": format!("arn:${{AWS::Partition}}:iam::{CONSUMER}:root")}})
    );
    let role_arn = format!("arn:${{AWS::Partition}}:iam::{CONSUMER}:role/{}", role_name());
    assert_eq!(statement["Condition"], json!({"ArnEquals": {"aws:PrincipalArn": {"Fn::Sub": role_arn}}}));
    assert_eq!(statement["Effect"], "Allow");
}

/// The consumer's side: the role has its generated name, and its default policy holds a
/// statement with `action`, whose resources are read from the producer.
fn identity_side(app: &App, action: &str) -> Value {
    let t = template(app, "Consumer");
    let role = one_of_type(&t, "AWS::IAM::Role");
    assert_eq!(role["Properties"]["RoleName"], json!(role_name()));
    let policy = one_of_type(&t, "AWS::IAM::Policy");
    let statements = policy["Properties"]["PolicyDocument"]["Statement"].as_array().unwrap();
    let statement = statements
        .iter()
        .find(|s| s["Action"] == json!(action) || s["Action"].as_array().is_some_and(|a| a.contains(&json!(action))))
        .unwrap_or_else(|| panic!("no statement with {action}: {statements:#?}"))
        .clone();
    assert!(statement["Resource"].to_string().contains("Fn::GetStackOutput"), "{statement}");
    assert!(statement.get("Principal").is_none() && statement.get("Condition").is_none(), "{statement}");
    statement
}

fn key_policy_statements(t: &Value) -> Vec<Value> {
    one_of_type(t, "AWS::KMS::Key")["Properties"]["KeyPolicy"]["Statement"].as_array().unwrap().clone()
}

#[test]
fn a_bucket_policy_lets_the_role_of_another_account_in() {
    let (app, producer, function) = setup();
    let bucket = Bucket::new(&producer, "Reports", BucketProps::default()).unwrap();
    bucket.grant_read(&function).unwrap();
    identity_side(&app, "s3:GetObject");
    let t = template(&app, "Producer");
    let statements = one_of_type(&t, "AWS::S3::BucketPolicy")["Properties"]["PolicyDocument"]["Statement"].clone();
    assert_eq!(statements[0]["Effect"], "Deny", "the TLS-only statement stays first");
    let grant = &statements[1];
    lets_in_the_role(grant);
    assert_eq!(
        grant["Action"],
        json!(["s3:GetObject", "s3:GetObjectVersion", "s3:GetBucketLocation", "s3:ListBucket"])
    );
    let arn = json!({"Fn::GetAtt": [bucket.resource().logical_id(), "Arn"]});
    assert_eq!(grant["Resource"], json!([arn, {"Fn::Join": ["", [arn, "/*"]]}]));
    assert_eq!(statements.as_array().unwrap().len(), 2);
}

#[test]
fn a_bucket_under_a_key_lets_the_role_in_through_both_policies() {
    let (app, producer, function) = setup();
    let key = Key::new(&producer, "Key", KeyProps::default()).unwrap();
    let bucket =
        Bucket::new(&producer, "Reports", BucketProps { encryption: BucketEncryption::Kms(key), ..Default::default() })
            .unwrap();
    bucket.grant_write(&function).unwrap();
    identity_side(&app, "s3:PutObject");
    identity_side(&app, "kms:GenerateDataKey*");
    let t = template(&app, "Producer");
    let bucket_grant = &one_of_type(&t, "AWS::S3::BucketPolicy")["Properties"]["PolicyDocument"]["Statement"][1];
    lets_in_the_role(bucket_grant);
    assert!(bucket_grant["Action"].as_array().unwrap().contains(&json!("s3:PutObject")));
    let key_statements = key_policy_statements(&t);
    assert_eq!(key_statements.len(), 2, "the default root statement, then the grant: {key_statements:#?}");
    lets_in_the_role(&key_statements[1]);
    assert_eq!(
        key_statements[1]["Action"],
        json!(["kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Decrypt"])
    );
    assert_eq!(key_statements[1]["Resource"], "*", "a key policy names its key as *");
}

#[test]
fn a_key_policy_lets_the_role_of_another_account_in() {
    let (app, producer, function) = setup();
    let key = Key::new(&producer, "Key", KeyProps::default()).unwrap();
    key.grant_decrypt(&function).unwrap();
    let identity = identity_side(&app, "kms:Decrypt");
    assert!(identity["Resource"].to_string().contains("Fn::GetStackOutput"));
    let t = template(&app, "Producer");
    let statements = key_policy_statements(&t);
    lets_in_the_role(&statements[1]);
    assert_eq!(statements[1]["Action"], "kms:Decrypt");
    assert_eq!(statements[1]["Resource"], "*");
}

#[test]
fn a_queue_policy_lets_the_role_of_another_account_in_and_its_key_too() {
    let (app, producer, function) = setup();
    let key = Key::new(&producer, "Key", KeyProps::default()).unwrap();
    let queue =
        Queue::new(&producer, "Jobs", QueueProps { encryption: QueueEncryption::Kms(key), ..Default::default() })
            .unwrap();
    queue.grant_send_messages(&function).unwrap();
    identity_side(&app, "sqs:SendMessage");
    let t = template(&app, "Producer");
    let policy = one_of_type(&t, "AWS::SQS::QueuePolicy");
    assert_eq!(policy["Properties"]["Queues"], json!([{"Ref": queue.resource().logical_id()}]));
    let grant = &policy["Properties"]["PolicyDocument"]["Statement"][0];
    lets_in_the_role(grant);
    assert_eq!(grant["Action"], json!(["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"]));
    assert_eq!(grant["Resource"], json!({"Fn::GetAtt": [queue.resource().logical_id(), "Arn"]}));
    lets_in_the_role(&key_policy_statements(&t)[1]);
}

#[test]
fn a_topic_policy_lets_the_role_of_another_account_in_and_its_key_too() {
    let (app, producer, function) = setup();
    let key = Key::new(&producer, "Key", KeyProps::default()).unwrap();
    let topic =
        Topic::new(&producer, "Alerts", TopicProps { encryption: TopicEncryption::Kms(key), ..Default::default() })
            .unwrap();
    topic.grant_publish(&function).unwrap();
    identity_side(&app, "sns:Publish");
    let t = template(&app, "Producer");
    let policy = one_of_type(&t, "AWS::SNS::TopicPolicy");
    let topic_ref = json!({"Ref": topic.resource().logical_id()});
    assert_eq!(policy["Properties"]["Topics"], json!([topic_ref]));
    let grant = &policy["Properties"]["PolicyDocument"]["Statement"][0];
    lets_in_the_role(grant);
    assert_eq!(grant["Action"], "sns:Publish");
    assert_eq!(grant["Resource"], topic_ref);
    let key_grant = &key_policy_statements(&t)[1];
    lets_in_the_role(key_grant);
    assert_eq!(key_grant["Action"], json!(["kms:Decrypt", "kms:GenerateDataKey*"]));
}

#[test]
fn a_table_resource_policy_lets_the_role_of_another_account_in_and_its_key_too() {
    let (app, producer, function) = setup();
    let key = Key::new(&producer, "Key", KeyProps::default()).unwrap();
    let table = Table::new(
        &producer,
        "Orders",
        TableProps {
            partition_key: Attribute::string("pk"),
            encryption: TableEncryption::Kms(key.clone()),
            ..Default::default()
        },
    )
    .unwrap();
    table.grant_read_data(&function).unwrap();
    let identity = identity_side(&app, "dynamodb:GetItem");
    assert!(identity["Resource"].to_string().contains("/index/*"), "{identity}");
    let t = template(&app, "Producer");
    let resource = one_of_type(&t, "AWS::DynamoDB::Table");
    let grant = &resource["Properties"]["ResourcePolicy"]["PolicyDocument"]["Statement"][0];
    lets_in_the_role(grant);
    assert_eq!(
        grant["Action"],
        json!([
            "dynamodb:BatchGetItem",
            "dynamodb:Query",
            "dynamodb:GetItem",
            "dynamodb:Scan",
            "dynamodb:ConditionCheckItem",
            "dynamodb:DescribeTable"
        ])
    );
    assert_eq!(grant["Resource"], "*", "the table's own ARN in its own property would be circular");
    let sse = &resource["Properties"]["SSESpecification"];
    assert_eq!(sse["SSEType"], "KMS");
    assert_eq!(sse["KMSMasterKeyId"], json!({"Fn::GetAtt": [key.resource().logical_id(), "Arn"]}));
    let key_grant = &key_policy_statements(&t)[1];
    lets_in_the_role(key_grant);
    assert_eq!(key_grant["Action"], json!(["kms:Decrypt", "kms:DescribeKey"]));
}

#[test]
fn an_event_bus_policy_lets_the_role_of_another_account_in() {
    let (app, producer, function) = setup();
    let bus = CfnEventBus::new(&producer, "Bus", CfnEventBusProps::new("findings")).unwrap();
    bus.grant_put_events(&function).unwrap();
    bus.grant_put_events(&function).unwrap();
    identity_side(&app, "events:PutEvents");
    let t = template(&app, "Producer");
    let policy = one_of_type(&t, "AWS::Events::EventBusPolicy");
    assert_eq!(policy["Properties"]["EventBusName"], json!({"Ref": bus.logical_id()}));
    let statement_id = policy["Properties"]["StatementId"].as_str().unwrap();
    assert!(statement_id.len() <= 64 && statement_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    let grant = &policy["Properties"]["Statement"];
    lets_in_the_role(grant);
    assert_eq!(grant["Action"], "events:PutEvents");
    assert_eq!(grant["Resource"], json!({"Fn::GetAtt": [bus.logical_id(), "Arn"]}));
}

#[test]
fn a_lambda_permission_lets_the_account_of_another_accounts_role_invoke() {
    let (app, producer, caller) = setup();
    let callee = function(&producer);
    callee.grant_invoke(&caller).unwrap();
    callee.grant_invoke(&caller).unwrap();
    let identity = identity_side(&app, "lambda:InvokeFunction");
    assert!(identity["Resource"].to_string().contains(":*"), "versions and aliases: {identity}");
    let t = template(&app, "Producer");
    let permission = one_of_type(&t, "AWS::Lambda::Permission");
    assert_eq!(
        permission["Properties"],
        json!({
            "Action": "lambda:InvokeFunction",
            "FunctionName": {"Fn::GetAtt": [callee.resource().logical_id(), "Arn"]},
            "Principal": CONSUMER
        })
    );
}

/// Issue 27's case: a function in 123456789012 reading a KMS-encrypted bucket of
/// 222222222222 is let in by the bucket policy and the key policy, in the form a policy
/// naming a role of a stack deploying later must take.
#[test]
fn a_function_reads_a_kms_encrypted_bucket_of_another_account() {
    let (app, producer, function) = setup();
    let key = Key::new(&producer, "DataKey", KeyProps::default()).unwrap();
    let bucket =
        Bucket::new(&producer, "Data", BucketProps { encryption: BucketEncryption::Kms(key), ..Default::default() })
            .unwrap();
    bucket.grant_read(&function).unwrap();

    let consumer = template(&app, "Consumer");
    let role = one_of_type(&consumer, "AWS::IAM::Role");
    let name = role["Properties"]["RoleName"].as_str().expect("the role has a physical name");
    assert_eq!(name, role_name());
    assert!(name.len() <= 64 && name.starts_with("consumer-fn-servicerole-"), "{name}");
    let read = identity_side(&app, "s3:GetObject");
    assert!(read["Resource"].to_string().contains("Fn::GetStackOutput"), "{read}");
    identity_side(&app, "kms:Decrypt");

    let producer = template(&app, "Producer");
    let bucket_policy = &one_of_type(&producer, "AWS::S3::BucketPolicy")["Properties"]["PolicyDocument"];
    let key_policy = &one_of_type(&producer, "AWS::KMS::Key")["Properties"]["KeyPolicy"];
    let role_arn = format!("arn:${{AWS::Partition}}:iam::{CONSUMER}:role/{name}");
    for (what, policy) in [("bucket policy", bucket_policy), ("key policy", key_policy)] {
        let statements = policy["Statement"].as_array().unwrap();
        let grant = statements
            .iter()
            .find(|s| s["Condition"]["ArnEquals"]["aws:PrincipalArn"] == json!({"Fn::Sub": role_arn}))
            .unwrap_or_else(|| panic!("the {what} does not let the role in: {policy:#}"));
        assert_eq!(
            grant["Principal"],
            json!({"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::123456789012:root"}}),
            "the {what} names the account root, not the role"
        );
        for statement in statements {
            assert_ne!(
                statement["Principal"]["AWS"],
                json!({"Fn::Sub": role_arn}),
                "the {what} names the role as principal"
            );
        }
    }
    let key_grant = key_policy["Statement"].as_array().unwrap().iter().find(|s| s.get("Condition").is_some()).unwrap();
    assert_eq!(key_grant["Action"], json!(["kms:Decrypt", "kms:DescribeKey"]));
}

#[test]
fn grants_within_one_account_write_the_grantee_policy_only() {
    let app = App::new();
    let producer = stack(&app, "Producer", Some(PRODUCER));
    let consumer = stack(&app, "Consumer", Some(PRODUCER));
    let caller = function(&consumer);
    let callee = function(&producer);
    let key = Key::new(&producer, "Key", KeyProps::default()).unwrap();
    let bucket =
        Bucket::new(&producer, "Data", BucketProps { encryption: BucketEncryption::Kms(key), ..Default::default() })
            .unwrap();
    let queue = Queue::new(&producer, "Jobs", QueueProps::default()).unwrap();
    bucket.grant_read(&caller).unwrap();
    queue.grant_send_messages(&caller).unwrap();
    callee.grant_invoke(&caller).unwrap();
    let (p, c) = (&template(&app, "Producer"), &template(&app, "Consumer"));
    let bucket_policy = &one_of_type(p, "AWS::S3::BucketPolicy")["Properties"]["PolicyDocument"]["Statement"];
    assert_eq!(bucket_policy.as_array().unwrap().len(), 1, "the TLS-only statement alone");
    assert_eq!(key_policy_statements(p).len(), 1);
    assert!(resources_of_type(p, "AWS::SQS::QueuePolicy").is_empty());
    assert!(resources_of_type(p, "AWS::Lambda::Permission").is_empty());
    assert!(one_of_type(c, "AWS::IAM::Role")["Properties"].get("RoleName").is_none());
    assert!(c.to_string().contains("s3:GetObject"), "the grantee's own policy is written");
}

/// As the CDK, an account that is not known (an environment-agnostic stack) is taken to be
/// the same: only the grantee's policy is written.
#[test]
fn grants_with_an_unknown_account_write_the_grantee_policy_only() {
    for (producer_account, consumer_account) in [(None, Some(CONSUMER)), (Some(PRODUCER), None), (None, None)] {
        let app = App::new();
        let producer = stack(&app, "Producer", producer_account);
        let consumer = stack(&app, "Consumer", consumer_account);
        let caller = function(&consumer);
        let callee = function(&producer);
        let queue = Queue::new(&producer, "Jobs", QueueProps::default()).unwrap();
        queue.grant_send_messages(&caller).unwrap();
        callee.grant_invoke(&caller).unwrap();
        let case = format!("{producer_account:?} -> {consumer_account:?}");
        assert!(cloudwright_constructs::iam::CrossAccount::between(&queue, &caller).is_none(), "{case}");
        assert!(queue.policy().is_none(), "{case}");
        assert!(callee.node().find_child(&format!("InvokeFrom-{}", role_name())).is_none(), "{case}");
        assert_eq!(caller.role().resource().property("RoleName"), None, "{case}");
    }
}

#[test]
fn a_role_that_has_a_name_and_a_path_keeps_them() {
    let (app, producer, _) = setup();
    let consumer = app.node().find_child("Consumer").unwrap();
    let role = Role::new(
        &consumer,
        "Reader",
        RoleProps {
            assumed_by: vec![Principal::service("lambda.amazonaws.com")],
            role_name: Some("report-reader".into()),
            path: Some("/apps/".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let queue = Queue::new(&producer, "Jobs", QueueProps::default()).unwrap();
    queue.grant_consume_messages(&role).unwrap();
    let t = template(&app, "Producer");
    let grant = &one_of_type(&t, "AWS::SQS::QueuePolicy")["Properties"]["PolicyDocument"]["Statement"][0];
    assert_eq!(
        grant["Condition"]["ArnEquals"]["aws:PrincipalArn"],
        json!({"Fn::Sub": "arn:${AWS::Partition}:iam::123456789012:role/apps/report-reader"})
    );
}

#[test]
fn an_l1_that_keeps_no_resource_policy_is_reported_with_what_to_do() {
    let (app, producer, function) = setup();
    let bucket = CfnBucket::new(&producer, "Plain", CfnBucketProps::default()).unwrap();
    bucket.grant_read(&function).unwrap();
    let problems = problems(&app);
    let ours = problems.iter().find(|p| p.contains("bucket policy")).expect("the bucket's problem");
    assert!(ours.starts_with(&format!("{}: ", bucket.node().path())), "{ours}");
    assert!(ours.contains("Consumer/Fn/ServiceRole") && ours.contains(CONSUMER), "{ours}");
    assert!(ours.contains("s3::Bucket") && ours.contains("iam::CrossAccount"), "{ours}");
}

#[test]
fn aws_managed_keys_refuse_other_accounts_and_say_so() {
    let (app, producer, function) = setup();
    let topic = Topic::new(&producer, "Alerts", TopicProps::default()).unwrap();
    topic.grant_publish(&function).unwrap();
    let table =
        Table::new(&producer, "Orders", TableProps { partition_key: Attribute::string("pk"), ..Default::default() })
            .unwrap();
    table.grant_write_data(&function).unwrap();
    let problems = problems(&app);
    let topic_problem = problems.iter().find(|p| p.starts_with("Producer/Alerts: ")).expect("the topic's problem");
    assert!(
        topic_problem.contains("AWS managed key") && topic_problem.contains("TopicEncryption::Kms"),
        "{topic_problem}"
    );
    let table_problem = problems.iter().find(|p| p.starts_with("Producer/Orders: ")).expect("the table's problem");
    assert!(table_problem.contains("AWS managed key") && table_problem.contains("AwsOwned"), "{table_problem}");
    assert_eq!(problems.len(), 2, "{problems:#?}");
}
