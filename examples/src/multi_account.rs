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
//! - the AWS Proton templates, typed: the seed blog's `multi-svc-env` environment
//!   template (VPC, public subnets, security group, ECS cluster, `dns_hostname` input) and
//!   the `hello-lambda-svc` service template (the Lambda function with its log group,
//!   X-Ray and alarms), written as bundles and specs under `proton/`, and the
//!   management-side connection roles;
//! - the delivery pipeline: GitHub through a CodeStar connection, a CodeBuild build that
//!   synthesizes this app and publishes its assets, then dev, test, a manual approval,
//!   and prod.
//!
//! **Each workload account** (dev, test, prod):
//! - a baseline stack, deployed once before the pipeline runs: the roles the pipeline
//!   assumes to deploy there, the Proton environment account connection role, and the
//!   rule forwarding alarms to the management bus;
//! - the environment (`multi-svc-env`) and the Lambda service instance. AWS Proton has
//!   ended, so by default ([`DeployMode::Plain`]) both are ordinary stacks rendered from
//!   the same templates, and each pipeline stage deploys every stack of its account with
//!   CloudFormation in dependency order, then smoke-tests the function; in
//!   [`DeployMode::Proton`] they are left to the bundles and the pipeline updates the
//!   Proton service instance.
//!
//! Everything in the workload accounts refers to the management account by
//! deterministic names (bus, roles, bucket, key alias), never by deploy-time values.

use cloudwright_constructs::governance::{RulePack, suppress};
use cloudwright_constructs::iam::{Condition, Operator, PolicyStatement, Principal, Role, RoleProps};
use cloudwright_constructs::monitoring::{Alarm, AlarmProps, Comparison, Metric};
use cloudwright_constructs::pipeline::{DeliveryEnvironment, DeliveryPipeline, DeliveryPipelineProps, Source};
use cloudwright_constructs::proton::DeployMode;
use cloudwright_constructs::proton::{
    EnvironmentAccountConnection, EnvironmentAccountConnectionProps, EnvironmentProps, InstanceContext,
    ManagementRoles, ManagementRolesProps, SchemaLock, ServiceInstanceProps, ServiceProps, ServiceTemplate,
    ServiceTemplateProps,
};
use cloudwright_constructs::{App, CfnResource, Environment, Expr, Result, Stack, StackProps};

use crate::proton::{Insights, LambdaServiceInput, MultiSvcEnvInput};
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
        RoleProps {
            assumed_by: vec![Principal::service("events.amazonaws.com")],
            trust_conditions: vec![Condition::new(Operator::string_equals(), "aws:SourceAccount", [account])],
            ..Default::default()
        },
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

/// The Lambda service instance, as the `hello-lambda-svc` template defines it: the
/// function (its inputs from the spec, its environment from the environment's outputs),
/// a log group with retention, least-privilege logging and X-Ray, and alarms.
fn hello_instance(ctx: &InstanceContext) -> Result<()> {
    let stack = ctx.stack();
    let log_group = CfnResource::from_json(stack, "LogGroup", "AWS::Logs::LogGroup", json!({"RetentionInDays": 30}))?;
    let role = Role::new(
        stack,
        "FunctionRole",
        RoleProps { assumed_by: vec![Principal::service("lambda.amazonaws.com")], ..Default::default() },
    )?;
    let log_streams = Expr::sub_with(
        "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${LogGroup}:log-stream:*",
        [("LogGroup", log_group.reference())],
    );
    role.add_to_policy(PolicyStatement::allow(&["logs:CreateLogStream", "logs:PutLogEvents"], [log_streams]))?;
    role.add_to_policy(PolicyStatement::allow(&["xray:PutTraceSegments", "xray:PutTelemetryRecords"], ["*"]))?;
    let function = CfnResource::from_json(
        stack,
        "Function",
        "AWS::Lambda::Function",
        json!({
            "Description": Expr::concat([ctx.service_name(), Expr::str(" in "), ctx.environment_name()]),
            "Runtime": "python3.12",
            "Handler": "index.handler",
            "Code": {"ZipFile": include_str!("../functions/hello/index.py")},
            "Role": role.arn(),
            "MemorySize": ctx.input("memory_size"),
            "Timeout": ctx.input("timeout"),
            "Environment": {"Variables": {
                "GREETING": ctx.input("greeting"),
                "STAGE": ctx.environment_name(),
                "CLUSTER_NAME": ctx.environment_output("ClusterName"),
            }},
            "LoggingConfig": {"LogGroup": log_group.reference()},
            "TracingConfig": {"Mode": "Active"},
        }),
    )?;
    if let Some(policy) = role.default_policy() {
        function.add_depends_on(&policy);
    }
    for (id, metric, statistic, threshold) in [
        ("ErrorsAlarm", "Errors", "Sum", 1.0),
        ("ThrottlesAlarm", "Throttles", "Sum", 1.0),
        ("DurationAlarm", "Duration", "p99", 8000.0),
    ] {
        Alarm::new(
            stack,
            id,
            AlarmProps {
                metric: Metric {
                    namespace: "AWS/Lambda".into(),
                    name: metric.into(),
                    dimensions: vec![("FunctionName".into(), function.reference())],
                    statistic: statistic.into(),
                    period_seconds: 300,
                },
                threshold,
                comparison: Comparison::GreaterThanOrEqual,
                evaluation_periods: 1,
                description: Some(format!("{metric} ({statistic}) of the hello service at or above {threshold}")),
                actions: Vec::new(),
            },
        )?;
    }
    ctx.output("FunctionArn", function.get_att("Arn"), "The service instance's function")?;
    Ok(())
}

/// The smoke test of a service instance stack: invoke its function once and fail on a
/// function error; the role it assumes may read that stack and invoke functions only.
fn smoke_test(stack_name: &str) -> (Vec<String>, Vec<PolicyStatement>) {
    let commands = vec![
        format!(
            "ARN=$(aws cloudformation describe-stacks --stack-name {stack_name} --query \"Stacks[0].Outputs[?OutputKey=='FunctionArn'].OutputValue\" --output text)"
        ),
        "test \"$(aws lambda invoke --function-name \"$ARN\" --query FunctionError --output text /tmp/out.json)\" = None".into(),
    ];
    let permissions = vec![
        PolicyStatement::allow(
            &["cloudformation:DescribeStacks"],
            [Expr::sub(format!(
                "arn:${{AWS::Partition}}:cloudformation:${{AWS::Region}}:${{AWS::AccountId}}:stack/{stack_name}/*"
            ))],
        ),
        PolicyStatement::allow(
            &["lambda:InvokeFunction"],
            [Expr::sub("arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:*")],
        ),
    ];
    (commands, permissions)
}

/// The rule pack of a workload account's stacks: production stricter than development.
fn govern(workload: &str, stack: &Stack) {
    match workload {
        "Prod" => {
            stack.set_termination_protection(true);
            RulePack::production().apply_to(stack);
        }
        "Dev" => RulePack::development().apply_to(stack),
        _ => RulePack::standard().apply_to(stack),
    }
}

/// Builds the reference app, in the mode `$CLOUDWRIGHT_DEPLOY_MODE` names (plain when unset).
pub fn app() -> Result<App> {
    app_with(&Layout::default(), DeployMode::from_env()?)
}

/// Builds the reference app for another layout of accounts, in either deploy mode.
pub fn app_with(layout: &Layout, mode: DeployMode) -> Result<App> {
    let app = App::with_props(mode.app_props());
    let management = crate::organization::management_stack(&app, layout)?;
    policy_control(&management, layout)?;

    // The Proton templates, checked against the published schemas in the lock file.
    let lock =
        SchemaLock::parse(&app, "examples/proton-schemas.lock.json", include_str!("../proton-schemas.lock.json"))?;
    let env_template = crate::proton::multi_svc_env_template(&app, &lock)?;
    let service_template = ServiceTemplate::<LambdaServiceInput>::new(
        &app,
        "HelloLambdaSvc",
        ServiceTemplateProps {
            name: "hello-lambda-svc".into(),
            display_name: Some("Hello Lambda service".into()),
            description: Some("The seed's Lambda service, monitored, in a multi-svc-env environment".into()),
            major: 1,
            minor: 0,
            compatible_environments: vec![env_template.compatible()],
            components: false,
            lock: Some(lock),
        },
        hello_instance,
    )?;
    env_template.register(&management, "ProtonEnvironmentTemplate")?;
    service_template.register(&management, "ProtonServiceTemplate")?;
    ManagementRoles::new(
        &management,
        "ProtonConnectionRoles",
        ManagementRolesProps {
            environment_account_ids: layout.workloads.iter().map(|(_, _, a)| a.clone()).collect(),
            pipeline_statements: vec![PolicyStatement::allow(
                &[
                    "cloudformation:CreateStack",
                    "cloudformation:UpdateStack",
                    "cloudformation:DescribeStacks",
                    "codebuild:StartBuild",
                ],
                [Expr::str("*")],
            )],
            allow_admin: false,
        },
    )?;

    let mut baselines = Vec::new();
    let mut instances = Vec::new();
    for (_, name, account) in &layout.workloads {
        let lower = name.to_lowercase();
        let baseline = account_baseline(&app, layout, name, account)?;
        let connection = EnvironmentAccountConnection::new(
            &baseline,
            "ProtonConnection",
            EnvironmentAccountConnectionProps {
                management_account_id: layout.management_account.clone(),
                environment_name: lower.clone(),
                statements: vec![PolicyStatement::allow(
                    &[
                        "cloudformation:*",
                        "ec2:*",
                        "ecs:*",
                        "servicediscovery:*",
                        "lambda:*",
                        "logs:*",
                        "cloudwatch:*",
                        "iam:*Role*",
                        "iam:PassRole",
                    ],
                    [Expr::str("*")],
                )],
                allow_admin: false,
                role_name: None,
            },
        )?;
        // The connection role provisions whole environments (VPCs, clusters, the service's
        // own roles), as AWS's environment-role guidance has it.
        for (rule, reason) in [
            ("CW-IAM-2", "the role provisions every resource type of the environment template"),
            ("CW-IAM-3", "environment resources get generated names, so the ARNs are unknown before deployment"),
            ("CW-IAM-4", "the role passes the roles it creates to Lambda and ECS; only the pipeline can assume it"),
            ("CW-IAM-6", "one trust statement names the management account too, where aws:SourceAccount never holds"),
        ] {
            suppress(&connection, rule, reason);
        }
        let environment = env_template.deploy(
            &app,
            &format!("{name}Environment"),
            EnvironmentProps {
                name: lower.clone(),
                inputs: MultiSvcEnvInput {
                    vpc_cidr: crate::proton::default_vpc_cidr(),
                    public_subnet_one_cidr: crate::proton::default_subnet_one(),
                    public_subnet_two_cidr: crate::proton::default_subnet_two(),
                    dns_hostname: format!("{lower}.hello.local"),
                    container_insights: if name == "Prod" { Insights::Enabled } else { Insights::Disabled },
                },
                env: Environment::new(account, layout.region()),
                stack_name: None,
            },
        )?;
        if let Some(stack) = environment.stack() {
            govern(name, stack);
        }
        instances.push(ServiceInstanceProps {
            name: lower.clone(),
            environment,
            inputs: LambdaServiceInput {
                memory_size: if name == "Prod" { 512 } else { 256 },
                timeout: 10,
                greeting: format!("hello from {lower}"),
            },
            component_outputs: Vec::new(),
        });
        govern(name, &baseline);
        baselines.push((name.clone(), baseline));
    }
    let connection_arn = format!(
        "arn:aws:codestar-connections:{}:{}:connection/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
        layout.region(),
        layout.management_account
    );
    let service = service_template.deploy(
        &app,
        "Hello",
        ServiceProps {
            name: "hello".into(),
            repository_id: "example-org/hello-service".into(),
            repository_connection_arn: connection_arn.clone(),
            branch_name: "main".into(),
            pipeline: None,
            pipeline_env: Environment::new(&layout.management_account, layout.region()),
            instances,
        },
    )?;
    for ((_, name, _), stack) in layout.workloads.iter().zip(service.instance_stacks()) {
        govern(name, stack);
        suppress(
            stack,
            "CW-ALARM-1",
            "alarm state changes reach the management account's event bus through the baseline's ForwardAlarms rule",
        );
        suppress(stack, "CW-LAMBDA-3", "the hello function is invoked synchronously only; callers see its errors");
    }
    // Each stage deploys every stack of its account (baseline, environment, service
    // instance), then invokes the function once (plain mode, where the stack names are ours).
    let environments: Vec<DeliveryEnvironment> = baselines
        .into_iter()
        .enumerate()
        .map(|(i, (name, baseline))| {
            let smoke = service.instance_stacks().get(i).map(|s| smoke_test(&s.stack_name()));
            let (smoke_test, smoke_test_permissions) = smoke.unwrap_or_default();
            DeliveryEnvironment {
                approval_before: name == "Prod",
                proton_instance: Some(name.to_lowercase()),
                smoke_test,
                smoke_test_permissions,
                ..DeliveryEnvironment::new(&name, baseline)
            }
        })
        .collect();
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
                connection_arn: Expr::str(connection_arn),
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
