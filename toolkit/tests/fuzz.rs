//! Hostile input (issue 31): every reader of files a user did not write, fed the project's
//! fixtures and snapshots mutated (bytes flipped, truncated, spliced with another seed,
//! hostile fragments inserted: deep nesting, alias bombs, Jinja loops, `../`). Invariants:
//! no panic, no hang (each input within `PER_INPUT`, asserted), every error names the file
//! it concerns (and, for a YAML or JSON syntax error, its line).
//!
//! Cases per reader: `CLOUDWRIGHT_FUZZ_CASES` (`cargo xtask fuzz` sets it), else the
//! bounded default of each test, small enough for the normal test suite.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use cloudwright_core::Error;
use cloudwright_toolkit::proton::render::{RenderProps, cfn_yaml_to_json, render};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// The longest one input may take (a debug build, two cores shared): far above any real
/// input's time, far below a hang's.
const PER_INPUT: Duration = Duration::from_secs(10);

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn cases(default: u32) -> u32 {
    std::env::var("CLOUDWRIGHT_FUZZ_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(default)
}

fn runner(default: u32) -> TestRunner {
    TestRunner::new(Config { cases: cases(default), failure_persistence: None, ..Config::default() })
}

/// Fragments a hostile user would write.
const HOSTILE: &[&str] = &[
    "[[[[[[[[[[[[[[[[",
    "{a: {a: {a: {a: ",
    "]]]]}}}}",
    "&a [x, x]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c]\n",
    "*a",
    "!Ref ",
    "!GetAtt x",
    "!Bogus ",
    "'",
    "\"",
    ": ",
    "\n- ",
    "\t",
    "\0",
    "\u{feff}",
    "{{ ",
    " }}",
    "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
    "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    "{{ 'x' * 90000000 }}",
    "{{ environment.inputs }}",
    "../../../../etc/passwd",
    "/etc/passwd",
    "\n---\n",
    "|\n",
    ">-\n",
    "# ",
    "${AWS::Region}",
    "Fn::GetAtt",
    "\"Resources\": 1, ",
    "Resources:\n  X:\n    Type: AWS::SQS::Queue\n",
    "{\"cw::ref\": [0, 1]}",
    "1e999999",
    "-9223372036854775809",
    "\"templateFile\": \"../../etc/passwd\",",
    "\"directoryName\": \"/\",",
];

/// One change to a seed; positions are taken modulo its length.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Truncate(usize),
    Splice { at: usize, other: usize, from: usize, len: usize },
    Insert(usize, usize),
    Deep(usize, bool, usize),
    Remove(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        2 => (any::<usize>(), any::<usize>(), any::<usize>(), 0usize..400)
            .prop_map(|(at, other, from, len)| Mutation::Splice { at, other, from, len }),
        3 => (any::<usize>(), 0..HOSTILE.len()).prop_map(|(i, h)| Mutation::Insert(i, h)),
        1 => (any::<usize>(), any::<bool>(), 1usize..20_000).prop_map(|(i, flow, n)| Mutation::Deep(i, flow, n)),
        1 => (any::<usize>(), 0usize..200).prop_map(|(i, n)| Mutation::Remove(i, n)),
    ]
}

/// `seed` changed by `mutations` (`seeds` for splices).
fn mutate(seed: &[u8], mutations: &[Mutation], seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for m in mutations {
        let at = |i: usize, b: &Vec<u8>| if b.is_empty() { 0 } else { i % (b.len() + 1) };
        match *m {
            Mutation::Flip(i, x) if !b.is_empty() => {
                let i = i % b.len();
                b[i] ^= x | 1;
            }
            Mutation::Flip(..) => {}
            Mutation::Truncate(i) => b.truncate(at(i, &b)),
            Mutation::Splice { at: i, other, from, len } => {
                let o = &seeds[other % seeds.len()];
                let from = if o.is_empty() { 0 } else { from % o.len() };
                let part = o[from..(from + len).min(o.len())].to_vec();
                let i = at(i, &b);
                b.splice(i..i, part);
            }
            Mutation::Insert(i, h) => {
                let i = at(i, &b);
                b.splice(i..i, HOSTILE[h].bytes());
            }
            Mutation::Deep(i, flow, n) => {
                let i = at(i, &b);
                let open = if flow { "[".repeat(n) } else { "- ".repeat(n) };
                b.splice(i..i, open.into_bytes());
            }
            Mutation::Remove(i, n) => {
                let i = at(i, &b);
                let end = (i + n).min(b.len());
                b.drain(i..end);
            }
        }
    }
    b
}

fn mutated(seeds: &[Vec<u8>]) -> impl Strategy<Value = (usize, Vec<Mutation>)> {
    (0..seeds.len(), proptest::collection::vec(mutation(), 0..4))
}

/// Runs `f` on a thread of its own (the default 2 MiB stack, less than the CLI's main
/// thread has), failing on a panic or when it takes longer than `PER_INPUT`.
fn bounded<T: Send + 'static>(reader: &str, input: &dyn std::fmt::Debug, f: impl FnOnce() -> T + Send + 'static) -> T {
    // A stack overflow aborts the process before any report: the input is left in this
    // file first (`cargo xtask fuzz` prints it).
    if let Some(file) = std::env::var_os("CLOUDWRIGHT_FUZZ_LAST") {
        let _ = std::fs::write(file, format!("{reader}: {input:?}"));
    }
    let (tx, rx) = mpsc::channel();
    let start = Instant::now();
    std::thread::spawn(move || {
        let _ = tx.send(catch_unwind(AssertUnwindSafe(f)));
    });
    match rx.recv_timeout(PER_INPUT) {
        Ok(Ok(value)) => value,
        Ok(Err(_)) => panic!("{reader} panicked on {input:?}"),
        Err(_) => panic!("{reader} took more than {:?} on {input:?}", start.elapsed()),
    }
}

/// An input's text for a failure report: its start and length.
#[derive(Clone)]
struct Shown(String);

impl std::fmt::Debug for Shown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let head: String = self.0.chars().take(300).collect();
        write!(f, "{} bytes: {head:?}", self.0.len())
    }
}

/// The error names `name` (the file), and a syntax error a line of it.
fn names_file(e: &Error, name: &str) -> std::result::Result<(), TestCaseError> {
    let text = e.to_string();
    prop_assert!(text.contains(name), "the error does not name {name}: {text}");
    if text.contains("is not valid YAML") || text.contains("is not valid JSON") {
        let line = format!("{name}:");
        prop_assert!(
            text.contains(&line)
                && text[text.find(&line).unwrap() + line.len()..].starts_with(|c: char| c.is_ascii_digit()),
            "a syntax error names no line: {text}"
        );
    }
    Ok(())
}

/// An error names a file of the scratch directory `dir`, which is then removed.
fn names_a_file_of(result: Result<(), Error>, dir: &Path) -> std::result::Result<(), TestCaseError> {
    let named = result.as_ref().err().map(ToString::to_string);
    let _ = std::fs::remove_dir_all(dir);
    if let Some(text) = named {
        prop_assert!(text.contains(&dir.display().to_string()), "the error names no input file: {text}");
    }
    Ok(())
}

/// Insta snapshots' bodies (the header stripped), by file.
fn strip_header(text: &str) -> &str {
    text.strip_prefix("---\n").and_then(|rest| rest.split_once("\n---\n")).map_or(text, |(_, body)| body)
}

/// Files below `dir` whose name ends with one of `ends`, at most 64 KiB each (a larger seed
/// only makes each case slower).
fn files(dir: &Path, ends: &[&str]) -> Vec<PathBuf> {
    files_up_to(dir, ends, 64 << 10)
}

/// Files below `dir` whose name ends with one of `ends`, at most `max` bytes each.
fn files_up_to(dir: &Path, ends: &[&str], max: u64) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            let name = path.to_string_lossy().into_owned();
            if path.is_dir() {
                stack.push(path);
            } else if ends.iter().any(|e| name.ends_with(e)) && entry.metadata().is_ok_and(|m| m.len() <= max) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn template_seeds() -> Vec<Vec<u8>> {
    let mut seeds: Vec<Vec<u8>> = files(&root().join("synth-cli/tests/fixtures"), &[".yaml", ".yml", ".template.json"])
        .into_iter()
        .map(|p| std::fs::read(p).unwrap())
        .filter(|t| !t.windows(2).any(|w| w == b"{{" || w == b"{%"))
        .collect();
    for snap in files(&root().join("snapshots"), &[".template.json.snap"]).into_iter().take(40) {
        seeds.push(strip_header(&std::fs::read_to_string(snap).unwrap()).as_bytes().to_vec());
    }
    assert!(seeds.len() > 10, "{} seeds", seeds.len());
    seeds
}

#[test]
fn the_cloudformation_yaml_reader_and_import() {
    let seeds = template_seeds();
    let mut runner = runner(256);
    runner
        .run(&mutated(&seeds), |(seed, ms)| {
            let text = Shown(String::from_utf8_lossy(&mutate(&seeds[seed], &ms, &seeds)).into_owned());
            let t = text.0.clone();
            if let Err(e) = bounded("cfn_yaml_to_json", &text, move || cfn_yaml_to_json(&t, "fuzz.yaml")) {
                names_file(&e, "fuzz.yaml")?;
            }
            let t = text.0.clone();
            if let Err(e) = bounded("import", &text, move || cloudwright_toolkit::import::import(&t, "fuzz.yaml")) {
                names_file(&e, "fuzz.yaml")?;
            }
            Ok(())
        })
        .unwrap();
}

/// A copy of `from` in a fresh scratch directory, with `file` (relative) replaced by `bytes`.
fn scratch_copy(from: &Path, name: &str, file: Option<(&str, &[u8])>) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cw-fuzz-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for src in files_up_to(from, &[""], u64::MAX) {
        let rel = src.strip_prefix(from).unwrap();
        let dst = dir.join(rel);
        std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
        std::fs::copy(&src, &dst).unwrap();
    }
    if let Some((rel, bytes)) = file {
        std::fs::write(dir.join(rel), bytes).unwrap();
    }
    dir
}

/// The bundle, spec, environments and components files `proton render` reads, each mutated.
#[test]
fn proton_render_of_bundles_specs_and_jinja() {
    let fixtures = root().join("synth-cli/tests/fixtures/proton");
    let bundle = fixtures.join("aws-samples/environment-templates/vpc-env");
    let rels = [
        "v1/schema/schema.yaml",
        "v1/infrastructure/manifest.yaml",
        "v1/infrastructure/cloudformation.yaml",
        "spec/spec.yaml",
        "environments.yaml",
        "components.yaml",
    ];
    let inputs = fixtures.join("inputs");
    let originals: BTreeMap<&str, Vec<u8>> = rels
        .iter()
        .map(|r| {
            let path = if r.starts_with("spec") || r.starts_with("v1") { bundle.join(r) } else { inputs.join(r) };
            (*r, std::fs::read(path).unwrap())
        })
        .collect();
    let seeds: Vec<Vec<u8>> = originals.values().cloned().collect();
    let mut runner = runner(64);
    runner
        .run(&(0..rels.len(), proptest::collection::vec(mutation(), 1..4)), |(which, ms)| {
            let rel = rels[which];
            let bytes = mutate(&originals[rel], &ms, &seeds);
            let dir = scratch_copy(&bundle, "render", None);
            std::fs::write(dir.join("environments.yaml"), &originals["environments.yaml"]).unwrap();
            std::fs::write(dir.join("components.yaml"), &originals["components.yaml"]).unwrap();
            std::fs::write(dir.join(rel), &bytes).unwrap();
            let props = RenderProps {
                bundle: dir.join("v1"),
                spec: dir.join("spec/spec.yaml"),
                environments: Some(dir.join("environments.yaml")),
                components: None,
                ..Default::default()
            };
            let shown = Shown(format!("{rel}: {}", String::from_utf8_lossy(&bytes)));
            let result = bounded("proton render", &shown, move || render(&props).map(|_| ()));
            // The file named is one of the scratch copy's (the one that is wrong, or the
            // bundle directory).
            names_a_file_of(result, &dir)?;
            Ok(())
        })
        .unwrap();
}

/// The migrate fixture made whole without a synth: the lambda-multi-svc sample's bundles
/// and spec added, the environments only the reference app's bundles serve left out (it
/// migrates to 6 stacks), and its deployed-stack files beside it.
fn migratable_repository() -> PathBuf {
    let proton = root().join("synth-cli/tests/fixtures/proton");
    let base = scratch_copy(&proton.join("migrate"), "migrate-base", None);
    let samples = proton.join("aws-samples/lambda-multi-svc");
    for (from, to) in [
        ("lambda-env", "repo/lambda-multi-svc/lambda-env"),
        ("service-crud/v1", "repo/lambda-multi-svc/service-crud/v1"),
        ("specs/env-spec.yaml", "repo/lambda-multi-svc/specs/env-spec.yaml"),
    ] {
        let from = samples.join(from);
        let sources = if from.is_file() { vec![from.clone()] } else { files(&from, &[""]) };
        for src in sources {
            let rel = src.strip_prefix(&from).unwrap();
            let dst = if rel.as_os_str().is_empty() { base.join(to) } else { base.join(to).join(rel) };
            std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
            std::fs::copy(&src, &dst).unwrap();
        }
    }
    let config = base.join("repo/migration.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    let (head, rest) = text.split_once("  dev:\n").unwrap();
    let (_, tail) = rest.split_once("services:\n").unwrap();
    std::fs::write(&config, format!("{head}services:\n{tail}")).unwrap();
    base
}

/// A template-sync repository and deployed-stack files `proton migrate` reads, each mutated.
#[test]
fn proton_migrate_of_repositories_and_deployed_stacks() {
    let fixtures = migratable_repository();
    let all = files(&fixtures, &[".yaml", ".json"]);
    let rels: Vec<String> =
        all.iter().map(|p| p.strip_prefix(&fixtures).unwrap().to_string_lossy().into_owned()).collect();
    let seeds: Vec<Vec<u8>> = all.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let props = |dir: &Path| cloudwright_toolkit::proton::migrate::MigrateProps {
        repo: dir.join("repo"),
        deployed: files(
            &dir.join("deployed"),
            &["describe-stacks-111111111111.json", "describe-stacks-222222222222.json"],
        ),
        deployed_templates: Some(dir.join("deployed/templates")),
    };
    // Unchanged, the repository migrates: the cases below reach every reader.
    cloudwright_toolkit::proton::migrate::migrate(&props(&fixtures)).unwrap();
    let mut runner = runner(64);
    runner
        .run(&(0..rels.len(), proptest::collection::vec(mutation(), 1..4)), |(which, ms)| {
            let bytes = mutate(&seeds[which], &ms, &seeds);
            let dir = scratch_copy(&fixtures, "migrate", Some((&rels[which], &bytes)));
            let props = props(&dir);
            let shown = Shown(format!("{}: {}", rels[which], String::from_utf8_lossy(&bytes)));
            let result = bounded("proton migrate", &shown, move || {
                cloudwright_toolkit::proton::migrate::migrate(&props).map(|_| ())
            });
            if let Err(e) = result {
                // Migrate names a repository's files relative to it (`specs/crud.yaml`).
                let text = e.to_string();
                let in_repo = |rel: &String| rel.strip_prefix("repo/").is_some_and(|r| text.contains(r));
                prop_assert!(
                    text.contains(&dir.display().to_string()) || rels.iter().any(in_repo),
                    "the error names no input file: {text}"
                );
            }
            let _ = std::fs::remove_dir_all(&dir);
            Ok(())
        })
        .unwrap();
}

/// An assembly `diff` loads (manifests, templates, Proton schemas), and the manifest model
/// every assembly reader parses with, each mutated.
#[test]
fn diff_assembly_loader_and_manifests() {
    let fixtures = root().join("synth-cli/tests/fixtures/import/cdk-stages");
    let all = files(&fixtures, &[".json", ".out"]);
    let rels: Vec<String> =
        all.iter().map(|p| p.strip_prefix(&fixtures).unwrap().to_string_lossy().into_owned()).collect();
    let seeds: Vec<Vec<u8>> = all.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let mut runner = runner(96);
    runner
        .run(&(0..rels.len(), proptest::collection::vec(mutation(), 1..4)), |(which, ms)| {
            let bytes = mutate(&seeds[which], &ms, &seeds);
            let b = bytes.clone();
            let shown = Shown(format!("{}: {}", rels[which], String::from_utf8_lossy(&bytes)));
            if let Err(e) = bounded("Manifest::from_slice", &shown, move || {
                cloudwright_core::assembly::Manifest::from_slice(&b, "fuzz/manifest.json").map(|_| ())
            }) {
                names_file(&e, "fuzz/manifest.json")?;
            }
            let dir = scratch_copy(&fixtures, "diff", Some((&rels[which], &bytes)));
            let arg = dir.display().to_string();
            let result =
                bounded("diff load", &shown, move || cloudwright_toolkit::diff::Side::load(&arg, None).map(|_| ()));
            names_a_file_of(result, &dir)?;
            Ok(())
        })
        .unwrap();
}

/// The export lock and the Proton schema lock, mutated.
#[test]
fn the_lock_files() {
    let seeds = vec![
        std::fs::read(root().join("cloudwright.exports.lock.json")).unwrap(),
        std::fs::read(root().join("examples/proton-schemas.lock.json")).unwrap(),
    ];
    let mut runner = runner(256);
    runner
        .run(&mutated(&seeds), |(seed, ms)| {
            let text = Shown(String::from_utf8_lossy(&mutate(&seeds[seed], &ms, &seeds)).into_owned());
            let t = text.0.clone();
            if let Err(e) = bounded("ExportsLock::parse", &text, move || {
                cloudwright_core::synth::exports_lock::ExportsLock::parse("fuzz.lock.json", &t).map(|_| ())
            }) {
                names_file(&e, "fuzz.lock.json")?;
            }
            let t = text.0.clone();
            if let Err(e) = bounded("SchemaLock::parse", &text, move || {
                let app = cloudwright_core::App::new();
                cloudwright_constructs::proton::SchemaLock::parse(&app, "fuzz.lock.json", &t).map(|_| ())
            }) {
                names_file(&e, "fuzz.lock.json")?;
            }
            Ok(())
        })
        .unwrap();
}

/// Refactor mapping files, and the moves `diff` and `refactor` find between a template and a
/// mutated copy of it (references in cycles, to nothing, through exports of other stacks).
#[test]
fn mapping_files_and_moves() {
    use cloudwright_toolkit::diff::{Mapping, Side, StackTemplate, diff_with};
    let mapping_seeds = vec![
        br#"{"environments": [{"account": "111111111111", "region": "us-east-1",
  "resources": {"A.One": "B.Two", "A.Three": "A.Four"}}]}"#
            .to_vec(),
    ];
    runner(128)
        .run(&mutated(&mapping_seeds), |(seed, ms)| {
            let text = Shown(String::from_utf8_lossy(&mutate(&mapping_seeds[seed], &ms, &mapping_seeds)).into_owned());
            let t = text.0.clone();
            if let Err(e) =
                bounded("Mapping::parse", &text, move || Mapping::parse(&t, "fuzz/mapping.json").map(|_| ()))
            {
                names_file(&e, "fuzz/mapping.json")?;
            }
            Ok(())
        })
        .unwrap();

    let seeds: Vec<Vec<u8>> = template_seeds()
        .into_iter()
        .filter(|t| serde_json::from_slice::<serde_json::Value>(t).is_ok_and(|v| v.is_object()))
        .collect();
    let side = |template: serde_json::Value, stack: &str| Side {
        label: stack.into(),
        stacks: vec![StackTemplate {
            artifact_id: stack.into(),
            display_name: stack.into(),
            environment: "aws://111111111111/us-east-1".into(),
            template,
            ..Default::default()
        }],
        proton: Default::default(),
    };
    runner(64)
        .run(&(mutated(&seeds), proptest::bool::ANY), |((seed, ms), other_stack)| {
            let bytes = mutate(&seeds[seed], &ms, &seeds);
            let Ok(new @ serde_json::Value::Object(_)) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
                return Ok(());
            };
            let old: serde_json::Value = serde_json::from_slice(&seeds[seed]).unwrap();
            let shown = Shown(String::from_utf8_lossy(&bytes).into_owned());
            let (old, new) = (side(old, "S"), side(new, if other_stack { "T" } else { "S" }));
            bounded("diff and refactor", &shown, move || {
                let d = diff_with(&old, &new, &Mapping::default()).unwrap();
                let _ = (d.to_text(false), d.to_markdown());
                cloudwright_toolkit::refactor::plan(&old, &new, &Mapping::default()).map(|p| p.files()).unwrap();
            });
            Ok(())
        })
        .unwrap();
}
