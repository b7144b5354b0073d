//! AWS Proton environment and service templates from typed Rust.
//!
//! A template's inputs are a Rust struct (`Serialize + JsonSchema`); its infrastructure is
//! built with ordinary constructs in a stack whose values may be Proton parameters
//! ([`TemplateContext::input`], [`TemplateContext::environment_output`], ...). Each
//! template is written as a bundle in the layout template sync reads
//! (`proton/<name>/v<major>/schema/schema.yaml`, `infrastructure/` or
//! `instance_infrastructure/` + `pipeline_infrastructure/`, each with `manifest.yaml` and a
//! Jinja `cloudformation.yaml`), a deterministic archive per bundle, and spec files for the
//! environments and services the app declares.
//!
//! AWS Proton has ended (2026-10-07): in [`DeployMode::Plain`] (the app's context value
//! [`DeployMode::CONTEXT_KEY`], set by `cloudwright --mode`) the same definitions synthesize to the stacks Proton would have deployed, one per
//! environment and per service instance; in `DeployMode::Proton` those stacks are left to
//! the bundles and the `AWS::Proton::*` resources go in the management stack.
//!
//! | module | one job |
//! |---|---|
//! | `mode` | [`DeployMode`]: the app context value saying how environments and services deploy |
//! | [`parameters`] | the Proton parameters' names, the tree of values Proton hands each kind of template (also what `proton render` and `migrate` render with), and [`ProtonParameters`]: parameters as Jinja placeholders (literal strings escaped) or the tree's values |
//! | `context` | [`TemplateContext`]: the context a template's infrastructure is built in, one type for the three kinds ([`EnvironmentContext`], [`InstanceContext`], [`PipelineContext`]) |
//! | `schema` | input structs to Proton's OpenAPI 3.0.0 schema; spec validation |
//! | `yaml` | templates as block YAML with Jinja loops |
//! | `bundle` | bundle files, manifests, the Jinja rendering of a template |
//! | `archive` | deterministic `.tar.gz` |
//! | `environment` | [`EnvironmentTemplate`], [`ProtonEnvironment`], the environment context's accessors |
//! | `service` | [`ServiceTemplate`], [`ProtonService`], the instance and pipeline contexts' accessors |
//! | `spec` | spec files |
//! | `lock` | [`SchemaLock`]: published input schemas, breaking changes need a major bump |
//! | `connection` | environment account connection roles and resources |
//! | [`python`] | Python's printing of scalars, as Jinja2 prints a parameter |
//!
//! Reading bundles back (`cloudwright proton render`, `proton migrate`) is
//! `cloudwright_toolkit::proton`.

#[cfg(all(feature = "proton", feature = "iam"))]
mod archive;
#[cfg(all(feature = "proton", feature = "iam"))]
mod bundle;
// The template constructs build on the Proton L1s and IAM; the rest is tooling.
#[cfg(all(feature = "proton", feature = "iam"))]
mod connection;
#[cfg(all(feature = "proton", feature = "iam"))]
mod context;
#[cfg(all(feature = "proton", feature = "iam"))]
mod environment;
pub mod lock;
mod mode;
pub mod parameters;
pub mod python;
pub mod schema;
#[cfg(all(feature = "proton", feature = "iam"))]
mod service;
pub mod spec;
mod yaml;

use cloudwright_core::Node;

#[cfg(all(feature = "proton", feature = "iam"))]
pub use connection::{
    EnvironmentAccountConnection, EnvironmentAccountConnectionProps, ManagementRoles, ManagementRolesProps,
};
#[cfg(all(feature = "proton", feature = "iam"))]
pub use context::{
    EnvironmentContext, EnvironmentScope, InstanceContext, InstanceScope, PipelineContext, PipelineScope, Scope,
    ServiceScope, TemplateContext,
};
#[cfg(all(feature = "proton", feature = "iam"))]
pub use environment::{EnvironmentProps, EnvironmentTemplate, EnvironmentTemplateProps, ProtonEnvironment};
pub use lock::SchemaLock;
pub use mode::{DEPLOY_MODE_ENV, DeployMode};
pub use parameters::ProtonParameters;
pub use schema::InputSchema;
#[cfg(all(feature = "proton", feature = "iam"))]
pub use service::{
    NoPipeline, PipelineInstance, ProtonService, ServiceInstanceProps, ServiceProps, ServiceTemplate,
    ServiceTemplateProps,
};

/// An environment template a service template is compatible with: its name, major
/// version and the outputs it declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compatible {
    /// Template name.
    pub name: String,
    /// Major version.
    pub major: u32,
    /// Names of the template's outputs (`environment.outputs.<Name>`).
    pub outputs: Vec<String>,
}

impl Compatible {
    /// An environment template defined outside this app (hand-written or in another repository).
    pub fn external(name: &str, major: u32, outputs: &[&str]) -> Compatible {
        Compatible { name: name.to_owned(), major, outputs: outputs.iter().map(|s| (*s).to_owned()).collect() }
    }
}

/// Where problems found while a template's infrastructure is built are recorded: the
/// template's node ([`Node::add_error`]), or nowhere when the infrastructure is built again
/// for a declared environment or instance (the template has reported them already).
#[derive(Debug, Clone, Default)]
pub(crate) struct Problems(Option<Node>);

impl Problems {
    /// Problems recorded on `node`.
    pub(crate) fn on(node: &Node) -> Problems {
        Problems(Some(node.clone()))
    }
    pub(crate) fn push(&self, message: String) {
        if let Some(node) = &self.0 {
            node.add_error(message);
        }
    }
}

/// Checks that `name` is an input of `schema` that Proton always passes, and returns the
/// parameter `namespace.name`.
pub(crate) fn checked_input(schema: &InputSchema, namespace: &str, name: &str, problems: &Problems) -> String {
    let parameter = parameters::member(namespace, name);
    match schema.field(name) {
        Err(e) => problems.push(format!("`{parameter}`: {e}")),
        Ok(_) if !schema.always_set(name) => problems.push(format!(
            "`{parameter}` is optional and has no default: Proton leaves it out when a spec does not \
             set it, so the template would not render; give it a default (#[serde(default)] with \
             #[schemars(default)]) or make it required"
        )),
        Ok(_) => {}
    }
    parameter
}

/// A Proton resource name: 1 to 100 characters, letters, digits, `-` and `_`, starting with
/// a letter or digit.
pub(crate) fn check_name(what: &str, name: &str) -> Option<String> {
    let ok = !name.is_empty()
        && name.len() <= 100
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    (!ok).then(|| {
        format!("{what} name {name:?} must be 1 to 100 letters, digits, '-' or '_', starting with a letter or digit")
    })
}
