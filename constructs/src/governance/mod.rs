//! Governance: a rule engine over the synthesized assembly (templates, policies, Proton
//! bundles), built in where CDK users reach for cdk-nag and cfn-guard.

mod model;

pub use model::{Finding, Report, RuleInfo, Severity};
