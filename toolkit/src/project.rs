//! The files of a generated Cargo project on cloudwright: what `cloudwright init`,
//! `cloudwright import --assembly` and `proton migrate --rust` write alike (the manifest
//! and its dependencies on cloudwright, the runner, `cloudwright.json`, the lock file).

use std::path::{Path, PathBuf};

use cloudwright_core::{Error, Result};

/// `src/main.rs` of a library project: runs `{{crate}}::build` through `cloudwright_cli::run`.
const MAIN: &str = include_str!("../templates/main.rs");

/// `cloudwright.json`: the app is the project's own binary.
pub const CONFIG: (&str, &str) = ("cloudwright.json", "{\n  \"app\": \"cargo run --quiet\"\n}\n");

/// The checkout this cloudwright was built from, when it is still there: a generated
/// project then depends on it by path, and builds offline.
pub fn checkout() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent()?.to_path_buf();
    root.join("core/Cargo.toml").is_file().then_some(root)
}

/// `name = { path or version, default-features = false, extra }`: the checkout's crate in
/// `dir` by path when this cloudwright was built from one (the project builds offline),
/// else the published version.
pub fn dependency(name: &str, dir: &str, extra: &str) -> String {
    let source = match checkout() {
        Some(root) => format!("path = \"{}\"", root.join(dir).to_string_lossy().replace('\\', "/")),
        None => format!("version = \"{}\"", env!("CARGO_PKG_VERSION")),
    };
    let extra = if extra.is_empty() { String::new() } else { format!(", {extra}") };
    format!("{name} = {{ {source}, default-features = false{extra} }}\n")
}

/// The dependencies of a project on cloudwright: the constructs with `features` (quoted,
/// comma-separated: only the AWS services it uses) and the CLI library (without the
/// reference example).
pub fn cloudwright_dependencies(features: &str) -> String {
    dependency("cloudwright-constructs", "constructs", &format!("features = [{features}]"))
        + &dependency("cloudwright-cli", "synth-cli", "")
}

/// `Cargo.toml` of the package `name`, a workspace of its own, with `dependencies` (the
/// lines of its `[dependencies]` table, and any tables after it).
pub fn manifest(name: &str, dependencies: &str) -> String {
    format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n# A project of its own, even inside another workspace.\n[workspace]\n\n[dependencies]\n{dependencies}"
    )
}

/// The crate name of a project in `dir`: its directory's name, or what is wrong with it.
pub fn crate_name(dir: &Path) -> Result<String> {
    let input = |message: String| Error::Input { path: dir.display().to_string(), message };
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase().replace([' ', '.'], "-"))
        .filter(|n| !n.is_empty())
        .ok_or_else(|| input("cannot name a project after this directory; give a directory with a name".into()))?;
    if !name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(input(format!(
            "the directory name {name:?} is not a valid crate name; use letters, digits, '-' and '_', starting with a letter"
        )));
    }
    Ok(name)
}

/// `cloudwright.json`, and the checkout's `Cargo.lock` when there is one (the same
/// dependency versions, so the project builds offline).
pub fn config_files() -> Vec<(String, String)> {
    let mut out = vec![(CONFIG.0.to_owned(), CONFIG.1.to_owned())];
    if let Some(lock) = checkout().and_then(|root| std::fs::read_to_string(root.join("Cargo.lock")).ok()) {
        out.push(("Cargo.lock".to_owned(), lock));
    }
    out
}

/// The files every library project on cloudwright's CLI has: `src/main.rs` running
/// `{krate}::build` through `cloudwright_cli::run`, and [`config_files`].
pub fn runner_files(krate: &str) -> Vec<(String, String)> {
    let mut out = vec![("src/main.rs".to_owned(), MAIN.replace("{{crate}}", krate))];
    out.extend(config_files());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_project_is_named_after_its_directory() {
        assert_eq!(crate_name(Path::new("/tmp/My App.v2")).unwrap(), "my-app-v2");
        let e = crate_name(Path::new("/tmp/2fast")).unwrap_err().to_string();
        assert!(e.starts_with("/tmp/2fast: the directory name \"2fast\" is not a valid crate name"), "{e}");
    }

    #[test]
    fn the_runner_builds_the_crate() {
        let files = runner_files("my_app");
        assert!(files.iter().any(|(p, t)| p == "src/main.rs" && t.contains("cloudwright_cli::run(my_app::build)")));
        assert!(files.iter().any(|(p, _)| p == "cloudwright.json"));
    }
}
