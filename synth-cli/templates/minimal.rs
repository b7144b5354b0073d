//! The infrastructure of {{name}}.

use cloudwright_constructs::lambda::{Code, FunctionProps, LambdaService, LambdaServiceProps, Runtime};
use cloudwright_constructs::{App, Environment, Result, Stack, StackProps};

/// Adds the app's stacks to `app`.
pub fn build(app: &App) -> Result<()> {
    let stack = Stack::new(
        app,
        "Service",
        StackProps { env: Environment::new("123456789012", "us-east-1"), ..Default::default() },
    )?;
    LambdaService::new(
        &stack,
        "Hello",
        LambdaServiceProps {
            function: FunctionProps {
                runtime: Runtime::Python312,
                handler: "index.handler".into(),
                code: Code::Inline("def handler(event, context):\n    return {'statusCode': 200}\n".into()),
                ..Default::default()
            },
            ..Default::default()
        },
    )?;
    Ok(())
}
