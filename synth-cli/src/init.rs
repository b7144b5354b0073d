//! `cloudwright init`: scaffolds a Cargo project for a cloudwright app, with its CLI, a
//! config naming the app command, and a snapshot test of everything it synthesizes.

use std::path::Path;

use anyhow::{Context, anyhow};
use clap::ValueEnum;
use cloudwright_toolkit::project;

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

const TEST: &str = include_str!("../templates/common/infrastructure.rs");
const MINIMAL_LIB: &str = include_str!("../templates/minimal.rs");
const MULTI_ACCOUNT_LIB: &str = include_str!("../templates/multi_account.rs");

/// The files of a new project, by relative path.
pub fn files(dir: &Path, template: Template) -> Result<Vec<(String, String)>, Failure> {
    let name = project::crate_name(dir).map_err(Failure::input)?;
    let krate = name.replace('-', "_");
    let fill = |s: &str| s.replace("{{name}}", &name).replace("{{crate}}", &krate);
    let features = template.features().iter().map(|f| format!("\"{f}\"")).collect::<Vec<_>>().join(", ");
    // One cargo feature per AWS service: the project builds only the services it names
    // (the L2s need the services they build on; `full` is every service). The CLI library
    // without its default feature leaves out the reference example and its services.
    let deps = format!(
        "{}\n[dev-dependencies]\n{}insta = \"1\"\n",
        project::cloudwright_dependencies(&features),
        project::dependency("cloudwright-constructs", "constructs", "features = [\"testing\"]")
    );
    let cargo_toml = project::manifest(&name, &deps);
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
    out.extend(project::runner_files(&krate));
    Ok(out)
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
