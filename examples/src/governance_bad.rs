//! A deliberately bad app: one production stack that breaks every governance rule (and a
//! management stack whose service control policies deny what it creates), so tests can
//! show each rule fires, that suppressions hold, and that the exported cfn-guard rules
//! find what the engine finds. Never deploy it.

use cloudwright_constructs::governance::{RulePack, suppress};
use cloudwright_constructs::{App, CfnResource, Environment, RemovalPolicy, Result, Stack, StackProps};
use serde_json::{Value as Json, json};

/// The account the bad stack deploys to (production, under the production pack).
pub const ACCOUNT: &str = "123456789012";
/// The management account, whose organization governs [`ACCOUNT`].
pub const MANAGEMENT_ACCOUNT: &str = "111111111111";

/// An SCP `Content` of about `chars` characters (as compact JSON).
fn scp_content(chars: usize) -> Json {
    let statement = |i: usize| json!({"Sid": format!("Deny{i:04}"), "Effect": "Deny", "Action": [format!("service{i:04}:Action")], "Resource": "*"});
    let mut statements = Vec::new();
    while json!({"Version": "2012-10-17", "Statement": statements}).to_string().len() < chars {
        statements.push(statement(statements.len()));
    }
    statements.pop();
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// Builds the bad app.
pub fn app() -> Result<App> {
    let app = App::new();
    let stack =
        Stack::new(&app, "Bad", StackProps { env: Environment::new(ACCOUNT, "us-east-1"), ..Default::default() })?;
    RulePack::production().apply_to(&stack);
    let r = |id: &str, kind: &str, props: Json| CfnResource::from_json(&stack, id, kind, props);

    r(
        "WildPolicy",
        "AWS::IAM::Policy",
        json!({
            "PolicyName": "wild",
            "Roles": ["some-role"],
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::bucket/*"},
                {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
                {"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::bucket"}
            ]}
        }),
    )?;
    r(
        "OpenRole",
        "AWS::IAM::Role",
        json!({
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"},
                {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
            ]},
            "ManagedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"],
            "Policies": [{"PolicyName": "all", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["*"], "Resource": "*"}
            ]}}]
        }),
    )?;
    r("Person", "AWS::IAM::User", json!({}))?;

    let bucket = r("Bucket", "AWS::S3::Bucket", json!({}))?;
    bucket.set_deletion_policy(RemovalPolicy::Delete);
    r(
        "PublicRead",
        "AWS::S3::BucketPolicy",
        json!({
            "Bucket": {"Ref": "Bucket"},
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": {"Fn::Sub": "${Bucket.Arn}/*"}}
            ]}
        }),
    )?;
    r(
        "Key",
        "AWS::KMS::Key",
        json!({
            "EnableKeyRotation": false,
            "KeyPolicy": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"}
            ]}
        }),
    )?;
    r("Logs", "AWS::Logs::LogGroup", json!({}))?;

    let function_role = "arn:aws:iam::123456789012:role/function";
    r(
        "Function",
        "AWS::Lambda::Function",
        json!({
            "Runtime": "python3.8",
            "Handler": "index.handler",
            "Role": function_role,
            "Code": {"ZipFile": "def handler(event, context):\n    return 1\n"},
            "Environment": {"Variables": {"DB_PASSWORD": "hunter2", "DB_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db"}}
        }),
    )?;
    r(
        "FunctionUrl",
        "AWS::Lambda::Url",
        json!({"AuthType": "NONE", "TargetFunctionArn": {"Fn::GetAtt": ["Function", "Arn"]}}),
    )?;
    r(
        "AnyoneInvokes",
        "AWS::Lambda::Permission",
        json!({
            "Action": "lambda:InvokeFunction", "FunctionName": {"Ref": "Function"}, "Principal": "*"
        }),
    )?;

    r(
        "Build",
        "AWS::CodeBuild::Project",
        json!({
            "ServiceRole": function_role,
            "Artifacts": {"Type": "NO_ARTIFACTS"},
            "Source": {"Type": "NO_SOURCE", "BuildSpec": "version: 0.2\nphases:\n  build:\n    commands: [make]\n"},
            "Environment": {
                "Type": "LINUX_CONTAINER", "ComputeType": "BUILD_GENERAL1_SMALL", "Image": "aws/codebuild/standard:7.0",
                "PrivilegedMode": true,
                "EnvironmentVariables": [{"Name": "GITHUB_TOKEN", "Value": "ghp_example", "Type": "PLAINTEXT"}]
            }
        }),
    )?;
    r(
        "Pipeline",
        "AWS::CodePipeline::Pipeline",
        json!({
            "RoleArn": "arn:aws:iam::123456789012:role/pipeline",
            "ArtifactStore": {"Type": "S3", "Location": "artifacts-bucket"},
            "Stages": [
                {"Name": "Source", "Actions": [{
                    "Name": "Source", "ActionTypeId": {"Category": "Source", "Owner": "AWS", "Provider": "S3", "Version": "1"},
                    "Configuration": {"S3Bucket": "artifacts-bucket", "S3ObjectKey": "source.zip"},
                    "OutputArtifacts": [{"Name": "Src"}]
                }]},
                {"Name": "DeployProd", "Actions": [{
                    "Name": "Deploy", "ActionTypeId": {"Category": "Deploy", "Owner": "AWS", "Provider": "CloudFormation", "Version": "1"},
                    "Configuration": {"ActionMode": "CREATE_UPDATE", "StackName": "prod", "TemplatePath": "Src::t.json",
                                      "RoleArn": "arn:aws:iam::123456789012:role/cfn-exec"},
                    "InputArtifacts": [{"Name": "Src"}],
                    "RoleArn": "arn:aws:iam::123456789012:role/deploy"
                }]}
            ]
        }),
    )?;
    r(
        "SilentAlarm",
        "AWS::CloudWatch::Alarm",
        json!({
            "MetricName": "Errors", "Namespace": "AWS/Lambda", "Statistic": "Sum", "Period": 300,
            "EvaluationPeriods": 1, "Threshold": 1, "ComparisonOperator": "GreaterThanOrEqualToThreshold"
        }),
    )?;
    r("Topic", "AWS::SNS::Topic", json!({}))?;
    let accepted = r("AcceptedTopic", "AWS::SNS::Topic", json!({}))?;
    suppress(&accepted, "CW-SNS-1", "carries only public release notes");
    r("Queue", "AWS::SQS::Queue", json!({"SqsManagedSseEnabled": false}))?;

    r("Vpc", "AWS::EC2::VPC", json!({"CidrBlock": "10.0.0.0/16"}))?;
    r(
        "PublicSubnet",
        "AWS::EC2::Subnet",
        json!({"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/24", "MapPublicIpOnLaunch": true}),
    )?;
    r(
        "OpenGroup",
        "AWS::EC2::SecurityGroup",
        json!({
            "GroupDescription": "open", "VpcId": {"Ref": "Vpc"},
            "SecurityGroupIngress": [
                {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"},
                {"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}
            ]
        }),
    )?;

    r(
        "HugeScp",
        "AWS::Organizations::Policy",
        json!({
            "Name": "huge", "Type": "SERVICE_CONTROL_POLICY", "Content": scp_content(5400)
        }),
    )?;
    r(
        "NearlyFullScp",
        "AWS::Organizations::Policy",
        json!({
            "Name": "nearly-full", "Type": "SERVICE_CONTROL_POLICY", "Content": scp_content(4900), "TargetIds": ["ou-abcd-11111111"]
        }),
    )?;
    // As a hand-written template might carry it: a suppression naming no rule.
    let mistaken = r("MistakenSuppression", "AWS::SNS::Topic", json!({"KmsMasterKeyId": "alias/aws/sns"}))?;
    mistaken.add_cfn_metadata("cloudwright", json!({"rules_to_suppress": [{"id": "CW-NOPE-1", "reason": "typo"}]}));
    // Deploy rules: a bucket with a fixed global name, whose policy names a role of a stack
    // that does not deploy first; and the role a pipeline deploys this stack with, allowed
    // nothing this stack needs.
    r("FixedNameBucket", "AWS::S3::Bucket", json!({"BucketName": "bad-fixed-name"}))?;
    r(
        "FixedNameBucketPolicy",
        "AWS::S3::BucketPolicy",
        json!({"Bucket": "bad-fixed-name", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{MANAGEMENT_ACCOUNT}:role/bad-reader")},
             "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bad-fixed-name/*"}
        ]}}),
    )?;
    r(
        "UnderpoweredDeployer",
        "AWS::IAM::Role",
        json!({
            "RoleName": "bad-exec",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "cloudformation.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ]},
            "Policies": [{"PolicyName": "little", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bad-fixed-name/*"}
            ]}}]
        }),
    )?;
    denying_organization(&app)?;
    Ok(app)
}

/// The management stack: an SCP on the bad stack's account that denies creating Lambda
/// functions outright and SQS queues unless the caller is tagged.
fn denying_organization(app: &App) -> Result<()> {
    let management = Stack::new(
        app,
        "BadOrganization",
        StackProps {
            env: Environment::new(MANAGEMENT_ACCOUNT, "us-east-1"),
            termination_protection: true,
            ..Default::default()
        },
    )?;
    CfnResource::from_json(
        &management,
        "NoFunctionsScp",
        "AWS::Organizations::Policy",
        json!({
            "Name": "no-functions", "Type": "SERVICE_CONTROL_POLICY", "TargetIds": [ACCOUNT],
            "Content": {"Version": "2012-10-17", "Statement": [
                {"Sid": "DenyFunctions", "Effect": "Deny", "Action": "lambda:Create*", "Resource": "*"},
                {"Sid": "DenyUntaggedQueues", "Effect": "Deny", "Action": "sqs:*", "Resource": "*",
                 "Condition": {"Null": {"aws:PrincipalTag/team": "true"}}}
            ]}
        }),
    )?;
    let r = |id: &str, kind: &str, props: Json| CfnResource::from_json(&management, id, kind, props);
    // The role the bad stack's bucket policy names, in a stack that need not deploy first.
    r(
        "Reader",
        "AWS::IAM::Role",
        json!({"RoleName": "bad-reader", "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole",
             "Condition": {"StringEquals": {"aws:SourceAccount": MANAGEMENT_ACCOUNT}}}
        ]}}),
    )?;
    // A pipeline deploying the bad stack with its underpowered role.
    r(
        "Pipeline",
        "AWS::CodePipeline::Pipeline",
        json!({
            "RoleArn": format!("arn:aws:iam::{MANAGEMENT_ACCOUNT}:role/bad-pipeline"),
            "Stages": [{"Name": "Deploy", "Actions": [{
                "Name": "Bad.Deploy",
                "ActionTypeId": {"Category": "Deploy", "Owner": "AWS", "Provider": "CloudFormation", "Version": "1"},
                "Configuration": {"ActionMode": "CREATE_UPDATE", "StackName": "Bad",
                                  "RoleArn": format!("arn:aws:iam::{ACCOUNT}:role/bad-exec")}
            }]}]
        }),
    )?;
    // An OU that a guardrail targets and no account is in.
    r("EmptyOu", "AWS::Organizations::OrganizationalUnit", json!({"Name": "Empty", "ParentId": "r-a1b2"}))?;
    r(
        "EmptyOuScp",
        "AWS::Organizations::Policy",
        json!({"Name": "empty", "Type": "SERVICE_CONTROL_POLICY", "TargetIds": [{"Ref": "EmptyOu"}],
        "Content": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Action": "proton:CreateEnvironmentTemplate", "Resource": "*"}
        ]}}),
    )?;
    Ok(())
}
