//! `governance::annotations`: a stack's rule findings beside its synthesis problems, as
//! `testing`'s `Annotations`.
#![cfg(feature = "testing")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use cloudwright_core::testing::{Level, Match};
use cloudwright_core::{App, CfnResource, Construct, Stack, StackProps};
use cloudwright_toolkit::governance::annotations;

#[test]
fn findings_are_annotations_of_their_stack_only() {
    let app = App::new();
    let data = Stack::new(&app, "Data", StackProps::default()).unwrap();
    CfnResource::new(&data, "Logs", "AWS::S3::Bucket", Default::default()).unwrap();
    let queues = Stack::new(&app, "Queues", StackProps::default()).unwrap();
    CfnResource::new(&queues, "Jobs", "AWS::SQS::Queue", Default::default()).unwrap();

    let found = annotations(&data);
    found.has_error("Data/Logs", Match::string_like_regexp(r"^\[CW-S3-\d+\] "));
    assert!(found.annotations().iter().all(|a| a.path.starts_with("Data/")), "{:?}", found.annotations());
    let levels: Vec<Level> = found.annotations().iter().map(|a| a.level).collect();
    assert!(levels.contains(&Level::Error), "{levels:?}");
    annotations(&queues).has_no_error("Queues/Logs", Match::any_value());
}

#[test]
fn an_app_that_does_not_synthesize_reports_its_problems_and_runs_no_rules() {
    let app = App::new();
    let data = Stack::new(&app, "Data", StackProps::default()).unwrap();
    let bucket = CfnResource::new(&data, "Logs", "AWS::S3::Bucket", Default::default()).unwrap();
    bucket.node().add_error("needs a name");
    let found = annotations(&data);
    found.has_error("Data/Logs", "needs a name");
    found.has_no_error("*", Match::string_like_regexp("CW-"));
}
