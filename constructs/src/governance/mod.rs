//! Governance as the app declares it: the rule catalog ([`catalog`]), [`RulePack`]s that
//! pick severities per stage or stack, and [`suppress`], which accepts a rule's findings on
//! a construct with a reason (recorded in the template's `Metadata`, as cdk-nag records
//! its suppressions). The rule engine that reads the synthesized assembly is
//! `cloudwright_toolkit::governance`; `cloudwright synth` refuses to write when an
//! unsuppressed finding is an error, and `cloudwright validate` reports them.

pub mod catalog;
mod pack;
mod suppress;

pub use catalog::{RuleInfo, Severity, Target};
pub use pack::{PACK_METADATA_TYPE, RulePack};
pub use suppress::{
    METADATA_KEY, STACK_METADATA_TYPE, Suppression, suppress, suppressions_from_list, suppressions_of_resource,
};

/// Manifest metadata type of an account: `{"name", "accountId", "parent"}`: `accountId` is
/// empty for accounts the app creates; `parent` is the manifest path (`/Stack/Org/OU`) of
/// the OU the account sits in, or of the organization for an account at the root, so
/// tools that read the assembly link accounts to the SCPs attached above them. Written by
/// `org`; a constant of its own so the rules need no org feature.
pub const ACCOUNT_METADATA: &str = "cloudwright:org:account";
