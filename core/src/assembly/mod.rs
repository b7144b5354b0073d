//! The cloud assembly's files, typed: `manifest.json` ([`Manifest`], written by synthesis
//! and by the tools that write templates outside the construct tree, read by every reader
//! of an assembly, ours or the CDK's),
//! the CDK bootstrap a stack deploys with ([`Bootstrap`]) and a template's sections
//! ([`Section`]). [`crate::Assembly`] holds an assembly's files; this says what they mean.
//!
//! ```
//! use cloudwright_core::assembly::{Artifact, Manifest, StackArtifactProps};
//! use cloudwright_core::Environment;
//!
//! let mut manifest: Manifest = Manifest::default();
//! manifest.artifacts.insert("Queues".into(), Artifact::new_stack(StackArtifactProps {
//!     artifact_id: "Queues".into(),
//!     stack_name: "Queues".into(),
//!     display_name: "Queues".into(),
//!     environment: Environment::new("111111111111", "eu-west-1"),
//!     template_file: "Queues.template.json".into(),
//!     ..Default::default()
//! }));
//! let read = Manifest::from_slice(&manifest.to_vec(), "manifest.json")?;
//! assert_eq!(read, manifest);
//! # Ok::<(), cloudwright_core::Error>(())
//! ```

mod bootstrap;
mod manifest;
mod template;

pub use bootstrap::{
    Bootstrap, BootstrapRoleName, DEFAULT_QUALIFIER, LOOKUP_ROLE_VERSION, REQUIRED_VERSION, RoleKind,
    VERSION_PARAMETER_ID, VERSION_RULE_ID,
};
pub use manifest::{
    Artifact, ArtifactIds, AssetManifestProperties, BootstrapRole, LOGICAL_ID_METADATA, MANIFEST_VERSION,
    MAX_MANIFEST_BYTES, MAX_NESTING, Manifest, Metadata, MetadataEntry, MetadataField, NestedAssemblyProperties,
    Properties, StackArtifactProps, StackProperties, TreeProperties, Walk, artifact_type, assets_artifact_id, cdk_out,
    split_environment, walk,
};
pub use template::Section;
