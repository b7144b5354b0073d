//! `cloudwright refactor OLD NEW`: the CloudFormation stack refactors that move deployed
//! resources to their new logical ids and stacks instead of replacing them.

use std::path::PathBuf;

use anyhow::anyhow;
use cloudwright_toolkit::diff::{Mapping, Side};
use cloudwright_toolkit::refactor::plan;

use crate::Failure;
use crate::diff::GitCommand;

/// The arguments of `refactor`.
#[derive(Debug, clap::Args)]
pub struct RefactorArgs {
    /// What is deployed: a cloud assembly directory, a snapshot directory, or REV:PATH of
    /// either in the current git repository (e.g. v1.0:snapshots/my_app)
    pub old: String,
    /// The new version, in any of the same forms (e.g. cloudwright.out)
    pub new: String,
    /// Where the plan goes (replaced atomically): per account and region the
    /// CreateStackRefactor input, the commands that run it, large templates
    #[arg(short, long, default_value = "cloudwright.refactor")]
    pub output: PathBuf,
    /// Moves settled by hand (ambiguous candidates): the AWS CDK's refactor override file
    /// ({"environments": [{"account", "region", "resources": {"OldStack.OldId": "NewStack.NewId"}}]})
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
}

/// Runs `refactor`: 0 with the plan written (or nothing to move), 1 when CloudFormation
/// would refuse it (nothing written), 2 on bad input.
pub fn refactor(args: &RefactorArgs) -> Result<u8, Failure> {
    let mapping = args.mapping.as_deref().map(Mapping::read).transpose().map_err(Failure::input)?.unwrap_or_default();
    let old = Side::load(&args.old, Some(&GitCommand)).map_err(Failure::input)?;
    let new = Side::load(&args.new, Some(&GitCommand)).map_err(Failure::input)?;
    let plan = plan(&old, &new, &mapping).map_err(Failure::input)?;
    if !plan.refused.is_empty() {
        eprintln!(
            "cloudwright refactor: CloudFormation would refuse this refactor ({} problem(s)); nothing written:",
            plan.refused.len()
        );
        for r in &plan.refused {
            eprintln!("  - {}: {}", r.what, r.why);
        }
        for advice in &plan.advice {
            eprintln!("{advice}");
        }
        return Ok(1);
    }
    if plan.refactors.is_empty() {
        println!("nothing moved between {} and {}: no refactor needed", args.old, args.new);
        return Ok(0);
    }
    cloudwright_core::synth::write_files(&args.output, &plan.files())
        .map_err(|e| Failure::internal(anyhow!("cannot write {}: {e}", args.output.display())))?;
    print!("{}", plan.summary());
    for r in &plan.refactors {
        println!("\nbash {}/{}/refactor.sh", args.output.display(), r.directory());
    }
    Ok(0)
}
