//! Governance: a rule engine over the synthesized assembly (templates, policies, Proton
//! bundles), built in where CDK users reach for cdk-nag and cfn-guard.

mod model;
mod report;

pub use model::{Finding, Report, RuleInfo, Severity};
pub use report::{
    FINGERPRINT_KEY, INFORMATION_URI, SARIF_SCHEMA, fingerprint, to_json, to_markdown, to_sarif, to_text,
};
