//! Proton templates: each bad input is a clear error naming the construct, and nothing
//! is written.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)] // tests fail loudly on purpose

use cloudwright_constructs::proton::{
    Compatible, EnvironmentProps, EnvironmentTemplate, EnvironmentTemplateProps, SchemaLock, ServiceTemplate,
    ServiceTemplateProps,
};
use cloudwright_constructs::{App, CfnResource, Environment, Result};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::json;

mod support;

#[derive(Serialize, JsonSchema)]
struct EnvInput {
    /// The VPC's CIDR block.
    vpc_cidr: String,
    /// An optional note.
    note: Option<String>,
}

#[derive(Serialize, JsonSchema)]
struct SvcInput {
    /// Memory in MB.
    memory: u32,
}

fn env_props(name: &str) -> EnvironmentTemplateProps {
    EnvironmentTemplateProps { name: name.into(), major: 1, ..Default::default() }
}

fn env_template(app: &App, input: &'static str) -> Result<EnvironmentTemplate<EnvInput>> {
    EnvironmentTemplate::<EnvInput>::new(app, "Env", env_props("env"), move |ctx| {
        let vpc =
            CfnResource::from_props(ctx.stack(), "Vpc", "AWS::EC2::VPC", &json!({"CidrBlock": ctx.input(input)}))?;
        ctx.output("VpcId", vpc.reference(), "")?;
        Ok(())
    })
}

#[test]
fn an_unknown_input_names_the_field_and_the_construct() {
    let app = App::new();
    env_template(&app, "vpc_cdir").unwrap();
    let text = support::problems(&app).join("\n");
    assert!(text.contains("Env: `environment.inputs.vpc_cdir`: `vpc_cdir` is not an input of EnvInput"), "{text}");
    assert!(text.contains("vpc_cidr, note"), "{text}");
}

#[test]
fn an_optional_input_without_default_cannot_be_used() {
    let app = App::new();
    env_template(&app, "note").unwrap();
    assert!(support::problems(&app).join("\n").contains("is optional and has no default"));
}

#[test]
fn an_undeclared_environment_output_is_an_error() {
    let app = App::new();
    let env = env_template(&app, "vpc_cidr").unwrap();
    ServiceTemplate::<SvcInput>::new(
        &app,
        "Svc",
        ServiceTemplateProps {
            name: "svc".into(),
            major: 1,
            compatible_environments: vec![env.compatible()],
            ..Default::default()
        },
        |ctx| {
            CfnResource::from_props(
                ctx.stack(),
                "Q",
                "AWS::SQS::Queue",
                &json!({"QueueName": ctx.environment_output("ClusterName")}),
            )?;
            Ok(())
        },
    )
    .unwrap();
    let text = support::problems(&app).join("\n");
    assert!(text.contains("Svc: `environment.outputs.ClusterName`: the compatible environment template \"env\" (v1) declares no output"), "{text}");
    assert!(text.contains("its outputs: VpcId"), "{text}");
}

#[test]
fn a_service_template_needs_a_compatible_environment() {
    let app = App::new();
    ServiceTemplate::<SvcInput>::new(
        &app,
        "Svc",
        ServiceTemplateProps { name: "svc".into(), major: 1, ..Default::default() },
        |ctx| {
            CfnResource::from_props(
                ctx.stack(),
                "Q",
                "AWS::SQS::Queue",
                &json!({"DelaySeconds": ctx.input("memory")}),
            )?;
            Ok(())
        },
    )
    .unwrap();
    assert!(
        support::problems(&app)
            .join("\n")
            .contains("Svc: service template \"svc\" has no compatible environment template")
    );
}

#[test]
fn an_instance_in_an_incompatible_environment_is_an_error() {
    let app = App::new();
    let env = env_template(&app, "vpc_cidr").unwrap();
    let svc = ServiceTemplate::<SvcInput>::new(
        &app,
        "Svc",
        ServiceTemplateProps {
            name: "svc".into(),
            major: 1,
            compatible_environments: vec![Compatible::external("other-env", 2, &["VpcId"])],
            ..Default::default()
        },
        |ctx| {
            CfnResource::from_props(
                ctx.stack(),
                "Q",
                "AWS::SQS::Queue",
                &json!({"DelaySeconds": ctx.input("memory")}),
            )?;
            Ok(())
        },
    )
    .unwrap();
    let dev = env
        .deploy(
            &app,
            "Dev",
            EnvironmentProps {
                name: "dev".into(),
                inputs: EnvInput { vpc_cidr: "10.0.0.0/16".into(), note: None },
                env: Environment::new("222222222222", "us-east-1"),
                stack_name: None,
            },
        )
        .unwrap();
    svc.deploy(
        &app,
        "Pipeline",
        cloudwright_constructs::proton::ServiceProps {
            name: "api".into(),
            repository_id: String::new(),
            repository_connection_arn: String::new(),
            branch_name: "main".into(),
            pipeline: None,
            pipeline_env: Environment::default(),
            instances: vec![cloudwright_constructs::proton::ServiceInstanceProps {
                name: "dev-api".into(),
                environment: dev,
                inputs: SvcInput { memory: 128 },
                component_outputs: Vec::new(),
            }],
        },
    )
    .unwrap();
    let text = support::problems(&app).join("\n");
    assert!(text.contains("is not a compatible environment of \"svc\""), "{text}");
}

#[test]
fn literal_jinja_delimiters_are_escaped_and_render_literally() {
    let app = App::new();
    EnvironmentTemplate::<EnvInput>::new(&app, "Env", env_props("env"), |ctx| {
        CfnResource::from_props(
            ctx.stack(),
            "Param",
            "AWS::SSM::Parameter",
            &json!({"Type": "String", "Value": "{{ not a parameter }} and {% raw %}", "Name": ctx.input("vpc_cidr")}),
        )?;
        Ok(())
    })
    .unwrap();
    let assembly = app.assembly().unwrap();
    let yaml = String::from_utf8_lossy(assembly.file("proton/env/v1/infrastructure/cloudformation.yaml").unwrap())
        .into_owned();
    assert!(yaml.contains(r#"Value: "{{ '{{' }} not a parameter }} and {{ '{%' }} raw %}""#), "{yaml}");
    assert!(yaml.contains(r#"Name: "{{ environment.inputs.vpc_cidr }}""#), "{yaml}");
}

#[test]
fn a_breaking_schema_change_needs_a_major_bump() {
    let app = App::new();
    let lock = SchemaLock::parse(
        &app,
        "proton-schemas.lock.json",
        r#"{"env": {"major": 1, "minor": 0, "environment_input_type": {"type": "object",
            "properties": {"vpc_cidr": {"type": "integer"}, "gone": {"type": "string"}}}}}"#,
    )
    .unwrap();
    EnvironmentTemplate::<EnvInput>::new(
        &app,
        "Env",
        EnvironmentTemplateProps { lock: Some(lock), ..env_props("env") },
        |ctx| {
            CfnResource::from_props(ctx.stack(), "Vpc", "AWS::EC2::VPC", &json!({"CidrBlock": ctx.input("vpc_cidr")}))?;
            Ok(())
        },
    )
    .unwrap();
    let text = support::problems(&app).join("\n");
    assert!(text.contains("input `vpc_cidr` changed type from \"integer\" to \"string\""), "{text}");
    assert!(text.contains("input `gone` was removed"), "{text}");
    assert!(text.contains("publish it as major version 2"), "{text}");
}

#[test]
fn an_environment_without_its_account_connection_is_an_error_in_proton_mode() {
    use cloudwright_constructs::iam::PolicyStatement;
    use cloudwright_constructs::proton::{DeployMode, EnvironmentAccountConnection, EnvironmentAccountConnectionProps};
    use cloudwright_constructs::{Stack, StackProps};
    let build = |with_connection: bool, mode: DeployMode| {
        let app = App::with_props(mode.app_props());
        let env = env_template(&app, "vpc_cidr").unwrap();
        let account = Environment::new("222222222222", "us-east-1");
        if with_connection {
            let baseline =
                Stack::new(&app, "Baseline", StackProps { env: account.clone(), ..Default::default() }).unwrap();
            EnvironmentAccountConnection::new(
                &baseline,
                "Connection",
                EnvironmentAccountConnectionProps {
                    management_account_id: "111111111111".into(),
                    environment_name: "dev".into(),
                    statements: vec![PolicyStatement::allow(&["ec2:*"], ["*"])],
                    ..Default::default()
                },
            )
            .unwrap();
        }
        let inputs = EnvInput { vpc_cidr: "10.0.0.0/16".into(), note: None };
        env.deploy(
            &app,
            "DevEnvironment",
            EnvironmentProps { name: "dev".into(), inputs, env: account, stack_name: None },
        )
        .unwrap();
        app
    };
    let text = support::problems(&build(false, DeployMode::Proton)).join("\n");
    assert!(
        text.contains("Env: environment \"dev\" (DevEnvironment) in account 222222222222 has no environment account connection there; add an EnvironmentAccountConnection for \"dev\" to a stack of account 222222222222"),
        "{text}"
    );
    assert!(build(true, DeployMode::Proton).assembly().is_ok());
    // In plain mode the environment deploys as a stack of its account: no connection needed.
    assert!(build(false, DeployMode::Plain).assembly().is_ok());
}
