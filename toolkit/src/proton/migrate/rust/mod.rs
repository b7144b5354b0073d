//! `proton migrate --rust`: a template-sync repository as a typed Rust project. Each
//! template whose Jinja only substitutes parameters becomes a typed
//! `EnvironmentTemplate`/`ServiceTemplate` (its infrastructure imported as typed L1s by
//! [`crate::import::import_into`]), each environment and service is declared with typed
//! inputs from its spec; any other template is kept as its Jinja bundle, with the reason.
//! The project's synth writes the repository again, and `proton migrate` of that gives the
//! same stacks as of the original.
//!
//! | module | one job |
//! |---|---|
//! | `translate` | a template's Jinja infrastructure as the body of a typed builder closure, or why it is kept |
//! | `inputs` | an input schema as a serde + schemars struct with the same schema and defaults; spec values as literals |
//! | `project` | the Cargo project: template modules, `lib.rs`, kept bundles, specs and `migration.yaml`, README |

mod inputs;
mod project;
mod translate;

use std::path::Path;

use cloudwright_core::Result;

pub use project::{Project, project};

/// The project of the repository at `repo`, named after `dir` (where it is to be written):
/// [`crate::project::crate_name`] says when that name cannot be a crate's.
pub fn project_for(repo: &Path, dir: &Path) -> Result<Project> {
    let name = crate::project::crate_name(&std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf()))?;
    project(&super::repo::read(repo)?, &name)
}
