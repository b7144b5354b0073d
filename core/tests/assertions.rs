//! `testing`'s assertions: each matcher passing and failing with its message, nested
//! matchers, captures across assertions, the closest candidate of a failed search, and a
//! stack whose app does not synthesize.
#![cfg(feature = "testing")]
#![allow(clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::panic::{AssertUnwindSafe, catch_unwind};

use cloudwright_core::testing::{Annotations, Capture, Match, Template};
use cloudwright_core::{App, CfnResource, Construct, Stack, StackProps};
use serde_json::{Value as Json, json};

/// The message an assertion fails with.
fn failure(assertion: impl FnOnce()) -> String {
    let Err(payload) = catch_unwind(AssertUnwindSafe(assertion)) else { panic!("the assertion held") };
    match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => payload.downcast::<&str>().map(|s| (*s).to_owned()).unwrap_or_default(),
    }
}

/// Why `actual` does not match `pattern` (it must not).
fn mismatch(pattern: impl Into<Match>, actual: Json) -> String {
    pattern.into().mismatch(&actual).expect("the pattern matched")
}

fn functions() -> Template {
    Template::from_json(json!({
        "Resources": {
            "Api": { "Type": "AWS::Lambda::Function", "Properties": {
                "Runtime": "python3.12",
                "TracingConfig": { "Mode": "PassThrough" },
                "Environment": { "Variables": { "TABLE": { "Ref": "Table" } } },
                "Layers": ["arn:a", "arn:b"],
            } },
            "Worker": { "Type": "AWS::Lambda::Function", "Properties": {
                "Runtime": "nodejs20.x",
                "Timeout": 30,
            } },
            "Table": { "Type": "AWS::DynamoDB::Table", "Properties": { "BillingMode": "PAY_PER_REQUEST" } },
        },
        "Outputs": { "TableName": { "Value": { "Ref": "Table" }, "Export": { "Name": "Api:TableName" } } },
    }))
}

#[test]
fn literals_compare_type_and_value() {
    assert!(Match::from("a").matches(&json!("a")));
    assert!(Match::from(1).matches(&json!(1.0)), "one number, however written");
    assert_eq!(
        mismatch("a", json!("b")),
        "!! Expected \"a\" but received \"b\"\n\"b\"\n  at /: Expected \"a\" but received \"b\" (using object_like matcher)"
    );
    assert!(mismatch("a", json!(1)).contains("Expected type string but received number"));
}

#[test]
fn object_like_allows_more_keys_and_reports_missing_ones() {
    let pattern = || Match::object_like(json!({ "A": 1, "B": { "C": 2 } }));
    assert!(pattern().matches(&json!({ "A": 1, "B": { "C": 2, "D": 3 }, "E": 4 })));
    let why = mismatch(pattern(), json!({ "A": 2 }));
    assert!(why.contains("at /A: Expected 1 but received 2 (using object_like matcher)"), "{why}");
    assert!(why.contains("at /B: Missing key 'B' (using object_like matcher)"), "{why}");
    assert!(mismatch(pattern(), json!([1])).contains("Expected type object but received array"));
}

#[test]
fn object_equals_reports_unexpected_keys_at_every_level() {
    let pattern = Match::object_equals(json!({ "A": { "B": 1 } }));
    assert!(pattern.matches(&json!({ "A": { "B": 1 } })));
    let why = mismatch(pattern, json!({ "A": { "B": 1, "C": 2 } }));
    assert!(why.contains("at /A/C: Unexpected key C (using object_equals matcher)"), "{why}");
}

#[test]
fn exact_is_strict_inside_a_partial_pattern() {
    let pattern = Match::object_like([("A", Match::exact(json!({ "B": 1 })))]);
    assert!(pattern.matches(&json!({ "A": { "B": 1 }, "Z": 0 })));
    let why = mismatch(pattern, json!({ "A": { "B": 1, "C": 2 } }));
    assert!(why.contains("at /A/C: Unexpected key C (using exact matcher)"), "{why}");
}

#[test]
fn array_with_finds_a_subsequence_and_names_the_closest_element() {
    let pattern = || Match::array_with(json!(["a", "c"]));
    assert!(pattern().matches(&json!(["a", "b", "c"])));
    let why = mismatch(pattern(), json!(["a", "b", "x"]));
    assert!(why.contains("at /0: array_with pattern 0 matched here"), "{why}");
    assert!(why.contains("Could not match array_with pattern 1. This is the closest match"), "{why}");
    assert!(why.contains("Expected \"c\" but received \"b\""), "{why}");
    let why = mismatch(pattern(), json!(["x", "a"]));
    assert!(why.contains("Could not match array_with pattern 1. No more elements to try"), "{why}");
    let why = mismatch(Match::array_with([Match::absent()]), json!([1]));
    assert!(why.contains("Match::absent() cannot be nested within Match::array_with"), "{why}");
}

#[test]
fn array_equals_counts_elements() {
    let pattern = || Match::array_equals(json!([1, 2]));
    assert!(pattern().matches(&json!([1, 2])));
    assert!(mismatch(pattern(), json!([1])).contains("at /1: Not enough elements in array (expecting 2, got 1)"));
    assert!(mismatch(pattern(), json!([1, 2, 3])).contains("at /2: Too many elements in array (expecting 2, got 3)"));
    assert!(mismatch(pattern(), json!({})).contains("Expected type array but received object"));
}

#[test]
fn string_like_regexp_searches_and_reports_bad_expressions() {
    assert!(Match::string_like_regexp("3\\.1\\d").matches(&json!("python3.12")));
    let why = mismatch(Match::string_like_regexp("^node"), json!("python3.12"));
    assert!(why.contains("String 'python3.12' did not match pattern '^node'"), "{why}");
    assert!(mismatch(Match::string_like_regexp("x"), json!(1)).contains("Expected a string, but got number"));
    let why = mismatch(Match::string_like_regexp("("), json!("("));
    assert!(why.contains("Invalid regular expression '('"), "{why}");
}

#[test]
fn any_value_and_absent() {
    assert!(Match::object_like([("A", Match::any_value())]).matches(&json!({ "A": 0 })));
    let why = mismatch(Match::object_like([("A", Match::any_value())]), json!({ "A": null }));
    assert!(why.contains("at /A: Expected a value but found none (using any_value matcher)"), "{why}");
    assert!(Match::object_like([("A", Match::absent())]).matches(&json!({})));
    let why = mismatch(Match::object_like([("A", Match::absent())]), json!({ "A": 1 }));
    assert!(why.contains("at /A: Received 1, but key should be absent (using absent matcher)"), "{why}");
}

#[test]
fn not_inverts_its_pattern() {
    assert!(Match::not("*").matches(&json!("s3:GetObject")));
    let why = mismatch(Match::object_like([("Action", Match::not("*"))]), json!({ "Action": "*" }));
    assert!(why.contains("at /Action: Found unexpected match: \"*\" (using not matcher)"), "{why}");
}

#[test]
fn serialized_json_parses_then_matches() {
    let pattern = || Match::serialized_json(Match::object_like(json!({ "start": "-PT3H" })));
    assert!(pattern().matches(&json!(r#"{"start":"-PT3H","widgets":[]}"#)));
    let why = mismatch(pattern(), json!(r#"{"start":"-PT1H"}"#));
    assert!(why.contains("Encoded JSON value does not match"), "{why}");
    assert!(why.contains("at /start: Expected \"-PT3H\" but received \"-PT1H\""), "{why}");
    let nested = Match::object_like([("Body", pattern())]);
    let why = mismatch(nested, json!({ "Body": r#"{"start":"-PT1H"}"# }));
    assert!(
        why.contains("\"Body\": \"{\\\"start\\\":\\\"-PT1H\\\"}\" <*> {"),
        "the string and what it parses to: {why}"
    );
    assert!(mismatch(pattern(), json!("{")).contains("Invalid JSON string"));
    assert!(mismatch(pattern(), json!(3)).contains("Expected JSON as a string but found number"));
}

#[test]
fn nested_matchers_report_the_full_path() {
    let pattern = Match::object_like([(
        "Statement",
        Match::array_with([Match::object_like([
            ("Effect", "Allow".into()),
            ("Action", Match::array_with(json!(["s3:GetObject"]))),
            ("Resource", Match::not("*")),
        ])]),
    )]);
    let document = json!({ "Statement": [
        { "Effect": "Deny", "Action": ["s3:*"], "Resource": "*" },
        { "Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "arn:aws:s3:::b/*" },
    ]});
    let why = mismatch(pattern, document);
    assert!(why.contains("Could not match array_with pattern 0. This is the closest match"), "{why}");
    // The closest element is the second: one difference against three.
    assert!(why.contains("at /Statement/1/Action/0: Could not match array_with pattern 0"), "{why}");
    assert!(why.contains("Expected \"s3:GetObject\" but received \"s3:PutObject\""), "{why}");
}

#[test]
fn invalid_patterns_fail_and_say_why() {
    let why = mismatch(Match::object_like(json!("x")), json!({}));
    assert!(why.contains("Match::object_like needs a JSON object, not string"), "{why}");
    let why = mismatch(Match::array_with(json!({})), json!([]));
    assert!(why.contains("Match::array_with needs a JSON array, not object"), "{why}");
}

#[test]
fn has_resource_properties_shows_the_closest_candidate_and_the_paths_that_differ() {
    let template = functions();
    template.has_resource_properties("AWS::Lambda::Function", json!({ "Runtime": "nodejs20.x" }));
    let message = failure(|| {
        template.has_resource_properties(
            "AWS::Lambda::Function",
            json!({ "Runtime": "python3.12", "TracingConfig": { "Mode": "Active" } }),
        )
    });
    assert!(message.starts_with("Template has 2 resources with type AWS::Lambda::Function, but none match as expected.\nThe 2 closest matches:\nApi :: {"), "{message}");
    assert!(message.contains("!!     Expected \"Active\" but received \"PassThrough\""), "{message}");
    assert!(message.contains("Where Api differs:\n  at /Properties/TracingConfig/Mode: Expected \"Active\" but received \"PassThrough\" (using object_like matcher)"), "{message}");
    // Api (one difference) comes before Worker (two).
    assert!(message.find("Api ::") < message.find("Worker ::"), "{message}");
    let message = failure(|| template.has_resource_properties("AWS::SQS::Queue", json!({})));
    assert_eq!(message, "Template has 0 resources with type AWS::SQS::Queue.\nNo matches found");
}

#[test]
fn has_resource_sees_the_whole_resource() {
    let template = functions();
    template.has_resource("AWS::DynamoDB::Table", json!({ "Properties": { "BillingMode": "PAY_PER_REQUEST" } }));
    let message = failure(|| template.has_resource("AWS::DynamoDB::Table", json!({ "DeletionPolicy": "Retain" })));
    assert!(message.contains("at /DeletionPolicy: Missing key 'DeletionPolicy'"), "{message}");
}

#[test]
fn counts_and_searches() {
    let template = functions();
    template.resource_count_is("AWS::Lambda::Function", 2);
    let message = failure(|| template.resource_count_is("AWS::Lambda::Function", 3));
    assert_eq!(message, "Expected 3 resources of type AWS::Lambda::Function but found 2: Api, Worker");
    template.resource_properties_count_is(
        "AWS::Lambda::Function",
        Match::object_like([("Timeout", Match::any_value())]),
        1,
    );
    let message = failure(|| template.resource_properties_count_is("AWS::Lambda::Function", json!({}), 1));
    assert!(message.contains("but found 2 (Api, Worker)"), "{message}");
    let found = template.find_resources("AWS::Lambda::Function", json!({ "Properties": { "Timeout": 30 } }));
    assert_eq!(found.keys().collect::<Vec<_>>(), ["Worker"]);
    assert!(template.find_resources("AWS::Lambda::Function", json!({ "Properties": { "Timeout": 1 } })).is_empty());
}

#[test]
fn all_resources_names_those_that_do_not_match() {
    let template = functions();
    template.all_resources_properties("AWS::Lambda::Function", Match::object_like([("Runtime", Match::any_value())]));
    let message = failure(|| template.all_resources_properties("AWS::Lambda::Function", json!({ "Timeout": 30 })));
    assert!(
        message
            .starts_with("Template has 2 resource(s) with type AWS::Lambda::Function, but only 1 match as expected."),
        "{message}"
    );
    assert!(message.contains("Api :: {"), "{message}");
    let message = failure(|| template.all_resources("AWS::SQS::Queue", json!({})));
    assert!(message.starts_with("Template has no resources with type AWS::SQS::Queue."), "{message}");
}

#[test]
fn outputs_and_other_sections() {
    let template = functions();
    template.has_output("TableName", json!({ "Export": { "Name": "Api:TableName" } }));
    let message = failure(|| template.has_output("*", json!({ "Export": { "Name": "Other" } })));
    assert!(message.contains("Template has 1 outputs, but none match as expected."), "{message}");
    assert!(message.contains("at /Export/Name: Expected \"Other\" but received \"Api:TableName\""), "{message}");
    assert_eq!(template.find_outputs("*", json!({})).len(), 1);
    let message = failure(|| template.has_parameter("Stage", json!({})));
    assert_eq!(message, "Template has 0 parameters named Stage.\nNo matches found");
    assert!(!failure(|| template.has_mapping("*", json!({}))).is_empty());
    assert!(!failure(|| template.has_condition("*", json!({}))).is_empty());
}

#[test]
fn template_matches_the_whole_template() {
    let template = functions();
    template.template_matches(json!({ "Outputs": { "TableName": {} } }));
    let message = failure(|| template.template_matches(Match::object_like([("Outputs", Match::absent())])));
    assert!(message.starts_with("Template did not match as expected."), "{message}");
    assert!(message.contains("at /Outputs: Received"), "{message}");
}

#[test]
fn a_capture_is_used_across_two_assertions() {
    let template = functions();
    let table = Capture::new();
    template.has_resource_properties(
        "AWS::Lambda::Function",
        Match::object_like([(
            "Environment",
            Match::object_like([("Variables", Match::object_like([("TABLE", Match::from(&table))]))]),
        )]),
    );
    let reference = table.as_object().expect("captured an object");
    let logical_id = reference["Ref"].as_str().expect("a Ref");
    // The captured value feeds the second assertion: the variable names the table.
    assert_eq!(
        template.find_resources("AWS::DynamoDB::Table", json!({})).keys().next().map(String::as_str),
        Some(logical_id)
    );
    template.has_output("*", Match::object_like([("Value", Match::from(&table))]));
    // The second assertion captured again: both values are there, in order.
    assert_eq!(table.values().len(), 2);
    assert!(table.next());
    assert_eq!(table.as_object().expect("an object")["Ref"], "Table");
    assert!(!table.next());
}

#[test]
fn a_capture_of_a_failed_match_records_nothing_and_reads_back_errors() {
    let template = functions();
    let runtime = Capture::new();
    let pattern = Match::object_like([("Runtime", Match::from(&runtime)), ("Timeout", 99.into())]);
    failure(|| template.has_resource_properties("AWS::Lambda::Function", pattern));
    assert!(runtime.values().is_empty());
    assert!(runtime.as_string().unwrap_err().to_string().contains("no value captured"));
    let runtime = Capture::with_pattern(Match::string_like_regexp("^node"));
    template.has_resource_properties("AWS::Lambda::Function", Match::object_like([("Runtime", Match::from(&runtime))]));
    assert_eq!(runtime.as_string().expect("a string"), "nodejs20.x");
    assert!(runtime.as_number().unwrap_err().to_string().contains("expected to be a number, but it is \"nodejs20.x\""));
    let message = failure(|| {
        template
            .has_resource_properties("AWS::Lambda::Function", Match::object_like([("Missing", Capture::new().into())]))
    });
    assert!(message.contains("Missing key 'Missing'"), "{message}");
}

#[test]
fn a_stack_that_does_not_synthesize_reports_its_problems() -> cloudwright_core::Result<()> {
    let app = App::new();
    let stack = Stack::new(&app, "Api", StackProps::default())?;
    let queue = CfnResource::new(&stack, "Jobs", "AWS::SQS::Queue", Default::default())?;
    queue.node().add_error("needs a dead-letter queue");
    let error = Template::try_from_stack(&stack).unwrap_err().to_string();
    assert!(error.starts_with("cannot assert on the template of stack Api: its app does not synthesize."), "{error}");
    assert!(error.contains("Api/Jobs: needs a dead-letter queue"), "{error}");
    let message = failure(|| {
        Template::from_stack(&stack);
    });
    assert_eq!(message, error);
    let annotations = Annotations::from_stack(&stack);
    annotations.has_error("/Api/Jobs", "needs a dead-letter queue");
    let message = failure(|| annotations.has_error("Api/Jobs", Match::string_like_regexp("alarm")));
    assert!(message.starts_with("Stack Api has no error at Api/Jobs whose message matches."), "{message}");
    assert!(message.contains("String 'needs a dead-letter queue' did not match pattern 'alarm'"), "{message}");
    assert!(message.contains("  error Api/Jobs: needs a dead-letter queue"), "{message}");
    let message = failure(|| annotations.has_no_error("*", Match::any_value()));
    assert!(message.contains("Stack Api has 1 error(s) at * that match"), "{message}");
    Ok(())
}

#[test]
fn annotations_of_one_stack_leave_out_the_others() -> cloudwright_core::Result<()> {
    let app = App::new();
    let api = Stack::new(&app, "Api", StackProps::default())?;
    CfnResource::new(&api, "Jobs", "AWS::SQS::Queue", Default::default())?;
    let apis = Stack::new(&app, "Apis", StackProps::default())?;
    CfnResource::new(&apis, "Jobs", "AWS::SQS::Queue", Default::default())?.node().add_error("elsewhere");
    Annotations::from_stack(&api).has_no_error("*", Match::any_value());
    Annotations::from_stack(&apis).has_error("*", "elsewhere");
    Ok(())
}

#[test]
fn from_stack_reads_the_synthesized_template() -> cloudwright_core::Result<()> {
    let app = App::new();
    let stack = Stack::new(&app, "Api", StackProps::default())?;
    let props = json!({ "VisibilityTimeout": 30 });
    CfnResource::new(&stack, "Jobs", "AWS::SQS::Queue", props.as_object().cloned().unwrap_or_default())?;
    let template = Template::from_stack(&stack);
    template.has_resource_properties("AWS::SQS::Queue", json!({ "VisibilityTimeout": 30 }));
    template.has_parameter("BootstrapVersion", json!({ "Type": "AWS::SSM::Parameter::Value<String>" }));
    Ok(())
}
