//! Bad input to the S3, SQS, SNS and KMS L2s: every problem named with the construct path,
//! nothing written.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use cloudwright_constructs::kms::{Key, KeyProps};
use cloudwright_constructs::s3::{Bucket, BucketProps};
use cloudwright_constructs::sns::{Subscription, Topic, TopicProps};
use cloudwright_constructs::sqs::{DeadLetterQueue, Queue, QueueProps};
use cloudwright_constructs::{App, Construct, Environment, Stack, StackProps};

mod support;
use support::problems;

fn stack(app: &App, id: &str, account: &str, region: &str) -> Stack {
    Stack::new(app, id, StackProps { env: Environment::new(account, region), ..Default::default() }).unwrap()
}

#[test]
fn a_dead_letter_queue_in_another_account_is_an_error_naming_both_queues() {
    let app = App::new();
    let queues = stack(&app, "Queues", "111111111111", "us-east-1");
    let elsewhere = stack(&app, "Elsewhere", "222222222222", "us-east-1");
    let dlq = Queue::new(&elsewhere, "Failed", QueueProps::default()).unwrap();
    let jobs = Queue::new(
        &queues,
        "Jobs",
        QueueProps {
            dead_letter_queue: Some(DeadLetterQueue { queue: &dlq, max_receive_count: 3 }),
            ..Default::default()
        },
    )
    .unwrap();
    let problems = problems(&app);
    let ours = problems.iter().find(|p| p.contains("dead-letter queue")).expect("the DLQ problem");
    assert!(ours.starts_with(&format!("{}: ", jobs.node().path())), "{ours}");
    assert!(ours.contains("Elsewhere/Failed"), "{ours}");
    assert!(ours.contains("222222222222"), "{ours}");
    assert!(ours.contains("same account and region"), "{ours}");
}

#[test]
fn a_dead_letter_queue_in_another_region_is_an_error_too() {
    let app = App::new();
    let queues = stack(&app, "Queues", "111111111111", "us-east-1");
    let elsewhere = stack(&app, "West", "111111111111", "us-west-2");
    let dlq = Queue::new(&elsewhere, "Failed", QueueProps::default()).unwrap();
    Queue::new(
        &queues,
        "Jobs",
        QueueProps {
            dead_letter_queue: Some(DeadLetterQueue { queue: &dlq, max_receive_count: 3 }),
            ..Default::default()
        },
    )
    .unwrap();
    let problems = problems(&app);
    assert!(problems.iter().any(|p| p.starts_with("Queues/Jobs: the dead-letter queue West/Failed")), "{problems:#?}");
}

#[test]
fn invalid_bucket_names_are_reported_on_the_bucket() {
    for (name, why) in [
        ("ab", "3 to 63"),
        ("My-Bucket", "lowercase"),
        ("-bucket", "begin and end"),
        ("my..bucket", "adjacent periods"),
        ("192.168.5.4", "IP address"),
        ("xn--bucket", "reserves"),
        ("bucket-s3alias", "reserves"),
    ] {
        let app = App::new();
        let s = stack(&app, "Storage", "111111111111", "us-east-1");
        Bucket::new(&s, "Reports", BucketProps { bucket_name: Some(name.into()), ..Default::default() }).unwrap();
        let problems = problems(&app);
        assert_eq!(problems.len(), 1, "{name}: {problems:#?}");
        assert!(problems[0].starts_with(&format!("Storage/Reports: bucket name {name:?}: ")), "{}", problems[0]);
        assert!(problems[0].contains(why), "{name}: {}", problems[0]);
    }
}

#[test]
fn invalid_aliases_and_pending_windows_are_reported_on_the_key() {
    for (alias, why) in [
        ("data", "starts with \"alias/\""),
        ("alias/aws/data", "reserved for AWS managed keys"),
        ("alias/data key", "not allowed"),
        ("alias/", "1 to 250"),
    ] {
        let app = App::new();
        let s = stack(&app, "Keys", "111111111111", "us-east-1");
        Key::new(&s, "Data", KeyProps { alias: Some(alias.into()), ..Default::default() }).unwrap();
        let problems = problems(&app);
        assert_eq!(problems.len(), 1, "{alias}: {problems:#?}");
        assert!(problems[0].starts_with(&format!("Keys/Data: alias {alias:?}: ")), "{}", problems[0]);
        assert!(problems[0].contains(why), "{alias}: {}", problems[0]);
    }
    let app = App::new();
    let s = stack(&app, "Keys", "111111111111", "us-east-1");
    Key::new(&s, "Data", KeyProps { pending_window_days: Some(3), ..Default::default() }).unwrap();
    let problems = problems(&app);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(problems[0].starts_with("Keys/Data: pending window of 3 days is outside 7..=30"), "{}", problems[0]);
}

#[test]
fn out_of_range_queue_settings_are_all_reported() {
    let app = App::new();
    let s = stack(&app, "Queues", "111111111111", "us-east-1");
    Queue::new(
        &s,
        "Jobs",
        QueueProps {
            retention_period_seconds: Some(30),
            visibility_timeout_seconds: Some(43_201),
            receive_wait_seconds: Some(21),
            ..Default::default()
        },
    )
    .unwrap();
    let problems = problems(&app);
    assert_eq!(
        problems,
        [
            "Queues/Jobs: visibility timeout of 43201s is outside SQS's 0..=43200; set visibility_timeout_seconds within it",
            "Queues/Jobs: retention period of 30s is outside SQS's 60..=1209600; set retention_period_seconds within it",
            "Queues/Jobs: receive wait of 21s is outside SQS's 0..=20; set receive_wait_seconds within it",
        ]
    );
}

#[test]
fn mismatched_fifo_kinds_are_reported() {
    let app = App::new();
    let s = stack(&app, "Queues", "111111111111", "us-east-1");
    let dlq = Queue::new(&s, "Failed", QueueProps::default()).unwrap();
    let fifo = Queue::new(
        &s,
        "Orders",
        QueueProps {
            fifo: true,
            queue_name: Some("orders".into()),
            dead_letter_queue: Some(DeadLetterQueue { queue: &dlq, max_receive_count: 0 }),
            ..Default::default()
        },
    )
    .unwrap();
    let topic = Topic::new(&s, "Events", TopicProps::default()).unwrap();
    topic.add_subscription(Subscription::Sqs { queue: &fifo, raw_message_delivery: false }).unwrap();
    let problems = problems(&app);
    assert_eq!(problems.len(), 4, "{problems:#?}");
    assert!(
        problems.iter().any(|p| p.starts_with("Queues/Orders: queue name \"orders\": a FIFO queue's name ends in"))
    );
    assert!(problems.iter().any(|p| p.starts_with("Queues/Orders: max_receive_count 0")));
    assert!(problems.iter().any(|p| p.contains("the dead-letter queue Queues/Failed is a standard queue")));
    assert!(problems.iter().any(|p| p.starts_with("Queues/Events: Queues/Orders is a FIFO queue")));
}

#[test]
fn a_failing_constructor_leaves_no_node() {
    let app = App::new();
    let s = stack(&app, "Queues", "111111111111", "us-east-1");
    Queue::new(&s, "Jobs", QueueProps::default()).unwrap();
    assert!(Queue::new(&s, "Jobs", QueueProps::default()).is_err());
    assert!(Bucket::new(&s, "Bad/Id", BucketProps::default()).is_err());
    let ids: Vec<String> = s.node().children().iter().map(|c| c.id()).collect();
    assert_eq!(ids, ["Jobs"]);
}
