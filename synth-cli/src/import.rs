//! `cloudwright import`: the arguments of [`cloudwright_toolkit::import`], the files it
//! writes and what it prints.

use std::path::PathBuf;
use std::process::Command;

use anyhow::anyhow;
use cloudwright_toolkit::import::{assembly, import_file};

use crate::Failure;

/// The arguments of `cloudwright import`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Output: with TEMPLATE, a Rust module (`pub fn stack(scope, id, props)`); with --assembly, a \
Cargo project with one module per stack, its stages and environments.\nThe output is formatted with rustfmt when \
it is on PATH.\n\n"
    .to_owned()
    + crate::EXIT_CODES)]
pub struct ImportArgs {
    /// The template (JSON or YAML)
    #[arg(required_unless_present = "assembly", conflicts_with = "assembly")]
    pub template: Option<PathBuf>,
    /// A cloud assembly directory (e.g. a CDK app's cdk.out): every stack, into one project
    #[arg(long, value_name = "DIR")]
    pub assembly: Option<PathBuf>,
    /// Where to write: FILE.rs for a template, a project directory for --assembly
    #[arg(short, long)]
    pub output: PathBuf,
    /// Replace the output when it exists
    #[arg(long)]
    pub force: bool,
}

/// Runs `cloudwright import`.
pub fn run(args: &ImportArgs) -> Result<u8, Failure> {
    if args.output.exists() && !args.force {
        return Err(Failure::input(anyhow!(
            "{} exists; pass --force to replace it, or choose another --output",
            args.output.display()
        )));
    }
    let started = std::time::Instant::now();
    let (files, warnings, resources, features) = match (&args.template, &args.assembly) {
        (_, Some(dir)) => {
            let project = assembly::import(dir, &args.output).map_err(Failure::input)?;
            (project.files, project.warnings, project.resources, project.features)
        }
        (Some(template), None) => {
            let imported = import_file(template).map_err(Failure::input)?;
            let features = imported.features.iter().cloned().collect();
            (vec![(PathBuf::new(), imported.code)], imported.warnings, imported.resources, features)
        }
        (None, None) => return Err(Failure::input(anyhow!("give a TEMPLATE or --assembly DIR"))),
    };
    let elapsed = started.elapsed();
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    // A project is replaced file by file; only the stack modules, all written by import,
    // are removed first, so a stack gone from the assembly leaves no module behind.
    let stacks = args.output.join("src/stacks");
    if args.assembly.is_some() && stacks.is_dir() {
        std::fs::remove_dir_all(&stacks)
            .map_err(|e| Failure::input(anyhow!("cannot replace {}: {e}", stacks.display())))?;
    }
    let mut written = Vec::new();
    for (rel, code) in files {
        let path = if rel.as_os_str().is_empty() { args.output.clone() } else { args.output.join(rel) };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| Failure::input(anyhow!("cannot create {}: {e}", parent.display())))?;
        }
        std::fs::write(&path, code).map_err(|e| Failure::input(anyhow!("cannot write {}: {e}", path.display())))?;
        written.push(path);
    }
    let formatted = format_rust(&written);
    println!(
        "imported {resources} resource{} into {} in {:.1} ms{}; cloudwright-constructs features: {}",
        if resources == 1 { "" } else { "s" },
        args.output.display(),
        elapsed.as_secs_f64() * 1000.0,
        if formatted { "" } else { " (rustfmt not found: run `cargo fmt`)" },
        if features.is_empty() { "none".to_owned() } else { features.join(", ") }
    );
    Ok(0)
}

/// Formats the Rust files written with rustfmt, when it is there (the toolkit runs no
/// programs; `proton migrate --rust` uses this too).
pub(crate) fn format_rust(paths: &[PathBuf]) -> bool {
    let rs: Vec<&PathBuf> = paths.iter().filter(|p| p.extension().is_some_and(|e| e == "rs")).collect();
    if rs.is_empty() {
        return true;
    }
    Command::new("rustfmt").args(["--edition", "2024"]).args(rs).status().is_ok_and(|s| s.success())
}
