//! CloudFormation templates (JSON, or YAML with short-form tags) and cloud assemblies (a
//! CDK app's `cdk.out`) as Rust source that builds the same stacks with the typed L1s
//! (`cloudwright import`). The names come from the same model `cargo xtask codegen` writes
//! the L1s from (`cloudwright_cfn_model`), so they cannot drift apart.
//!
//! ```no_run
//! use cloudwright_toolkit::import::import_file;
//! let imported = import_file(std::path::Path::new("network.yaml"))?;
//! std::fs::write("network.rs", &imported.code).ok();
//! for w in &imported.warnings {
//!     eprintln!("warning: {w}");
//! }
//! # Ok::<(), cloudwright_core::Error>(())
//! ```
//!
//! | module | one job |
//! |---|---|
//! | `stack` | a template as a module `pub fn stack(scope, id, props)`, or ([`import_into`]) as statements on an enclosing builder's `stack` |
//! | `value` | values as `Expr`/`Cond`/typed L1 literals |
//! | [`assembly`] | a cloud assembly as a Cargo project with its stages, environments and stack dependencies |
//! | `read` | JSON, or YAML through `proton::render::cfn_yaml_to_json`; lines for messages |
//! | [`schemas`] | the embedded resource provider schemas (packed by `build.rs`) |
//!
//! Problems are `Error::Input` naming `path:LINE` and the fix; what the user should know
//! but is no error (an escape hatch, a section left out) is a [`Warning`] naming the same.

pub mod assembly;
mod read;
pub mod schemas;
mod stack;
mod value;

use std::path::Path;

use cloudwright_core::Result;

pub use cloudwright_core::Warning;
pub use stack::{Embedding, Imported, ImportedBody, import, import_into, use_lines};
pub use value::SPREAD_KEY;

/// Imports the template in the file at `path` (named in messages and the module doc).
pub fn import_file(path: &Path) -> Result<Imported> {
    let text = cloudwright_core::limits::read_text(path, cloudwright_core::limits::TEMPLATE_BYTES)?;
    import(&text, &path.display().to_string())
}

/// A Rust module name for a stack or file name.
pub fn module_name(name: &str) -> String {
    let stem = Path::new(name).file_stem().map_or_else(|| name.to_owned(), |s| s.to_string_lossy().into_owned());
    plain_ident(&stem)
}

/// A snake_case identifier that is never a keyword (`type` becomes `type_`).
pub(crate) fn plain_ident(name: &str) -> String {
    let ident = cloudwright_cfn_model::names::snake_ident(name);
    match ident.strip_prefix("r#") {
        Some(keyword) => format!("{keyword}_"),
        None => ident,
    }
}
