//! A reference resolves the same way wherever it is placed, and a value that is not a
//! reference cloudwright wrote is an error naming the construct, never `null`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use cloudwright_core::{
    App, AppProps, CfnCondition, CfnMapping, CfnOutput, CfnParameter, CfnResource, CfnRule, Cond, Environment, Error,
    Expr, OutputProps, ParameterProps, RuleProps, Stack, StackProps, StackValues,
};
use indexmap::IndexMap;
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use std::sync::Arc;

fn env() -> StackProps {
    StackProps { env: Environment::new("111111111111", "us-east-1"), ..Default::default() }
}

/// What an expression may point at: elements of the consumer's stack and of another.
struct Targets {
    resource: CfnResource,
    parameter: CfnParameter,
    condition: CfnCondition,
    mapping: CfnMapping,
    remote: CfnResource,
}

/// Expressions over `Targets`, described by data so proptest can shrink them.
#[derive(Debug, Clone)]
enum Shape {
    Literal(Value),
    Pseudo,
    Ref,
    RefParameter,
    GetAtt(String),
    LogicalId,
    Remote,
    RemoteAtt,
    StackValue,
    Sub(String, Vec<(String, Shape)>),
    Join(String, Vec<Shape>),
    Select(u32, Box<Shape>),
    If(Box<Shape>, Box<Shape>),
    FindInMap(Box<Shape>, Box<Shape>),
    Base64(Box<Shape>),
    List(Vec<Shape>),
    Object(Vec<(String, Shape)>),
    Equals(Box<Shape>, Box<Shape>),
    ToJsonString(Box<Shape>),
}

impl Shape {
    fn expr(&self, t: &Targets) -> Expr {
        let boxed = |s: &Shape| s.expr(t);
        match self {
            Shape::Literal(v) => Expr::Literal(v.clone()),
            Shape::Pseudo => Expr::region(),
            Shape::Ref => t.resource.reference(),
            Shape::RefParameter => t.parameter.value(),
            Shape::GetAtt(attr) => t.resource.get_att(attr),
            Shape::LogicalId => Expr::LogicalId(t.resource.element()),
            Shape::Remote => t.remote.reference(),
            Shape::RemoteAtt => t.remote.get_att("Arn"),
            Shape::StackValue => Expr::stack_value("inputs.size"),
            Shape::Sub(template, vars) => {
                Expr::sub_with(template.clone(), vars.iter().map(|(k, v)| (k.clone(), v.expr(t))))
            }
            Shape::Join(sep, parts) => Expr::join(sep.clone(), parts.iter().map(boxed)),
            Shape::Select(i, from) => Expr::select(*i, from.expr(t)),
            Shape::If(a, b) => t.condition.if_then(a.expr(t), b.expr(t)),
            Shape::FindInMap(a, b) => t.mapping.find_in_map(a.expr(t), b.expr(t)),
            Shape::Base64(v) => Expr::base64(v.expr(t)),
            Shape::List(items) => Expr::List(items.iter().map(boxed).collect()),
            Shape::Object(fields) => Expr::Object(fields.iter().map(|(k, v)| (k.clone(), v.expr(t))).collect()),
            Shape::Equals(a, b) => Cond::equals(a.expr(t), b.expr(t)).into(),
            Shape::ToJsonString(v) => Expr::to_json_string(v.expr(t)),
        }
    }
}

fn shape() -> impl Strategy<Value = Shape> {
    let key = "[A-Za-z][A-Za-z0-9]{0,8}";
    let leaf = prop_oneof![
        "[a-z{}% #:-]{0,30}".prop_map(|s| Shape::Literal(json!(s))),
        any::<i32>().prop_map(|n| Shape::Literal(json!(n))),
        Just(Shape::Literal(json!({"Nested": [true, null, 1.5]}))),
        Just(Shape::Pseudo),
        Just(Shape::Ref),
        Just(Shape::RefParameter),
        prop_oneof![Just("Arn"), Just("QueueUrl"), Just("Endpoint.Address")].prop_map(|a| Shape::GetAtt(a.into())),
        Just(Shape::LogicalId),
        Just(Shape::Remote),
        Just(Shape::RemoteAtt),
        Just(Shape::StackValue),
    ];
    leaf.prop_recursive(4, 24, 4, move |inner| {
        let boxed = inner.clone().prop_map(Box::new);
        prop_oneof![
            ("[a-z${}]{0,12}", prop::collection::vec((key, inner.clone()), 0..3))
                .prop_map(|(t, vars)| Shape::Sub(t, vars)),
            ("[,:/]?", prop::collection::vec(inner.clone(), 0..4)).prop_map(|(sep, parts)| Shape::Join(sep, parts)),
            (0u32..3, boxed.clone()).prop_map(|(i, v)| Shape::Select(i, v)),
            (boxed.clone(), boxed.clone()).prop_map(|(a, b)| Shape::If(a, b)),
            (boxed.clone(), boxed.clone()).prop_map(|(a, b)| Shape::FindInMap(a, b)),
            boxed.clone().prop_map(Shape::Base64),
            prop::collection::vec(inner.clone(), 0..4).prop_map(Shape::List),
            prop::collection::vec((key, inner.clone()), 0..4).prop_map(Shape::Object),
            (boxed.clone(), boxed.clone()).prop_map(|(a, b)| Shape::Equals(a, b)),
            boxed.prop_map(Shape::ToJsonString),
        ]
    })
}

/// The one stack value of the consumer stack.
#[derive(Debug)]
struct Sizes;

impl StackValues for Sizes {
    fn value(&self, name: &str) -> Result<Value, String> {
        (name == "inputs.size").then(|| json!({"Small": [1, "x"]})).ok_or_else(|| format!("has no value {name}"))
    }
}

/// Places `expr` in a property, a metadata entry, an output, a condition and a rule of
/// one stack, and returns each place's resolved JSON (and `tree.json`'s copy of the
/// property).
fn resolved_everywhere(shape: &Shape) -> Vec<(&'static str, Value)> {
    let app = App::with_props(AppProps { bootstrap_version_rule: false, ..Default::default() });
    let remote_stack = Stack::new(&app, "Remote", env()).unwrap();
    let remote = CfnResource::new(&remote_stack, "Table", "AWS::DynamoDB::Table", Map::new()).unwrap();
    // Stack values take a value here.
    let consumer = StackProps { values: Some(Arc::new(Sizes)), ..env() };
    let stack = Stack::new(&app, "Consumer", consumer).unwrap();
    let targets = Targets {
        resource: CfnResource::new(&stack, "Queue", "AWS::SQS::Queue", Map::new()).unwrap(),
        parameter: CfnParameter::new(&stack, "Size", ParameterProps::default()).unwrap(),
        condition: CfnCondition::new(&stack, "IsProd", Cond::equals(Expr::region(), "us-east-1")).unwrap(),
        mapping: CfnMapping::new(&stack, "Sizes", IndexMap::new()).unwrap(),
        remote,
    };
    let expr = shape.expr(&targets);
    let user = CfnResource::new(&stack, "User", "AWS::SNS::Topic", Map::new()).unwrap();
    user.set_property("Value", expr.clone());
    user.add_cfn_metadata("Value", expr.clone());
    CfnOutput::new(&stack, "Out", OutputProps { value: expr.clone(), ..Default::default() }).unwrap();
    CfnCondition::new(&stack, "Check", Cond::equals(expr.clone(), "x")).unwrap();
    CfnRule::new(&stack, "Rule", RuleProps { assertions: vec![(Cond::equals(expr, "x"), None)], ..Default::default() })
        .unwrap();

    let assembly = app.assembly().unwrap_or_else(|e| panic!("{shape:?}: {e}"));
    let template = assembly.template("Consumer").unwrap();
    let tree: Value = serde_json::from_slice(assembly.file("tree.json").unwrap()).unwrap();
    let first_of_equals = |v: &Value| v["Fn::Equals"][0].clone();
    vec![
        ("property", template["Resources"]["User"]["Properties"]["Value"].clone()),
        ("metadata", template["Resources"]["User"]["Metadata"]["Value"].clone()),
        ("output", template["Outputs"]["Out"]["Value"].clone()),
        ("condition", first_of_equals(&template["Conditions"]["Check"])),
        ("rule", first_of_equals(&template["Rules"]["Rule"]["Assertions"][0]["Assert"])),
        (
            "tree.json",
            tree["tree"]["children"]["Consumer"]["children"]["User"]["attributes"]["aws:cdk:cloudformation:props"]
                ["Value"]
                .clone(),
        ),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn an_expression_resolves_the_same_wherever_it_is_placed(shape in shape()) {
        let places = resolved_everywhere(&shape);
        let (_, property) = &places[0];
        let text = property.to_string();
        prop_assert!(!text.contains("cw::"), "a marker reached the template: {text}");
        for (place, value) in &places[1..] {
            prop_assert_eq!(value, property, "{} differs from the property", place);
        }
    }
}

#[test]
fn references_resolve_to_intrinsics_and_exports() {
    let places = resolved_everywhere(&Shape::Join(
        ",".into(),
        vec![
            Shape::Ref,
            Shape::GetAtt("Arn".into()),
            Shape::LogicalId,
            Shape::Remote,
            Shape::Pseudo,
            Shape::StackValue,
        ],
    ));
    assert_eq!(
        places[0].1,
        json!({"Fn::Join": [",", [
            {"Ref": "Queue"},
            {"Fn::GetAtt": ["Queue", "Arn"]},
            "Queue",
            {"Fn::ImportValue": "Remote:ExportsOutputRefTable36F13FCE"},
            {"Ref": "AWS::Region"},
            {"Small": [1, "x"]}
        ]]})
    );
}

fn synth_problems(app: &App) -> Vec<String> {
    match app.assembly() {
        Err(Error::Invalid(all)) => all.iter().map(ToString::to_string).collect(),
        Err(other) => vec![other.to_string()],
        Ok(_) => panic!("synthesis should fail"),
    }
}

#[test]
fn an_unknown_or_malformed_marker_is_an_error_naming_the_construct() {
    let app = App::new();
    let stack = Stack::new(&app, "S", env()).unwrap();
    let queue = CfnResource::new(&stack, "Q", "AWS::SQS::Queue", Map::new()).unwrap();
    let app_id = queue.reference().to_json()["cw::ref"][0].clone();
    let bad = CfnResource::from_json(&stack, "Bad", "AWS::SNS::Topic", json!({"A": [{"cw::unknown": 1}]})).unwrap();
    bad.set_property("B", json!({"cw::ref": [app_id, 1, 2]}));
    bad.add_cfn_metadata("C", json!({"cw::att": [app_id, 1]}));
    CfnOutput::new(&stack, "Out", OutputProps { value: Expr::Literal(json!({"cw::ref": "Q"})), ..Default::default() })
        .unwrap();
    let problems = synth_problems(&app);
    let expected = [
        "S/Bad: the properties holds `{\"cw::unknown\":1}`",
        "S/Bad: the property `B` holds `{\"cw::ref\":",
        "S/Bad: the metadata entry `C` holds `{\"cw::att\":",
        "S/Out: the output's value holds `{\"cw::ref\":\"Q\"}`",
    ];
    assert_eq!(problems.len(), expected.len(), "{problems:#?}");
    for (problem, start) in problems.iter().zip(expected) {
        assert!(problem.starts_with(start), "{problem}");
        assert!(problem.contains("is not a reference cloudwright wrote"), "{problem}");
    }
}

#[test]
fn a_reference_to_what_cannot_be_referenced_names_the_consumer() {
    let app = App::new();
    let stack = Stack::new(&app, "S", env()).unwrap();
    let condition = CfnCondition::new(&stack, "C", Cond::equals(Expr::region(), "x")).unwrap();
    let queue = CfnResource::new(&stack, "Q", "AWS::SQS::Queue", Map::new()).unwrap();
    queue.set_property("A", Expr::Ref(condition.element()));
    queue.set_property("B", Expr::GetAtt(condition.element(), "Arn".into()));
    let problems = synth_problems(&app);
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems[0].starts_with("S/Q: refers to S/C by `Ref`"), "{}", problems[0]);
    assert!(problems[1].starts_with("S/Q: refers to S/C by `Fn::GetAtt`"), "{}", problems[1]);
}
