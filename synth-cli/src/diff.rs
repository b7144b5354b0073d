//! `cloudwright diff OLD NEW`: what changed between two versions of an app's output, for
//! review (security-relevant changes called out, replacements and breaking Proton changes
//! flagged).

use clap::ValueEnum;
use cloudwright_constructs::diff::{Side, diff as compare};

use crate::Failure;

/// Output formats of `cloudwright diff`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Human-readable text, coloured on a terminal unless NO_COLOR is set.
    #[default]
    Text,
    /// Markdown for a pull request comment: a summary table, then one section per stack.
    Markdown,
    /// JSON, for scripts.
    Json,
}

/// The arguments of `diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The old side: a cloud assembly directory, a directory of insta snapshots of one, or
    /// REV:PATH of either in the current git repository (e.g. HEAD:snapshots/my_app)
    pub old: String,
    /// The new side, in any of the same forms (e.g. cloudwright.out)
    pub new: String,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: DiffFormat,
}

/// Runs `diff`: exit code 0 when the sides are the same, 1 when they differ.
pub fn diff(args: &DiffArgs) -> Result<u8, Failure> {
    let old = Side::load(&args.old).map_err(Failure::input)?;
    let new = Side::load(&args.new).map_err(Failure::input)?;
    let changes = compare(&old, &new);
    let out = match args.format {
        DiffFormat::Text => changes.to_text(crate::colour(&std::io::stdout())),
        DiffFormat::Markdown => changes.to_markdown(),
        DiffFormat::Json => {
            let mut json = serde_json::to_string_pretty(&changes).map_err(Failure::internal)?;
            json.push('\n');
            json
        }
    };
    print!("{out}");
    Ok(u8::from(!changes.is_empty()))
}
