//! Where the app comes from: `--app CMD`, else `./cloudwright.json`, else the built-in
//! default; and turning it into an in-memory assembly.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use anyhow::{Context as _, anyhow};
use cloudwright_constructs::proton::{DEPLOY_MODE_ENV, DeployMode};
use cloudwright_core::context::CONTEXT_ENV;
use cloudwright_core::{App, Assembly};
use indexmap::IndexMap;

use crate::Failure;

/// The environment variable an app command writes its assembly to (like the CDK's `CDK_OUTDIR`).
pub const OUTDIR_ENV: &str = "CLOUDWRIGHT_OUTDIR";
/// The config file naming the app command (like `cdk.json`).
pub const CONFIG_FILE: &str = "cloudwright.json";
/// How many app commands deep this process runs; guards against an app command that
/// runs the CLI, which reads the same config and runs the app again.
const DEPTH_ENV: &str = "CLOUDWRIGHT_APP_DEPTH";
const MAX_DEPTH: u32 = 4;

/// The app a command works on.
pub enum AppSource {
    /// A shell command that writes an assembly to `$CLOUDWRIGHT_OUTDIR`, the deploy mode it
    /// gets in `$CLOUDWRIGHT_DEPLOY_MODE`, the export lock it gets in
    /// `$CLOUDWRIGHT_EXPORTS_LOCK` (empty when `None`) and the context it gets in
    /// `$CLOUDWRIGHT_CONTEXT`.
    Command(String, DeployMode, Option<PathBuf>, Context),
    /// An app built in this process.
    Builder(Box<dyn FnOnce() -> cloudwright_core::Result<App>>),
}

/// Context values for the app: `"context"` of `./cloudwright.json`, overlaid with `--context`.
pub type Context = IndexMap<String, String>;

/// What `./cloudwright.json` says (like `cdk.json`): the app command and its context.
#[derive(Default)]
pub struct Config {
    /// `"app"`: the command that runs the app.
    pub app: Option<String>,
    /// `"context"`: string values the app reads with `App::context`.
    pub context: Context,
}

impl Config {
    /// Reads `./cloudwright.json`; no file is an empty config.
    pub fn read() -> Result<Config, Failure> {
        read_config(Path::new(CONFIG_FILE))
    }
}

impl AppSource {
    /// `--app`, else the `app` of the config (either run in `mode`, with the export lock
    /// `exports_lock` and `context`), else `default`.
    pub fn choose(
        flag: Option<String>,
        default: Box<dyn FnOnce() -> cloudwright_core::Result<App>>,
        mode: DeployMode,
        exports_lock: Option<PathBuf>,
        config: &Config,
        context: &Context,
    ) -> Result<AppSource, Failure> {
        Ok(match flag.or_else(|| config.app.clone()) {
            Some(cmd) => AppSource::Command(cmd, mode, exports_lock, context.clone()),
            None => AppSource::Builder(default),
        })
    }

    /// Validates and synthesizes the app in memory.
    pub fn assembly(self) -> Result<Assembly, Failure> {
        match self {
            AppSource::Builder(build) => build().and_then(|app| app.assembly()).map_err(Failure::input),
            AppSource::Command(cmd, mode, lock, context) => run_command(&cmd, mode, lock.as_deref(), &context),
        }
    }
}

/// The config file's `app` and `context`; an empty config when there is no file.
fn read_config(path: &Path) -> Result<Config, Failure> {
    let text = cloudwright_core::limits::read_text_if_exists(path, cloudwright_core::limits::INPUT_BYTES)
        .map_err(|e| Failure::input(anyhow!(e)))?;
    let Some(text) = text else { return Ok(Config::default()) };
    let config: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Failure::input(anyhow!("{} is not valid JSON: {e}", path.display())))?;
    let context = match config.get("context") {
        None => Context::new(),
        Some(value) => cloudwright_core::context::parse(&value.to_string())
            .map_err(|e| Failure::input(anyhow!("\"context\" of {} {e}", path.display())))?,
    };
    match config.get("app").and_then(serde_json::Value::as_str) {
        Some(cmd) if !cmd.trim().is_empty() => Ok(Config { app: Some(cmd.to_owned()), context }),
        // A config that only sets context applies it to the built-in app.
        None if config.get("app").is_none() && config.get("context").is_some() => Ok(Config { app: None, context }),
        _ => Err(Failure::input(anyhow!(
            "{} has no \"app\" command; write e.g. {{\"app\": \"cargo run --quiet\"}}, or pass --app CMD",
            path.display()
        ))),
    }
}

/// Parses one `--context KEY=VALUE`.
pub fn parse_context_flag(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => Ok((key.trim().to_owned(), value.to_owned())),
        _ => Err(format!("expected KEY=VALUE, got {text:?}")),
    }
}

static NEXT: AtomicU32 = AtomicU32::new(0);

/// Runs an app command into a temporary directory and reads what it wrote.
fn run_command(cmd: &str, mode: DeployMode, lock: Option<&Path>, context: &Context) -> Result<Assembly, Failure> {
    let dir = temp_dir();
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create {}", dir.display()))
        .map_err(Failure::internal)?;
    let result = run_into(cmd, &dir, mode, lock, context);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn temp_dir() -> PathBuf {
    std::env::temp_dir().join(format!(
        "cloudwright-app-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ))
}

fn depth() -> u32 {
    std::env::var(DEPTH_ENV).ok().and_then(|d| d.parse().ok()).unwrap_or(0)
}

fn run_into(
    cmd: &str,
    dir: &Path,
    mode: DeployMode,
    lock: Option<&Path>,
    context: &Context,
) -> Result<Assembly, Failure> {
    if depth() >= MAX_DEPTH {
        return Err(Failure::input(anyhow!("app commands nested {MAX_DEPTH} levels deep; refusing to run `{cmd}`")));
    }
    // The app's own output goes to stderr, so ours on stdout stays parseable.
    let status = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .env(OUTDIR_ENV, dir)
        .env(DEPLOY_MODE_ENV, mode.as_str())
        .env(crate::exports::EXPORTS_LOCK_ENV, lock.map(Path::as_os_str).unwrap_or_default())
        .env(CONTEXT_ENV, context_json(context))
        .env(DEPTH_ENV, (depth() + 1).to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::from(std::io::stderr()))
        .status()
        .with_context(|| format!("cannot start the app command `{cmd}`"))
        .map_err(Failure::input)?;
    if !status.success() {
        if depth() + 1 >= MAX_DEPTH {
            return Err(Failure::input(anyhow!(
                "the app command `{cmd}` runs cloudwright, which runs the app command again ({MAX_DEPTH} levels deep); \
                 an app command must build the app itself (e.g. `cargo run --quiet`), not call `cloudwright synth`"
            )));
        }
        let code = status.code().map_or("a signal".to_owned(), |c| c.to_string());
        return Err(Failure::input(anyhow!(
            "the app command `{cmd}` failed (exit status {code}); nothing was written"
        )));
    }
    if !dir.join("manifest.json").is_file() {
        return Err(Failure::input(anyhow!(
            "the app command `{cmd}` wrote no manifest.json to ${OUTDIR_ENV}; an app must synthesize into \
             that directory (call cloudwright_cli::run, or app.synth(std::env::var(\"{OUTDIR_ENV}\")))"
        )));
    }
    Assembly::read(dir).map_err(Failure::input)
}

/// The context as `$CLOUDWRIGHT_CONTEXT` holds it, over what this process was given in it.
fn context_json(context: &Context) -> String {
    let mut all =
        std::env::var(CONTEXT_ENV).ok().and_then(|t| cloudwright_core::context::parse(&t).ok()).unwrap_or_default();
    all.extend(context.iter().map(|(k, v)| (k.clone(), v.clone())));
    serde_json::to_string(&all).unwrap_or_default()
}
