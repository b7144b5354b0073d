//! `cloudwright proton migrate`: the arguments of
//! [`cloudwright_constructs::proton::migrate`], and what it prints.

use std::path::PathBuf;

use cloudwright_constructs::proton::migrate::{MigrateProps, REPORT_FILE, migrate as migrate_repo};

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
}

/// Runs `proton migrate`.
pub fn migrate(args: &MigrateArgs) -> Result<u8, Failure> {
    let props = MigrateProps {
        repo: args.repo.clone(),
        deployed: args.deployed.clone(),
        deployed_templates: args.deployed_templates.clone(),
    };
    let assembly = migrate_repo(&props).map_err(Failure::input)?;
    assembly.write(&args.output).map_err(Failure::input)?;
    let n = assembly.stacks().len();
    println!(
        "migrated {n} stack{} to {} (see {})",
        if n == 1 { "" } else { "s" },
        args.output.display(),
        args.output.join(REPORT_FILE).display()
    );
    Ok(0)
}
