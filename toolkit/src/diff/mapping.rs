//! A file of moves the user settles by hand, in the AWS CDK's `cdk refactor
//! --override-file` form:
//!
//! ```json
//! {"environments": [{"account": "111111111111", "region": "us-east-1",
//!   "resources": {"Storage.Archive": "Storage.ArchiveV2"}}]}
//! ```
//!
//! Each entry maps a resource of the old side (`STACK.LOGICAL_ID`, the CloudFormation stack
//! name) to where it is in the new side. Problems name the file and the line.

use std::path::Path;

use cloudwright_core::{Result, limits};
use serde::Deserialize;

use super::load::input;

/// One declared move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    /// `aws://ACCOUNT/REGION` of the environment entry.
    pub environment: String,
    /// The old stack name and logical id.
    pub from: (String, String),
    /// The new stack name and logical id.
    pub to: (String, String),
    /// Where the entry is, `FILE:LINE`, for messages.
    pub at: String,
}

/// The moves of a mapping file.
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    /// Every entry, in file order.
    pub moves: Vec<Declared>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    environments: Vec<EnvironmentEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnvironmentEntry {
    account: String,
    region: String,
    resources: indexmap::IndexMap<String, String>,
}

/// The 1-based line of the first occurrence of `needle` in `text` from `from` on.
fn line_of(text: &str, needle: &str, from: usize) -> (usize, usize) {
    let at = text.get(from..).and_then(|rest| rest.find(needle)).map_or(from, |i| from + i);
    (text[..at.min(text.len())].matches('\n').count() + 1, at + needle.len())
}

impl Mapping {
    /// Reads and checks the form of a mapping file (not yet against any assembly).
    pub fn read(path: &Path) -> Result<Mapping> {
        let text = limits::read_text(path, limits::INPUT_BYTES)?;
        Mapping::parse(&text, &path.display().to_string())
    }

    /// Parses a mapping file's text; `name` is the file in messages.
    pub fn parse(text: &str, name: &str) -> Result<Mapping> {
        let file: File = serde_json::from_str(text).map_err(|e| {
            input(
                format!("{name}:{}", e.line()),
                format!(
                    "is not a mapping file ({e}); write {{\"environments\": [{{\"account\": \"...\", \"region\": \
                     \"...\", \"resources\": {{\"OldStack.OldId\": \"NewStack.NewId\"}}}}]}}"
                ),
            )
        })?;
        let mut problems = Vec::new();
        let mut moves: Vec<Declared> = Vec::new();
        let mut cursor = 0;
        for env in &file.environments {
            let (line, next) = line_of(text, &format!("\"{}\"", env.account), cursor);
            cursor = next;
            if env.account.len() != 12 || !env.account.bytes().all(|b| b.is_ascii_digit()) {
                problems.push(format!("{name}:{line}: account {:?} is not a 12-digit AWS account id", env.account));
            }
            if env.region.is_empty() {
                problems.push(format!("{name}:{line}: the region is empty"));
            }
            for (from, to) in &env.resources {
                let (line, next) = line_of(text, &format!("\"{from}\""), cursor);
                cursor = next;
                let at = format!("{name}:{line}");
                let split = |s: &str| s.split_once('.').map(|(a, b)| (a.to_owned(), b.to_owned()));
                let (Some(source), Some(destination)) = (split(from), split(to)) else {
                    problems.push(format!(
                        "{at}: {from:?} -> {to:?}: each side is STACK_NAME.LOGICAL_ID (e.g. \"Storage.Archive\")"
                    ));
                    continue;
                };
                let environment = format!("aws://{}/{}", env.account, env.region);
                let earlier = moves.iter().filter(|m| m.environment == environment);
                if let Some(first) = earlier.clone().find(|m| m.to == destination) {
                    problems.push(format!("{at}: {to:?} is already the destination of the entry at {}", first.at));
                    continue;
                }
                if let Some(first) = earlier.clone().find(|m| m.from == source) {
                    problems.push(format!("{at}: {from:?} already moves by the entry at {}", first.at));
                    continue;
                }
                moves.push(Declared { environment, from: source, to: destination, at });
            }
        }
        if problems.is_empty() {
            Ok(Mapping { moves })
        } else {
            Err(input(name, format!("has {} input(s):\n  {}", problems.len(), problems.join("\n  "))))
        }
    }
}
