//! `dynamodb::Table`: its secure defaults, options, bad input, and the `ITable` grants on
//! the L2 and on the generated `CfnTable`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use cloudwright_constructs::cfn::dynamodb::table::StreamViewType;
use cloudwright_constructs::cfn::dynamodb::{CfnTable, CfnTableProps};
use cloudwright_constructs::dynamodb::{Attribute, Billing, ITable, Table, TableEncryption, TableProps};
use cloudwright_constructs::iam::{Principal, Role, RoleProps};
use cloudwright_constructs::testing::{Match, Template};
use cloudwright_constructs::{App, Environment, Expr, RemovalPolicy, Stack, StackProps};
use serde_json::{Value as Json, json};

fn stack(app: &App) -> Stack {
    Stack::new(app, "Data", StackProps { env: Environment::new("111111111111", "eu-west-1"), ..Default::default() })
        .unwrap()
}

fn role(stack: &Stack) -> Role {
    Role::new(
        stack,
        "Worker",
        RoleProps { assumed_by: vec![Principal::service("lambda.amazonaws.com")], ..Default::default() },
    )
    .unwrap()
}

fn resources(app: &App) -> Json {
    app.assembly().unwrap().template("Data").unwrap()["Resources"].clone()
}

/// The statements of the worker role's default policy.
fn statements(app: &App, role: &Role) -> Json {
    let policy = role.default_policy().unwrap().logical_id();
    resources(app)[policy]["Properties"]["PolicyDocument"]["Statement"].clone()
}

#[test]
fn defaults_are_secure_and_retained() {
    let app = App::new();
    let stack = stack(&app);
    Table::new(&stack, "Orders", TableProps { partition_key: Attribute::string("pk"), ..Default::default() }).unwrap();
    Template::from_stack(&stack).has_resource_of::<CfnTable>(Match::object_like([
        ("DeletionPolicy", "Retain".into()),
        ("UpdateReplacePolicy", "Retain".into()),
        (
            "Properties",
            Match::object_equals(json!({
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "BillingMode": "PAY_PER_REQUEST",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true},
                "SSESpecification": {"SSEEnabled": true}
            })),
        ),
    ]));
}

#[test]
fn options_reach_the_template() {
    let app = App::new();
    let key = Expr::str("arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    let stack = stack(&app);
    Table::new(
        &stack,
        "Events",
        TableProps {
            partition_key: Attribute::binary("id"),
            sort_key: Some(Attribute::number("at")),
            billing: Billing::Provisioned { read_capacity: 5, write_capacity: 2 },
            encryption: TableEncryption::CustomerManaged(key.clone()),
            removal_policy: RemovalPolicy::Delete,
            deletion_protection: true,
            time_to_live_attribute: Some("expires".into()),
            stream: Some(StreamViewType::NewAndOldImages),
            table_name: Some("events".into()),
            ..Default::default()
        },
    )
    .unwrap();
    Template::from_stack(&stack).has_resource_of::<CfnTable>(Match::object_like([
        ("DeletionPolicy", "Delete".into()),
        (
            "Properties",
            Match::object_like([
                (
                    "KeySchema",
                    json!([{"AttributeName": "id", "KeyType": "HASH"}, {"AttributeName": "at", "KeyType": "RANGE"}])
                        .into(),
                ),
                (
                    "AttributeDefinitions",
                    Match::array_with([Match::exact(json!({"AttributeName": "at", "AttributeType": "N"}))]),
                ),
                ("BillingMode", "PROVISIONED".into()),
                ("ProvisionedThroughput", Match::exact(json!({"ReadCapacityUnits": 5, "WriteCapacityUnits": 2}))),
                (
                    "SSESpecification",
                    Match::exact(json!({"KMSMasterKeyId": key.to_json(), "SSEEnabled": true, "SSEType": "KMS"})),
                ),
                ("StreamSpecification", Match::exact(json!({"StreamViewType": "NEW_AND_OLD_IMAGES"}))),
                ("TimeToLiveSpecification", Match::exact(json!({"AttributeName": "expires", "Enabled": true}))),
                ("DeletionProtectionEnabled", true.into()),
                ("TableName", "events".into()),
            ]),
        ),
    ]));
}

#[test]
fn grants_use_the_cdks_actions_with_index_arns() {
    let app = App::new();
    let stack = stack(&app);
    let key = Expr::str("arn:aws:kms:eu-west-1:111111111111:key/k");
    let table = Table::new(
        &stack,
        "Orders",
        TableProps {
            partition_key: Attribute::string("pk"),
            encryption: TableEncryption::CustomerManaged(key),
            ..Default::default()
        },
    )
    .unwrap();
    let worker = role(&stack);
    table.grant_read_data(&worker).unwrap();
    let arn = json!({"Fn::GetAtt": [table.resource().logical_id(), "Arn"]});
    let resources = json!([arn, {"Fn::Join": ["", [arn, "/index/*"]]}]);
    assert_eq!(
        statements(&app, &worker),
        json!([
            {
                "Action": ["dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:GetItem", "dynamodb:Scan", "dynamodb:ConditionCheckItem",
                           "dynamodb:DescribeTable"],
                "Effect": "Allow",
                "Resource": resources
            },
            {"Action": ["kms:Decrypt", "kms:DescribeKey"], "Effect": "Allow", "Resource": "arn:aws:kms:eu-west-1:111111111111:key/k"}
        ])
    );
}

#[test]
fn the_generated_l1_is_a_table_too() {
    let app = App::new();
    let stack = stack(&app);
    let l1 =
        CfnTable::new(&stack, "Raw", CfnTableProps::new(json!([{"AttributeName": "pk", "KeyType": "HASH"}]))).unwrap();
    let worker = role(&stack);
    l1.grant_write_data(&worker).unwrap();
    let s = statements(&app, &worker);
    assert_eq!(
        s[0]["Action"],
        json!([
            "dynamodb:BatchWriteItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:DescribeTable"
        ])
    );
    assert_eq!(s[0]["Resource"][0], json!({"Fn::GetAtt": ["Raw", "Arn"]}));
    assert_eq!(s.as_array().unwrap().len(), 1, "no key, no KMS statement");
    assert_eq!(l1.table_name(), l1.reference());
}

#[test]
fn bad_keys_names_and_capacity_are_reported() {
    let app = App::new();
    Table::new(
        &stack(&app),
        "Orders",
        TableProps {
            sort_key: Some(Attribute::string("")),
            billing: Billing::Provisioned { read_capacity: 0, write_capacity: 1 },
            table_name: Some("no spaces".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let dir = std::env::temp_dir().join(format!("cw-table-{}", std::process::id()));
    let err = app.synth(&dir).expect_err("synthesis should fail");
    assert!(!dir.exists(), "nothing may be written");
    let problems: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
    assert_eq!(
        problems,
        [
            "Data/Orders: partition key name \"\" must be 1 to 255 bytes long (e.g. Attribute::string(\"pk\"))",
            "Data/Orders: sort key name \"\" must be 1 to 255 bytes long (e.g. Attribute::string(\"pk\"))",
            "Data/Orders: the sort key and the partition key are both named \"\": give them different attributes",
            "Data/Orders: provisioned capacity 0 read / 1 write: each must be at least 1 (or use Billing::OnDemand)",
            "Data/Orders: table name \"no spaces\" must be 3 to 255 characters of a-z, A-Z, 0-9, '_', '-' and '.'",
        ]
    );
}
