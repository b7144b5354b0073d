//! The reference multi-account system of the seed design, read top to bottom.
//!
//! **Management account** (111111111111, us-east-1):
//! - the organization: Development, Test and Production OUs with one account each, the
//!   service control policies (Proton authoring blocked in Development, two regions,
//!   no leaving, Control Tower protected), Control Tower controls on each OU, and an
//!   org-wide audit role deployed by a stack set ([`crate::organization`]);
//! - the policy-control integration point that stands for the seed's "Nirmata Policy
//!   Control": an EventBridge bus that every workload account forwards its alarm state
//!   changes to;
//! - the delivery pipeline: GitHub through a CodeStar connection, a CodeBuild build that
//!   synthesizes this app and publishes its assets, then dev, test, a manual approval,
//!   and prod.
//!
//! **Each workload account** (dev, test, prod):
//! - a baseline stack, deployed once before the pipeline runs: the roles the pipeline
//!   assumes to deploy there, and the rule forwarding alarms to the management bus;
//! - the Lambda service stack the pipeline deploys: the function, its alarms, a dashboard.
//!
//! Everything in the workload accounts refers to the management account by
//! deterministic names (bus, roles, bucket, key alias), never by deploy-time values.

use cloudwright_constructs::iam::{PolicyStatement, Principal, Role, RoleProps};
use cloudwright_constructs::pipeline::{DeliveryEnvironment, DeliveryPipeline, DeliveryPipelineProps, Source};
use cloudwright_constructs::{App, CfnResource, Environment, Expr, Result, Stack, StackProps};
use serde_json::json;

pub use crate::organization::Layout;

/// The management account's policy-control bus.
pub const POLICY_CONTROL_BUS: &str = "cloudwright-policy-control";

fn bus_arn(layout: &Layout) -> Expr {
    Expr::sub(format!(
        "arn:${{AWS::Partition}}:events:{}:{}:event-bus/{POLICY_CONTROL_BUS}",
        layout.region(),
        layout.management_account
    ))
}

/// The policy-control bus: accepts events from the workload accounts.
fn policy_control(management: &Stack, layout: &Layout) -> Result<()> {
    let bus = CfnResource::from_json(
        management,
        "PolicyControlBus",
        "AWS::Events::EventBus",
        json!({"Name": POLICY_CONTROL_BUS}),
    )?;
    for (_, name, account) in &layout.workloads {
        CfnResource::from_json(
            management,
            &format!("PolicyControlFrom{name}"),
            "AWS::Events::EventBusPolicy",
            json!({
                "EventBusName": bus.reference(),
                "StatementId": format!("AllowPutEventsFrom{name}"),
                "Statement": {
                    "Effect": "Allow",
                    "Principal": {"AWS": format!("arn:aws:iam::{account}:root")},
                    "Action": "events:PutEvents",
                    "Resource": bus.get_att("Arn"),
                },
            }),
        )?;
    }
    // Findings land in a log group the platform team queries.
    let findings = CfnResource::from_json(
        management,
        "PolicyControlFindings",
        "AWS::Logs::LogGroup",
        json!({"RetentionInDays": 365}),
    )?;
    CfnResource::from_json(
        management,
        "PolicyControlArchive",
        "AWS::Events::Rule",
        json!({
            "EventBusName": bus.reference(),
            "EventPattern": {"source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"]},
            "Targets": [{"Arn": findings.get_att("Arn"), "Id": "FindingsLog"}],
        }),
    )?;
    CfnResource::from_json(
        management,
        "PolicyControlFindingsPolicy",
        "AWS::Logs::ResourcePolicy",
        json!({
            "PolicyName": "cloudwright-policy-control-findings",
            "PolicyDocument": Expr::json_text(
                &json!({
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Effect": "Allow",
                        "Principal": {"Service": ["events.amazonaws.com", "delivery.logs.amazonaws.com"]},
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": "__FINDINGS__",
                    }],
                }),
                &[("__FINDINGS__", findings.get_att("Arn"))],
            ),
        }),
    )?;
    Ok(())
}

/// A workload account's baseline: alarm forwarding (the pipeline adds its deploy roles).
fn account_baseline(app: &App, layout: &Layout, name: &str, account: &str) -> Result<Stack> {
    let stack = Stack::new(
        app,
        &format!("{name}Baseline"),
        StackProps {
            env: Environment::new(account, layout.region()),
            description: Some(format!("Roles and event forwarding of the {name} account, deployed once")),
            ..Default::default()
        },
    )?;
    let forwarder = Role::new(
        &stack,
        "AlarmForwarderRole",
        RoleProps { assumed_by: vec![Principal::service("events.amazonaws.com")], ..Default::default() },
    )?;
    forwarder.add_to_policy(PolicyStatement::allow(&["events:PutEvents"], [bus_arn(layout)]))?;
    CfnResource::from_json(
        &stack,
        "ForwardAlarms",
        "AWS::Events::Rule",
        json!({
            "Description": "Alarm state changes go to the management account's policy control",
            "EventPattern": {"source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"]},
            "Targets": [{"Arn": bus_arn(layout), "Id": "PolicyControl", "RoleArn": forwarder.arn()}],
        }),
    )?;
    Ok(stack)
}

/// A workload account's Lambda service stack.
fn service(app: &App, layout: &Layout, name: &str, account: &str) -> Result<Stack> {
    let stack = Stack::new(
        app,
        &format!("{name}Service"),
        StackProps {
            env: Environment::new(account, layout.region()),
            description: Some(format!("The Lambda service in {name}")),
            ..Default::default()
        },
    )?;
    crate::lambda_service::hello_service(&stack, name, &format!("{name} service alerts"))?;
    Ok(stack)
}

/// Builds the reference app.
pub fn app() -> Result<App> {
    app_with(&Layout::default())
}

/// Builds the reference app for another layout of accounts.
pub fn app_with(layout: &Layout) -> Result<App> {
    let app = App::new();
    let management = crate::organization::management_stack(&app, layout)?;
    policy_control(&management, layout)?;

    let mut environments = Vec::new();
    for (_, name, account) in &layout.workloads {
        let baseline = account_baseline(&app, layout, name, account)?;
        let service = service(&app, layout, name, account)?;
        environments.push(DeliveryEnvironment {
            name: name.into(),
            account_stack: baseline,
            service_stack: service,
            approval_before: name == "Prod",
            proton_instance: Some(format!("hello-{}", name.to_lowercase())),
        });
    }
    let approvals = CfnResource::from_json(
        &management,
        "ReleaseApprovals",
        "AWS::SNS::Topic",
        json!({"DisplayName": "Release approvals"}),
    )?;
    DeliveryPipeline::new(
        &management,
        "Delivery",
        DeliveryPipelineProps {
            source: Source::GitHub {
                connection_arn: Expr::str(format!(
                    "arn:aws:codestar-connections:{}:{}:connection/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
                    layout.region(),
                    layout.management_account
                )),
                repository: "example-org/hello-service".into(),
                branch: "main".into(),
            },
            build_commands: vec!["cargo run --release --quiet -p cloudwright-cli -- synth -o cloudwright.out".into()],
            environments,
            approval_topic: Some(approvals.reference()),
            proton_service: Some("hello".into()),
        },
    )?;
    Ok(app)
}
