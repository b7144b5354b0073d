//! Bad input to the Lambda constructs: every problem named with the construct path, nothing written.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use cloudwright_constructs::lambda::{Code, Function, FunctionProps, Runtime, VpcPlacement};
use cloudwright_constructs::{App, Environment, Expr, Stack, StackProps};

mod support;

fn problems(props: FunctionProps) -> Vec<String> {
    let app = App::new();
    let stack = Stack::new(
        &app,
        "Svc",
        StackProps { env: Environment::new("200000000000", "us-east-1"), ..Default::default() },
    )
    .unwrap();
    Function::new(&stack, "Fn", props).unwrap();
    support::problems(&app)
}

#[test]
fn limits_handler_and_missing_asset_are_all_reported() {
    let problems = problems(FunctionProps {
        runtime: Runtime::Python312,
        handler: "handler".into(),
        code: Code::Asset("/nonexistent/cloudwright/code".into()),
        memory_size: 64.into(),
        timeout_seconds: 901.into(),
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

#[test]
fn a_function_in_a_vpc_needs_subnets_and_a_security_group() {
    let problems = problems(FunctionProps {
        vpc: Some(VpcPlacement { subnet_ids: vec![Expr::str("subnet-0123456789abcdef0")], security_group_ids: vec![] }),
        ..Default::default()
    });
    assert_eq!(
        problems,
        ["Svc/Fn: vpc: a function in a VPC needs at least one subnet and one security group; give both, or set vpc \
          to None"]
    );
}

#[test]
fn deploy_time_memory_and_timeout_are_not_range_checked_and_a_vpc_function_may_manage_its_interfaces() {
    let app = App::new();
    let stack = Stack::new(&app, "Svc", StackProps::default()).unwrap();
    Function::new(
        &stack,
        "Fn",
        FunctionProps {
            memory_size: Expr::import_value("Memory").into(),
            timeout_seconds: Expr::import_value("Timeout").into(),
            vpc: Some(VpcPlacement {
                subnet_ids: vec![Expr::import_value("SubnetOne"), Expr::import_value("SubnetTwo")],
                security_group_ids: vec![Expr::import_value("Services")],
            }),
            ..Default::default()
        },
    )
    .unwrap();
    let template = app.assembly().unwrap().template("Svc").unwrap();
    let resources = template["Resources"].as_object().unwrap();
    let function = resources.values().find(|r| r["Type"] == "AWS::Lambda::Function").unwrap();
    assert_eq!(function["Properties"]["MemorySize"], serde_json::json!({"Fn::ImportValue": "Memory"}));
    assert_eq!(
        function["Properties"]["VpcConfig"],
        serde_json::json!({
            "SecurityGroupIds": [{"Fn::ImportValue": "Services"}],
            "SubnetIds": [{"Fn::ImportValue": "SubnetOne"}, {"Fn::ImportValue": "SubnetTwo"}],
        })
    );
    let role = resources.values().find(|r| r["Type"] == "AWS::IAM::Role").unwrap();
    assert!(
        role["Properties"]["ManagedPolicyArns"].to_string().contains("service-role/AWSLambdaVPCAccessExecutionRole")
    );
}
