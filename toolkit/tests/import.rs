//! `cloudwright_toolkit::import` on bad input: each error names the file, the line and
//! what to do; warnings say where and why. The command's output and `--assembly` are tested
//! with the CLI (synth-cli/tests/import.rs), the round trip over the corpus in
//! synth-cli/tests/import_roundtrip.rs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use cloudwright_toolkit::import::import;

fn error(text: &str, path: &str) -> String {
    import(text, path).unwrap_err().to_string()
}

#[test]
fn a_yaml_syntax_error_names_line_and_column() {
    let e = error("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n   Properties: [\n", "t.yaml");
    assert!(e.starts_with("t.yaml:4:"), "{e}");
    assert!(e.split(':').nth(2).unwrap().parse::<u32>().is_ok(), "a column after the line: {e}");
    assert!(e.contains("is not valid YAML"), "{e}");
}

#[test]
fn a_json_syntax_error_names_line_and_column() {
    let e = error("{\n  \"Resources\": {\n    \"Q\": {\"Type\": \"AWS::SQS::Queue\",}\n  }\n}\n", "t.json");
    assert!(e.starts_with("t.json:3:"), "{e}");
    assert!(e.contains("is not valid JSON") && e.contains("fix the template"), "{e}");
}

#[test]
fn an_unknown_intrinsic_is_an_error_at_its_line() {
    let text =
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName:\n        Fn::Concat: [a, b]\n";
    let e = error(text, "t.yaml");
    assert!(e.starts_with("t.yaml:6: in `Q`: `Fn::Concat` is not a CloudFormation intrinsic function"), "{e}");
    assert!(e.contains("Fn::Join") && e.contains("fix the name"), "{e}");

    // In an untyped (JSON) value too.
    let text = "{\"Resources\": {\"P\": {\"Type\": \"AWS::IAM::ManagedPolicy\", \"Properties\": {\n\"PolicyDocument\": {\"Statement\": [{\"Resource\": {\"Fn::Arn\": \"x\"}}]}}}}}";
    let e = error(text, "t.json");
    assert!(e.starts_with("t.json:2: in `P`: `Fn::Arn` is not"), "{e}");
}

#[test]
fn a_type_without_a_schema_goes_through_the_escape_hatch_with_a_warning() {
    let text = "Resources:\n  Thing:\n    Type: Acme::Widget::Gadget\n    Properties:\n      Size: 3\n";
    let imported = import(text, "t.yaml").unwrap();
    assert_eq!(imported.warnings.len(), 1, "{:?}", imported.warnings);
    let w = imported.warnings[0].to_string();
    assert!(
        w.starts_with("t.yaml:2: resource `Thing` is of type Acme::Widget::Gadget, which has no generated L1"),
        "{w}"
    );
    assert!(w.contains("CfnResource::from_json"), "{w}");
    assert!(imported.code.contains("// Acme::Widget::Gadget has no generated L1"), "{}", imported.code);
    assert!(
        imported.code.contains("CfnResource::from_json(&stack, \"Thing\", \"Acme::Widget::Gadget\""),
        "{}",
        imported.code
    );
}

#[test]
fn a_property_outside_the_schema_is_set_as_json_with_a_comment() {
    let text = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: q\n      Colour: blue\n";
    let imported = import(text, "t.yaml").unwrap();
    assert!(imported.code.contains("queue_name: Some(\"q\".into())"), "{}", imported.code);
    assert!(imported.code.contains("// `Colour`: not a property of AWS::SQS::Queue in its schema; set as JSON."));
    assert!(imported.code.contains("q.set_property(\"Colour\", json!(\"blue\"))"), "{}", imported.code);
}

#[test]
fn a_circular_depends_on_is_an_error_naming_the_cycle() {
    let text = "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    DependsOn: B\n  B:\n    Type: AWS::SQS::Queue\n    DependsOn: [C]\n  C:\n    Type: AWS::SQS::Queue\n    DependsOn: A\n";
    let e = error(text, "t.yaml");
    assert!(e.starts_with("t.yaml:2: circular dependency"), "{e}");
    assert!(e.contains("A -> B -> C -> A") && e.contains("remove one of these dependencies"), "{e}");
}

#[test]
fn a_ref_to_nothing_is_an_error() {
    let text = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Ref Nope\n";
    let e = error(text, "t.yaml");
    assert!(e.contains("`Ref` names `Nope`, which the template does not define"), "{e}");
}

#[test]
fn a_file_that_cannot_be_read_is_named() {
    let missing = std::env::temp_dir().join(format!("cw-import-missing-{}.yaml", std::process::id()));
    let e = cloudwright_toolkit::import::import_file(&missing).unwrap_err();
    assert!(matches!(e, cloudwright_core::Error::Read { .. }), "{e:?}");
    assert!(e.to_string().starts_with(&format!("cannot read {}", missing.display())), "{e}");
}
