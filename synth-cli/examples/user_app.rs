//! A user's app binary: `cloudwright_cli::run` gives it the CLI's subcommands, and
//! `cloudwright synth --app "cargo run --example user_app"` synthesizes it.

use cloudwright_core::{CfnResource, Environment, Stack, StackProps};

fn main() -> std::process::ExitCode {
    cloudwright_cli::run(|app| {
        let stack = Stack::new(
            app,
            "UserStack",
            StackProps { env: Environment::new("123456789012", "eu-west-1"), ..Default::default() },
        )?;
        CfnResource::new(&stack, "Queue", "AWS::SQS::Queue", Default::default())?;
        Ok(())
    })
}
