//! `cloudwright import`: the command's output, and `--assembly` on a CDK-written assembly.
//! The library's messages on bad input are tested in toolkit/tests/import.rs, the round trip
//! over the corpus in import_roundtrip.rs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::path::{Path, PathBuf};
use std::process::Command;

use cloudwright_toolkit::import::assembly;

const BIN: &str = env!("CARGO_BIN_EXE_cloudwright");

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cw-import-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
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
fn warnings_are_printed_with_their_place() {
    let dir = tempdir("warnings");
    let template = dir.join("t.yaml");
    std::fs::write(&template, "Resources:\n  Thing:\n    Type: Acme::Widget::Gadget\n").unwrap();
    let run = Command::new(BIN).arg("import").arg(&template).arg("-o").arg(dir.join("t.rs")).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let stderr = String::from_utf8_lossy(&run.stderr);
    let expected = format!("warning: {}:2: resource `Thing` is of type Acme::Widget::Gadget", template.display());
    assert!(stderr.contains(&expected), "{stderr}");
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
