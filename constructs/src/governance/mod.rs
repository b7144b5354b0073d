//! Governance: a rule engine over the synthesized assembly (templates, policies, Proton
//! bundles), built in where CDK users reach for cdk-nag and cfn-guard.
//!
//! [`check`] runs the default rule pack (`CW-*` rules, listed by [`rule_list`]) over an
//! assembly; [`RulePack`] picks severities per stage or stack; [`suppress`] accepts a
//! rule's findings on a construct with a reason, recorded in the template's `Metadata`.
//! `cloudwright synth` refuses to write when an unsuppressed finding is an error, and
//! `cloudwright validate` reports them as text, JSON, SARIF or Markdown.

mod engine;
mod export;
mod files;
mod model;
mod organization;
mod pack;
mod report;
mod rules;
mod suppress;

pub use engine::check;
pub use export::{
    Exclusion, POLICIES_DIR, PolicyScope, guard_files, guard_rule_name, kyverno_json_files, nirmata_files,
    write_policies,
};

/// Manifest metadata type of an account: `{"name", "accountId", "parent"}`: `accountId` is
/// empty for accounts the app creates; `parent` is the manifest path (`/Stack/Org/OU`) of
/// the OU the account sits in, or of the organization for an account at the root, so
/// tools that read the assembly link accounts to the SCPs attached above them. Written by
/// `org`, read here, so it lives where it is read: rules need no org feature.
pub const ACCOUNT_METADATA: &str = "cloudwright:org:account";
pub use files::{AssemblyDir, AssemblyFiles};
pub use model::{Finding, Report, RuleInfo, Severity};
pub use pack::{PACK_METADATA_TYPE, RulePack};
pub use report::{
    FINGERPRINT_KEY, INFORMATION_URI, SARIF_SCHEMA, fingerprint, to_json, to_markdown, to_sarif, to_text,
};
pub use suppress::{METADATA_KEY, STACK_METADATA_TYPE, Suppression, suppress};

/// Every rule of the default pack, with its default severity.
pub fn rule_list() -> Vec<RuleInfo> {
    rules::all().map(|r| r.info.clone()).collect()
}
