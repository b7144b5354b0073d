//! # cloudwright-constructs
//!
//! Typed AWS constructs. Re-exports all of [`cloudwright_core`], so an app depends on
//! this one crate.

pub use cloudwright_core::*;

pub mod iam;

pub mod org;

pub mod controltower;
pub mod lambda;
pub mod monitoring;
pub mod pipeline;
pub mod proton;
pub mod stackset;
