//! `cloudwright init`: scaffolds a Cargo project for a cloudwright app, with its CLI, a
//! config naming the app command, and a snapshot test of everything it synthesizes.

use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use clap::ValueEnum;

use crate::Failure;

/// The project templates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Template {
    /// One stack with a monitored Lambda service.
    #[default]
    Minimal,
    /// An organization with three OUs, a guardrail, and the service in each account.
    MultiAccount,
}

impl Template {
    /// The cloudwright-constructs features (AWS services) the template's code uses.
    fn features(self) -> &'static [&'static str] {
        match self {
            // `lambda::LambdaService`: the function, its role, log group and alarms.
            Template::Minimal => &["lambda", "iam", "logs", "cloudwatch"],
            // Plus the organization (`org`, with Control Tower) and the alerts topic.
            Template::MultiAccount => &["lambda", "iam", "logs", "cloudwatch", "organizations", "controltower", "sns"],
        }
    }
}

const MAIN: &str = include_str!("../templates/common/main.rs");
const TEST: &str = include_str!("../templates/common/infrastructure.rs");
const MINIMAL_LIB: &str = include_str!("../templates/minimal.rs");
const MULTI_ACCOUNT_LIB: &str = include_str!("../templates/multi_account.rs");

/// The checkout this CLI was built from, when it is still there: the scaffold then
/// depends on it by path, and builds offline.
pub(crate) fn checkout() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent()?.to_path_buf();
    root.join("core/Cargo.toml").is_file().then_some(root)
}

/// `name = { path or version, default-features = false, extra }`: the checkout by path when
/// this CLI was built from one (the project builds offline), else the published version.
fn dependency(name: &str, dir: &str, extra: &str) -> String {
    let source = match checkout() {
        Some(root) => format!("path = \"{}\"", root.join(dir).to_string_lossy().replace('\\', "/")),
        None => format!("version = \"{}\"", env!("CARGO_PKG_VERSION")),
    };
    let extra = if extra.is_empty() { String::new() } else { format!(", {extra}") };
    format!("{name} = {{ {source}, default-features = false{extra} }}\n")
}

/// The dependencies of a project on cloudwright: the constructs with `features` (quoted,
/// comma-separated) and the CLI library (without the reference example).
pub(crate) fn cloudwright_dependencies(features: &str) -> String {
    dependency("cloudwright-constructs", "constructs", &format!("features = [{features}]"))
        + &dependency("cloudwright-cli", "synth-cli", "")
}

/// The crate name of a project in `dir`: its directory's name, or what is wrong with it.
pub(crate) fn crate_name(dir: &Path) -> Result<String, Failure> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase().replace([' ', '.'], "-"))
        .filter(|n| !n.is_empty())
        .ok_or_else(|| Failure::input(anyhow!("cannot name a project after {}", dir.display())))?;
    if !name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Failure::input(anyhow!(
            "the directory name {name:?} is not a valid crate name; use letters, digits, '-' and '_', starting with a letter"
        )));
    }
    Ok(name)
}

/// The files of a new project, by relative path.
pub fn files(dir: &Path, template: Template) -> Result<Vec<(String, String)>, Failure> {
    let name = crate_name(dir)?;
    let krate = name.replace('-', "_");
    let fill = |s: &str| s.replace("{{name}}", &name).replace("{{crate}}", &krate);
    let features = template.features().iter().map(|f| format!("\"{f}\"")).collect::<Vec<_>>().join(", ");
    // One cargo feature per AWS service: the project builds only the services it names
    // (the L2s need the services they build on; `full` is every service). The CLI library
    // without its default feature leaves out the reference example and its services.
    let deps = format!(
        "{}\n[dev-dependencies]\n{}insta = \"1\"\n",
        cloudwright_dependencies(&features),
        dependency("cloudwright-constructs", "constructs", "features = [\"testing\"]")
    );
    let cargo_toml = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n# A project of its own, even inside another workspace.\n[workspace]\n\n[dependencies]\n{deps}"
    );
    let lib = match template {
        Template::Minimal => MINIMAL_LIB,
        Template::MultiAccount => MULTI_ACCOUNT_LIB,
    };
    let mut out = vec![
        ("Cargo.toml".to_owned(), cargo_toml),
        ("src/lib.rs".to_owned(), fill(lib)),
        ("tests/infrastructure.rs".to_owned(), fill(TEST)),
        (".gitignore".to_owned(), "/target\n/cloudwright.out\n*.snap.new\n".to_owned()),
        (
            "README.md".to_owned(),
            format!(
                "# {name}\n\nInfrastructure written with cloudwright.\n\n```sh\ncloudwright synth        # or: cargo run -- synth\nINSTA_UPDATE=always cargo test   # first run: record the snapshots, then review them\ncargo test               # afterwards: fails when the synthesized output changes\ncloudwright validate     # the governance rules (synth refuses to write on rule errors)\ncloudwright diff HEAD:tests/snapshots cloudwright.out   # what a change does, for the PR\n```\n"
            ),
        ),
    ];
    out.extend(runner_files(&krate));
    Ok(out)
}

/// The files every project on cloudwright's CLI has: `src/main.rs` running
/// `{krate}::build` through `cloudwright_cli::run`, `cloudwright.json` naming it, and the
/// checkout's `Cargo.lock` when there is one (the same dependency versions, so the project
/// builds offline).
pub(crate) fn runner_files(krate: &str) -> Vec<(String, String)> {
    let mut out = vec![
        ("src/main.rs".to_owned(), MAIN.replace("{{crate}}", krate)),
        ("cloudwright.json".to_owned(), "{\n  \"app\": \"cargo run --quiet\"\n}\n".to_owned()),
    ];
    if let Some(lock) = checkout().and_then(|root| std::fs::read_to_string(root.join("Cargo.lock")).ok()) {
        out.push(("Cargo.lock".to_owned(), lock));
    }
    out
}

fn write_into(dir: &Path, files: &[(String, String)]) -> anyhow::Result<()> {
    for (rel, text) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// `cloudwright init`: writes a new project into `dir`, which must be empty or absent.
pub fn init(dir: &Path, template: Template) -> Result<u8, Failure> {
    if dir.exists() {
        let mut entries =
            std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display())).map_err(Failure::input)?;
        if entries.next().is_some() {
            return Err(Failure::input(anyhow!(
                "{} is not empty; init only writes into an empty or new directory, so nothing was changed",
                dir.display()
            )));
        }
    }
    let files = files(&dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf()), template)?;
    if dir.exists() {
        // An empty directory (perhaps the shell's current one) is filled in place; on a
        // failure what was written is removed again.
        if let Err(e) = write_into(dir, &files) {
            for (rel, _) in &files {
                let _ = std::fs::remove_file(dir.join(rel));
            }
            for sub in ["src", "tests"] {
                let _ = std::fs::remove_dir(dir.join(sub));
            }
            return Err(Failure::input(e));
        }
    } else {
        let map = files.into_iter().map(|(p, text)| (p, text.into_bytes())).collect();
        cloudwright_core::synth::write_files(dir, &map).map_err(Failure::input)?;
    }
    println!(
        "created {} from the {} template\nnext: cd {} && cloudwright synth, then INSTA_UPDATE=always cargo test to record the snapshot",
        dir.display(),
        match template {
            Template::Minimal => "minimal",
            Template::MultiAccount => "multi-account",
        },
        dir.display()
    );
    Ok(0)
}
