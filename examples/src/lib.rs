//! Example cloudwright apps: each a library function returning an [`App`], with a tiny
//! binary that synthesizes it.
//!
//! - [`basic`]: two stacks, a parameter, outputs, a cross-stack reference.
//! - [`stages`]: the same stacks in a Dev and a Prod stage (nested assemblies).
//! - [`organization`]: the seed design's organization, SCPs, Control Tower and baselines.
//! - [`lambda_service`]: the seed's Lambda service, monitored, in three accounts.
//! - [`multi_account`]: the reference multi-account system (the default app).
//! - [`proton`]: the seed blog's Proton environment and Lambda service templates.
//! - [`network`]: a VPC, a security group and a DynamoDB table with a role granted on it.
//! - [`essentials`]: bucket, key, queues, topic and a role granted on each, secure by default,
//!   with a function, a table, a log group and a VPC; deployed to an emulator in CI.

use std::process::ExitCode;

use cloudwright_constructs::proton::DeployMode;
use cloudwright_constructs::{App, AppProps, Error, Result};

pub mod basic;
pub mod bench;
pub mod essentials;
pub mod governance_bad;
pub mod lambda_service;
pub mod multi_account;
pub mod network;
pub mod organization;
pub mod proton;
pub mod stages;

/// The app `cloudwright synth` builds when no app is given: the reference
/// multi-account system.
pub fn default_app() -> Result<App> {
    multi_account::app()
}

/// The built-in default app in a deploy mode (`cloudwright --mode`).
pub fn default_app_in(mode: DeployMode) -> Result<App> {
    multi_account::app_with(&multi_account::Layout::default(), mode)
}

/// The built-in default app with the CLI's props: deploy mode and context.
pub fn default_app_with(props: AppProps) -> Result<App> {
    multi_account::app_with_props(&multi_account::Layout::default(), props)
}

/// The context key of an example's revision (`basic`, `essentials`): a whole number from
/// 1, the default. CI deploys the examples at revision 1, then updates them to revision 2
/// (`cloudwright synth --context cloudwright:example:revision=2`), see `docs/deploying.md`.
pub const REVISION: &str = "cloudwright:example:revision";

/// The app's revision: context [`REVISION`], 1 when unset; anything but a number from 1 is
/// an error naming the key.
pub fn revision(app: &App) -> Result<u32> {
    let Some(text) = app.context(REVISION) else { return Ok(1) };
    text.trim().parse::<u32>().ok().filter(|r| (1..=100).contains(r)).ok_or_else(|| Error::Validation {
        path: "App".into(),
        message: format!("context {REVISION} is {text:?}: give a whole number from 1 to 100"),
    })
}

/// A function that builds an example app.
pub type Builder = fn() -> Result<App>;

/// Every example by name.
pub const EXAMPLES: &[(&str, Builder)] = &[
    ("basic", basic::app),
    ("stages", stages::app),
    ("organization", organization::app),
    ("lambda_service", lambda_service::app),
    ("multi_account", multi_account::app),
    ("proton", proton::app),
    ("network", network::app),
    ("essentials", essentials::app),
];

/// The `main` of an example binary: synthesizes into `$CLOUDWRIGHT_OUTDIR`, the first
/// argument, or `cloudwright.out`, and reports errors on stderr.
pub fn synth_main(build: Builder) -> ExitCode {
    let outdir = std::env::var_os("CLOUDWRIGHT_OUTDIR")
        .or_else(|| std::env::args_os().nth(1))
        .unwrap_or_else(|| "cloudwright.out".into());
    match build().and_then(|app| app.synth(&outdir)) {
        Ok(report) => {
            eprintln!("wrote {} stacks to {}", report.stacks.len(), report.outdir.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// The README's code samples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// The guide's code samples (`docs/`), compiled and run as doc tests.
#[cfg(doctest)]
pub mod guide {
    #[doc = include_str!("../../docs/getting-started.md")]
    pub struct GettingStarted;
    #[doc = include_str!("../../docs/multi-account.md")]
    pub struct MultiAccount;
    #[doc = include_str!("../../docs/proton.md")]
    pub struct Proton;
    #[doc = include_str!("../../docs/governance.md")]
    pub struct Governance;
    #[doc = include_str!("../../docs/policy-control.md")]
    pub struct PolicyControl;
    #[doc = include_str!("../../docs/snapshots.md")]
    pub struct Snapshots;
    #[doc = include_str!("../../docs/migrating-from-cdk.md")]
    pub struct MigratingFromCdk;
    #[doc = include_str!("../../docs/references.md")]
    pub struct References;
    #[doc = include_str!("../../docs/services.md")]
    pub struct Services;
    #[doc = include_str!("../../docs/refactoring.md")]
    pub struct Refactoring;
}
