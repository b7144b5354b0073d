//! The Proton resources (template registrations, environment account connections) are
//! typed L1s, emitted in Proton mode only, with the properties Proton needs; and no
//! resource body in `constructs/src/proton` is hand-written JSON.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)] // tests fail loudly on purpose

use cloudwright_constructs::cfn::ec2::{CfnSecurityGroup, CfnSecurityGroupProps, CfnVpc, CfnVpcProps};
use cloudwright_constructs::cfn::proton::{
    CfnEnvironmentAccountConnection, CfnEnvironmentTemplate, CfnServiceTemplate,
};
use cloudwright_constructs::iam::{PolicyStatement, RoleProps};
use cloudwright_constructs::proton::DeployMode;
use cloudwright_constructs::proton::{
    EnvironmentAccountConnection, EnvironmentAccountConnectionProps, EnvironmentTemplate, EnvironmentTemplateProps,
    ManagementRoles, ManagementRolesProps, ServiceTemplate, ServiceTemplateProps,
};
use cloudwright_constructs::{App, Environment, Expr, Stack, StackProps};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Value, json};

mod support;

#[derive(Serialize, JsonSchema)]
struct EnvInput {
    /// The VPC's CIDR block.
    vpc_cidr: String,
}

#[derive(Serialize, JsonSchema)]
struct SvcInput {
    /// Memory in MB.
    memory: u32,
}

#[derive(Serialize, JsonSchema)]
struct PipelineInput {
    /// The test command.
    command: String,
}

const MANAGEMENT: &str = "111111111111";

/// An app with an environment template, a service template with and one without a
/// pipeline, all registered in the management stack, and a connection in account
/// 222222222222.
struct Fixture {
    app: App,
    env: Option<CfnEnvironmentTemplate>,
    with_pipeline: Option<CfnServiceTemplate>,
    without_pipeline: Option<CfnServiceTemplate>,
    connection: EnvironmentAccountConnection,
}

fn fixture(mode: DeployMode) -> Fixture {
    let app = App::with_props(mode.app_props());
    let management = Stack::new(
        &app,
        "Management",
        StackProps { env: Environment::new(MANAGEMENT, "us-east-1"), ..Default::default() },
    )
    .unwrap();
    let env = EnvironmentTemplate::<EnvInput>::new(
        &app,
        "Env",
        EnvironmentTemplateProps {
            name: "env".into(),
            display_name: Some("An environment".into()),
            description: Some("A VPC".into()),
            major: 1,
            ..Default::default()
        },
        |ctx| {
            let vpc = CfnVpc::new(
                ctx.stack(),
                "Vpc",
                CfnVpcProps { cidr_block: Some(ctx.input("vpc_cidr").into()), ..Default::default() },
            )?;
            ctx.output("VpcId", vpc.reference(), "")?;
            Ok(())
        },
    )
    .unwrap();
    let props = |name: &str| ServiceTemplateProps {
        name: name.into(),
        major: 1,
        compatible_environments: vec![env.compatible()],
        ..Default::default()
    };
    let instance = |ctx: &cloudwright_constructs::proton::InstanceContext| {
        CfnSecurityGroup::new(
            ctx.stack(),
            "Group",
            CfnSecurityGroupProps {
                vpc_id: Some(ctx.environment_output("VpcId").into()),
                ..CfnSecurityGroupProps::new("the instance")
            },
        )?;
        Ok(())
    };
    let with_pipeline =
        ServiceTemplate::<SvcInput, PipelineInput>::with_pipeline(&app, "Piped", props("piped"), instance, |ctx| {
            cloudwright_constructs::iam::Role::new(
                ctx.stack(),
                "Role",
                RoleProps {
                    assumed_by: vec![cloudwright_constructs::iam::Principal::service("codebuild.amazonaws.com")],
                    description: Some("runs".into()),
                    ..Default::default()
                },
            )?;
            Ok(())
        })
        .unwrap();
    let without_pipeline = ServiceTemplate::<SvcInput>::new(&app, "Bare", props("bare"), instance).unwrap();
    ManagementRoles::new(
        &management,
        "Roles",
        ManagementRolesProps {
            pipeline_statements: vec![PolicyStatement::allow(&["codebuild:StartBuild"], [Expr::str("*")])],
            ..Default::default()
        },
    )
    .unwrap();
    let registered_env = env.register(&management, "EnvTemplate").unwrap();
    let registered_piped = with_pipeline.register(&management, "PipedTemplate").unwrap();
    let registered_bare = without_pipeline.register(&management, "BareTemplate").unwrap();
    let account = Stack::new(
        &app,
        "Account",
        StackProps { env: Environment::new("222222222222", "us-east-1"), ..Default::default() },
    )
    .unwrap();
    // The account's own resources: in plain mode the connection adds none.
    CfnVpc::new(&account, "Network", CfnVpcProps { cidr_block: Some("10.0.0.0/16".into()), ..Default::default() })
        .unwrap();
    let connection = EnvironmentAccountConnection::new(
        &account,
        "Connection",
        EnvironmentAccountConnectionProps {
            management_account_id: MANAGEMENT.into(),
            environment_name: "dev".into(),
            statements: vec![PolicyStatement::allow(&["ec2:CreateVpc"], [Expr::str("*")])],
            ..Default::default()
        },
    )
    .unwrap();
    Fixture { app, env: registered_env, with_pipeline: registered_piped, without_pipeline: registered_bare, connection }
}

/// The resources of a type, as (logical id, properties).
fn properties_of_type(template: &Value, ty: &str) -> Vec<(String, Value)> {
    support::resources_of_type(template, ty).into_iter().map(|(id, r)| (id.clone(), r["Properties"].clone())).collect()
}

#[test]
fn proton_mode_registers_the_templates_with_typed_resources() {
    let f = fixture(DeployMode::Proton);
    assert_eq!(f.env.as_ref().unwrap().resource_type(), CfnEnvironmentTemplate::TYPE);
    assert!(f.with_pipeline.is_some() && f.without_pipeline.is_some());
    let template = f.app.assembly().unwrap().template("Management").unwrap();
    assert_eq!(
        properties_of_type(&template, "AWS::Proton::EnvironmentTemplate"),
        [("EnvTemplate".to_owned(), json!({"Description": "A VPC", "DisplayName": "An environment", "Name": "env"}))]
    );
    // A template without a pipeline says so; one with a pipeline leaves Proton to provision it.
    assert_eq!(
        properties_of_type(&template, "AWS::Proton::ServiceTemplate"),
        [
            ("PipedTemplate".to_owned(), json!({"Name": "piped"})),
            ("BareTemplate".to_owned(), json!({"Name": "bare", "PipelineProvisioning": "CUSTOMER_MANAGED"})),
        ]
    );
}

#[test]
fn proton_mode_requests_the_connection_with_the_connection_role() {
    let f = fixture(DeployMode::Proton);
    let connection: &CfnEnvironmentAccountConnection = f.connection.resource().expect("a connection in Proton mode");
    assert_eq!(connection.resource_type(), CfnEnvironmentAccountConnection::TYPE);
    let template = f.app.assembly().unwrap().template("Account").unwrap();
    let role_id = properties_of_type(&template, "AWS::IAM::Role").remove(0).0;
    let connections = properties_of_type(&template, "AWS::Proton::EnvironmentAccountConnection");
    assert_eq!(connections.len(), 1);
    assert_eq!(
        connections[0].1,
        json!({
            "EnvironmentName": "dev",
            "ManagementAccountId": MANAGEMENT,
            "RoleArn": {"Fn::GetAtt": [role_id, "Arn"]},
        })
    );
    // Proton assumes the role only for this management account's environment.
    let trust = &template["Resources"][&role_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0];
    assert_eq!(trust["Principal"], json!({"Service": "proton.amazonaws.com"}));
    assert_eq!(trust["Condition"]["StringEquals"]["aws:SourceAccount"], MANAGEMENT);
}

#[test]
fn plain_mode_emits_no_proton_resource() {
    let f = fixture(DeployMode::Plain);
    assert!(f.env.is_none() && f.with_pipeline.is_none() && f.without_pipeline.is_none());
    assert!(f.connection.resource().is_none());
    // Nor a role: the stacks deploy with their account's own roles, and a role trusted by
    // the management account with the environment's permissions would only sit there.
    assert!(f.connection.role().is_none());
    let assembly = f.app.assembly().unwrap();
    for (path, bytes) in assembly.files() {
        if path.ends_with(".template.json") {
            let text = String::from_utf8_lossy(bytes);
            assert!(!text.contains("AWS::Proton::"), "{path} holds a Proton resource in plain mode");
        }
    }
}

/// `environment.account_id` renders, in plain mode, as the environment's account, as
/// Proton rendered it (the plain-mode values once had no such parameter).
#[test]
fn the_environment_account_id_resolves_in_plain_mode() {
    let app = App::with_props(DeployMode::Plain.app_props());
    let template = EnvironmentTemplate::<EnvInput>::new(
        &app,
        "Env",
        EnvironmentTemplateProps { name: "env".into(), major: 1, ..Default::default() },
        |ctx| {
            let vpc = CfnVpc::new(
                ctx.stack(),
                "Vpc",
                CfnVpcProps { cidr_block: Some(ctx.input("vpc_cidr").into()), ..Default::default() },
            )?;
            ctx.output("VpcId", vpc.reference(), "")?;
            ctx.output("Account", ctx.account_id(), "")?;
            Ok(())
        },
    )
    .unwrap();
    template
        .deploy(
            &app,
            "DevEnvironment",
            cloudwright_constructs::proton::EnvironmentProps {
                name: "dev".into(),
                inputs: EnvInput { vpc_cidr: "10.0.0.0/16".into() },
                env: Environment::new("222222222222", "us-east-1"),
                stack_name: None,
            },
        )
        .unwrap();
    let deployed = app.assembly().unwrap().template("DevEnvironment").unwrap();
    assert_eq!(deployed["Outputs"]["Account"]["Value"], "222222222222");
}

/// In plain mode a service instance reads its environment's outputs as references to the
/// environment stack's values, as any reference between stacks: an export and
/// `Fn::ImportValue` (the default), or with weak references a plain output and
/// `Fn::GetStackOutput`; either way the environment's stack deploys first. A value made of
/// the environment's own parameters is read as their values.
#[test]
fn instances_read_environment_outputs_through_references() {
    use cloudwright_constructs::proton::{EnvironmentProps, ServiceInstanceProps, ServiceProps};
    use cloudwright_constructs::{AppProps, Strength};

    for strength in [Strength::Strong, Strength::Weak] {
        let app = App::with_props(AppProps { reference_strength: strength, ..DeployMode::Plain.app_props() });
        let env = EnvironmentTemplate::<EnvInput>::new(
            &app,
            "Env",
            EnvironmentTemplateProps { name: "env".into(), major: 1, ..Default::default() },
            |ctx| {
                let vpc = CfnVpc::new(
                    ctx.stack(),
                    "Vpc",
                    CfnVpcProps { cidr_block: Some(ctx.input("vpc_cidr").into()), ..Default::default() },
                )?;
                ctx.output("VpcId", vpc.reference(), "")?;
                ctx.output("Label", Expr::concat([ctx.name(), Expr::str(" "), ctx.input("vpc_cidr")]), "")?;
                Ok(())
            },
        )
        .unwrap();
        let service = ServiceTemplate::<SvcInput>::new(
            &app,
            "Svc",
            ServiceTemplateProps {
                name: "svc".into(),
                major: 1,
                compatible_environments: vec![env.compatible()],
                ..Default::default()
            },
            |ctx| {
                CfnSecurityGroup::new(
                    ctx.stack(),
                    "Group",
                    CfnSecurityGroupProps {
                        vpc_id: Some(ctx.environment_output("VpcId").into()),
                        ..CfnSecurityGroupProps::new(ctx.environment_output("Label"))
                    },
                )?;
                Ok(())
            },
        )
        .unwrap();
        let dev = env
            .deploy(
                &app,
                "DevEnvironment",
                EnvironmentProps {
                    name: "dev".into(),
                    inputs: EnvInput { vpc_cidr: "10.0.0.0/16".into() },
                    env: Environment::new("222222222222", "us-east-1"),
                    stack_name: None,
                },
            )
            .unwrap();
        service
            .deploy(
                &app,
                "Svc",
                ServiceProps {
                    name: "svc".into(),
                    repository_id: "org/repo".into(),
                    repository_connection_arn: String::new(),
                    branch_name: "main".into(),
                    pipeline: None,
                    pipeline_env: Environment::new(MANAGEMENT, "us-east-1"),
                    instances: vec![ServiceInstanceProps {
                        name: "api".into(),
                        environment: dev,
                        inputs: SvcInput { memory: 128 },
                        component_outputs: Vec::new(),
                    }],
                },
            )
            .unwrap();
        let assembly = app.assembly().unwrap();
        let environment = assembly.template("DevEnvironment").unwrap();
        let instance = assembly.template("svc-api").unwrap();
        let group = &instance["Resources"]["Group"]["Properties"];
        assert_eq!(group["GroupDescription"], json!({"Fn::Join": ["", ["dev", " ", "10.0.0.0/16"]]}), "{strength:?}");
        let summary = assembly.stacks().iter().find(|s| s.display_name == "svc-api").unwrap();
        assert_eq!(summary.dependencies, ["DevEnvironment"], "{strength:?}");
        // The environment's own output keeps its export, which instances imported before.
        assert_eq!(environment["Outputs"]["VpcId"]["Export"]["Name"], "dev:VpcId");
        let outputs = environment["Outputs"].as_object().unwrap();
        match strength {
            Strength::Strong => {
                let name = group["VpcId"]["Fn::ImportValue"].as_str().unwrap();
                assert!(name.starts_with("dev:ExportsOutputRefVpc"), "{name}");
                let export = outputs.values().find(|o| o["Export"]["Name"] == name).unwrap();
                assert_eq!(export["Value"], json!({"Ref": "Vpc"}));
            }
            Strength::Weak => {
                let read = &group["VpcId"]["Fn::GetStackOutput"];
                assert_eq!(read["StackName"], "dev");
                assert_eq!(read["Region"], "us-east-1");
                let output = outputs.get(read["OutputName"].as_str().unwrap()).unwrap();
                assert_eq!(output["Value"], json!({"Ref": "Vpc"}));
                assert!(output.get("Export").is_none());
            }
        }
    }
}
