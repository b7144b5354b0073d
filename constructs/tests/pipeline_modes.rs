//! The delivery pipeline in plain and Proton mode, and what it grants across accounts.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use cloudwright_constructs::pipeline::{DeliveryEnvironment, DeliveryPipeline, DeliveryPipelineProps, Source};
use cloudwright_constructs::proton::DeployMode;
use cloudwright_constructs::{App, CfnResource, Environment, Stack, StackProps};
use serde_json::{Value, json};

fn build(mode: DeployMode) -> cloudwright_constructs::Assembly {
    let app = App::with_props(mode.app_props());
    let env = |a: &str| StackProps { env: Environment::new(a, "us-east-1"), ..Default::default() };
    let mgmt = Stack::new(&app, "Mgmt", env("111111111111")).unwrap();
    let mut environments = Vec::new();
    for (name, account) in [("Dev", "200000000000"), ("Prod", "200000000002")] {
        let baseline = Stack::new(&app, &format!("{name}Baseline"), env(account)).unwrap();
        let service = Stack::new(&app, &format!("{name}Service"), env(account)).unwrap();
        CfnResource::new(&service, "Queue", "AWS::SQS::Queue", Default::default()).unwrap();
        environments.push(DeliveryEnvironment {
            approval_before: name == "Prod",
            proton_instance: Some(format!("hello-{}", name.to_lowercase())),
            ..DeliveryEnvironment::new(name, baseline)
        });
    }
    DeliveryPipeline::new(
        &mgmt,
        "Delivery",
        DeliveryPipelineProps {
            source: Source::CodeCommit { repository: "hello".into(), branch: "main".into() },
            build_commands: vec!["make synth".into()],
            environments,
            approval_topic: None,
            proton_service: Some("hello".into()),
        },
    )
    .unwrap();
    app.assembly().unwrap()
}

fn of_type<'a>(template: &'a Value, kind: &str) -> Vec<&'a Value> {
    template["Resources"].as_object().unwrap().values().filter(|r| r["Type"] == kind).collect()
}

#[test]
fn plain_mode_deploys_with_cloudformation_through_the_target_accounts_roles() {
    let assembly = build(DeployMode::Plain);
    let mgmt = assembly.template("Mgmt").unwrap();
    let pipeline = &of_type(&mgmt, "AWS::CodePipeline::Pipeline")[0]["Properties"];
    let stages: Vec<&str> =
        pipeline["Stages"].as_array().unwrap().iter().map(|s| s["Name"].as_str().unwrap()).collect();
    assert_eq!(stages, ["Source", "Build", "DeployDev", "ApproveProd", "DeployProd"]);
    let dev = &pipeline["Stages"][2]["Actions"][1];
    assert_eq!(dev["ActionTypeId"]["Provider"], "CloudFormation");
    assert_eq!(dev["Configuration"]["TemplatePath"], "Build::cloudwright.out/DevService.template.json");
    let deploy_role = dev["RoleArn"]["Fn::Sub"].as_str().unwrap();
    assert!(
        deploy_role.starts_with("arn:${AWS::Partition}:iam::200000000000:role/mgmt-delivery-deployrole-"),
        "{deploy_role}"
    );
    assert_eq!(pipeline["ArtifactStore"]["EncryptionKey"]["Type"], "KMS");

    // The key and bucket admit the target accounts, by root and by deploy role.
    let key_policy = of_type(&mgmt, "AWS::KMS::Key")[0]["Properties"]["KeyPolicy"].to_string();
    assert!(key_policy.contains("iam::200000000002:root") && key_policy.contains("kms:Decrypt"), "{key_policy}");
    let bucket_policy = of_type(&mgmt, "AWS::S3::BucketPolicy")[0]["Properties"]["PolicyDocument"].to_string();
    assert!(bucket_policy.contains(deploy_role) && bucket_policy.contains("aws:SecureTransport"), "{bucket_policy}");

    // The target account's stack has the role, with the name the pipeline uses.
    let baseline = assembly.template("DevBaseline").unwrap();
    let names: Vec<String> = of_type(&baseline, "AWS::IAM::Role")
        .iter()
        .map(|r| r["Properties"]["RoleName"].as_str().unwrap().to_owned())
        .collect();
    assert!(deploy_role.ends_with(&names[1]), "{names:?}");
    let trust = of_type(&baseline, "AWS::IAM::Role")[1]["Properties"]["AssumeRolePolicyDocument"].to_string();
    assert!(trust.contains("iam::111111111111:role/mgmt-delivery-pipelinerole-"), "{trust}");

    // The build publishes each service's assets with the account's CDK publishing role.
    let project = &of_type(&mgmt, "AWS::CodeBuild::Project")[0]["Properties"];
    let spec = project["Source"]["BuildSpec"].as_str().unwrap();
    assert!(spec.contains("cdk-assets@3.3.1 publish --path cloudwright.out/ProdService.assets.json"), "{spec}");
}

#[test]
fn proton_mode_updates_service_instances_instead() {
    let assembly = build(DeployMode::Proton);
    let mgmt = assembly.template("Mgmt").unwrap();
    let pipeline = &of_type(&mgmt, "AWS::CodePipeline::Pipeline")[0]["Properties"];
    let prod = &pipeline["Stages"][4]["Actions"][0];
    assert_eq!(prod["ActionTypeId"]["Provider"], "CodeBuild");
    let projects = of_type(&mgmt, "AWS::CodeBuild::Project");
    let env: Vec<Value> = projects[2]["Properties"]["Environment"]["EnvironmentVariables"].as_array().unwrap().clone();
    assert_eq!(
        env,
        [
            json!({"Name": "SERVICE", "Value": "hello", "Type": "PLAINTEXT"}),
            json!({"Name": "INSTANCE", "Value": "hello-prod", "Type": "PLAINTEXT"})
        ]
    );
    assert!(
        projects[2]["Properties"]["Source"]["BuildSpec"]
            .as_str()
            .unwrap()
            .contains("aws proton update-service-instance")
    );
    // No CloudFormation deploy action remains.
    assert!(!pipeline.to_string().contains("\"Provider\":\"CloudFormation\""));
}
