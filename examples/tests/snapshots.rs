//! Every file each example synthesizes, pinned under `snapshots/<example>/` (and the
//! examples that have a Proton mode once more in it, under `snapshots/<example>_proton/`),
//! so a pull request that changes an example shows its infrastructure diff. The pins do
//! not depend on the environment (`$CLOUDWRIGHT_DEPLOY_MODE`), and a snapshot file that no
//! pin produces any more fails the tests.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::collections::BTreeSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;

use cloudwright_constructs::assert_app_snapshot;
use cloudwright_constructs::proton::DeployMode;
use cloudwright_constructs::testing::snapshot_name;
use cloudwright_examples::multi_account::{self, Layout};
use cloudwright_examples::{Builder, EXAMPLES, proton};

/// Snapshot directories written by other test files, not by this one:
/// `synth-cli/tests/diff.rs`, `synth-cli/tests/graph.rs`,
/// `toolkit/tests/governance_reports.rs`, `synth-cli/tests/proton_migrate.rs`.
const OTHER_WRITERS: &[&str] = &["diff", "graph", "governance", "proton_migrate"];

/// The variable `multi_account::app()` and `proton::app()` read their deploy mode from.
const DEPLOY_MODE_ENV: &str = "CLOUDWRIGHT_DEPLOY_MODE";

/// Every pinned app by snapshot directory: each example, those whose `app()` reads the
/// deploy mode from the environment built in plain mode explicitly, and those again in
/// Proton mode (the only pins holding `AWS::Proton::*` resources).
fn pinned() -> Vec<(&'static str, Builder)> {
    let mut all: Vec<(&'static str, Builder)> = EXAMPLES
        .iter()
        .map(|&(name, build)| {
            let explicit: Builder = match name {
                "multi_account" => || multi_account::app_with(&Layout::default(), DeployMode::Plain),
                "proton" => || proton::app_with_mode(DeployMode::Plain),
                _ => build,
            };
            (name, explicit)
        })
        .collect();
    all.push(("multi_account_proton", || multi_account::app_with(&Layout::default(), DeployMode::Proton)));
    all.push(("proton_proton", || proton::app_with_mode(DeployMode::Proton)));
    all
}

#[test]
fn every_example_file_is_pinned() {
    for (name, build) in pinned() {
        let app = build().unwrap_or_else(|e| panic!("example {name}: {e}"));
        assert_app_snapshot!(app, format!("../../snapshots/{name}"));
    }
}

#[test]
fn examples_synthesize_the_same_bytes_every_time() {
    for (name, build) in pinned() {
        let one = build().and_then(|a| a.assembly()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let two = build().and_then(|a| a.assembly()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(one.files(), two.files(), "{name}");
    }
}

#[test]
fn proton_mode_pins_hold_proton_resources() {
    for (name, build) in pinned() {
        let assembly = build().and_then(|a| a.assembly()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let proton = assembly
            .files()
            .iter()
            .any(|(path, bytes)| path.ends_with(".template.json") && contains(bytes, b"\"AWS::Proton::"));
        assert_eq!(proton, name.ends_with("_proton"), "{name}: AWS::Proton::* resources only in Proton mode");
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn snapshots_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../snapshots")
}

/// The `.snap` files under `dir`, relative to `root`, with `/` separators.
fn snap_files(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            snap_files(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "snap") {
            let relative = path.strip_prefix(root).unwrap();
            out.insert(relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"));
        }
    }
}

/// The snapshot files under `root` that no pin of this file produces, directories of
/// other test files left out.
fn stale_snapshots(root: &Path) -> Vec<String> {
    let mut expected = BTreeSet::new();
    for (name, build) in pinned() {
        let assembly = build().and_then(|a| a.assembly()).unwrap_or_else(|e| panic!("{name}: {e}"));
        for path in assembly.files().keys() {
            expected.insert(format!("{name}/{}.snap", snapshot_name(path)));
        }
    }
    let mut found = BTreeSet::new();
    snap_files(root, root, &mut found);
    found
        .into_iter()
        .filter(|f| !OTHER_WRITERS.iter().any(|dir| f.starts_with(&format!("{dir}/"))))
        .filter(|f| !expected.contains(f))
        .collect()
}

#[test]
fn no_snapshot_is_stale() {
    let stale = stale_snapshots(&snapshots_dir());
    assert!(
        stale.is_empty(),
        "snapshot files that no example produces any more (delete them, or pin what should produce them):\n  \
         snapshots/{}",
        stale.join("\n  snapshots/")
    );
}

#[test]
fn the_stale_check_finds_a_stale_file() {
    let root = std::env::temp_dir().join(format!("cw-stale-snapshots-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    for (dir, file) in [
        ("basic", "manifest.json.snap"),
        ("basic", "Gone.template.json.snap"),
        ("retired", "a.snap"),
        ("diff", "x.snap"),
    ] {
        std::fs::create_dir_all(root.join(dir)).unwrap();
        std::fs::write(root.join(dir).join(file), "").unwrap();
    }
    let stale = stale_snapshots(&root);
    std::fs::remove_dir_all(&root).unwrap();
    assert_eq!(stale, ["basic/Gone.template.json.snap", "retired/a.snap"]);
}

/// A digest of every pinned file, printed for [`pins_do_not_read_the_deploy_mode_variable`].
fn digest() -> u64 {
    let mut hasher = DefaultHasher::new();
    for (name, build) in pinned() {
        let assembly = build().and_then(|a| a.assembly()).unwrap_or_else(|e| panic!("{name}: {e}"));
        name.hash(&mut hasher);
        assembly.files().hash(&mut hasher);
    }
    hasher.finish()
}

/// Run by [`pins_do_not_read_the_deploy_mode_variable`] in a child process.
#[test]
#[ignore = "run by pins_do_not_read_the_deploy_mode_variable in a child process"]
fn print_digest() {
    println!("DIGEST {}", digest());
}

#[test]
fn pins_do_not_read_the_deploy_mode_variable() {
    // The variable cannot be set in this process (tests run in parallel threads): a child
    // builds every pin with the mode the variable names opposite to ours.
    let other = match std::env::var(DEPLOY_MODE_ENV).as_deref() {
        Ok("proton") => "plain",
        _ => "proton",
    };
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["print_digest", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env(DEPLOY_MODE_ENV, other)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "child failed: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let theirs = stdout
        .lines()
        .find_map(|l| l.split_once("DIGEST ").map(|(_, d)| d.trim()))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert_eq!(theirs, digest().to_string(), "a pinned app reads ${DEPLOY_MODE_ENV}");
}
