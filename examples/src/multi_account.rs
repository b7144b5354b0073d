//! The reference multi-account system of the seed design, read top to bottom.
//!
//! **Management account** (111111111111, us-east-1):
//! - the organization: Development, Test and Production OUs with one account each, the
//!   service control policies (Proton authoring blocked in Development, two regions,
//!   no leaving, Control Tower protected), Control Tower controls on each OU, and an
//!   org-wide audit role deployed by a stack set ([`crate::organization`]);
//! - policy control, the seed's "Nirmata Policy Control" (`policy_control` below): the role
//!   Nirmata's cloud controller runs with (its scanner pods, through EKS Pod Identity), which
//!   assumes a read-only scanner role in each workload account; the governance rules as the
//!   controller's policies, written beside the assembly (`policies/`, see
//!   `docs/policy-control.md`); and an EventBridge bus that every workload account may put
//!   its alarm state changes on, archived to a findings log group;
//! - the AWS Proton templates, typed: the seed blog's `multi-svc-env` environment template
//!   ([`crate::proton::multi_svc_env`]: an `ec2::Vpc` with public subnets holding the NAT
//!   gateways and private subnets for the services, the `ec2::SecurityGroup` the services
//!   share, an ECS cluster, a Cloud Map namespace from the `dns_hostname` input) and the
//!   `hello-lambda-svc` service template (`hello_instance` below: a `lambda::LambdaService`
//!   in the environment's private subnets with its security group), written as bundles and
//!   specs under `proton/`, and the management-side connection roles (in [`app_with`]);
//! - the delivery pipeline (end of [`app_with`]): GitHub through a CodeStar connection, a
//!   CodeBuild build that synthesizes this app and publishes its assets, then dev, test, a
//!   manual approval announced on an `sns::Topic`, and prod.
//!
//! **Each workload account** (dev, test, prod):
//! - a baseline stack (`account_baseline` below, plus the Proton connection role in
//!   [`app_with`]), deployed once before the pipeline runs: the roles the pipeline assumes to
//!   deploy there, the Proton environment account connection role, the policy-control
//!   scanner role, and the rule forwarding alarms to the management bus;
//! - the environment (`multi-svc-env`) and the Lambda service instance. AWS Proton has
//!   ended, so by default ([`DeployMode::Plain`]) both are ordinary stacks rendered from
//!   the same templates, and each pipeline stage deploys every stack of its account with
//!   CloudFormation in dependency order, then smoke-tests the function (`smoke_test`); in
//!   [`DeployMode::Proton`] they are left to the bundles and the pipeline updates the
//!   Proton service instance.
//!
//! A deploy-time value that crosses an account one way is a plain reference: the baselines
//! forward alarms to the management bus by its ARN (`bus.event_bus_arn()`), read at deploy
//! time with `Fn::GetStackOutput` through a reader role the management stack gets (see
//! `docs/references.md`). Where references would form a cycle between accounts, names
//! stand in (Decision 4): the pipeline's roles, bucket and key alias in the management
//! account and the deploy roles in each workload account name each other, since the
//! management stack's policies trust the deploy roles that trust its pipeline role.
//! Every resource comes from an L2 (`iam`, `lambda`, `ec2`, `sns`, `pipeline`, `proton`,
//! `org`) or a typed L1 (`cfn::events`, `cfn::logs`, `cfn::ecs`, `cfn::servicediscovery`).

use cloudwright_constructs::cfn::events::rule::Target;
use cloudwright_constructs::cfn::events::{
    CfnEventBus, CfnEventBusPolicy, CfnEventBusPolicyProps, CfnEventBusProps, CfnRule, CfnRuleProps,
};
use cloudwright_constructs::cfn::iam::{CfnRole, CfnRoleProps, role};
use cloudwright_constructs::cfn::logs::{CfnLogGroup, CfnLogGroupProps, CfnResourcePolicy, CfnResourcePolicyProps};
use cloudwright_constructs::events::IEventBus;
use cloudwright_constructs::governance::{RulePack, suppress};
use cloudwright_constructs::iam::{Condition, Operator, PolicyDocument, PolicyStatement, Principal, Role, RoleProps};
use cloudwright_constructs::lambda::{
    Code, FunctionProps, IFunction, LambdaService, LambdaServiceProps, Runtime, VpcPlacement,
};
use cloudwright_constructs::pipeline::{DeliveryEnvironment, DeliveryPipeline, DeliveryPipelineProps, Source};
use cloudwright_constructs::proton::DeployMode;
use cloudwright_constructs::proton::{
    EnvironmentAccountConnection, EnvironmentAccountConnectionProps, EnvironmentProps, InstanceContext,
    ManagementRoles, ManagementRolesProps, SchemaLock, ServiceInstanceProps, ServiceProps, ServiceTemplate,
    ServiceTemplateProps,
};
use cloudwright_constructs::sns::{ITopic, Subscription, Topic, TopicProps};
use cloudwright_constructs::{App, AppProps, Environment, Expr, Result, Stack, StackProps};
use cloudwright_toolkit::governance::write_policies;
use serde_json::json;

use crate::proton::{Insights, LambdaServiceInput, MultiSvcEnvInput};

pub use crate::organization::Layout;

/// The management account's policy-control bus.
pub const POLICY_CONTROL_BUS: &str = "cloudwright-policy-control";

/// The role Nirmata's cloud controller runs with in the management account.
pub const POLICY_CONTROLLER_ROLE: &str = "cloudwright-policy-controller";
/// The read-only role it assumes in each workload account: one name in every account, as
/// Nirmata's `AWSOrgConfig` (`customAssumeRoleName`) expects.
pub const POLICY_SCANNER_ROLE: &str = "cloudwright-policy-scanner";

/// What the scanner may read: Cloud Control's `GetResource`/`ListResources`, and the read
/// and list handler permissions of every resource type the exported policies check
/// (from the types' resource provider schemas: Cloud Control calls the services with the
/// caller's credentials). Read-only by verb; `kms:Decrypt`, which Lambda's read handler
/// lists for encrypted environment variables, is left out: the scanner needs no secrets;
/// so are Organizations' reads, which answer only in the management account.
/// `examples/tests/policy_control.rs` checks this list against the schemas.
pub const POLICY_SCANNER_ACTIONS: &[&str] = &[
    "cloudformation:GetResource",
    "cloudformation:ListResources",
    "cloudwatch:DescribeAlarms",
    "cloudwatch:ListTagsForResource",
    "codepipeline:GetPipeline",
    "codepipeline:GetPipelineState",
    "codepipeline:ListPipelines",
    "codepipeline:ListTagsForResource",
    "ec2:DescribeNetworkAcls",
    "ec2:DescribeSecurityGroupRules",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "iam:GetGroup",
    "iam:GetGroupPolicy",
    "iam:GetLoginProfile",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:GetRole",
    "iam:GetRolePolicy",
    "iam:GetUser",
    "iam:GetUserPolicy",
    "iam:ListAttachedGroupPolicies",
    "iam:ListAttachedRolePolicies",
    "iam:ListAttachedUserPolicies",
    "iam:ListEntitiesForPolicy",
    "iam:ListGroupPolicies",
    "iam:ListGroups",
    "iam:ListGroupsForUser",
    "iam:ListPolicies",
    "iam:ListRolePolicies",
    "iam:ListRoles",
    "iam:ListUserPolicies",
    "iam:ListUsers",
    "kms:DescribeKey",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListKeys",
    "kms:ListResourceTags",
    "lambda:GetFunction",
    "lambda:GetFunctionCodeSigningConfig",
    "lambda:GetFunctionRecursionConfig",
    "lambda:GetFunctionScalingConfig",
    "lambda:GetFunctionUrlConfig",
    "lambda:GetRuntimeManagementConfig",
    "lambda:ListFunctionUrlConfigs",
    "lambda:ListFunctions",
    "logs:DescribeIndexPolicies",
    "logs:DescribeLogGroups",
    "logs:DescribeResourcePolicies",
    "logs:GetDataProtectionPolicy",
    "logs:ListTagsForResource",
    "s3:GetAccelerateConfiguration",
    "s3:GetAnalyticsConfiguration",
    "s3:GetBucketAbac",
    "s3:GetBucketCORS",
    "s3:GetBucketLogging",
    "s3:GetBucketMetadataTableConfiguration",
    "s3:GetBucketNotification",
    "s3:GetBucketObjectLockConfiguration",
    "s3:GetBucketOwnershipControls",
    "s3:GetBucketPublicAccessBlock",
    "s3:GetBucketTagging",
    "s3:GetBucketVersioning",
    "s3:GetBucketWebsite",
    "s3:GetEncryptionConfiguration",
    "s3:GetIntelligentTieringConfiguration",
    "s3:GetInventoryConfiguration",
    "s3:GetLifecycleConfiguration",
    "s3:GetMetricsConfiguration",
    "s3:GetReplicationConfiguration",
    "s3:ListAllMyBuckets",
    "s3:ListBucket",
    "s3:ListTagsForResource",
    "sns:GetDataProtectionPolicy",
    "sns:GetTopicAttributes",
    "sns:ListSubscriptionsByTopic",
    "sns:ListTagsForResource",
    "sns:ListTopics",
    "sqs:GetQueueAttributes",
    "sqs:ListQueueTags",
    "sqs:ListQueues",
];

/// The controller's role: assumed by its scanner pods through EKS Pod Identity in this
/// account, and allowed only to assume the scanner role of each workload account.
/// <https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html>
fn policy_controller(management: &Stack, layout: &Layout) -> Result<()> {
    // Pod Identity tags the session with the pod's attributes, so the trust allows
    // sts:TagSession too (the L2 `Role` trusts with sts:AssumeRole only): the typed L1.
    let trust =
        PolicyDocument::new([PolicyStatement::allow(&["sts:AssumeRole", "sts:TagSession"], Vec::<Expr>::new())
            .with_principal(Principal::service("pods.eks.amazonaws.com"))
            .with_condition(Condition::new(
                Operator::string_equals(),
                "aws:SourceAccount",
                [layout.management_account.as_str()],
            ))]);
    let scanners: Vec<Expr> = layout
        .workloads
        .iter()
        .map(|(_, _, account)| Expr::sub(format!("arn:${{AWS::Partition}}:iam::{account}:role/{POLICY_SCANNER_ROLE}")))
        .collect();
    let assume = PolicyDocument::new([PolicyStatement::allow(&["sts:AssumeRole"], scanners)]);
    CfnRole::new(
        management,
        "PolicyControllerRole",
        CfnRoleProps {
            role_name: Some(POLICY_CONTROLLER_ROLE.into()),
            description: Some(
                "Nirmata cloud controller: assumes the read-only scanner role of each workload account".into(),
            ),
            policies: Some(vec![role::Policy::new(assume.to_json(), "AssumeScannerRoles")]),
            ..CfnRoleProps::new(trust.to_json())
        },
    )?;
    Ok(())
}

/// The scanner role of a workload account: read-only (`POLICY_SCANNER_ACTIONS`), trusted by
/// the management account only when the caller is the controller's role. The principal is
/// the account with an `aws:PrincipalArn` condition rather than the role's ARN, so the
/// workload baseline deploys before or after the management stack (IAM rejects a trust
/// policy naming a role that does not exist yet). No `sts:ExternalId`: it guards against a
/// third party's deputy, the controller is this organization's own, and Nirmata's
/// `AWSAccountConfig`/`AWSOrgConfig` have no field to pass one.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn>
fn policy_scanner(stack: &Stack, layout: &Layout) -> Result<()> {
    let controller =
        Expr::sub(format!("arn:${{AWS::Partition}}:iam::{}:role/{POLICY_CONTROLLER_ROLE}", layout.management_account));
    let scanner = Role::new(
        stack,
        "PolicyScannerRole",
        RoleProps {
            role_name: Some(POLICY_SCANNER_ROLE.into()),
            description: Some(
                "Nirmata cloud controller's scanner: reads resources as Cloud Control describes them".into(),
            ),
            assumed_by: vec![Principal::account(&layout.management_account)],
            trust_conditions: vec![Condition::new(Operator::arn_equals(), "aws:PrincipalArn", [controller])],
            ..Default::default()
        },
    )?;
    scanner.add_to_policy(PolicyStatement::allow(POLICY_SCANNER_ACTIONS, [Expr::str("*")]))?;
    suppress(
        &scanner,
        "CW-IAM-3",
        "a scanner reads every resource of the account, and its actions only read configuration",
    );
    Ok(())
}

/// The events policy control looks at: CloudWatch alarm state changes.
fn alarm_state_changes() -> serde_json::Value {
    json!({"source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"]})
}

/// The policy-control bus: accepts events from the workload accounts and archives them in a
/// log group the platform team queries.
fn policy_control(management: &Stack, layout: &Layout) -> Result<CfnEventBus> {
    let bus = CfnEventBus::new(management, "PolicyControlBus", CfnEventBusProps::new(POLICY_CONTROL_BUS))?;
    for (_, name, account) in &layout.workloads {
        let from_account = PolicyStatement::allow(&["events:PutEvents"], [bus.event_bus_arn()])
            .with_principal(Principal::account(account));
        CfnEventBusPolicy::new(
            management,
            &format!("PolicyControlFrom{name}"),
            CfnEventBusPolicyProps {
                event_bus_name: Some(bus.event_bus_name().into()),
                statement: Some(from_account.to_json()),
                ..CfnEventBusPolicyProps::new(format!("AllowPutEventsFrom{name}"))
            },
        )?;
    }
    let findings = CfnLogGroup::new(
        management,
        "PolicyControlFindings",
        CfnLogGroupProps { retention_in_days: Some(365.into()), ..Default::default() },
    )?;
    CfnRule::new(
        management,
        "PolicyControlArchive",
        CfnRuleProps {
            event_bus_name: Some(bus.event_bus_name().into()),
            event_pattern: Some(alarm_state_changes()),
            targets: Some(vec![Target::new(findings.attr_arn(), "FindingsLog")]),
            ..Default::default()
        },
    )?;
    // EventBridge writes to a log group through the log group's resource policy, not a role:
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-cloudwatchlogs-permissions
    // The property is JSON text, so the typed document is rendered with the group's ARN spliced in.
    const FINDINGS_ARN: &str = "__FINDINGS_ARN__";
    let delivery =
        PolicyDocument::new([PolicyStatement::allow(&["logs:CreateLogStream", "logs:PutLogEvents"], [FINDINGS_ARN])
            .with_principal(Principal::service("events.amazonaws.com"))
            .with_principal(Principal::service("delivery.logs.amazonaws.com"))]);
    CfnResourcePolicy::new(
        management,
        "PolicyControlFindingsPolicy",
        CfnResourcePolicyProps::new(
            Expr::json_text(&delivery.to_json(), &[(FINDINGS_ARN, findings.attr_arn())]),
            "cloudwright-policy-control-findings",
        ),
    )?;
    Ok(bus)
}

/// A workload account's baseline: alarm forwarding to `bus` (the management account's
/// policy-control bus, a value of another account's stack) and the deploy roles the
/// pipeline adds.
fn account_baseline(app: &App, layout: &Layout, name: &str, account: &str, bus: &Expr) -> Result<Stack> {
    let stack = Stack::new(
        app,
        &format!("{name}Baseline"),
        StackProps {
            env: Environment::new(account, layout.region()),
            description: Some(format!("Roles and event forwarding of the {name} account, deployed once")),
            ..Default::default()
        },
    )?;
    // A bus in another account is a target EventBridge reaches with a role.
    let forwarder = Role::new(
        &stack,
        "AlarmForwarderRole",
        RoleProps {
            assumed_by: vec![Principal::service("events.amazonaws.com")],
            trust_conditions: vec![Condition::new(Operator::string_equals(), "aws:SourceAccount", [account])],
            ..Default::default()
        },
    )?;
    forwarder.add_to_policy(PolicyStatement::allow(&["events:PutEvents"], [bus.clone()]))?;
    policy_scanner(&stack, layout)?;
    CfnRule::new(
        &stack,
        "ForwardAlarms",
        CfnRuleProps {
            description: Some("Alarm state changes go to the management account's policy control".into()),
            event_pattern: Some(alarm_state_changes()),
            targets: Some(vec![Target {
                role_arn: Some(forwarder.arn().into()),
                ..Target::new(bus.clone(), "PolicyControl")
            }]),
            ..Default::default()
        },
    )?;
    Ok(stack)
}

/// The Lambda service instance, as the `hello-lambda-svc` template defines it: a monitored
/// function (its log group, least-privilege role, X-Ray and alarms come with
/// `LambdaService`), its inputs from the spec, its environment from the environment's
/// outputs, running in the environment's private subnets with its security group.
fn hello_instance(ctx: &InstanceContext) -> Result<()> {
    let service = LambdaService::new(
        ctx.stack(),
        "Hello",
        LambdaServiceProps {
            function: FunctionProps {
                runtime: Runtime::Python312,
                handler: "index.handler".into(),
                code: Code::Inline(include_str!("../functions/hello/index.py").into()),
                memory_size: ctx.input("memory_size").into(),
                timeout_seconds: ctx.input("timeout").into(),
                environment: vec![
                    ("GREETING".into(), ctx.input("greeting")),
                    ("STAGE".into(), ctx.environment_name()),
                    ("CLUSTER_NAME".into(), ctx.environment_output("ClusterName")),
                ],
                log_retention_days: 30,
                tracing: true,
                description: Some("The hello service of the seed design".into()),
                vpc: Some(VpcPlacement {
                    subnet_ids: vec![
                        ctx.environment_output("PrivateSubnetOne"),
                        ctx.environment_output("PrivateSubnetTwo"),
                    ],
                    security_group_ids: vec![ctx.environment_output("SecurityGroupId")],
                }),
                ..Default::default()
            },
            // The timeout is an input, so the latency alarm's threshold is given: 8 s.
            duration_p99_ms: Some(8000.0),
            dashboard: false,
            ..Default::default()
        },
    )?;
    ctx.output("FunctionArn", service.function.function_arn(), "The service instance's function")?;
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

/// Context key of the address that hears of releases waiting for approval.
pub const APPROVERS_EMAIL_CONTEXT: &str = "approversEmail";

/// Context key of the ARN of the CodeStar connection the pipeline's source uses.
pub const SOURCE_CONNECTION_CONTEXT: &str = "sourceConnectionArn";

/// Builds the reference app, in the mode `$CLOUDWRIGHT_DEPLOY_MODE` names (plain when unset).
pub fn app() -> Result<App> {
    app_with(&Layout::default(), DeployMode::from_env()?)
}

/// Builds the reference app for another layout of accounts, in either deploy mode.
pub fn app_with(layout: &Layout, mode: DeployMode) -> Result<App> {
    app_with_props(layout, mode.app_props())
}

/// Builds the reference app with app props (its deploy mode and context among them).
pub fn app_with_props(layout: &Layout, props: AppProps) -> Result<App> {
    let app = App::with_props(props);
    let layout = &layout.with_context(&app);
    let management = crate::organization::management_stack(&app, layout)?;
    let policy_bus = policy_control(&management, layout)?.event_bus_arn();
    policy_controller(&management, layout)?;
    write_policies(&app);

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
            // 1.1: the function runs in the environment's private subnets with its security group.
            minor: 1,
            compatible_environments: vec![env_template.compatible()],
            components: false,
            lock: Some(lock),
            ..Default::default()
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
        let baseline = account_baseline(&app, layout, name, account, &policy_bus)?;
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
                    private_subnet_one_cidr: crate::proton::default_private_subnet_one(),
                    private_subnet_two_cidr: crate::proton::default_private_subnet_two(),
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
    // The connection is created in the console (it starts PENDING and a person activates
    // it): the app takes its ARN from the context.
    let connection_arn = app.context_or_sample(
        SOURCE_CONNECTION_CONTEXT,
        &format!(
            "arn:aws:codestar-connections:{}:{}:connection/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
            layout.region(),
            layout.management_account
        ),
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
    // CodePipeline publishes approval requests with the pipeline's role (which the pipeline
    // grants sns:Publish on the topic), so SNS's AWS managed key serves.
    let approvals = Topic::new(
        &management,
        "ReleaseApprovals",
        TopicProps { display_name: Some("Release approvals".into()), ..Default::default() },
    )?;
    // Someone must hear of a waiting approval, or the release waits until it expires.
    approvals.add_subscription(Subscription::Email(
        app.context_or_sample(APPROVERS_EMAIL_CONTEXT, "release-approvers@example.com"),
    ))?;
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
            approval_topic: Some(approvals.topic_arn()),
            proton_service: Some("hello".into()),
        },
    )?;
    Ok(app)
}
