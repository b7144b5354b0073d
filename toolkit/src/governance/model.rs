//! What the rule engine reports: findings and their severities.

use serde::{Deserialize, Serialize};

pub use cloudwright_constructs::governance::{RuleInfo, Severity};

/// One rule violated by one resource (or one Proton bundle file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule's id, e.g. `CW-IAM-1`.
    pub rule_id: String,
    /// Severity under the rule pack of the stack the resource is in.
    pub severity: Severity,
    /// What is wrong, naming the offending value.
    pub message: String,
    /// How to fix it.
    pub fix: String,
    /// Display name (construct path) of the stack, or the Proton template name.
    pub stack: String,
    /// Construct path of the offending construct (`Prod/Service/Function/Resource`), or
    /// the logical id when the assembly does not say.
    pub path: String,
    /// Logical id of the offending resource, if it is one.
    pub logical_id: Option<String>,
    /// The file the finding is in, relative to the assembly root.
    pub file: String,
    /// 1-based line of the resource in that file, when known.
    pub line: Option<usize>,
    /// The reason given when the finding was suppressed; suppressed findings never fail.
    pub suppressed: Option<String>,
}

/// The result of running the rules over an assembly.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Every finding, suppressed ones included, ordered by stack, path, rule.
    pub findings: Vec<Finding>,
    /// Every rule that ran.
    pub rules: Vec<RuleInfo>,
    /// Number of stacks checked.
    pub stacks: usize,
    /// Number of resources checked.
    pub resources: usize,
}

impl Report {
    /// Findings not suppressed.
    pub fn active(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.suppressed.is_none())
    }

    /// Number of unsuppressed findings of this severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.active().filter(|f| f.severity == severity).count()
    }

    /// Number of suppressed findings.
    pub fn suppressed_count(&self) -> usize {
        self.findings.iter().filter(|f| f.suppressed.is_some()).count()
    }

    /// Whether any unsuppressed finding is an error.
    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }
}
