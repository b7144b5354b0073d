//! The seed's Lambda service as plain stacks, one per workload account: the function
//! (code from `examples/functions/hello`, staged as an asset), its alarms notifying a
//! topic, and a dashboard.

use std::path::PathBuf;

use cloudwright_constructs::cfn::sns::{CfnTopic, CfnTopicProps};
use cloudwright_constructs::lambda::{Code, FunctionProps, LambdaService, LambdaServiceProps, Runtime};
use cloudwright_constructs::{App, Environment, Expr, Result, Stack, StackProps};

/// Where the function's code lives.
pub fn code_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("functions/hello")
}

/// The Hello service in `stack`: the function for `stage`, its alarms notifying a topic
/// of the stack, and a dashboard. Production gets reserved concurrency.
pub fn hello_service(stack: &Stack, stage: &str, alerts_name: &str) -> Result<LambdaService> {
    let alerts =
        CfnTopic::new(stack, "Alerts", CfnTopicProps { display_name: Some(alerts_name.into()), ..Default::default() })?;
    LambdaService::new(
        stack,
        "Hello",
        LambdaServiceProps {
            function: FunctionProps {
                runtime: Runtime::Python312,
                handler: "index.handler".into(),
                code: Code::Asset(code_dir()),
                memory_size: 256.into(),
                timeout_seconds: 10.into(),
                environment: vec![("STAGE".into(), Expr::str(stage.to_lowercase()))],
                reserved_concurrency: (stage == "Prod").then_some(50),
                ..Default::default()
            },
            alarm_topics: vec![alerts.reference()],
            ..Default::default()
        },
    )
}

/// Builds one account's service stack into `app`.
pub fn service_stack(app: &App, stage: &str, account: &str) -> Result<Stack> {
    let stack = Stack::new(
        app,
        &format!("HelloService{stage}"),
        StackProps { env: Environment::new(account, "us-east-1"), ..Default::default() },
    )?;
    hello_service(&stack, stage, "hello alerts")?;
    Ok(stack)
}

/// Builds the example app: the service in dev, test and prod.
pub fn app() -> Result<App> {
    let app = App::new();
    for (stage, account) in [("Dev", "200000000000"), ("Test", "200000000001"), ("Prod", "200000000002")] {
        service_stack(&app, stage, account)?;
    }
    Ok(app)
}
