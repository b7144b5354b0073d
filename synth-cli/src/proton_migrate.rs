//! `cloudwright proton migrate`: the arguments of
//! [`cloudwright_toolkit::proton::migrate`], and what it prints; with `--rust`, also
//! the repository as a cloudwright project ([`cloudwright_toolkit::proton::migrate::rust`]).

use std::path::PathBuf;

use anyhow::anyhow;

use cloudwright_toolkit::proton::migrate::rust::{self, Project};
use cloudwright_toolkit::proton::migrate::{MigrateProps, REPORT_FILE, migrate as migrate_repo};

use crate::Failure;

/// The arguments of `proton migrate`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Accounts and regions come from migration.yaml at the repository root, else from the deployed \
stack each rendered stack takes over, else 000000000000 and us-east-1 (MIGRATION.md lists them). \
See docs/leaving-proton.md.\n\n"
    .to_owned()
    + crate::EXIT_CODES)]
pub struct MigrateArgs {
    /// The template-sync repository (templates as NAME/vMAJOR/, spec files, migration.yaml)
    pub repo: PathBuf,
    /// Output of `aws cloudformation describe-stacks` (JSON), one file per account and region; repeatable
    #[arg(long, value_name = "FILE")]
    pub deployed: Vec<PathBuf>,
    /// Directory of `aws cloudformation get-template` outputs named STACK_NAME.json, to find replacements
    #[arg(long, value_name = "DIR")]
    pub deployed_templates: Option<PathBuf>,
    /// Output directory: a cloud assembly with MIGRATION.md, replaced atomically
    #[arg(short, long)]
    pub output: PathBuf,
    /// Also write the repository as a cloudwright project into DIR (empty or new): each template
    /// typed Rust where its Jinja only substitutes parameters, else kept as Jinja (its README says why)
    #[arg(long, value_name = "DIR")]
    pub rust: Option<PathBuf>,
}

/// Runs `proton migrate`.
pub fn migrate(args: &MigrateArgs) -> Result<u8, Failure> {
    let props = MigrateProps {
        repo: args.repo.clone(),
        deployed: args.deployed.clone(),
        deployed_templates: args.deployed_templates.clone(),
    };
    let assembly = migrate_repo(&props).map_err(Failure::input)?;
    // The project is made before anything is written, so a failure writes nothing.
    let project = match &args.rust {
        Some(dir) => Some((dir, rust_project(dir, &props)?)),
        None => None,
    };
    // The project first: if the assembly then cannot be written, the project (in a
    // directory that was empty or absent) is removed again, so nothing is half written.
    if let Some((dir, project)) = &project {
        cloudwright_core::synth::write_files(dir, &project.files).map_err(Failure::input)?;
    }
    if let Err(e) = assembly.write(&args.output) {
        if let Some((dir, _)) = &project {
            let _ = std::fs::remove_dir_all(dir);
        }
        return Err(Failure::input(e));
    }
    let n = assembly.stacks().len();
    println!(
        "migrated {n} stack{} to {} (see {})",
        if n == 1 { "" } else { "s" },
        args.output.display(),
        args.output.join(REPORT_FILE).display()
    );
    if let Some((dir, project)) = project {
        let rs: Vec<PathBuf> = project.files.keys().filter(|p| p.ends_with(".rs")).map(|p| dir.join(p)).collect();
        let formatted = crate::import::format_rust(&rs);
        println!(
            "wrote the project {}: {} template{} as Rust, {} kept as Jinja{}",
            dir.display(),
            project.typed.len(),
            if project.typed.len() == 1 { "" } else { "s" },
            project.kept.len(),
            if formatted { "" } else { " (rustfmt not found: run `cargo fmt`)" }
        );
        for (template, why) in &project.kept {
            println!("  kept {template}: {why}");
        }
    }
    Ok(0)
}

/// The project `--rust` writes into `dir`, which must be empty or absent.
fn rust_project(dir: &std::path::Path, props: &MigrateProps) -> Result<Project, Failure> {
    if dir.read_dir().is_ok_and(|mut entries| entries.next().is_some()) {
        return Err(Failure::input(anyhow!(
            "{} is not empty; --rust writes a new project into an empty or new directory, so nothing was written",
            dir.display()
        )));
    }
    rust::project_for(&props.repo, dir).map_err(Failure::input)
}
