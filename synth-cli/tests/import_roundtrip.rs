//! The round trip as the oracle of `cloudwright import`: every corpus template is imported,
//! all of them into ONE generated crate under target/ that is built once, run, and each
//! synthesized template compared with its original after the normalizations listed in
//! docs/import.md (`normalize` below is that list).
//!
//! Corpus: every template the examples synthesize (their snapshots), the CDK-written
//! assemblies (tests/fixtures/import/cdk-*, through `--assembly`), the AWS Proton samples
//! after `proton render`, and the hand-written templates in tests/fixtures/import/templates.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use cloudwright_toolkit::import::{assembly, import, module_name};
use cloudwright_toolkit::proton::render::{RenderProps, render};
use serde_json::{Value, json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// (name, template text) of every single-template corpus member.
fn templates() -> Vec<(String, String)> {
    let mut out = Vec::new();
    // The examples' templates, from their snapshots (an insta header, then the JSON).
    let mut snaps = Vec::new();
    for dir in std::fs::read_dir(root().join("snapshots")).unwrap() {
        let dir = dir.unwrap().path();
        for f in std::fs::read_dir(&dir).into_iter().flatten() {
            let f = f.unwrap().path();
            if f.to_string_lossy().ends_with(".template.json.snap") {
                snaps.push(f);
            }
        }
    }
    snaps.sort();
    for f in snaps {
        let text = std::fs::read_to_string(&f).unwrap();
        let json = text.splitn(3, "---\n").nth(2).unwrap().to_owned();
        out.push((f.strip_prefix(root()).unwrap().display().to_string(), json));
    }
    // The Proton samples, rendered.
    let samples = fixtures().join("proton/aws-samples");
    let inputs = fixtures().join("proton/inputs");
    let environments = Some(inputs.join("environments.yaml"));
    let bundles = [
        ("environment-templates/vpc-env/v1", samples.join("environment-templates/vpc-env/spec/spec.yaml")),
        ("lambda-multi-svc/lambda-env/v1", samples.join("lambda-multi-svc/specs/env-spec.yaml")),
        // The sample's own spec names a pipeline input its schema lacks: the corrected copy.
        ("lambda-multi-svc/service-crud/v1", inputs.join("crud-svc-spec.yaml")),
    ];
    for (bundle, spec) in bundles {
        let props = RenderProps {
            bundle: samples.join(bundle),
            spec,
            environments: environments.clone(),
            ..Default::default()
        };
        let assembly = render(&props).unwrap_or_else(|e| panic!("{bundle}: {e}"));
        for s in assembly.stacks() {
            let text = String::from_utf8(assembly.file(&s.template_file).unwrap().to_vec()).unwrap();
            out.push((format!("proton {bundle} {}", s.template_file), text));
        }
    }
    // Hand-written templates in the styles of AWS's samples.
    let mut own: Vec<PathBuf> =
        std::fs::read_dir(fixtures().join("import/templates")).unwrap().map(|e| e.unwrap().path()).collect();
    own.sort();
    for f in own {
        out.push((f.strip_prefix(root()).unwrap().display().to_string(), std::fs::read_to_string(&f).unwrap()));
    }
    // More templates to measure with, not committed (e.g. a checkout of AWS's samples):
    // `CLOUDWRIGHT_IMPORT_EXTRA=DIR`; those that do not import are counted, not fatal.
    if let Some(dir) = std::env::var_os("CLOUDWRIGHT_IMPORT_EXTRA") {
        let mut extra: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        extra.sort();
        for f in extra {
            out.push((format!("extra {}", f.display()), std::fs::read_to_string(&f).unwrap()));
        }
    }
    out
}

/// The normalizations of docs/import.md, applied to both sides.
fn normalize(template: &Value) -> Value {
    let mut t = norm(template);
    let o = t.as_object_mut().unwrap();
    // cloudwright adds the CDK's bootstrap check itself; import leaves the CDK's out.
    for (section, key) in [("Parameters", "BootstrapVersion"), ("Rules", "CheckBootstrapVersion")] {
        if let Some(s) = o.get_mut(section).and_then(Value::as_object_mut) {
            s.remove(key);
        }
    }
    // Template metadata is not imported (cloudwright does not write it).
    o.remove("Metadata");
    o.retain(|_, v| !v.as_object().is_some_and(|m| m.is_empty()));
    for p in o.get_mut("Parameters").and_then(Value::as_object_mut).into_iter().flat_map(|m| m.values_mut()) {
        let p = p.as_object_mut().unwrap();
        // A parameter without a type is a String, written out.
        p.entry("Type").or_insert(json!("String"));
        // Allowed values are strings.
        if let Some(Value::Array(vs)) = p.get_mut("AllowedValues") {
            for v in vs.iter_mut() {
                if !v.is_string() {
                    *v = json!(v.to_string());
                }
            }
        }
        if p.get("NoEcho") == Some(&json!("true")) {
            p.insert("NoEcho".into(), json!(true));
        }
        // Length and value constraints are numbers (CloudFormation reads "1" as 1).
        for k in ["MinLength", "MaxLength", "MinValue", "MaxValue"] {
            if let Some(n) = p.get(k).and_then(Value::as_str).and_then(|s| s.parse::<f64>().ok()) {
                p.insert(k.into(), norm(&json!(n)));
            }
        }
    }
    for r in o.get_mut("Resources").and_then(Value::as_object_mut).into_iter().flat_map(|m| m.values_mut()) {
        // `DependsOn: X` is `DependsOn: [X]`.
        if let Some(d @ Value::String(_)) = r.get_mut("DependsOn") {
            *d = json!([d.take()]);
        }
        // `Properties: {}` is no `Properties`.
        if r.get("Properties").is_some_and(|p| p.as_object().is_some_and(|m| m.is_empty())) {
            r.as_object_mut().unwrap().remove("Properties");
        }
    }
    t
}

/// Differences known and accepted, by corpus name and JSON pointer: what cloudwright cannot
/// write (import warns about each).
const KNOWN: &[(&str, &str)] = &[
    // AWS SAM's `Globals` section: `StackProps` has no place for it.
    ("svcspecfrontend.template.json", "/Globals"),
];

fn norm(v: &Value) -> Value {
    match v {
        // Numbers by value (1 and 1.0 are the same to CloudFormation).
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => json!(f as i64),
            _ => v.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(norm).collect()),
        Value::Object(o) => {
            if let (1, Some(Value::String(s))) = (o.len(), o.get("Fn::GetAtt")) {
                // `Fn::GetAtt: A.B` is `Fn::GetAtt: [A, B]`.
                if let Some((r, a)) = s.split_once('.') {
                    return json!({"Fn::GetAtt": [r, a]});
                }
            }
            if let (1, Some(Value::Array(args))) = (o.len(), o.get("Fn::Sub")) {
                // `Fn::Sub: [S, {}]` is `Fn::Sub: S`.
                if args.len() == 2 && args[1].as_object().is_some_and(|m| m.is_empty()) {
                    return json!({"Fn::Sub": norm(&args[0])});
                }
            }
            // Key order does not matter: serde_json maps compare as maps.
            Value::Object(o.iter().map(|(k, v)| (k.clone(), norm(v))).collect())
        }
        _ => v.clone(),
    }
}

fn cargo_toml(features: &[String]) -> String {
    let features = features.iter().map(|f| format!("{f:?}")).collect::<Vec<_>>().join(", ");
    format!(
        "[package]\nname = \"import-roundtrip\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n[workspace]\n\n[dependencies]\ncloudwright-constructs = {{ path = {:?}, features = [{features}] }}\nserde_json = \"1\"\n",
        root().join("constructs").display().to_string()
    )
}

#[test]
fn imported_templates_synthesize_to_the_originals() {
    let crate_dir = root().join("target/import-roundtrip");
    let src = crate_dir.join("src");
    let _ = std::fs::remove_dir_all(&src);
    std::fs::create_dir_all(&src).unwrap();

    let started = Instant::now();
    let corpus = templates();
    let mut features = std::collections::BTreeSet::new();
    let mut main_mods = String::new();
    let mut main_body = String::from("    let app = App::new();\n");
    let mut originals: BTreeMap<String, (String, Value)> = BTreeMap::new();
    let mut resources = 0;
    let (mut largest, mut largest_secs, mut largest_name) = (0, 0.0, String::new());
    let mut not_imported = Vec::new();
    for (i, (name, text)) in corpus.iter().enumerate() {
        let t = Instant::now();
        let imported = match import(text, name) {
            Ok(imported) => imported,
            Err(e) if name.starts_with("extra ") => {
                not_imported.push(format!("{name}: {e}"));
                continue;
            }
            Err(e) => panic!("{name}: {e}"),
        };
        let secs = t.elapsed().as_secs_f64();
        if imported.resources > largest {
            (largest, largest_secs, largest_name) = (imported.resources, secs, name.clone());
        }
        resources += imported.resources;
        features.extend(imported.features);
        let module = format!("t{i:03}");
        std::fs::write(src.join(format!("{module}.rs")), &imported.code).unwrap();
        main_mods.push_str(&format!("mod {module};\n"));
        let id = format!("T{i:03}");
        main_body.push_str(&format!("    {module}::stack(&app, {id:?}, StackProps::default())?;\n"));
        originals.insert(
            format!("templates/{id}.template.json"),
            (name.clone(), serde_json::from_str(&cfn_json(text)).unwrap()),
        );
    }
    main_body.push_str("    app.synth(out.join(\"templates\"))?;\n");
    // The CDK-written assemblies, through --assembly.
    for dir in ["cdk-stages", "cdk-multi-account"] {
        let path = fixtures().join("import").join(dir);
        let project = assembly::import(&path, &crate_dir).unwrap();
        features.extend(project.features);
        let module = module_name(dir);
        for (rel, text) in &project.files {
            if let Ok(rest) = rel.strip_prefix("src/stacks") {
                let to = src.join(&module).join(rest);
                std::fs::create_dir_all(to.parent().unwrap()).unwrap();
                std::fs::write(to, text).unwrap();
            }
        }
        main_mods.push_str(&format!("mod {module};\n"));
        main_body.push_str(&format!(
            "    let app = App::new();\n    {module}::build(&app)?;\n    app.synth(out.join({dir:?}))?;\n"
        ));
        let original = cloudwright_core::Assembly::read(&path).unwrap();
        for s in original.stacks() {
            let text = String::from_utf8(original.file(&s.template_file).unwrap().to_vec()).unwrap();
            resources += s.resources;
            originals.insert(
                format!("{dir}/{}", s.template_file),
                (format!("{dir} {}", s.display_name), serde_json::from_str(&text).unwrap()),
            );
        }
    }
    let import_secs = started.elapsed().as_secs_f64();
    let features: Vec<String> = features.into_iter().collect();
    std::fs::write(crate_dir.join("Cargo.toml"), cargo_toml(&features)).unwrap();
    std::fs::copy(root().join("Cargo.lock"), crate_dir.join("Cargo.lock")).unwrap();
    std::fs::write(
        src.join("main.rs"),
        format!(
            "//! Every corpus template, imported; synthesizes into the directory given.\n\n{main_mods}\nuse cloudwright_constructs::{{App, StackProps}};\n\nfn main() -> Result<(), Box<dyn std::error::Error>> {{\n    let out = std::path::PathBuf::from(std::env::args().nth(1).ok_or(\"give the output directory\")?);\n{main_body}    Ok(())\n}}\n"
        ),
    )
    .unwrap();

    // Formatting and lints as a user gets them, then one build and one run.
    let fmt = Command::new("cargo").args(["fmt"]).current_dir(&crate_dir).status().unwrap();
    assert!(fmt.success());
    let target = crate_dir.join("target");
    let t = Instant::now();
    let out = crate_dir.join("out");
    let _ = std::fs::remove_dir_all(&out);
    let status = Command::new("cargo")
        .args(["clippy", "--quiet", "--", "-D", "warnings"])
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(&crate_dir)
        .status()
        .unwrap();
    assert!(status.success(), "the imported code does not pass clippy -D warnings: see {}", crate_dir.display());
    let run = Command::new("cargo")
        .args(["run", "--quiet", "--"])
        .arg(&out)
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(&crate_dir)
        .output()
        .unwrap();
    let build_secs = t.elapsed().as_secs_f64();
    assert!(run.status.success(), "the imported app fails: {}", String::from_utf8_lossy(&run.stderr));

    let mut failures = Vec::new();
    let mut known = 0;
    for (file, (name, original)) in &originals {
        let synthesized: Value = match std::fs::read_to_string(out.join(file)) {
            Ok(text) => serde_json::from_str(&text).unwrap(),
            Err(e) => {
                failures.push(format!("{name}: {file} was not written ({e})"));
                continue;
            }
        };
        let (a, b) = (normalize(original), normalize(&synthesized));
        if a != b {
            let mut diffs = Vec::new();
            differences("", &a, &b, &mut diffs);
            diffs.retain(|d| !KNOWN.iter().any(|(n, p)| name.ends_with(n) && d.starts_with(&format!("{p}:"))));
            if diffs.is_empty() {
                known += 1;
                continue;
            }
            failures.push(format!("{name} ({file}):\n  {}", diffs.join("\n  ")));
        }
    }
    eprintln!(
        "import round trip: {} of {} templates ({resources} resources) equal after normalization ({known} but for known losses); import {import_secs:.2} s, \
         clippy + build + run {build_secs:.1} s; largest template {largest_name}: {largest} resources in {:.1} ms ({:.0} resources/s)",
        originals.len() - failures.len() - known,
        originals.len(),
        largest_secs * 1000.0,
        largest as f64 / largest_secs.max(1e-9)
    );
    if !not_imported.is_empty() {
        eprintln!("{} extra templates not imported:\n{}", not_imported.len(), not_imported.join("\n"));
    }
    if std::env::var_os("CLOUDWRIGHT_IMPORT_EXTRA").is_some() {
        eprintln!("{} templates differ:\n{}", failures.len(), failures.join("\n"));
        return;
    }
    assert!(failures.is_empty(), "{} templates differ:\n{}", failures.len(), failures.join("\n"));
}

/// Where two values differ (JSON pointers, with both values), at most a few.
fn differences(at: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    if out.len() >= 8 || a == b {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                let null = Value::Null;
                differences(&format!("{at}/{k}"), x.get(k).unwrap_or(&null), y.get(k).unwrap_or(&null), out);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                differences(&format!("{at}/{i}"), p, q, out);
            }
        }
        _ => out.push(format!("{at}: original {a}, synthesized {b}")),
    }
}

/// A template's JSON form (YAML templates through the project's reader).
fn cfn_json(text: &str) -> String {
    if text.trim_start().starts_with('{') {
        text.to_owned()
    } else {
        cloudwright_toolkit::proton::render::cfn_yaml_to_json(text, "t").unwrap().to_string()
    }
}
