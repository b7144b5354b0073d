//! # cloudwright-toolkit
//!
//! The tools that read a finished cloud assembly (ours or the CDK's), kept beside the
//! construct library as the CDK keeps `cloudformation-diff`, `cdk-nag` and `toolkit-lib`
//! outside `aws-cdk-lib`: an app that only builds infrastructure compiles none of it.
//!
//! | module | reads | for |
//! |---|---|---|
//! | [`governance`] | templates, manifests, Proton schemas | the rule engine: `CW-*` rules (the deploy rules among them), reports, Guard/Nirmata/kyverno-json exports |
//! | [`diff`] | two assemblies or snapshot directories | `cloudwright diff`: changes, moves, data loss |
//! | [`refactor`] | two assemblies or snapshot directories | `cloudwright refactor`: CloudFormation stack refactors for the moves |
//! | [`plan`] | one assembly | `cloudwright plan`: bootstraps, manual steps, deploy waves |
//! | [`graph`] | one assembly | `cloudwright graph`: the organization and the pipeline as Mermaid or DOT |
//! | [`exports`] | one assembly and the export lock | `cloudwright exports prune` |
//! | [`proton`] | Proton bundles, specs, template-sync repositories | `cloudwright proton render` / `proton migrate` (`--rust`: [`proton::migrate::rust`]) |
//! | [`import`] | CloudFormation templates, cloud assemblies | `cloudwright import`: Rust source over the typed L1s |
//! | [`iam`] | synthesized policy documents | the IAM evaluator the SCP and deploy rules share |
//!
//! [`project`] writes the files of a generated Cargo project (`cloudwright init`, `import
//! --assembly`, `proton migrate --rust`).
//!
//! Dependencies go one way: this crate reads through `cloudwright-core`'s assembly model,
//! the policy model of `cloudwright-constructs` and (import) the resource model of
//! `cloudwright-cfn-model`; none of them depends on it.

pub mod diff;
pub mod exports;
pub mod governance;
pub mod graph;
pub mod iam;
pub mod import;
mod input;
pub mod plan;
pub mod project;
pub mod proton;
pub mod refactor;
