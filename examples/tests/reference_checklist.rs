//! The seed design's checklist, walked on the reference example's synthesized output:
//! every component exists, in the right account and region. (cfn-lint, the cloud-assembly
//! schema, `cdk ls` and parliament run on the same output in CI.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use cloudwright_constructs::proton::DeployMode;
use cloudwright_examples::multi_account::{Layout, app, app_with};
use serde_json::Value;

fn resources<'a>(t: &'a Value, kind: &str) -> Vec<(&'a String, &'a Value)> {
    t["Resources"].as_object().unwrap().iter().filter(|(_, r)| r["Type"] == kind).collect()
}

#[test]
fn every_component_of_the_seed_design_is_there() {
    let assembly = app().and_then(|a| a.assembly()).unwrap();
    let env_of = |stack: &str| assembly.stacks().iter().find(|s| s.display_name == stack).unwrap().environment.clone();

    // Management account: organization with three OUs, one account each.
    assert_eq!(env_of("Management"), "aws://111111111111/us-east-1");
    let mgmt = assembly.template("Management").unwrap();
    let ous: Vec<&str> = resources(&mgmt, "AWS::Organizations::OrganizationalUnit")
        .iter()
        .map(|(_, r)| r["Properties"]["Name"].as_str().unwrap())
        .collect();
    assert_eq!(ous, ["Development", "Test", "Production"]);

    // SCPs: Proton template authoring blocked in Development only (not the environment
    // account connection); regions and leaving restricted.
    let scps = resources(&mgmt, "AWS::Organizations::Policy");
    let blocker = scps.iter().find(|(_, r)| r["Properties"]["Name"] == "AWS-Proton-Blocker").unwrap().1;
    let denied = blocker["Properties"]["Content"]["Statement"][0]["Action"].to_string();
    assert!(denied.contains("proton:CreateEnvironmentTemplate*") && !denied.contains("proton:*\""), "{denied}");
    assert_eq!(blocker["Properties"]["Content"]["Statement"][0]["Effect"], "Deny");
    assert_eq!(
        blocker["Properties"]["TargetIds"],
        serde_json::json!([{"Fn::GetAtt": ["OrganizationDevelopmentBCF75152", "Id"]}])
    );
    let names: Vec<&str> = scps.iter().map(|(_, r)| r["Properties"]["Name"].as_str().unwrap()).collect();
    assert!(names.contains(&"RegionRestriction") && names.contains(&"StayInOrganization"), "{names:?}");

    // Control Tower: each of the three OUs registered, then its controls enabled; the
    // landing zone is Control Tower's own, not redeclared.
    let controls = resources(&mgmt, "AWS::ControlTower::EnabledControl");
    let registrations = resources(&mgmt, "AWS::ControlTower::EnabledBaseline");
    for ou in ["OrganizationDevelopmentBCF75152", "OrganizationTest355245C0", "OrganizationProduction193C01C1"] {
        let targets = |r: &Value| r["Properties"]["TargetIdentifier"]["Fn::GetAtt"][0] == ou;
        let (registration, _) = registrations.iter().find(|(_, r)| targets(r)).unwrap();
        let on_ou: Vec<_> = controls.iter().filter(|(_, c)| targets(c)).collect();
        assert!(!on_ou.is_empty(), "{ou}");
        for (id, control) in on_ou {
            assert!(control["DependsOn"].as_array().unwrap().contains(&Value::from(registration.as_str())), "{id}");
        }
    }
    assert!(resources(&mgmt, "AWS::ControlTower::LandingZone").is_empty());

    // Policy control: the bus in management, forwarding rules in every workload account.
    let (bus_id, bus) = resources(&mgmt, "AWS::Events::EventBus")[0];
    assert_eq!(bus["Properties"]["Name"], "cloudwright-policy-control");
    // Each workload account may put events on the bus, and nobody else.
    let bus_policies = resources(&mgmt, "AWS::Events::EventBusPolicy");
    assert_eq!(bus_policies.len(), 3);
    for (_, policy) in &bus_policies {
        let statement = &policy["Properties"]["Statement"];
        assert_eq!(statement["Action"], "events:PutEvents");
        assert_eq!(statement["Resource"], serde_json::json!({"Fn::GetAtt": [bus_id, "Arn"]}));
        assert!(statement["Principal"]["AWS"].to_string().contains(":root"), "{statement}");
    }
    // The findings log group lets EventBridge write (its resource policy names its ARN).
    let (findings_id, _) = resources(&mgmt, "AWS::Logs::LogGroup")
        .into_iter()
        .find(|(id, _)| id.starts_with("PolicyControlFindings"))
        .unwrap();
    let log_policy = resources(&mgmt, "AWS::Logs::ResourcePolicy")[0].1["Properties"]["PolicyDocument"].to_string();
    assert!(log_policy.contains("events.amazonaws.com") && log_policy.contains(findings_id.as_str()), "{log_policy}");

    // Release approvals: a topic with SNS's managed key, which the pipeline's role may publish to.
    let (topic_id, topic) = resources(&mgmt, "AWS::SNS::Topic")
        .into_iter()
        .find(|(_, t)| t["Properties"]["DisplayName"] == "Release approvals")
        .unwrap();
    assert_eq!(topic["Properties"]["KmsMasterKeyId"], "alias/aws/sns");
    let publishes = resources(&mgmt, "AWS::IAM::Policy").iter().any(|(_, p)| {
        p["Properties"]["PolicyDocument"]["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["Action"] == "sns:Publish" && s["Resource"] == serde_json::json!({"Ref": topic_id}))
    });
    assert!(publishes, "the pipeline role publishes the approval requests");

    // The pipeline: source, build, dev, test, approval, prod.
    let pipeline = resources(&mgmt, "AWS::CodePipeline::Pipeline")[0].1;
    let stages: Vec<&str> =
        pipeline["Properties"]["Stages"].as_array().unwrap().iter().map(|s| s["Name"].as_str().unwrap()).collect();
    assert_eq!(stages, ["Source", "Build", "DeployDev", "DeployTest", "ApproveProd", "DeployProd"]);
    assert_eq!(
        pipeline["Properties"]["Stages"][0]["Actions"][0]["ActionTypeId"]["Provider"],
        "CodeStarSourceConnection"
    );

    // The Proton templates, as bundles and specs beside the assembly.
    for file in [
        "proton/multi-svc-env/v1/schema/schema.yaml",
        "proton/multi-svc-env/v1/infrastructure/manifest.yaml",
        "proton/multi-svc-env/v1/infrastructure/cloudformation.yaml",
        "proton/hello-lambda-svc/v1/instance_infrastructure/cloudformation.yaml",
        "proton/specs/environment-dev.yaml",
        "proton/specs/service-hello.yaml",
    ] {
        assert!(assembly.file(file).is_some(), "{file}");
    }
    // Proton has ended: in plain mode nothing in the templates needs the Proton service.
    assert!(resources(&mgmt, "AWS::Proton::EnvironmentTemplate").is_empty());

    // Each workload account: baseline, environment and the Lambda service instance.
    for (name, account) in [("Dev", "200000000000"), ("Test", "200000000001"), ("Prod", "200000000002")] {
        let lower = name.to_lowercase();
        let service_stack = format!("hello-{lower}");
        for stack in [format!("{name}Baseline"), format!("{name}Environment"), service_stack.clone()] {
            assert_eq!(env_of(&stack), format!("aws://{account}/us-east-1"), "{stack}");
        }
        let baseline = assembly.template(&format!("{name}Baseline")).unwrap();
        let forward = resources(&baseline, "AWS::Events::Rule")[0].1;
        // The management bus's ARN, read from the management stack through its reader role.
        let target = &forward["Properties"]["Targets"][0]["Arn"]["Fn::GetStackOutput"];
        assert_eq!(target["StackName"], "Management", "{target}");
        let output = target["OutputName"].as_str().unwrap();
        assert_eq!(mgmt["Outputs"][output]["Value"]["Fn::GetAtt"][0], "PolicyControlBus");
        let reader = target["RoleArn"]["Fn::Sub"].as_str().unwrap();
        assert!(reader.starts_with("arn:${AWS::Partition}:iam::111111111111:role/cw-output-reader-"), "{reader}");
        // Alarm forwarder, pipeline execution, deploy and smoke-test roles, policy-control
        // scanner role; in plain mode no Proton connection role (the pipeline deploys with
        // its own roles), and every role carries the pipeline's permissions boundary.
        let roles = resources(&baseline, "AWS::IAM::Role");
        assert_eq!(roles.len(), 5);
        assert!(!roles.iter().any(|(id, _)| id.starts_with("ProtonConnectionRole")));
        for (id, role) in &roles {
            assert!(role["Properties"]["PermissionsBoundary"].is_object(), "{id} has no permissions boundary");
        }

        let environment = assembly.template(&format!("{name}Environment")).unwrap();
        assert_eq!(resources(&environment, "AWS::EC2::VPC").len(), 1);
        assert_eq!(resources(&environment, "AWS::ECS::Cluster").len(), 1);
        assert_eq!(resources(&environment, "AWS::ServiceDiscovery::PrivateDnsNamespace").len(), 1);
        // The services' network: private subnets whose default route is a NAT gateway (one per
        // zone), and the one security group the services share.
        assert_eq!(resources(&environment, "AWS::EC2::NatGateway").len(), 2);
        let private: Vec<&String> = resources(&environment, "AWS::EC2::Subnet")
            .into_iter()
            .filter(|(_, s)| s["Properties"]["MapPublicIpOnLaunch"] == false)
            .map(|(id, _)| id)
            .collect();
        assert_eq!(private.len(), 2);
        let to_nat = resources(&environment, "AWS::EC2::Route")
            .iter()
            .filter(|(_, r)| r["Properties"]["NatGatewayId"].is_object())
            .count();
        assert_eq!(to_nat, 2);
        let groups = resources(&environment, "AWS::EC2::SecurityGroup");
        assert_eq!(groups.len(), 1);
        let output = |key: &str| &environment["Outputs"][key];
        assert_eq!(output("SecurityGroupId")["Value"]["Fn::GetAtt"][0], groups[0].0.as_str());
        for (key, subnet) in ["PrivateSubnetOne", "PrivateSubnetTwo"].iter().zip(&private) {
            assert_eq!(output(key)["Value"]["Ref"], subnet.as_str());
        }

        // The service instance is the LambdaService and nothing else: no hand-built role,
        // function or alarm beside it.
        let service = assembly.template(&service_stack).unwrap();
        for id in service["Resources"].as_object().unwrap().keys() {
            assert!(id.starts_with("HelloFunction"), "{service_stack}: {id} is not part of the LambdaService");
        }
        let function = resources(&service, "AWS::Lambda::Function")[0].1;
        // It runs with the environment's security group, in its private subnets: the values of
        // the environment's outputs, read as references (an export of the same value).
        let import = |key: &str| {
            let exports = environment["Outputs"].as_object().unwrap();
            let (_, export) = exports
                .iter()
                .find(|(id, o)| id.starts_with("ExportsOutput") && o["Value"] == output(key)["Value"])
                .unwrap_or_else(|| panic!("no export of the value of {key}"));
            serde_json::json!({"Fn::ImportValue": export["Export"]["Name"]})
        };
        assert_eq!(
            function["Properties"]["VpcConfig"]["SecurityGroupIds"],
            serde_json::json!([import("SecurityGroupId")])
        );
        assert_eq!(
            function["Properties"]["VpcConfig"]["SubnetIds"],
            serde_json::json!([import("PrivateSubnetOne"), import("PrivateSubnetTwo")])
        );
        assert_eq!(function["Properties"]["TracingConfig"]["Mode"], "Active");
        assert_eq!(function["Properties"]["MemorySize"], if name == "Prod" { 512 } else { 256 });
        assert_eq!(resources(&service, "AWS::Logs::LogGroup")[0].1["Properties"]["RetentionInDays"], 30);
        assert_eq!(resources(&service, "AWS::CloudWatch::Alarm").len(), 3);
    }
    // Dev deploys its baseline, environment and service instance, in that order, then tests.
    let dev: Vec<String> = pipeline["Properties"]["Stages"][2]["Actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| format!("{} {}", a["RunOrder"], a["Configuration"]["TemplatePath"].as_str().unwrap_or("test")))
        .collect();
    assert_eq!(
        dev,
        [
            "1 Build::cloudwright.out/DevBaseline.template.json",
            "2 Build::cloudwright.out/DevEnvironment.template.json",
            "3 Build::cloudwright.out/hellodev.template.json",
            "4 test",
        ]
    );
}

#[test]
fn proton_mode_leaves_environments_and_services_to_the_bundles() {
    let assembly = app_with(&Layout::default(), DeployMode::Proton).and_then(|a| a.assembly()).unwrap();
    let stacks: Vec<&str> = assembly.stacks().iter().map(|s| s.display_name.as_str()).collect();
    assert_eq!(stacks, ["Management", "DevBaseline", "TestBaseline", "ProdBaseline"]);
    let mgmt = assembly.template("Management").unwrap();
    assert_eq!(resources(&mgmt, "AWS::Proton::EnvironmentTemplate").len(), 1);
    assert_eq!(resources(&mgmt, "AWS::Proton::ServiceTemplate").len(), 1);
    let pipeline = resources(&mgmt, "AWS::CodePipeline::Pipeline")[0].1;
    assert_eq!(pipeline["Properties"]["Stages"][5]["Actions"][0]["ActionTypeId"]["Provider"], "CodeBuild");
    assert!(assembly.file("proton/hello-lambda-svc/v1/instance_infrastructure/cloudformation.yaml").is_some());
    // Each account's connection role trusts Proton, guarded against the confused deputy.
    for name in ["Dev", "Test", "Prod"] {
        let baseline = assembly.template(&format!("{name}Baseline")).unwrap();
        let trusts_proton = resources(&baseline, "AWS::IAM::Role").iter().any(|(_, r)| {
            let trust = r["Properties"]["AssumeRolePolicyDocument"].to_string();
            trust.contains("proton.amazonaws.com")
                && trust.contains("aws:SourceAccount")
                && trust.contains("aws:SourceArn")
        });
        assert!(trusts_proton, "{name}: the environment account connection role");
        assert_eq!(resources(&baseline, "AWS::Proton::EnvironmentAccountConnection").len(), 1, "{name}");
    }
}

#[test]
fn an_eleven_digit_account_is_a_clear_error_and_nothing_is_written() {
    let mut layout = Layout::default();
    layout.workloads[1].2 = "20000000001".into();
    let dir = std::env::temp_dir().join(format!("cw-ref-{}", std::process::id()));
    let err = app_with(&layout, DeployMode::Plain).and_then(|a| a.synth(&dir).map(|_| ())).unwrap_err();
    assert!(!dir.exists(), "nothing may be written");
    assert_eq!(
        err.to_string(),
        "Management/Organization/Test/Test: account id \"20000000001\" is not 12 digits; write the account id as 12 decimal digits, e.g. \"123456789012\""
    );
}
