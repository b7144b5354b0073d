//! Micro-benchmark of rule evaluation: `cargo bench -p cloudwright-constructs --bench rules`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)] // benchmarks fail loudly

use cloudwright_constructs::governance::RulePack;
use cloudwright_constructs::{App, Assembly, CfnResource, Environment, Stack, StackProps};
use cloudwright_toolkit::governance;
use serde_json::json;

fn main() {
    divan::main();
}

/// `stacks` stacks x `functions` Lambda functions, each with a role, a log group and an
/// alarm, under the production pack: the shape the rules see most.
fn assembly(stacks: usize, functions: usize) -> Assembly {
    let app = App::new();
    for s in 0..stacks {
        let env = Environment::new("111111111111", "us-east-1");
        let stack = Stack::new(&app, &format!("Env{s}"), StackProps { env, ..Default::default() }).unwrap();
        RulePack::production().apply_to(&stack);
        for f in 0..functions {
            let role = CfnResource::from_json(&stack, &format!("Role{f}"), "AWS::IAM::Role", json!({
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ]},
                "Policies": [{"PolicyName": "logs", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}
                ]}}]
            }))
            .unwrap();
            let logs = CfnResource::from_json(
                &stack,
                &format!("Logs{f}"),
                "AWS::Logs::LogGroup",
                json!({"RetentionInDays": 30}),
            )
            .unwrap();
            let function = CfnResource::from_json(
                &stack,
                &format!("Fn{f}"),
                "AWS::Lambda::Function",
                json!({
                    "Runtime": "python3.12", "Handler": "index.handler", "Code": {"ZipFile": "x"},
                    "Role": role.get_att("Arn"), "LoggingConfig": {"LogGroup": logs.reference()},
                    "TracingConfig": {"Mode": "Active"}
                }),
            )
            .unwrap();
            CfnResource::from_json(
                &stack,
                &format!("Errors{f}"),
                "AWS::CloudWatch::Alarm",
                json!({
                    "MetricName": "Errors", "Namespace": "AWS/Lambda", "Statistic": "Sum", "Period": 300,
                    "EvaluationPeriods": 1, "Threshold": 1, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                    "Dimensions": [{"Name": "FunctionName", "Value": function.reference()}]
                }),
            )
            .unwrap();
        }
    }
    app.assembly().unwrap()
}

/// Every rule over the assembly (template parsing included), by size.
#[divan::bench(args = [(10, 10), (50, 20)])]
fn check(bencher: divan::Bencher, (stacks, functions): (usize, usize)) {
    let assembly = assembly(stacks, functions);
    bencher.bench(|| governance::check(divan::black_box(&assembly)).unwrap());
}
