//! The handles' typed `set` and `set_lazy`: a property set after construction is written
//! as the props write it, in its place among the others.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::cell::RefCell;
use std::rc::Rc;

use cloudwright_cfn::dynamodb::table::{AttributeDefinition, AttributeType, ResourcePolicy};
use cloudwright_cfn::dynamodb::{CfnTable, CfnTableProps};
use cloudwright_cfn::iam::{CfnRole, CfnRoleProps};
use cloudwright_cfn::sqs::{CfnQueue, CfnQueueProps};
use cloudwright_core::{App, Environment, Expr, Stack, StackProps};
use serde_json::{Value as Json, json};

fn stack(app: &App) -> Stack {
    let env = Environment::new("111111111111", "us-east-1");
    Stack::new(app, "L1", StackProps { env, ..Default::default() }).unwrap()
}

fn properties(app: &App, id: &str) -> Json {
    app.assembly().unwrap().template("L1").unwrap()["Resources"][id]["Properties"].clone()
}

#[test]
fn set_writes_what_the_props_would() {
    let app = App::new();
    let stack = stack(&app);
    let role = CfnRole::new(&stack, "Role", CfnRoleProps::new(Json::Null)).unwrap();
    role.set(CfnRoleProps::ASSUME_ROLE_POLICY_DOCUMENT, json!({"Version": "2012-10-17", "Statement": []}));
    role.set(CfnRoleProps::ROLE_NAME, "deployer");
    role.set(CfnRoleProps::MAX_SESSION_DURATION, Expr::str("3600"));
    let queue = CfnQueue::new(&stack, "Queue", CfnQueueProps::default()).unwrap();
    queue.set(CfnQueueProps::DELAY_SECONDS, 5);
    queue.set(CfnQueueProps::REDRIVE_POLICY, json!({"maxReceiveCount": 3}));
    CfnQueue::new(
        &stack,
        "Same",
        CfnQueueProps {
            delay_seconds: Some(5.into()),
            redrive_policy: Some(json!({"maxReceiveCount": 3})),
            ..Default::default()
        },
    )
    .unwrap();

    assert_eq!(
        properties(&app, "Role"),
        json!({
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []},
            "MaxSessionDuration": "3600",
            "RoleName": "deployer"
        })
    );
    assert_eq!(properties(&app, "Queue"), properties(&app, "Same"));
    assert_eq!(CfnRoleProps::ROLE_NAME.name(), "RoleName");
    assert_eq!(format!("{:?}", CfnRoleProps::ROLE_NAME), "Property(\"RoleName\")");
}

#[test]
fn set_lazy_produces_the_value_at_synthesis_in_its_place() {
    let app = App::new();
    let stack = stack(&app);
    let table = CfnTable::new(
        &stack,
        "Table",
        CfnTableProps {
            attribute_definitions: Some(vec![AttributeDefinition::new("pk", AttributeType::S)]),
            // `KeySchema` is untyped in the schema (an array or an object).
            ..CfnTableProps::new(json!([{"AttributeName": "pk", "KeyType": "HASH"}]))
        },
    )
    .unwrap();
    let statements = Rc::new(RefCell::new(vec![json!({"Effect": "Allow"})]));
    let produced = Rc::clone(&statements);
    table.set_lazy(CfnTableProps::RESOURCE_POLICY, move || {
        ResourcePolicy::new(json!({"Statement": produced.borrow().clone()}))
    });
    statements.borrow_mut().push(json!({"Effect": "Deny"}));
    let props = properties(&app, "Table");
    let keys: Vec<&String> = props.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["AttributeDefinitions", "KeySchema", "ResourcePolicy"]);
    assert_eq!(
        props["ResourcePolicy"],
        json!({"PolicyDocument": {"Statement": [{"Effect": "Allow"}, {"Effect": "Deny"}]}})
    );
}
