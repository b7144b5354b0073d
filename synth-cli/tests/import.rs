//! `cloudwright import` on bad input (each error names the file, the line and what to do)
//! and the command's output; the round trip over the corpus is in import_roundtrip.rs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::path::{Path, PathBuf};
use std::process::Command;

use cloudwright_cli::import::{assembly, import};

const BIN: &str = env!("CARGO_BIN_EXE_cloudwright");

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cw-import-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

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
    let w = &imported.warnings[0];
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
fn an_existing_output_is_kept_without_force() {
    let dir = tempdir("force");
    let template = dir.join("t.yaml");
    std::fs::write(&template, "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n").unwrap();
    let out = dir.join("stack.rs");
    std::fs::write(&out, "// mine\n").unwrap();
    let run = Command::new(BIN).arg("import").arg(&template).arg("-o").arg(&out).output().unwrap();
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains(&format!("{} exists; pass --force to replace it", out.display())), "{stderr}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "// mine\n");

    let run = Command::new(BIN).arg("import").arg(&template).arg("-o").arg(&out).arg("--force").output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let code = std::fs::read_to_string(&out).unwrap();
    assert!(code.contains("cfn::sqs::CfnQueue::new(&stack, \"Q\""), "{code}");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("imported 1 resource into") && stdout.contains("features: sqs"), "{stdout}");
}

#[test]
fn an_assembly_becomes_a_project_with_its_stages_and_environments() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/cdk-stages");
    let project = assembly::import(&fixtures, Path::new("/tmp/stages")).unwrap();
    let file = |name: &str| &project.files.iter().find(|(p, _)| p == Path::new(name)).unwrap().1;
    let stacks = file("src/stacks/mod.rs");
    assert!(stacks.contains("let stage_dev = Stage::new(app, \"Dev\", StageProps::default())?;"), "{stacks}");
    assert!(
        stacks.contains("dev_queues_c4d90994::stack(&stage_dev, \"Queues\", StackProps { env: Environment::new(\"222222222222\", \"us-east-1\")"),
        "{stacks}"
    );
    assert!(stacks.contains("top::stack(app, \"Top\", StackProps { env: Environment::agnostic()"), "{stacks}");
    assert!(file("src/main.rs").contains("cloudwright_cli::run(stacks::build)"));
    assert!(file("Cargo.toml").contains("features = [\"sqs\"]"));
    // The CDK's bootstrap check is left to cloudwright, which adds it itself.
    assert!(!file("src/stacks/top.rs").contains("BootstrapVersion"));
}
