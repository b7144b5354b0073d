//! The deploy rules (CW-DEPLOY-*): each defect the reference system had, in a small app
//! that has it (the rule fires, naming the construct and the fix) and one that does not.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use cloudwright_constructs::org::{
    Account, AccountProps, Organization, OrganizationProps, OrganizationalUnit, PolicyTarget, ServiceControlPolicy,
    ServiceControlPolicyProps, library,
};
use cloudwright_constructs::{App, CfnResource, Environment, Stack, StackProps};
use cloudwright_toolkit::governance::{self, Finding};
use serde_json::json;

const MANAGEMENT: &str = "111111111111";
const TARGET: &str = "222222222222";

fn stack(app: &App, id: &str, account: &str) -> Stack {
    Stack::new(app, id, StackProps { env: Environment::new(account, "us-east-1"), ..Default::default() }).unwrap()
}

fn findings(app: &App, rule: &str) -> Vec<Finding> {
    let report = governance::check(&app.assembly().unwrap()).unwrap();
    report.findings.into_iter().filter(|f| f.rule_id == rule).collect()
}

fn role(stack: &Stack, id: &str, name: &str) -> CfnResource {
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "cloudformation.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    CfnResource::from_json(stack, id, "AWS::IAM::Role", json!({"RoleName": name, "AssumeRolePolicyDocument": trust}))
        .unwrap()
}

/// A bucket policy in `Shared` (account 111111111111) letting `principal` read; the role
/// `reader` is created by `Consumer` (account 222222222222).
fn bucket_policy_app(principal: serde_json::Value, condition: Option<serde_json::Value>) -> (App, Stack, Stack) {
    let app = App::new();
    let shared = stack(&app, "Shared", MANAGEMENT);
    let consumer = stack(&app, "Consumer", TARGET);
    role(&consumer, "Reader", "reader");
    CfnResource::from_json(&shared, "Bucket", "AWS::S3::Bucket", json!({})).unwrap();
    let mut statement = json!({"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::b/*"});
    if let Some(condition) = condition {
        statement["Condition"] = condition;
    }
    let document = json!({"Version": "2012-10-17", "Statement": [statement]});
    CfnResource::from_json(
        &shared,
        "Policy",
        "AWS::S3::BucketPolicy",
        json!({"Bucket": "b", "PolicyDocument": document}),
    )
    .unwrap();
    (app, shared, consumer)
}

#[test]
fn a_policy_naming_a_role_of_a_stack_deployed_later_is_an_error_naming_both() {
    let (app, _, _) = bucket_policy_app(json!(format!("arn:aws:iam::{TARGET}:role/reader")), None);
    let found = findings(&app, "CW-DEPLOY-1");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].path, "Shared/Policy");
    assert!(found[0].message.contains("Consumer/Reader"), "{}", found[0].message);
    assert!(found[0].message.contains("does not deploy before stack Shared"), "{}", found[0].message);
    assert!(found[0].fix.contains("aws:PrincipalArn"));
    // Nothing is written: synth's rule check refuses errors (the CLI), so the error is one.
    assert_eq!(found[0].severity, governance::Severity::Error);
}

#[test]
fn the_account_root_with_a_condition_or_a_dependency_is_accepted() {
    let condition = json!({"ArnEquals": {"aws:PrincipalArn": format!("arn:aws:iam::{TARGET}:role/reader")}});
    let (app, _, _) = bucket_policy_app(json!(format!("arn:aws:iam::{TARGET}:root")), Some(condition));
    assert!(findings(&app, "CW-DEPLOY-1").is_empty());
    let (app, shared, consumer) = bucket_policy_app(json!(format!("arn:aws:iam::{TARGET}:role/reader")), None);
    shared.add_dependency(&consumer);
    assert!(findings(&app, "CW-DEPLOY-1").is_empty());
}

#[test]
fn a_trust_policy_naming_a_role_of_the_same_stack_needs_a_dependency() {
    let app = App::new();
    let s = stack(&app, "S", TARGET);
    let deployer = role(&s, "Deployer", "deployer");
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/deployer"}},
        "Action": "sts:AssumeRole"}]});
    let user =
        CfnResource::from_json(&s, "Assumed", "AWS::IAM::Role", json!({"AssumeRolePolicyDocument": trust})).unwrap();
    let found = findings(&app, "CW-DEPLOY-1");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].message.contains("DependsOn: Deployer"), "{}", found[0].message);
    user.add_depends_on(&deployer);
    assert!(findings(&app, "CW-DEPLOY-1").is_empty());
}

/// A pipeline in the management account deploying `Target` (account 222222222222, whose
/// resources `target` adds) with the execution role `exec` of `Baseline`, allowed
/// `statements`.
fn pipeline_app(statements: serde_json::Value, target: impl FnOnce(&Stack)) -> App {
    let app = App::new();
    let management = stack(&app, "Management", MANAGEMENT);
    let target_stack = stack(&app, "Target", TARGET);
    let baseline = stack(&app, "Baseline", TARGET);
    let exec = role(&baseline, "Exec", "exec");
    let document = json!({"Version": "2012-10-17", "Statement": statements});
    CfnResource::from_json(
        &baseline,
        "ExecPolicy",
        "AWS::IAM::Policy",
        json!({"PolicyName": "p", "PolicyDocument": document, "Roles": [exec.reference().to_json()]}),
    )
    .unwrap();
    target(&target_stack);
    let action = json!({"Name": "Target.Deploy", "ActionTypeId": {"Category": "Deploy", "Owner": "AWS",
        "Provider": "CloudFormation", "Version": "1"},
        "Configuration": {"ActionMode": "CREATE_UPDATE", "StackName": "Target",
            "RoleArn": format!("arn:aws:iam::{TARGET}:role/exec")},
        "RoleArn": format!("arn:aws:iam::{TARGET}:role/deploy")});
    CfnResource::from_json(
        &management,
        "Pipeline",
        "AWS::CodePipeline::Pipeline",
        json!({"RoleArn": "arn:aws:iam::111111111111:role/p", "Stages": [{"Name": "Deploy", "Actions": [action]}]}),
    )
    .unwrap();
    app
}

/// [`pipeline_app`] with an EIP to deploy and `actions` allowed.
fn eip_pipeline_app(actions: &[&str]) -> App {
    pipeline_app(json!([{"Effect": "Allow", "Action": actions, "Resource": "*"}]), |target| {
        CfnResource::from_json(target, "Address", "AWS::EC2::EIP", json!({"Domain": "vpc"})).unwrap();
    })
}

#[test]
fn a_deployer_without_the_handler_permissions_of_its_stack_is_an_error() {
    let app = eip_pipeline_app(&["ec2:Describe*", "ec2:CreateTags"]);
    let found = findings(&app, "CW-DEPLOY-2");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].path, "Target/Address");
    for action in ["ec2:AllocateAddress", "ec2:ReleaseAddress"] {
        assert!(found[0].message.contains(action), "{}", found[0].message);
    }
    assert!(found[0].message.contains("Baseline/Exec"), "{}", found[0].message);
    // Permissions for properties the EIP does not set are not demanded.
    assert!(!found[0].message.contains("AcceptAddressTransfer"), "{}", found[0].message);
    let app = eip_pipeline_app(&["ec2:Describe*", "ec2:AllocateAddress", "ec2:ReleaseAddress"]);
    assert!(findings(&app, "CW-DEPLOY-2").is_empty());
}

#[test]
fn a_literal_bucket_name_must_carry_account_and_region() {
    let app = App::new();
    let s = stack(&app, "S", TARGET);
    CfnResource::from_json(&s, "Fixed", "AWS::S3::Bucket", json!({"BucketName": "my-artifacts"})).unwrap();
    CfnResource::from_json(&s, "Scoped", "AWS::S3::Bucket", json!({"BucketName": "art-222222222222-us-east-1"}))
        .unwrap();
    CfnResource::from_json(&s, "Generated", "AWS::S3::Bucket", json!({})).unwrap();
    let found = findings(&app, "CW-DEPLOY-3");
    assert_eq!(found.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(), ["S/Fixed"]);
    assert!(found[0].message.contains("BucketAlreadyExists"));
}

#[test]
fn a_guardrail_on_an_ou_without_accounts_is_a_warning() {
    let app = App::new();
    let management = stack(&app, "Mgmt", MANAGEMENT);
    let org = Organization::new(
        &management,
        "Org",
        OrganizationProps { root_id: Some("r-a1b2".into()), ..Default::default() },
    )
    .unwrap();
    let empty = OrganizationalUnit::new(&org, "Empty", Default::default()).unwrap();
    let held = OrganizationalUnit::new(&org, "Held", Default::default()).unwrap();
    Account::new(&held, "Dev", AccountProps { account_id: Some(TARGET.into()), ..Default::default() }).unwrap();
    let targets: Vec<&dyn PolicyTarget> = vec![&empty, &held];
    ServiceControlPolicy::new(
        &org,
        "Blocker",
        ServiceControlPolicyProps { document: library::deny_proton_template_authoring(), ..Default::default() },
        &targets,
    )
    .unwrap();
    let found = findings(&app, "CW-DEPLOY-4");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].message.contains("Mgmt/Org/Empty"), "{}", found[0].message);
    assert_eq!(found[0].severity, governance::Severity::Warning);
}

/// The execution role may create roles only with the permissions boundary `bounded`: a
/// role the target stack creates without it (or with another) cannot be deployed.
fn bounded_pipeline_app(role_boundary: Option<&str>) -> App {
    let statements = json!([
        {"Effect": "Allow", "Action": ["iam:Get*", "iam:Delete*", "iam:Update*", "iam:List*", "iam:Detach*", "iam:*RolePermissionsBoundary"], "Resource": "*"},
        {"Effect": "Allow", "Action": "iam:CreateRole", "Resource": "*",
         "Condition": {"StringEquals": {"iam:PermissionsBoundary": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/bounded"}}}}
    ]);
    pipeline_app(statements, |target| {
        let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
        let mut props = json!({"AssumeRolePolicyDocument": trust});
        if let Some(boundary) = role_boundary {
            props["PermissionsBoundary"] =
                json!(boundary.replace("BOUNDARY", &format!("arn:aws:iam::{TARGET}:policy/bounded")));
        }
        CfnResource::from_json(target, "Workload", "AWS::IAM::Role", props).unwrap();
    })
}

#[test]
fn a_deployer_bounded_to_a_permissions_boundary_cannot_create_a_role_without_it() {
    let found = findings(&bounded_pipeline_app(None), "CW-DEPLOY-2");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].message.contains("do not allow iam:CreateRole, which"), "{}", found[0].message);
    let other = findings(&bounded_pipeline_app(Some("arn:aws:iam::222222222222:policy/other")), "CW-DEPLOY-2");
    assert_eq!(other.len(), 1, "{other:?}");
    let bounded = findings(&bounded_pipeline_app(Some("BOUNDARY")), "CW-DEPLOY-2");
    assert!(bounded.is_empty(), "{bounded:#?}");
}
