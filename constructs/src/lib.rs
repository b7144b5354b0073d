//! # cloudwright-constructs
//!
//! Typed AWS constructs. Re-exports all of [`cloudwright_core`], so an app depends on
//! this one crate.

pub use cloudwright_core::*;

/// Typed L1 resources generated from the CloudFormation resource provider schemas, one
/// module and cargo feature per service: `cfn::s3::{CfnBucket, CfnBucketProps}`.
/// Regenerate with `cargo xtask codegen`; never edit by hand (nor format: rustfmt skips it).
#[rustfmt::skip]
pub mod cfn;

pub mod iam;

pub mod org;

pub mod controltower;
pub mod lambda;
pub mod monitoring;
pub mod pipeline;
pub mod proton;
pub mod stackset;
