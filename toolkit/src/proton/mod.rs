//! AWS Proton bundles after Proton: [`render`] any bundle and spec into a plain cloud
//! assembly, [`migrate`] a template-sync repository and take over what Proton deployed.

pub mod migrate;
pub mod render;
