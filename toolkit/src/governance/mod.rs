//! Governance: a rule engine over the synthesized assembly (templates, policies, Proton
//! bundles), built in where CDK users reach for cdk-nag and cfn-guard.
//!
//! [`check`] runs the default rule pack (`CW-*` rules, listed by [`rule_list`]) over an
//! assembly. What the app declares (the rule catalog, rule packs, suppressions) is
//! `cloudwright_constructs::governance`; the checks here are keyed by its rule ids.
//! `cloudwright synth` refuses to write when an unsuppressed finding is an error, and
//! `cloudwright validate` reports them as text, JSON, SARIF or Markdown.

#[cfg(feature = "testing")]
mod annotations;
mod engine;
mod export;
mod files;
mod model;
mod organization;
mod report;
mod rules;

#[cfg(feature = "testing")]
pub use annotations::annotations;
pub use engine::check;
pub use export::{
    Exclusion, POLICIES_DIR, PolicyScope, guard_files, guard_rule_name, kyverno_json_files, nirmata_files,
    write_policies,
};

pub use files::{AssemblyDir, AssemblyFiles};
pub use model::{Finding, Report, RuleInfo, Severity};
pub use report::{
    FINGERPRINT_KEY, INFORMATION_URI, SARIF_SCHEMA, fingerprint, to_json, to_markdown, to_sarif, to_text,
};

/// Every rule of the default pack, with its default severity.
pub fn rule_list() -> Vec<RuleInfo> {
    rules::all().map(|r| r.info.clone()).collect()
}
