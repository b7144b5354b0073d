//! The `cloudwright` binary as a user runs it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

mod common;

use std::process::Command;

use common::{BIN, run, scratch, text};

/// What the built-in default app holds: (stack display names as `ls` prints them, file count).
fn default_app() -> (String, usize) {
    let assembly = cloudwright_examples::default_app().and_then(|a| a.assembly()).unwrap();
    let names: String = assembly.stacks().iter().map(|s| format!("{}\n", s.display_name)).collect();
    (names, assembly.files().len())
}

#[test]
fn synth_with_no_app_writes_the_reference_example() {
    let dir = scratch("default");
    let out = run(&dir, &["synth"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(dir.join("cloudwright.out/manifest.json").is_file());
    assert!(dir.join("cloudwright.out/tree.json").is_file());
    let (names, files) = default_app();
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("stack "), "{stdout}");
    assert!(stdout.lines().next().is_some_and(|l| l.contains("account") && l.contains("region")), "{stdout}");
    assert!(
        stdout.lines().nth(1).is_some_and(|l| l.starts_with("Management  ") && l.contains("111111111111  us-east-1")),
        "{stdout}"
    );
    assert!(stdout.contains("proton bundles: hello-lambda-svc/v1, multi-svc-env/v1\n"), "{stdout}");
    assert!(stdout.contains("proton specs: environment-dev.yaml, "), "{stdout}");
    assert!(
        stdout.contains(&format!("wrote {} stacks, {files} files to cloudwright.out", names.lines().count())),
        "{stdout}"
    );

    let ls = run(&dir, &["ls"]);
    assert_eq!(text(&ls.stdout), names);
    let json = run(&dir, &["ls", "--format", "json"]);
    let stacks: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(stacks[0]["display_name"], "Management");
    assert_eq!(stacks[0]["environment"], "aws://111111111111/us-east-1");
    assert!(run(&dir, &["synth", "--quiet", "-o", "q"]).stdout.is_empty());
}

#[test]
fn app_command_output_is_taken_over_atomically() {
    let dir = scratch("app");
    // Any program that writes an assembly to $CLOUDWRIGHT_OUTDIR is an app: here the CLI itself.
    let app = format!("{BIN} synth --quiet -o \"$CLOUDWRIGHT_OUTDIR\"");
    let out = run(&dir, &["synth", "--app", &app, "-o", "out", "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let (names, files) = default_app();
    assert_eq!(report["stacks"][0]["display_name"], "Management");
    assert_eq!(report["files"], files);
    assert_eq!(text(&run(&dir, &["ls", "--app", &app]).stdout), names);
}

#[test]
fn failing_app_command_is_an_input_error_and_writes_nothing() {
    let dir = scratch("fail");
    let out = run(&dir, &["synth", "--app", "exit 7", "-o", "out"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stderr), "error: the app command `exit 7` failed (exit status 7); nothing was written\n");
    assert!(!dir.join("out").exists());

    let out = run(&dir, &["synth", "--app", "true", "-o", "out"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).starts_with("error: the app command `true` wrote no manifest.json to $CLOUDWRIGHT_OUTDIR")
    );
    assert!(!dir.join("out").exists());
}

#[test]
fn config_file_names_the_app() {
    let dir = scratch("config");
    // The app runs in another directory, so it does not read this config again.
    let app = format!("cd / && {BIN} synth --quiet -o \"$CLOUDWRIGHT_OUTDIR\"");
    std::fs::write(dir.join("cloudwright.json"), serde_json::json!({"app": app}).to_string()).unwrap();
    let out = run(&dir, &["ls"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), default_app().0);

    std::fs::write(dir.join("cloudwright.json"), r#"{"output": "x"}"#).unwrap();
    let out = run(&dir, &["synth", "-o", "out"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: cloudwright.json has no \"app\" command; write e.g. {\"app\": \"cargo run --quiet\"}, or pass --app CMD\n"
    );
    assert!(!dir.join("out").exists());
}

#[test]
fn an_app_command_that_runs_itself_is_stopped() {
    let dir = scratch("recursion");
    let app = format!("{BIN} synth --quiet -o \"$CLOUDWRIGHT_OUTDIR\"");
    std::fs::write(dir.join("cloudwright.json"), serde_json::json!({"app": app}).to_string()).unwrap();
    let out = run(&dir, &["synth", "-o", "out"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("runs cloudwright, which runs the app command again"), "{stderr}");
    assert!(!dir.join("out").exists());
}

#[test]
fn unwritable_output_is_an_input_error() {
    let dir = scratch("unwritable");
    std::fs::write(dir.join("file"), b"x").unwrap();
    let out = run(&dir, &["synth", "-o", "file/out"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("check that the directory is writable"), "{}", text(&out.stderr));
}

#[test]
fn help_documents_exit_codes_and_usage_errors_exit_2() {
    let dir = scratch("help");
    let help = run(&dir, &["synth", "--help"]);
    assert!(help.status.success());
    let help = text(&help.stdout);
    assert!(help.contains("Exit codes:") && help.contains("2  usage or input errors"), "{help}");
    assert!(help.contains("$CLOUDWRIGHT_OUTDIR"), "{help}");
    assert_eq!(run(&dir, &["frobnicate"]).status.code(), Some(2));
}

#[test]
fn init_refuses_a_non_empty_directory_and_unknown_templates() {
    let dir = scratch("init");
    std::fs::write(dir.join("keep.txt"), b"mine").unwrap();
    let out = run(&dir, &["init", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr)
            .contains("is not empty; init only writes into an empty or new directory, so nothing was changed")
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "nothing was added");

    let out = run(&dir, &["init", "new", "--template", "bogus"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("invalid value 'bogus' for '--template <TEMPLATE>'"));
    assert!(!dir.join("new").exists());

    let out = run(&dir, &["init", "fresh"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    for file in ["Cargo.toml", "src/lib.rs", "src/main.rs", "tests/infrastructure.rs", "cloudwright.json", ".gitignore"]
    {
        assert!(dir.join("fresh").join(file).is_file(), "{file}");
    }
    let main = std::fs::read_to_string(dir.join("fresh/src/main.rs")).unwrap();
    assert!(main.contains("cloudwright_cli::run(fresh::build)"), "{main}");
    let manifest = std::fs::read_to_string(dir.join("fresh/Cargo.toml")).unwrap();
    assert!(manifest.contains("[workspace]") && manifest.contains("features = [\"testing\"]"), "{manifest}");
}

#[test]
fn mode_selects_plain_or_proton_for_built_in_and_command_apps() {
    let dir = scratch("mode");
    let stacks = |args: &[&str]| text(&run(&dir, args).stdout).lines().count();
    let plain = stacks(&["ls"]);
    let proton = stacks(&["ls", "--mode", "proton"]);
    assert!(proton < plain, "Proton mode leaves environment and service stacks to the bundles: {proton} vs {plain}");
    // An app command gets the mode in $CLOUDWRIGHT_DEPLOY_MODE.
    let app = "echo \"$CLOUDWRIGHT_DEPLOY_MODE\" > mode.txt; exit 3";
    let _ = run(&dir, &["ls", "--mode", "proton", "--app", app]);
    assert_eq!(std::fs::read_to_string(dir.join("mode.txt")).unwrap(), "proton\n");

    let bad =
        Command::new(BIN).args(["ls"]).current_dir(&dir).env("CLOUDWRIGHT_DEPLOY_MODE", "bogus").output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(
        text(&bad.stderr),
        "error: $CLOUDWRIGHT_DEPLOY_MODE: is \"bogus\"; set it to plain or proton (or leave it unset for plain)\n"
    );
    let unknown = run(&dir, &["ls", "--mode", "both"]);
    assert_eq!(unknown.status.code(), Some(2));
}
