//! The subcommands.

use std::path::Path;
use std::time::Instant;

use cloudwright_core::synth::write_files;
use cloudwright_core::{App, StackSummary};
use cloudwright_toolkit::governance::{AssemblyDir, AssemblyFiles, Report, Severity};

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
    let written = match source {
        AppSource::Builder(build) => synth_in_place(build, output, allow_rule_errors)?,
        command => {
            let assembly = command.assembly()?;
            let rules = crate::validate::check_before_write(&assembly, allow_rule_errors)?;
            write_files(output, assembly.files()).map_err(Failure::input)?;
            let written = Written {
                stacks: assembly.stacks().to_vec(),
                paths: assembly.files().keys().cloned().collect(),
                bytes: assembly.files().values().map(Vec::len).sum(),
                rules,
                warnings: assembly.warnings().to_vec(),
            };
            // The command ends the process: freeing every file's bytes first would only cost time.
            std::mem::forget(assembly);
            written
        }
    };
    let elapsed = started.elapsed();
    // Warnings go to stderr even when quiet: each asks for an action.
    for warning in &written.warnings {
        eprintln!("warning: {warning}");
    }
    if quiet {
        return Ok(0);
    }
    let Written { stacks, paths, bytes, rules, warnings } = &written;
    let (bundles, specs) = proton_files(paths);
    match format {
        Format::Json => {
            let report = serde_json::json!({
                "outdir": output,
                "stacks": stacks,
                "proton": {"bundles": bundles, "specs": specs},
                "rules": {
                    "errors": rules.count(Severity::Error),
                    "warnings": rules.count(Severity::Warning),
                    "info": rules.count(Severity::Info),
                    "suppressed": rules.suppressed_count(),
                },
                "warnings": warnings,
                "files": paths.len(),
                "bytes": bytes,
                "millis": elapsed.as_secs_f64() * 1000.0,
            });
            println!("{}", serde_json::to_string_pretty(&report).map_err(Failure::internal)?);
        }
        Format::Text => {
            let rows: Vec<[String; 5]> = stacks
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
                stacks.len(),
                paths.len(),
                output.display(),
                elapsed.as_secs_f64() * 1000.0
            );
        }
    }
    Ok(0)
}

/// What `synth` wrote, for its summary.
struct Written {
    stacks: Vec<StackSummary>,
    /// Every file, sorted.
    paths: Vec<String>,
    bytes: usize,
    rules: Report,
    /// What synthesis reports without failing (exports kept by the export lock).
    warnings: Vec<cloudwright_core::Warning>,
}

/// Synthesizes an app built in this process straight to a staging directory, runs the
/// rules over it there, and puts it in place only if they pass: a large app's output is
/// never held in memory.
fn synth_in_place(
    build: Box<dyn FnOnce() -> cloudwright_core::Result<App>>,
    output: &Path,
    allow_rule_errors: bool,
) -> Result<Written, Failure> {
    let app = build().map_err(Failure::input)?;
    let staged = app.synth_staged(output).map_err(Failure::input)?;
    // The command ends the process: freeing the whole tree first would only cost time.
    std::mem::forget(app);
    let files = AssemblyDir::new(staged.dir(), staged.report().stacks.clone());
    // Dropping `staged` on a rule failure removes it; the output stays as it was.
    let rules = crate::validate::check_before_write(&files, allow_rule_errors)?;
    let paths = files.paths();
    let report = staged.commit().map_err(Failure::input)?;
    Ok(Written { stacks: report.stacks, paths, bytes: report.bytes, rules, warnings: report.warnings })
}

/// The Proton bundles (`<template>/v<major>`, from their `schema/schema.yaml`) and spec
/// files an assembly carries under `proton/`.
fn proton_files(paths: &[String]) -> (Vec<String>, Vec<String>) {
    let mut bundles = Vec::new();
    let mut specs = Vec::new();
    for path in paths {
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
    let g = cloudwright_toolkit::graph::graph(&assembly);
    print!(
        "{}",
        match format {
            GraphFormat::Mermaid => g.mermaid(),
            GraphFormat::Dot => g.dot(),
        }
    );
    Ok(0)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("cw-commands-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// Everything in `dir`, so a leftover staging directory would show.
    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    fn synth_app(build: fn() -> cloudwright_core::Result<App>, out: &Path, allow: bool) -> Result<u8, Failure> {
        synth(AppSource::Builder(Box::new(build)), out, Format::Text, true, allow)
    }

    #[test]
    fn an_app_built_in_process_is_checked_on_disk_and_put_in_place_only_if_the_rules_pass() {
        let dir = scratch("in-process");
        let out = dir.join("out");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("previous"), "kept").unwrap();

        let refused = synth_app(cloudwright_examples::governance_bad::app, &out, false).unwrap_err();
        assert_eq!(refused.code, 1);
        assert!(refused.error.to_string().contains("rule error(s) found, nothing was written"), "{}", refused.error);
        assert_eq!(std::fs::read_to_string(out.join("previous")).unwrap(), "kept", "the previous output is intact");
        assert_eq!(entries(&dir), ["out"], "no staging directory is left behind");

        assert_eq!(synth_app(cloudwright_examples::governance_bad::app, &out, true).unwrap(), 0);
        assert!(out.join("manifest.json").exists() && !out.join("previous").exists());

        // What is written is what the in-memory assembly holds, byte for byte.
        assert_eq!(synth_app(cloudwright_examples::basic::app, &out, false).unwrap(), 0);
        let expected = cloudwright_examples::basic::app().unwrap().assembly().unwrap();
        let written = cloudwright_core::Assembly::read(&out).unwrap();
        assert_eq!(written.files(), expected.files());
        assert_eq!(entries(&dir), ["out"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
