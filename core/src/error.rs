//! The one error type of `cloudwright-core`.
//!
//! Every variant that concerns a construct carries its path, says what is wrong and how
//! to fix it. Synthesis collects every problem it finds into [`Error::Invalid`] before it
//! writes anything.

use std::fmt;
use std::path::PathBuf;

/// Result alias used throughout cloudwright.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while building or synthesizing an app.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A construct id is empty or contains `/`.
    #[error("{path}: invalid construct id {id:?}: {reason}")]
    InvalidId {
        /// Path of the scope the construct was added to.
        path: String,
        /// The offending id.
        id: String,
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// Two children of one scope share an id.
    #[error(
        "{path}: duplicate construct id: a {existing_kind} already has this path; \
         give the new {new_kind} another id"
    )]
    DuplicateId {
        /// The path both constructs would have.
        path: String,
        /// Kind of the construct already there.
        existing_kind: String,
        /// Kind of the construct being added.
        new_kind: String,
    },
    /// A construct was added to a scope that cannot hold it.
    #[error("{path}: {message}")]
    InvalidScope {
        /// Path the construct would have had.
        path: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// An account id that is not 12 digits.
    #[error(
        "{path}: account id {account:?} is not 12 digits; write the account id as 12 decimal digits, e.g. \"123456789012\""
    )]
    InvalidAccount {
        /// Path of the stage or stack carrying the environment.
        path: String,
        /// The offending account id.
        account: String,
    },
    /// A region name AWS does not have.
    #[error("{path}: unknown region {region:?}; {hint}")]
    InvalidRegion {
        /// Path of the stage or stack carrying the environment.
        path: String,
        /// The offending region.
        region: String,
        /// A suggestion.
        hint: String,
    },
    /// A strong reference (`Expr::strong`) to a resource in another account or region.
    #[error(
        "{consumer}: refers to {producer} with a strong reference (`Expr::strong`), but {producer} \
         deploys to {producer_env} while this stack deploys to {consumer_env}; CloudFormation \
         exports do not cross accounts or regions. Drop `.strong()`: across accounts and regions \
         a reference is weak (`Fn::GetStackOutput`)"
    )]
    CrossEnvironmentReference {
        /// Path of the construct holding the reference.
        consumer: String,
        /// Path of the referenced construct.
        producer: String,
        /// Environment of the consuming stack.
        consumer_env: String,
        /// Environment of the producing stack.
        producer_env: String,
    },
    /// A value refers to a resource in a stack of another stage (another cloud assembly).
    #[error(
        "{consumer}: refers to {producer} in another stage; a stage is a cloud assembly of its \
         own, and a stack's dependencies can only name stacks of its own assembly (the CDK too \
         refuses dependencies across stage boundaries), so nothing would deploy {producer} \
         first. Put both stacks in one stage, or give the resource a deterministic physical \
         name and build its ARN or name from that"
    )]
    CrossStageReference {
        /// Path of the construct holding the reference.
        consumer: String,
        /// Path of the referenced construct.
        producer: String,
    },
    /// A value refers to a construct of a different `App`.
    #[error("{consumer}: refers to a construct of another App; build every construct in one App")]
    ForeignReference {
        /// Path of the construct holding the reference.
        consumer: String,
    },
    /// Stacks depend on each other in a cycle.
    #[error(
        "stack dependency cycle: {}; remove one of the references or dependencies in the cycle",
        cycle.join(" -> ")
    )]
    DependencyCycle {
        /// Paths of the stacks in the cycle, the first repeated at the end.
        cycle: Vec<String>,
    },
    /// A stack value ([`crate::Expr::StackValue`]) appears in a stack that does not
    /// resolve such values.
    #[error(
        "{path}: uses the stack value `{name}` in a stack that resolves no stack values; \
         such a value only resolves in a stack given `StackProps::values` (the stacks of \
         the template it came from)"
    )]
    UnresolvedStackValue {
        /// Path of the construct holding the value.
        path: String,
        /// The value's name, e.g. `environment.inputs.vpc_cidr`.
        name: String,
    },
    /// Two elements of one stack end up with the same logical id.
    #[error(
        "{path}: logical id {logical_id:?} is already used by {other} in the same stack; \
         override one of the logical ids"
    )]
    LogicalIdConflict {
        /// Path of the second element.
        path: String,
        /// The contested logical id.
        logical_id: String,
        /// Path of the first element.
        other: String,
    },
    /// A logical id that CloudFormation does not accept.
    #[error("{path}: logical id {logical_id:?} must match [A-Za-z][A-Za-z0-9]{{0,254}}")]
    InvalidLogicalId {
        /// Path of the element.
        path: String,
        /// The offending logical id.
        logical_id: String,
    },
    /// A validator attached to a construct reported a problem.
    #[error("{path}: {message}")]
    Validation {
        /// Path of the construct whose validator failed.
        path: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A value could not be turned into JSON.
    #[error("{path}: cannot serialize {what}: {source}")]
    Serialize {
        /// Path of the construct.
        path: String,
        /// What was being serialized.
        what: String,
        /// The underlying error.
        source: serde_json::Error,
    },
    /// Writing the output failed.
    #[error("cannot write {}: {source}; check that the directory is writable", path.display())]
    Output {
        /// The file or directory that could not be written.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Reading a file or directory failed (an assembly, a bundle, a spec, a lock file).
    #[error("cannot read {}: {source}; check that it exists and is readable", path.display())]
    Read {
        /// The file or directory that could not be read.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file given as input (a cloud assembly, a template, a snapshot, a git revision, a
    /// template bundle or spec) is missing or malformed.
    #[error("{path}: {message}")]
    Input {
        /// The file, directory or `REV:PATH` that was read, with `:LINE` when the line is known.
        path: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// Context keys the app declared still hold their sample values (`App::context_or_sample`),
    /// so what would deploy is the documentation's example, not the live organization.
    #[error("{}", SampleContext(.0))]
    SampleContext(Vec<crate::context::Declared>),
    /// Several problems, all found before anything was written.
    #[error("{}", Problems(.0))]
    Invalid(Vec<Error>),
    /// What a test asserted of a synthesized app does not hold (`testing`'s assertions and
    /// captures), or the app it asserts on does not synthesize.
    #[error("{message}")]
    Assertion {
        /// What was expected and what was found.
        message: String,
    },
}

struct Problems<'a>(&'a [Error]);

impl fmt::Display for Problems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(f, "{n} problem{} found, nothing was written:", if n == 1 { "" } else { "s" })?;
        for e in self.0 {
            write!(f, "\n  - {e}")?;
        }
        Ok(())
    }
}

struct SampleContext<'a>(&'a [crate::context::Declared]);

impl fmt::Display for SampleContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(
            f,
            "{n} context key{} hold{} sample values, which exist only in documentation; set the live values in \
             cloudwright.json (\"context\": {{\"KEY\": \"VALUE\"}}) or with --context KEY=VALUE, then plan again:",
            if n == 1 { "" } else { "s" },
            if n == 1 { "s" } else { "" }
        )?;
        for d in self.0 {
            write!(f, "\n  - {}: sample {:?} (--context {}=VALUE)", d.key, d.value, d.key)?;
        }
        Ok(())
    }
}

impl Error {
    /// Every individual problem (flattening [`Error::Invalid`]).
    pub fn problems(&self) -> Vec<&Error> {
        match self {
            Error::Invalid(all) => all.iter().flat_map(Error::problems).collect(),
            other => vec![other],
        }
    }

    /// The construct path the problem is about (the consumer's, for a reference; the first
    /// stack of a cycle), if it names one.
    pub fn path(&self) -> Option<&str> {
        match self {
            Error::InvalidId { path, .. }
            | Error::DuplicateId { path, .. }
            | Error::InvalidScope { path, .. }
            | Error::InvalidAccount { path, .. }
            | Error::InvalidRegion { path, .. }
            | Error::UnresolvedStackValue { path, .. }
            | Error::LogicalIdConflict { path, .. }
            | Error::InvalidLogicalId { path, .. }
            | Error::Validation { path, .. }
            | Error::Serialize { path, .. } => Some(path),
            Error::CrossEnvironmentReference { consumer, .. }
            | Error::CrossStageReference { consumer, .. }
            | Error::ForeignReference { consumer } => Some(consumer),
            Error::DependencyCycle { cycle } => cycle.first().map(String::as_str),
            _ => None,
        }
    }

    /// Wraps a list of problems: `Ok` when empty, the error itself when single.
    pub fn collect(mut problems: Vec<Error>) -> Result<()> {
        match problems.len() {
            0 => Ok(()),
            1 => Err(problems.remove(0)),
            _ => Err(Error::Invalid(problems)),
        }
    }
}
