//! CloudFormation resource provider schemas mapped to the Rust types cloudwright generates
//! (`model`) and the Rust names of CloudFormation names (`names`). `cargo xtask codegen`
//! writes the L1s from this model; anything that writes code using those L1s reads the same
//! model, so the names cannot drift apart.

pub mod model;
pub mod names;
pub mod vendored;
