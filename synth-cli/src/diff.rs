//! `cloudwright diff OLD NEW`: what changed between two versions of an app's output, for
//! review (security-relevant changes called out, replacements and breaking Proton changes
//! flagged).

use std::io;
use std::process::Command;

use clap::ValueEnum;
use cloudwright_toolkit::diff::{GitReader, Mapping, Side, diff_with};

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
    /// Moves settled by hand, for candidates the diff finds ambiguous: the AWS CDK's
    /// refactor override file ({"environments": [{"account", "region", "resources":
    /// {"OldStack.OldId": "NewStack.NewId"}}]})
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<std::path::PathBuf>,
}

/// Runs `diff`: exit code 0 when the sides are the same, 1 when they differ.
pub fn diff(args: &DiffArgs) -> Result<u8, Failure> {
    let old = Side::load(&args.old, Some(&GitCommand)).map_err(Failure::input)?;
    let new = Side::load(&args.new, Some(&GitCommand)).map_err(Failure::input)?;
    let mapping = args.mapping.as_deref().map(Mapping::read).transpose().map_err(Failure::input)?.unwrap_or_default();
    let changes = diff_with(&old, &new, &mapping).map_err(Failure::input)?;
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

/// The git repository of the working directory, read by running `git`.
pub(crate) struct GitCommand;

impl GitCommand {
    /// Runs `git ARGS`: its standard output, or its message on failure.
    fn run(args: &[&str]) -> io::Result<std::process::Output> {
        Command::new("git")
            .args(args)
            .output()
            .map_err(|e| io::Error::new(e.kind(), format!("cannot run git: {e}; is git installed?")))
    }

    fn stdout(args: &[&str]) -> io::Result<Vec<u8>> {
        let out = Self::run(args)?;
        if out.status.success() {
            Ok(out.stdout)
        } else {
            Err(io::Error::other(String::from_utf8_lossy(&out.stderr).trim().to_owned()))
        }
    }
}

impl GitReader for GitCommand {
    fn has_commit(&self, rev: &str) -> io::Result<bool> {
        let out = Self::run(&["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")])?;
        // `--quiet` fails silently for a name that is not a commit; anything on stderr
        // (not a repository, a broken one) is another failure.
        match (out.status.success(), out.stderr.is_empty()) {
            (true, _) => Ok(true),
            (false, true) => Ok(false),
            (false, false) => Err(io::Error::other(String::from_utf8_lossy(&out.stderr).trim().to_owned())),
        }
    }

    fn list(&self, rev: &str, path: &str) -> io::Result<Vec<String>> {
        let listing = Self::stdout(&["ls-tree", "-r", "-z", "--name-only", &format!("{rev}:{path}")])?;
        Ok(listing
            .split(|b| *b == 0)
            .filter(|n| !n.is_empty())
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .collect())
    }

    fn read(&self, rev: &str, path: &str) -> io::Result<Vec<u8>> {
        Self::stdout(&["cat-file", "blob", &format!("{rev}:{path}")])
    }
}
