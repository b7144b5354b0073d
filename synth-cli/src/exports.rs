//! `cloudwright exports prune STACK`: removes from the export lock the exports of STACK
//! that synthesis keeps only for the lock, once no consumer imports them, so the next
//! deploy of STACK deletes them. Which lock the app uses: `--exports-lock`, else
//! `$CLOUDWRIGHT_EXPORTS_LOCK` (empty: none), else `./cloudwright.exports.lock.json`.

use std::path::{Path, PathBuf};

use cloudwright_core::synth::exports_lock::DEFAULT_EXPORTS_LOCK;
use cloudwright_toolkit::exports::prune;

use crate::{AppSource, Failure};

/// The environment variable naming the export lock, for app commands (empty: no lock).
pub const EXPORTS_LOCK_ENV: &str = "CLOUDWRIGHT_EXPORTS_LOCK";

/// `cloudwright exports ...`
#[derive(Debug, clap::Subcommand)]
pub enum ExportsCommand {
    /// Remove from the export lock the exports of STACK kept only for consumers deployed
    /// before their reference was removed; run it once those consumers are deployed, then
    /// deploy STACK to delete the exports
    Prune(PruneArgs),
}

/// The arguments of `exports prune`.
#[derive(Debug, clap::Args)]
pub struct PruneArgs {
    /// The producer stack: its construct path (as `cloudwright ls` shows it), artifact id or stack name
    pub stack: String,
    /// Command that runs the app (see `synth --help`)
    #[arg(long, value_name = "CMD")]
    pub app: Option<String>,
}

/// The export lock: `flag`, else `$CLOUDWRIGHT_EXPORTS_LOCK` (empty: none), else the default.
pub fn lock_path(flag: Option<PathBuf>) -> Option<PathBuf> {
    if flag.is_some() {
        return flag;
    }
    match std::env::var_os(EXPORTS_LOCK_ENV) {
        Some(v) if v.is_empty() => None,
        Some(v) => Some(PathBuf::from(v)),
        None => Some(PathBuf::from(DEFAULT_EXPORTS_LOCK)),
    }
}

/// Prunes the kept exports of `stack` from the lock at `lock` and prints what it did.
/// `source` must build the app without applying the lock (so the exports a reference
/// still produces are told apart from the kept ones).
pub fn run(source: AppSource, lock: &Path, stack: &str) -> Result<u8, Failure> {
    let assembly = source.assembly()?;
    let pruned = prune(&assembly, lock, stack).map_err(Failure::input)?;
    if pruned.exports.is_empty() {
        println!("nothing to prune: {} keeps no export of {} that no reference produces", lock.display(), pruned.stack);
    } else {
        println!("pruned from {}:", lock.display());
        for name in &pruned.exports {
            println!("  {name}");
        }
        println!("the next deploy of {} deletes them", pruned.stack);
    }
    Ok(0)
}
