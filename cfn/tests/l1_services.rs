//! One resource per generated service, built through the typed L1 API and synthesized in
//! memory: the template pins property names, nesting and value shapes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

#[path = "support/l1_samples.rs"]
mod samples;

use cloudwright_core::{App, Environment, Stack, StackProps};
use serde_json::{Value as Json, json};

/// The `Resources` of a stack holding what `sample` adds.
fn resources(sample: samples::Sample) -> Json {
    let app = App::new();
    let env = Environment::new("111111111111", "us-east-1");
    let stack = Stack::new(&app, "L1", StackProps { env, ..Default::default() }).unwrap();
    sample(&stack).unwrap();
    let assembly = app.assembly().unwrap();
    assembly.template("L1").unwrap()["Resources"].clone()
}

#[test]
fn organizations() {
    assert_eq!(
        resources(samples::organizations),
        json!({"DevOu": {
            "Type": "AWS::Organizations::OrganizationalUnit",
            "Properties": {
                "Name": "Development",
                "ParentId": "r-a1b2",
                "Tags": [
                    {
                        "Key": "team",
                        "Value": "platform"
                    }
                ]
            }
        }})
    );
}

#[test]
fn controltower() {
    assert_eq!(
        resources(samples::controltower),
        json!({"DenyRootKeys": {
            "Type": "AWS::ControlTower::EnabledControl",
            "Properties": {
                "ControlIdentifier": "arn:aws:controltower:us-east-1::control/AWS-GR_RESTRICT_ROOT_USER_ACCESS_KEYS",
                "TargetIdentifier": "arn:aws:organizations::111111111111:ou/o-a1b2c3d4e5/ou-a1b2-c3d4e5f6"
            }
        }})
    );
}

#[test]
fn iam() {
    assert_eq!(
        resources(samples::iam),
        json!({"LambdaRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {
                                "Service": "lambda.amazonaws.com"
                            },
                            "Action": "sts:AssumeRole"
                        }
                    ]
                },
                "ManagedPolicyArns": [
                    {
                        "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
                    }
                ]
            }
        }})
    );
}

#[test]
fn lambda() {
    assert_eq!(
        resources(samples::lambda),
        json!({"Hello": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Code": {
                    "ZipFile": "def handler(event, context):\n    return 'hello'\n"
                },
                "Handler": "index.handler",
                "Role": "arn:aws:iam::111111111111:role/service-role",
                "Runtime": "python3.12",
                "Timeout": 10
            }
        }})
    );
}

#[test]
fn logs() {
    assert_eq!(
        resources(samples::logs),
        json!({"AppLogs": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {
                "LogGroupName": "/app/hello",
                "RetentionInDays": 30
            }
        }})
    );
}

#[test]
fn cloudwatch() {
    assert_eq!(
        resources(samples::cloudwatch),
        json!({"Errors": {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                "EvaluationPeriods": 1,
                "MetricName": "Errors",
                "Namespace": "AWS/Lambda",
                "Period": 60,
                "Statistic": "Sum",
                "Threshold": 1.0
            }
        }})
    );
}

#[test]
fn sns() {
    assert_eq!(
        resources(samples::sns),
        json!({"Alerts": {
            "Type": "AWS::SNS::Topic",
            "Properties": {
                "DisplayName": "Alerts",
                "TopicName": "alerts"
            }
        }})
    );
}

#[test]
fn sqs() {
    assert_eq!(
        resources(samples::sqs),
        json!({"Jobs": {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "VisibilityTimeout": 60
            }
        }})
    );
}

#[test]
fn s3() {
    assert_eq!(
        resources(samples::s3),
        json!({"Artifacts": {
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "BucketEncryption": {
                    "ServerSideEncryptionConfiguration": [
                        {
                            "BucketKeyEnabled": true,
                            "ServerSideEncryptionByDefault": {
                                "KMSMasterKeyID": "alias/aws/s3",
                                "SSEAlgorithm": "aws:kms"
                            }
                        }
                    ]
                }
            }
        }})
    );
}

#[test]
fn kms() {
    assert_eq!(
        resources(samples::kms),
        json!({"Key": {
            "Type": "AWS::KMS::Key",
            "Properties": {
                "EnableKeyRotation": true,
                "KeyPolicy": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {
                                "AWS": {
                                    "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"
                                }
                            },
                            "Action": "kms:*",
                            "Resource": "*"
                        }
                    ]
                }
            }
        }})
    );
}

#[test]
fn ssm() {
    assert_eq!(
        resources(samples::ssm),
        json!({"Endpoint": {
            "Type": "AWS::SSM::Parameter",
            "Properties": {
                "Name": "/app/endpoint",
                "Type": "String",
                "Value": "https://example.com"
            }
        }})
    );
}

#[test]
fn secretsmanager() {
    assert_eq!(
        resources(samples::secretsmanager),
        json!({"DbPassword": {
            "Type": "AWS::SecretsManager::Secret",
            "Properties": {
                "GenerateSecretString": {
                    "ExcludePunctuation": true,
                    "PasswordLength": 32
                }
            }
        }})
    );
}

#[test]
fn ec2() {
    assert_eq!(
        resources(samples::ec2),
        json!({"Web": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {
                "GroupDescription": "HTTPS from anywhere",
                "SecurityGroupIngress": [
                    {
                        "CidrIp": "0.0.0.0/0",
                        "FromPort": 443,
                        "IpProtocol": "tcp",
                        "ToPort": 443
                    }
                ]
            }
        }})
    );
}

#[test]
fn ecs() {
    assert_eq!(
        resources(samples::ecs),
        json!({"WebTask": {
            "Type": "AWS::ECS::TaskDefinition",
            "Properties": {
                "ContainerDefinitions": [
                    {
                        "Image": "public.ecr.aws/nginx/nginx:latest",
                        "Memory": 512,
                        "Name": "web"
                    }
                ]
            }
        }})
    );
}

#[test]
fn xray() {
    assert_eq!(
        resources(samples::xray),
        json!({"Slow": {
            "Type": "AWS::XRay::Group",
            "Properties": {
                "FilterExpression": "responsetime > 5",
                "GroupName": "slow-requests"
            }
        }})
    );
}

#[test]
fn codepipeline() {
    assert_eq!(
        resources(samples::codepipeline),
        json!({"Approval": {
            "Type": "AWS::CodePipeline::CustomActionType",
            "Properties": {
                "Category": "Test",
                "InputArtifactDetails": {
                    "MaximumCount": 1,
                    "MinimumCount": 0
                },
                "OutputArtifactDetails": {
                    "MaximumCount": 0,
                    "MinimumCount": 0
                },
                "Provider": "CloudwrightTest",
                "Version": "1"
            }
        }})
    );
}

#[test]
fn codebuild() {
    assert_eq!(
        resources(samples::codebuild),
        json!({"Build": {
            "Type": "AWS::CodeBuild::Project",
            "Properties": {
                "Artifacts": {
                    "Type": "NO_ARTIFACTS"
                },
                "Description": "Builds the hello service",
                "Environment": {
                    "ComputeType": "BUILD_GENERAL1_SMALL",
                    "Image": "aws/codebuild/standard:7.0",
                    "Type": "LINUX_CONTAINER"
                },
                "ServiceRole": "arn:aws:iam::111111111111:role/service-role",
                "Source": {
                    "BuildSpec": "version: 0.2\nphases:\n  build:\n    commands:\n      - echo hello\n",
                    "Type": "NO_SOURCE"
                }
            }
        }})
    );
}

#[test]
fn codecommit() {
    assert_eq!(
        resources(samples::codecommit),
        json!({"Repo": {
            "Type": "AWS::CodeCommit::Repository",
            "Properties": {
                "RepositoryName": "hello-service"
            }
        }})
    );
}

#[test]
fn codestarconnections() {
    assert_eq!(
        resources(samples::codestarconnections),
        json!({"GitHub": {
            "Type": "AWS::CodeStarConnections::Connection",
            "Properties": {
                "ConnectionName": "github",
                "ProviderType": "GitHub"
            }
        }})
    );
}

#[test]
fn cloudformation() {
    assert_eq!(
        resources(samples::cloudformation),
        json!({"Nested": {
            "Type": "AWS::CloudFormation::Stack",
            "Properties": {
                "TemplateURL": "https://s3.amazonaws.com/cloudwright-templates/nested.template.json",
                "TimeoutInMinutes": 30
            }
        }})
    );
}

#[test]
fn proton() {
    assert_eq!(
        resources(samples::proton),
        json!({"MultiSvcEnv": {
            "Type": "AWS::Proton::EnvironmentTemplate",
            "Properties": {
                "DisplayName": "Multi-service environment",
                "Name": "multi-svc-env"
            }
        }})
    );
}

#[test]
fn events() {
    assert_eq!(
        resources(samples::events),
        json!({"OnAlarm": {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "EventPattern": {
                    "source": [
                        "aws.cloudwatch"
                    ],
                    "detail-type": [
                        "CloudWatch Alarm State Change"
                    ]
                },
                "Targets": [
                    {
                        "Arn": "arn:aws:sns:us-east-1:111111111111:alerts",
                        "Id": "Alerts"
                    }
                ]
            }
        }})
    );
}

#[test]
fn apigateway() {
    assert_eq!(
        resources(samples::apigateway),
        json!({"Api": {
            "Type": "AWS::ApiGateway::RestApi",
            "Properties": {
                "EndpointConfiguration": {
                    "Types": [
                        "REGIONAL"
                    ]
                },
                "Name": "hello"
            }
        }})
    );
}

#[test]
fn servicediscovery() {
    assert_eq!(
        resources(samples::servicediscovery),
        json!({"Services": {
            "Type": "AWS::ServiceDiscovery::HttpNamespace",
            "Properties": {
                "Description": "Service map",
                "Name": "hello.local"
            }
        }})
    );
}

#[test]
fn dynamodb() {
    assert_eq!(
        resources(samples::dynamodb),
        json!({"Orders": {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {
                "AttributeDefinitions": [
                    {
                        "AttributeName": "pk",
                        "AttributeType": "S"
                    }
                ],
                "BillingMode": "PAY_PER_REQUEST",
                "KeySchema": [
                    {
                        "AttributeName": "pk",
                        "KeyType": "HASH"
                    }
                ]
            }
        }})
    );
}

#[test]
fn every_service_has_a_sample_and_a_feature() {
    let manifest = include_str!("../Cargo.toml");
    for (feature, _) in samples::SAMPLES {
        assert!(manifest.contains(&format!("\n{feature} = []\n")), "no cargo feature {feature}");
    }
    assert_eq!(samples::SAMPLES.len(), 25);
}

#[test]
fn scalars_take_expressions_and_enums_take_newer_values() {
    use cloudwright_cfn::lambda::function::Runtime;
    use cloudwright_cfn::lambda::{CfnFunction, CfnFunctionProps, function::Code};
    use cloudwright_cfn::s3::{CfnBucket, CfnBucketProps};
    use cloudwright_cfn::sqs::{CfnQueue, CfnQueueProps};

    let app = App::new();
    let env = Environment::new("111111111111", "us-east-1");
    let stack = Stack::new(&app, "L1", StackProps { env, ..Default::default() }).unwrap();
    let bucket = CfnBucket::new(&stack, "Code", CfnBucketProps::default()).unwrap();
    let queue = CfnQueue::new(&stack, "Dlq", CfnQueueProps::default()).unwrap();
    CfnFunction::new(
        &stack,
        "Fn",
        CfnFunctionProps {
            runtime: Some(Runtime::Other("python9.9".into()).into()),
            handler: Some("index.handler".into()),
            dead_letter_config: Some(cloudwright_cfn::lambda::function::DeadLetterConfig {
                target_arn: Some(queue.attr_arn().into()),
            }),
            ..CfnFunctionProps::new(
                Code {
                    s3_bucket: Some(bucket.reference().into()),
                    s3_key: Some("code.zip".into()),
                    ..Default::default()
                },
                "arn:aws:iam::111111111111:role/r",
            )
        },
    )
    .unwrap();
    assert_eq!(CfnBucket::TYPE, "AWS::S3::Bucket");
    assert!(CfnBucket::CREATE_ONLY_PROPERTIES.contains(&"/properties/BucketName"));
    assert_eq!(CfnBucket::PRIMARY_IDENTIFIER, ["/properties/BucketName"]);
    assert_eq!(bucket.tag_format(), cloudwright_core::TagFormat::Standard);
    assert_eq!(cloudwright_core::Construct::node(&bucket).fqn(), "cloudwright.cfn.s3.CfnBucket");
    let resources = app.assembly().unwrap().template("L1").unwrap()["Resources"].clone();
    assert_eq!(
        resources["Fn"]["Properties"],
        json!({
            "Code": {"S3Bucket": {"Ref": "Code"}, "S3Key": "code.zip"},
            "DeadLetterConfig": {"TargetArn": {"Fn::GetAtt": ["Dlq", "Arn"]}},
            "Handler": "index.handler",
            "Role": "arn:aws:iam::111111111111:role/r",
            "Runtime": "python9.9"
        })
    );
}

#[test]
fn resource_type_info_covers_every_generated_type() {
    use cloudwright_cfn::{RESOURCE_TYPES, resource_type_info};
    use cloudwright_core::TagFormat;
    // Every type of the pinned schemas (cfn-lint's us-east-1 list), sorted for the lookup.
    assert_eq!(RESOURCE_TYPES.len(), 1854);
    assert!(RESOURCE_TYPES.windows(2).all(|w| w[0].type_name < w[1].type_name));
    assert!(resource_type_info("AWS::QuickSight::Analysis").is_some());
    assert!(resource_type_info("Alexa::ASK::Skill").is_some());
    let bucket = resource_type_info("AWS::S3::Bucket").unwrap();
    assert!(bucket.attributes.contains(&"Arn"));
    assert_eq!(bucket.tag_format, TagFormat::Standard);
    assert_eq!(resource_type_info("AWS::SSM::Parameter").unwrap().tag_format, TagFormat::Map);
    assert!(resource_type_info("AWS::Lambda::Function").unwrap().attributes.contains(&"SnapStartResponse.ApplyOn"));
    assert!(resource_type_info("AWS::Nope::Nothing").is_none());
}
