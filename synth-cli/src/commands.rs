//! The subcommands.

use std::path::Path;
use std::time::Instant;

use cloudwright_constructs::governance::Severity;
use cloudwright_core::synth::write_files;

use crate::{AppSource, Failure, Format, GraphFormat};

/// `cloudwright synth`: validate, synthesize, write atomically, summarize.
pub fn synth(
    source: AppSource,
    output: &Path,
    format: Format,
    quiet: bool,
    allow_rule_errors: bool,
) -> Result<u8, Failure> {
    let started = Instant::now();
    let assembly = source.assembly()?;
    let rules = crate::validate::check_before_write(&assembly, allow_rule_errors)?;
    write_files(output, assembly.files()).map_err(Failure::input)?;
    let elapsed = started.elapsed();
    // The command ends the process: freeing every file's bytes first would only cost time.
    let assembly = std::mem::ManuallyDrop::new(assembly);
    if quiet {
        return Ok(0);
    }
    let (bundles, specs) = proton_files(&assembly);
    match format {
        Format::Json => {
            let report = serde_json::json!({
                "outdir": output,
                "stacks": assembly.stacks(),
                "proton": {"bundles": bundles, "specs": specs},
                "rules": {
                    "errors": rules.count(Severity::Error),
                    "warnings": rules.count(Severity::Warning),
                    "info": rules.count(Severity::Info),
                    "suppressed": rules.suppressed_count(),
                },
                "files": assembly.files().len(),
                "bytes": assembly.files().values().map(Vec::len).sum::<usize>(),
                "millis": elapsed.as_secs_f64() * 1000.0,
            });
            println!("{}", serde_json::to_string_pretty(&report).map_err(Failure::internal)?);
        }
        Format::Text => {
            let rows: Vec<[String; 5]> = assembly
                .stacks()
                .iter()
                .map(|s| {
                    let env = s.environment.trim_start_matches("aws://");
                    let (account, region) = env.split_once('/').unwrap_or((env, ""));
                    [
                        s.display_name.clone(),
                        account.to_owned(),
                        region.to_owned(),
                        s.resources.to_string(),
                        s.bytes.to_string(),
                    ]
                })
                .collect();
            print_table(["stack", "account", "region", "resources", "bytes"], &rows);
            if !bundles.is_empty() || !specs.is_empty() {
                println!("proton bundles: {}", if bundles.is_empty() { "none".into() } else { bundles.join(", ") });
                println!("proton specs: {}", if specs.is_empty() { "none".into() } else { specs.join(", ") });
            }
            println!(
                "rules: {} errors, {} warnings, {} info, {} suppressed (`cloudwright validate` shows them)",
                rules.count(Severity::Error),
                rules.count(Severity::Warning),
                rules.count(Severity::Info),
                rules.suppressed_count()
            );
            println!(
                "wrote {} stacks, {} files to {} in {:.1} ms",
                assembly.stacks().len(),
                assembly.files().len(),
                output.display(),
                elapsed.as_secs_f64() * 1000.0
            );
        }
    }
    Ok(0)
}

/// The Proton bundles (`<template>/v<major>`, from their `schema/schema.yaml`) and spec
/// files an assembly carries under `proton/`.
fn proton_files(assembly: &cloudwright_core::Assembly) -> (Vec<String>, Vec<String>) {
    let mut bundles = Vec::new();
    let mut specs = Vec::new();
    for path in assembly.files().keys() {
        if let Some(bundle) = path.strip_prefix("proton/").and_then(|p| p.strip_suffix("/schema/schema.yaml")) {
            bundles.push(bundle.to_owned());
        } else if let Some(spec) = path.strip_prefix("proton/specs/") {
            specs.push(spec.to_owned());
        }
    }
    (bundles, specs)
}

/// `cloudwright ls`: the stacks, as `cdk ls` shows them.
pub fn ls(source: AppSource, format: Format) -> Result<u8, Failure> {
    let assembly = source.assembly()?;
    match format {
        Format::Text => {
            for s in assembly.stacks() {
                println!("{}", s.display_name);
            }
        }
        Format::Json => {
            println!("{}", serde_json::to_string_pretty(assembly.stacks()).map_err(Failure::internal)?);
        }
    }
    Ok(0)
}

fn print_table<const N: usize>(header: [&str; N], rows: &[[String; N]]) {
    let mut widths = header.map(str::len);
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.len());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells.iter().zip(widths).map(|(c, w)| format!("{c:<w$}")).collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}

/// `cloudwright graph`: the app as a picture.
pub fn graph(source: AppSource, format: GraphFormat) -> Result<u8, Failure> {
    let assembly = source.assembly()?;
    let g = crate::graph::graph(&assembly);
    print!(
        "{}",
        match format {
            GraphFormat::Mermaid => g.mermaid(),
            GraphFormat::Dot => g.dot(),
        }
    );
    Ok(0)
}
