//! Proton parameters in a stack: Jinja placeholders with every literal string escaped (a
//! template bundle's infrastructure), or the values Proton would have rendered.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::sync::Arc;

use cloudwright_constructs::proton::ProtonParameters;
use cloudwright_constructs::{
    App, AppProps, CfnMapping, CfnOutput, CfnResource, CfnRule, Cond, Environment, Expr, OutputProps, RuleProps, Stack,
    StackProps, StackValues,
};
use indexmap::IndexMap;
use serde_json::{Map, json};

fn env() -> StackProps {
    StackProps { env: Environment::new("111111111111", "us-east-1"), ..Default::default() }
}

fn no_bootstrap() -> App {
    App::with_props(AppProps { bootstrap_version_rule: false, ..Default::default() })
}

#[test]
fn proton_parameters_render_as_jinja_or_take_values() {
    let build = |mode: ProtonParameters| {
        let app = no_bootstrap();
        let stack = Stack::new(&app, "Env", StackProps { values: Some(Arc::new(mode)), ..env() }).unwrap();
        let vpc = CfnResource::new(&stack, "Vpc", "AWS::EC2::VPC", Map::new()).unwrap();
        vpc.set_property("CidrBlock", Expr::stack_value("environment.inputs.vpc_cidr"));
        vpc.set_property(
            "Tags",
            json!([
                {"Key": "name", "Value": Expr::concat([Expr::str("env-"), Expr::stack_value("environment.name")])},
                {"Key": "secret", "Value": Expr::ssm_parameter("/team/secret")},
                {"Key": "braces", "Value": "a {not jinja} {% raw %}"}
            ]),
        );
        app.assembly().map(|a| a.template("Env").unwrap()["Resources"]["Vpc"]["Properties"].clone())
    };
    let jinja = build(ProtonParameters::Jinja).unwrap();
    assert_eq!(jinja["CidrBlock"], "{{ environment.inputs.vpc_cidr }}");
    assert_eq!(jinja["Tags"][0]["Value"], json!({"Fn::Join": ["", ["env-", "{{ environment.name }}"]]}));
    // Literal braces are escaped so that Jinja prints them unchanged.
    assert_eq!(jinja["Tags"][1]["Value"], "{{ '{{' }}resolve:ssm:/team/secret}}");
    assert_eq!(jinja["Tags"][2]["Value"], "a {not jinja} {{ '{%' }} raw %}");

    let values = IndexMap::from([
        ("environment.inputs.vpc_cidr".to_owned(), json!("10.0.0.0/16")),
        ("environment.name".to_owned(), json!("dev")),
    ]);
    let plain = build(ProtonParameters::Values(values.clone())).unwrap();
    assert_eq!(plain["CidrBlock"], "10.0.0.0/16");
    assert_eq!(plain["Tags"][0]["Value"], json!({"Fn::Join": ["", ["env-", "dev"]]}));
    assert_eq!(plain["Tags"][1]["Value"], "{{resolve:ssm:/team/secret}}");

    let mut missing = values;
    missing.shift_remove("environment.name");
    let err = build(ProtonParameters::Values(missing)).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("Env/Vpc: uses the Proton parameter `environment.name`, which has no value for this stack"),
        "{err}"
    );
}

#[test]
fn every_literal_string_is_escaped_in_a_jinja_template() {
    let build = |mode: Option<ProtonParameters>| {
        let app = no_bootstrap();
        let props = StackProps {
            values: mode.map(|m| Arc::new(m) as Arc<dyn StackValues>),
            description: Some("stack {{ x }}".into()),
            ..env()
        };
        let stack = Stack::new(&app, "Env", props).unwrap();
        let vpc = CfnResource::new(&stack, "Vpc", "AWS::EC2::VPC", Map::new()).unwrap();
        vpc.add_cfn_metadata("Note", "metadata {{ v }}");
        // Metadata resolves references as properties do.
        vpc.add_cfn_metadata("Itself", vpc.reference());
        let output =
            OutputProps { value: Expr::str("v"), description: Some("output {% y %}".into()), ..Default::default() };
        CfnOutput::new(&stack, "Out", output).unwrap();
        let assertion = (Cond::equals(Expr::region(), "us-east-1"), Some("rule {# z #}".to_owned()));
        CfnRule::new(&stack, "Region", RuleProps { rule_condition: None, assertions: vec![assertion] }).unwrap();
        let row = IndexMap::from([("Name".to_owned(), json!("map {{ w }}"))]);
        CfnMapping::new(&stack, "Names", IndexMap::from([("Row".to_owned(), row)])).unwrap();
        app.assembly().unwrap().template("Env").unwrap()
    };
    let t = build(Some(ProtonParameters::Jinja));
    assert_eq!(t["Description"], "stack {{ '{{' }} x }}");
    assert_eq!(t["Outputs"]["Out"]["Description"], "output {{ '{%' }} y %}");
    assert_eq!(t["Rules"]["Region"]["Assertions"][0]["AssertDescription"], "rule {{ '{#' }} z #}");
    assert_eq!(t["Mappings"]["Names"]["Row"]["Name"], "map {{ '{{' }} w }}");
    assert_eq!(
        t["Resources"]["Vpc"]["Metadata"],
        json!({"Note": "metadata {{ '{{' }} v }}", "Itself": {"Ref": "Vpc"}})
    );
    // Outside Proton the same strings are written as they are.
    let t = build(None);
    assert_eq!(t["Description"], "stack {{ x }}");
    assert_eq!(t["Outputs"]["Out"]["Description"], "output {% y %}");
    assert_eq!(t["Mappings"]["Names"]["Row"]["Name"], "map {{ w }}");
    assert_eq!(t["Resources"]["Vpc"]["Metadata"], json!({"Note": "metadata {{ v }}", "Itself": {"Ref": "Vpc"}}));
}
