//! Hostile input through the binary (issue 31): representative bad inputs of each reader
//! exit 2 with an error naming the file, in bounded time, leaving the previous output as it
//! was and no staging directory beside it. The readers themselves are fuzzed in
//! toolkit/tests/fuzz.rs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_cloudwright");

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cw-hostile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/proton")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Runs the CLI in `dir`; asserts exit 2 within 20 s and an error naming `names`.
fn refused(dir: &Path, args: &[&str], names: &str) -> String {
    let start = Instant::now();
    let run = Command::new(BIN).args(args).current_dir(dir).output().unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert!(start.elapsed() < Duration::from_secs(20), "{args:?} took {:?}", start.elapsed());
    assert_eq!(run.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(stderr.contains(names), "{args:?} names no {names}: {stderr}");
    stderr
}

/// The output directory holds only its previous file, and nothing else is beside it.
fn previous_output_intact(dir: &Path, out: &Path) {
    assert_eq!(std::fs::read_to_string(out.join("previous")).unwrap(), "kept", "the previous output is intact");
    assert_eq!(std::fs::read_dir(out).unwrap().count(), 1);
    let beside: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(!beside.iter().any(|n| n.starts_with('.') || n.contains("staging")), "left behind: {beside:?}");
}

#[test]
fn import_refuses_deep_huge_and_broken_templates_with_exit_2() {
    let dir = scratch("import");
    let cases: [(&str, String); 5] = [
        // 100,000 nested flow sequences: 21 s before the nesting check.
        ("deep.yaml", format!("X: {}{}\n", "[".repeat(100_000), "]".repeat(100_000))),
        ("deep.json", format!("{{\"X\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000))),
        (
            "aliases.yaml",
            format!(
                "a: &a [x, x, x, x, x, x, x, x]\n{}",
                (1..40)
                    .map(|i| format!(
                        "b{i}: &b{i} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n",
                        p = if i == 1 { "a".into() } else { format!("b{}", i - 1) }
                    ))
                    .collect::<String>()
            ),
        ),
        ("huge.yaml", format!("Resources:\n  Q:\n    Type: AWS::SQS::Queue\nDescription: {}\n", "x".repeat(2 << 20))),
        (
            "many.yaml",
            format!(
                "Resources:\n{}",
                (0..501).map(|i| format!("  Q{i}:\n    Type: AWS::SQS::Queue\n")).collect::<String>()
            ),
        ),
    ];
    for (name, text) in cases {
        std::fs::write(dir.join(name), text).unwrap();
        let out = format!("{name}.rs");
        refused(&dir, &["import", name, "-o", &out], name);
        assert!(!dir.join(&out).exists(), "{name}: nothing written");
    }
    let e = refused(&dir, &["import", "many.yaml", "-o", "m.rs"], "many.yaml:1");
    assert!(e.contains("501 Resources, more than the 500"), "{e}");
}

#[test]
fn proton_render_refuses_a_jinja_loop_and_output_without_bound_keeping_the_previous_output() {
    for (case, source) in [
        ("loop", "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}"),
        ("growth", "{% for i in range(100) %}{{ 'x' * 1000000 }}{% endfor %}"),
        ("recursion", "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}"),
        // Overflowed the parser's stack (fuzzing found it): 20,000 unary minuses.
        ("prefix", &format!("A: {{{{ 1 {}1 }}}}\n", "- ".repeat(20_000))),
    ] {
        let dir = scratch(&format!("render-{case}"));
        let bundle = dir.join("bundle");
        copy_dir(&fixtures().join("aws-samples/environment-templates/vpc-env"), &bundle);
        std::fs::write(bundle.join("v1/infrastructure/cloudformation.yaml"), source).unwrap();
        let out = dir.join("out");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("previous"), "kept").unwrap();
        let e = refused(
            &dir,
            &["proton", "render", "bundle/v1", "--spec", "bundle/spec/spec.yaml", "-o", "out"],
            "cloudformation.yaml",
        );
        assert!(e.contains("Jinja rendering failed"), "{case}: {e}");
        previous_output_intact(&dir, &out);
    }
}

#[test]
fn proton_migrate_follows_no_link_out_of_the_repository() {
    let dir = scratch("migrate-link");
    let repo = dir.join("repo");
    copy_dir(&fixtures().join("migrate/repo"), &repo);
    std::fs::write(dir.join("secret.yaml"), "proton: EnvironmentSpec\nspec: {token: hunter2}\n").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.join("secret.yaml"), repo.join("specs/stolen.yaml")).unwrap();
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("previous"), "kept").unwrap();
    let e = refused(&dir, &["proton", "migrate", "repo", "-o", "out"], "stolen.yaml");
    assert!(e.contains("leads outside the repository") && !e.contains("hunter2"), "{e}");
    previous_output_intact(&dir, &out);

    // A link to a directory above would never end if followed: the repository is read
    // (and found incomplete, as this fixture alone is), not walked forever.
    std::fs::remove_file(repo.join("specs/stolen.yaml")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&repo, repo.join("specs/loop")).unwrap();
    refused(&dir, &["proton", "migrate", "repo", "-o", "out"], "migration.yaml");
    previous_output_intact(&dir, &out);
}

#[test]
fn diff_reads_no_template_outside_the_assembly() {
    let dir = scratch("diff");
    std::fs::create_dir_all(dir.join("a")).unwrap();
    std::fs::write(dir.join("secret.json"), "{\"Resources\": {\"Leaked\": {\"Type\": \"AWS::SQS::Queue\"}}}").unwrap();
    std::fs::write(
        dir.join("a/manifest.json"),
        r#"{"version": "55.0.0", "artifacts": {"S": {"type": "aws:cloudformation:stack", "environment": "aws://111111111111/us-east-1", "properties": {"templateFile": "../secret.json"}}}}"#,
    )
    .unwrap();
    let e = refused(&dir, &["diff", "a", "a"], "manifest.json");
    assert!(e.contains("not a file inside the assembly") && !e.contains("Leaked"), "{e}");
}

#[test]
fn a_malformed_cloudwright_json_exits_2_naming_it() {
    let dir = scratch("config");
    std::fs::write(dir.join("cloudwright.json"), format!("{{\"app\": {}", "[".repeat(100_000))).unwrap();
    refused(&dir, &["synth", "-o", "out"], "cloudwright.json");
    assert!(!dir.join("out").exists());
}
