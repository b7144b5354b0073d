//! Bad input to the Lambda constructs: every problem named with the construct path, nothing written.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use cloudwright_constructs::lambda::{Code, Function, FunctionProps, Runtime};
use cloudwright_constructs::{App, Environment, Expr, Stack, StackProps};

fn problems(props: FunctionProps) -> Vec<String> {
    let app = App::new();
    let stack = Stack::new(
        &app,
        "Svc",
        StackProps { env: Environment::new("200000000000", "us-east-1"), ..Default::default() },
    )
    .unwrap();
    Function::new(&stack, "Fn", props).unwrap();
    let dir = std::env::temp_dir().join(format!("cw-fn-{}-{:?}", std::process::id(), std::thread::current().id()));
    let err = app.synth(&dir).expect_err("synthesis should fail");
    assert!(!dir.exists(), "nothing may be written");
    err.problems().iter().map(ToString::to_string).collect()
}

#[test]
fn limits_handler_and_missing_asset_are_all_reported() {
    let problems = problems(FunctionProps {
        runtime: Runtime::Python312,
        handler: "handler".into(),
        code: Code::Asset("/nonexistent/cloudwright/code".into()),
        memory_size: 64,
        timeout_seconds: 901,
        ..Default::default()
    });
    assert_eq!(problems.len(), 4, "{problems:#?}");
    assert_eq!(problems[0], "Svc/Fn: timeout 901s is outside 1..=900 seconds, the range Lambda allows");
    assert_eq!(problems[1], "Svc/Fn: memory 64 MB is outside 128..=10240 MB, the range Lambda allows");
    assert_eq!(
        problems[2],
        "Svc/Fn: handler \"handler\" does not fit runtime python3.12: write it as file.function, e.g. \"index.handler\""
    );
    assert!(problems[3].starts_with("Svc/Fn: code: cannot read /nonexistent/cloudwright/code: "), "{}", problems[3]);
}

#[test]
fn secret_values_in_the_environment_need_an_opt_in() {
    let secret = Expr::secret_value("prod/db", Some("password"));
    let problems =
        problems(FunctionProps { environment: vec![("DB_PASSWORD".into(), secret.clone())], ..Default::default() });
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].starts_with(
            "Svc/Fn: environment variable DB_PASSWORD resolves a secret into the function's configuration"
        )
    );

    // The recommended way: the ARN in the environment, read access on the role.
    let app = App::new();
    let stack = Stack::new(&app, "Svc", StackProps::default()).unwrap();
    let arn = "arn:aws:secretsmanager:us-east-1:200000000000:secret:prod/db-AbCdEf";
    Function::new(
        &stack,
        "Fn",
        FunctionProps { secrets: vec![("DB_SECRET_ARN".into(), Expr::str(arn))], ..Default::default() },
    )
    .unwrap();
    let t = app.assembly().unwrap().template("Svc").unwrap();
    assert_eq!(t["Resources"]["Fn9270CBC0"]["Properties"]["Environment"]["Variables"]["DB_SECRET_ARN"], arn);
    let policy = t["Resources"]["FnServiceRoleDefaultPolicyC6A839BF"]["Properties"]["PolicyDocument"].to_string();
    assert!(policy.contains("secretsmanager:GetSecretValue") && policy.contains(arn), "{policy}");
}
