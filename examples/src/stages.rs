//! Two stages, Dev and Prod, each a copy of the same stacks in its own account: the
//! shape of every multi-account app, written as nested cloud assemblies.

use cloudwright_constructs::{App, CfnResource, Environment, Result, Stack, StackProps, Stage, StageProps};
use serde_json::{Map, json};

/// The stacks of one environment.
fn service(stage: &Stage) -> Result<()> {
    let queues = Stack::new(stage, "Queues", StackProps::default())?;
    let dead_letters = CfnResource::new(&queues, "DeadLetters", "AWS::SQS::Queue", Map::new())?;
    let consumers = Stack::new(stage, "Consumers", StackProps::default())?;
    let mut redrive = Map::new();
    redrive.insert(
        "RedrivePolicy".into(),
        json!({"deadLetterTargetArn": dead_letters.get_att("Arn"), "maxReceiveCount": 3}),
    );
    CfnResource::new(&consumers, "Work", "AWS::SQS::Queue", redrive)?;
    Ok(())
}

/// Builds the two-stage example app.
pub fn app() -> Result<App> {
    let app = App::new();
    for (name, account) in [("Dev", "222222222222"), ("Prod", "333333333333")] {
        let stage = Stage::new(&app, name, StageProps { env: Environment::new(account, "eu-west-1") })?;
        service(&stage)?;
    }
    Ok(app)
}
