//! One sample resource per generated service, built through the typed L1 API with all its
//! required properties and values cfn-lint accepts. Shared by `tests/l1_services.rs` (which
//! pins each template) and `examples/l1_samples.rs` (which CI checks with cfn-lint).

use cloudwright_cfn::{
    Tag, apigateway, cloudformation, cloudwatch, codebuild, codecommit, codepipeline, codestarconnections,
    controltower, dynamodb, ec2, ecs, events, iam, kms, lambda, logs, organizations, proton, s3, secretsmanager,
    servicediscovery, sns, sqs, ssm, xray,
};
use cloudwright_core::{Expr, Result, Stack};
use serde_json::json;

/// A sample builder: adds its resources to the stack.
pub type Sample = fn(&Stack) -> Result<()>;

/// Every service's sample, by cargo feature name.
pub const SAMPLES: &[(&str, Sample)] = &[
    ("organizations", organizations),
    ("controltower", controltower),
    ("iam", iam),
    ("lambda", lambda),
    ("logs", logs),
    ("cloudwatch", cloudwatch),
    ("sns", sns),
    ("sqs", sqs),
    ("s3", s3),
    ("kms", kms),
    ("ssm", ssm),
    ("secretsmanager", secretsmanager),
    ("ec2", ec2),
    ("ecs", ecs),
    ("xray", xray),
    ("codepipeline", codepipeline),
    ("codebuild", codebuild),
    ("codecommit", codecommit),
    ("codestarconnections", codestarconnections),
    ("cloudformation", cloudformation),
    ("proton", proton),
    ("events", events),
    ("apigateway", apigateway),
    ("servicediscovery", servicediscovery),
    ("dynamodb", dynamodb),
];

const ROLE_ARN: &str = "arn:aws:iam::111111111111:role/service-role";

pub fn organizations(stack: &Stack) -> Result<()> {
    use organizations::{CfnOrganizationalUnit, CfnOrganizationalUnitProps};
    CfnOrganizationalUnit::new(
        stack,
        "DevOu",
        CfnOrganizationalUnitProps {
            name: "Development".into(),
            parent_id: "r-a1b2".into(),
            tags: Some(vec![Tag::new("team", "platform")]),
        },
    )?;
    Ok(())
}

pub fn controltower(stack: &Stack) -> Result<()> {
    use controltower::{CfnEnabledControl, CfnEnabledControlProps};
    CfnEnabledControl::new(
        stack,
        "DenyRootKeys",
        CfnEnabledControlProps {
            control_identifier: "arn:aws:controltower:us-east-1::control/AWS-GR_RESTRICT_ROOT_USER_ACCESS_KEYS".into(),
            target_identifier: "arn:aws:organizations::111111111111:ou/o-a1b2c3d4e5/ou-a1b2-c3d4e5f6".into(),
            parameters: None,
            tags: None,
        },
    )?;
    Ok(())
}

pub fn iam(stack: &Stack) -> Result<()> {
    use iam::{CfnRole, CfnRoleProps};
    let role = CfnRole::new(
        stack,
        "LambdaRole",
        CfnRoleProps {
            managed_policy_arns: Some(vec![
                Expr::sub("arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole").into(),
            ]),
            ..CfnRoleProps::new(json!({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]
            }))
        },
    )?;
    let _ = role.attr_arn();
    Ok(())
}

pub fn lambda(stack: &Stack) -> Result<()> {
    use lambda::function::{Code, Runtime};
    use lambda::{CfnFunction, CfnFunctionProps};
    CfnFunction::new(
        stack,
        "Hello",
        CfnFunctionProps {
            runtime: Some(Runtime::Python312.into()),
            handler: Some("index.handler".into()),
            timeout: Some(10.into()),
            ..CfnFunctionProps::new(
                Code {
                    zip_file: Some("def handler(event, context):\n    return 'hello'\n".into()),
                    ..Default::default()
                },
                ROLE_ARN,
            )
        },
    )?;
    Ok(())
}

pub fn logs(stack: &Stack) -> Result<()> {
    use logs::{CfnLogGroup, CfnLogGroupProps};
    CfnLogGroup::new(
        stack,
        "AppLogs",
        CfnLogGroupProps {
            log_group_name: Some("/app/hello".into()),
            retention_in_days: Some(30.into()),
            ..Default::default()
        },
    )?;
    Ok(())
}

pub fn cloudwatch(stack: &Stack) -> Result<()> {
    use cloudwatch::alarm::{ComparisonOperator, Statistic};
    use cloudwatch::{CfnAlarm, CfnAlarmProps};
    CfnAlarm::new(
        stack,
        "Errors",
        CfnAlarmProps {
            comparison_operator: Some(ComparisonOperator::GreaterThanOrEqualToThreshold.into()),
            evaluation_periods: Some(1.into()),
            metric_name: Some("Errors".into()),
            namespace: Some("AWS/Lambda".into()),
            period: Some(60.into()),
            statistic: Some(Statistic::Sum.into()),
            threshold: Some(1.0.into()),
            ..Default::default()
        },
    )?;
    Ok(())
}

pub fn sns(stack: &Stack) -> Result<()> {
    use sns::{CfnTopic, CfnTopicProps};
    CfnTopic::new(
        stack,
        "Alerts",
        CfnTopicProps { topic_name: Some("alerts".into()), display_name: Some("Alerts".into()), ..Default::default() },
    )?;
    Ok(())
}

pub fn sqs(stack: &Stack) -> Result<()> {
    use sqs::{CfnQueue, CfnQueueProps};
    CfnQueue::new(stack, "Jobs", CfnQueueProps { visibility_timeout: Some(60.into()), ..Default::default() })?;
    Ok(())
}

pub fn s3(stack: &Stack) -> Result<()> {
    use s3::bucket::{BucketEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionRule, SseAlgorithm};
    use s3::{CfnBucket, CfnBucketProps};
    CfnBucket::new(
        stack,
        "Artifacts",
        CfnBucketProps {
            bucket_encryption: Some(BucketEncryption {
                server_side_encryption_configuration: vec![ServerSideEncryptionRule {
                    server_side_encryption_by_default: Some(ServerSideEncryptionByDefault {
                        sse_algorithm: SseAlgorithm::AwsKms.into(),
                        kms_master_key_id: Some("alias/aws/s3".into()),
                    }),
                    bucket_key_enabled: Some(true.into()),
                    ..Default::default()
                }],
            }),
            ..Default::default()
        },
    )?;
    Ok(())
}

pub fn kms(stack: &Stack) -> Result<()> {
    use kms::{CfnKey, CfnKeyProps};
    CfnKey::new(
        stack,
        "Key",
        CfnKeyProps {
            enable_key_rotation: Some(true.into()),
            key_policy: Some(json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}},
                    "Action": "kms:*",
                    "Resource": "*"
                }]
            })),
            ..Default::default()
        },
    )?;
    Ok(())
}

pub fn ssm(stack: &Stack) -> Result<()> {
    use ssm::parameter::Type;
    use ssm::{CfnParameter, CfnParameterProps};
    CfnParameter::new(
        stack,
        "Endpoint",
        CfnParameterProps {
            name: Some("/app/endpoint".into()),
            ..CfnParameterProps::new(Type::String, "https://example.com")
        },
    )?;
    Ok(())
}

pub fn secretsmanager(stack: &Stack) -> Result<()> {
    use secretsmanager::secret::GenerateSecretString;
    use secretsmanager::{CfnSecret, CfnSecretProps};
    CfnSecret::new(
        stack,
        "DbPassword",
        CfnSecretProps {
            generate_secret_string: Some(GenerateSecretString {
                password_length: Some(32.into()),
                exclude_punctuation: Some(true.into()),
                ..Default::default()
            }),
            ..Default::default()
        },
    )?;
    Ok(())
}

pub fn ec2(stack: &Stack) -> Result<()> {
    use ec2::security_group::Ingress;
    use ec2::{CfnSecurityGroup, CfnSecurityGroupProps};
    CfnSecurityGroup::new(
        stack,
        "Web",
        CfnSecurityGroupProps {
            security_group_ingress: Some(vec![Ingress {
                from_port: Some(443.into()),
                to_port: Some(443.into()),
                cidr_ip: Some("0.0.0.0/0".into()),
                ..Ingress::new("tcp")
            }]),
            ..CfnSecurityGroupProps::new("HTTPS from anywhere")
        },
    )?;
    Ok(())
}

pub fn ecs(stack: &Stack) -> Result<()> {
    use ecs::task_definition::ContainerDefinition;
    use ecs::{CfnTaskDefinition, CfnTaskDefinitionProps};
    CfnTaskDefinition::new(
        stack,
        "WebTask",
        CfnTaskDefinitionProps {
            container_definitions: Some(vec![ContainerDefinition {
                memory: Some(512.into()),
                ..ContainerDefinition::new("public.ecr.aws/nginx/nginx:latest", "web")
            }]),
            ..Default::default()
        },
    )?;
    Ok(())
}

pub fn xray(stack: &Stack) -> Result<()> {
    use xray::{CfnGroup, CfnGroupProps};
    CfnGroup::new(
        stack,
        "Slow",
        CfnGroupProps {
            group_name: "slow-requests".into(),
            filter_expression: Some("responsetime > 5".into()),
            insights_configuration: None,
            tags: None,
        },
    )?;
    Ok(())
}

pub fn codepipeline(stack: &Stack) -> Result<()> {
    use codepipeline::custom_action_type::{ArtifactDetails, Category};
    use codepipeline::{CfnCustomActionType, CfnCustomActionTypeProps};
    CfnCustomActionType::new(
        stack,
        "Approval",
        CfnCustomActionTypeProps {
            category: Category::Test.into(),
            provider: "CloudwrightTest".into(),
            version: "1".into(),
            input_artifact_details: ArtifactDetails { minimum_count: 0.into(), maximum_count: 1.into() },
            output_artifact_details: ArtifactDetails { minimum_count: 0.into(), maximum_count: 0.into() },
            configuration_properties: None,
            settings: None,
            tags: None,
        },
    )?;
    Ok(())
}

pub fn codebuild(stack: &Stack) -> Result<()> {
    use codebuild::project::{Artifacts, Environment, Source};
    use codebuild::{CfnProject, CfnProjectProps};
    CfnProject::new(
        stack,
        "Build",
        CfnProjectProps {
            description: Some("Builds the hello service".into()),
            ..CfnProjectProps::new(
                Artifacts::new("NO_ARTIFACTS"),
                Environment::new("BUILD_GENERAL1_SMALL", "aws/codebuild/standard:7.0", "LINUX_CONTAINER"),
                ROLE_ARN,
                Source {
                    build_spec: Some("version: 0.2\nphases:\n  build:\n    commands:\n      - echo hello\n".into()),
                    ..Source::new("NO_SOURCE")
                },
            )
        },
    )?;
    Ok(())
}

pub fn codecommit(stack: &Stack) -> Result<()> {
    use codecommit::{CfnRepository, CfnRepositoryProps};
    let repo = CfnRepository::new(stack, "Repo", CfnRepositoryProps::new("hello-service"))?;
    let _ = repo.attr_clone_url_http();
    Ok(())
}

pub fn codestarconnections(stack: &Stack) -> Result<()> {
    use codestarconnections::connection::ProviderType;
    use codestarconnections::{CfnConnection, CfnConnectionProps};
    CfnConnection::new(
        stack,
        "GitHub",
        CfnConnectionProps {
            connection_name: "github".into(),
            provider_type: Some(ProviderType::GitHub.into()),
            host_arn: None,
            tags: None,
        },
    )?;
    Ok(())
}

pub fn cloudformation(stack: &Stack) -> Result<()> {
    use cloudformation::{CfnStack, CfnStackProps};
    CfnStack::new(
        stack,
        "Nested",
        CfnStackProps {
            timeout_in_minutes: Some(30.into()),
            ..CfnStackProps::new("https://s3.amazonaws.com/cloudwright-templates/nested.template.json")
        },
    )?;
    Ok(())
}

pub fn proton(stack: &Stack) -> Result<()> {
    use proton::{CfnEnvironmentTemplate, CfnEnvironmentTemplateProps};
    CfnEnvironmentTemplate::new(
        stack,
        "MultiSvcEnv",
        CfnEnvironmentTemplateProps {
            name: Some("multi-svc-env".into()),
            display_name: Some("Multi-service environment".into()),
            ..Default::default()
        },
    )?;
    Ok(())
}

pub fn events(stack: &Stack) -> Result<()> {
    use events::rule::Target;
    use events::{CfnRule, CfnRuleProps};
    CfnRule::new(
        stack,
        "OnAlarm",
        CfnRuleProps {
            event_pattern: Some(
                json!({"source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"]}),
            ),
            targets: Some(vec![Target::new("arn:aws:sns:us-east-1:111111111111:alerts", "Alerts")]),
            ..Default::default()
        },
    )?;
    Ok(())
}

pub fn apigateway(stack: &Stack) -> Result<()> {
    use apigateway::rest_api::EndpointConfiguration;
    use apigateway::{CfnRestApi, CfnRestApiProps};
    CfnRestApi::new(
        stack,
        "Api",
        CfnRestApiProps {
            name: Some("hello".into()),
            endpoint_configuration: Some(EndpointConfiguration {
                types: Some(vec!["REGIONAL".into()]),
                ..Default::default()
            }),
            ..Default::default()
        },
    )?;
    Ok(())
}

pub fn servicediscovery(stack: &Stack) -> Result<()> {
    use servicediscovery::{CfnHttpNamespace, CfnHttpNamespaceProps};
    CfnHttpNamespace::new(
        stack,
        "Services",
        CfnHttpNamespaceProps { description: Some("Service map".into()), ..CfnHttpNamespaceProps::new("hello.local") },
    )?;
    Ok(())
}

pub fn dynamodb(stack: &Stack) -> Result<()> {
    use dynamodb::table::{AttributeDefinition, AttributeType, BillingMode};
    use dynamodb::{CfnTable, CfnTableProps};
    // `KeySchema` is untyped in the schema (an array or an object).
    let key_schema = json!([{"AttributeName": "pk", "KeyType": "HASH"}]);
    CfnTable::new(
        stack,
        "Orders",
        CfnTableProps {
            attribute_definitions: Some(vec![AttributeDefinition::new("pk", AttributeType::S)]),
            billing_mode: Some(BillingMode::PayPerRequest.into()),
            ..CfnTableProps::new(key_schema)
        },
    )?;
    Ok(())
}
