//! # cloudwright-cli
//!
//! The `cloudwright` command line, and [`run`] so a user's own binary gets the same
//! subcommands with its app as the default.
//!
//! Exit codes: 0 ok; 1 findings or differences (validate, diff, and synth when rule errors stop it); 2 usage or input
//! errors (invalid app, failing `--app` command, unwritable output); 3 internal error.

mod commands;
pub mod diff;
pub mod exports;
pub mod import;
pub mod init;
pub mod plan;
pub mod proton;
pub mod proton_migrate;
pub mod refactor;
mod source;
pub mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use cloudwright_constructs::proton::DeployMode;
use cloudwright_core::{App, AppProps};

pub use source::AppSource;

/// Exit codes, as `--help` documents them.
pub const EXIT_CODES: &str = "Exit codes:\n  0  success\n  1  findings or differences (validate, diff; synth when governance rule errors stop it)\n  \
2  usage or input errors: the app is invalid, the --app command failed or wrote no assembly, the output is not writable\n  \
3  internal error";

/// How a command's result is printed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable text.
    #[default]
    Text,
    /// JSON, for scripts.
    Json,
}

/// Picture formats of `cloudwright graph`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// A Mermaid flowchart.
    #[default]
    Mermaid,
    /// A Graphviz DOT digraph.
    Dot,
}

/// `--mode`: how environments and services deploy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// Every account's stacks in the assembly, deployed with CloudFormation
    Plain,
    /// Environment and service stacks left to the Proton bundles
    Proton,
}

impl From<Mode> for DeployMode {
    fn from(mode: Mode) -> DeployMode {
        match mode {
            Mode::Plain => DeployMode::Plain,
            Mode::Proton => DeployMode::Proton,
        }
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "cloudwright",
    version,
    about = "Synthesize typed AWS infrastructure written in Rust into CloudFormation cloud assemblies",
    after_help = EXIT_CODES
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Deploy mode of the app (default: plain, or $CLOUDWRIGHT_DEPLOY_MODE); passed to an
    /// --app command in $CLOUDWRIGHT_DEPLOY_MODE. Both modes write the Proton bundles
    #[arg(long, value_enum, global = true)]
    mode: Option<Mode>,
    /// The export lock the app reads and `synth` updates (default: $CLOUDWRIGHT_EXPORTS_LOCK,
    /// empty for none, else ./cloudwright.exports.lock.json); passed to an --app command in
    /// $CLOUDWRIGHT_EXPORTS_LOCK
    #[arg(long, value_name = "PATH", global = true)]
    exports_lock: Option<std::path::PathBuf>,
    /// A context value the app reads (`App::context`), as the CDK's `--context`; repeatable,
    /// over "context" of ./cloudwright.json; passed to an --app command in $CLOUDWRIGHT_CONTEXT
    #[arg(long = "context", short = 'c', value_name = "KEY=VALUE", global = true, value_parser = source::parse_context_flag)]
    context: Vec<(String, String)>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Synthesize the app into a cloud assembly directory (deployable with `cdk deploy --app DIR`)
    #[command(after_help = EXIT_CODES)]
    Synth {
        /// Output directory; replaced atomically, so a failed synth leaves the previous output intact
        #[arg(short, long, default_value = "cloudwright.out")]
        output: std::path::PathBuf,
        /// Command that runs the app; it must write an assembly to $CLOUDWRIGHT_OUTDIR.
        /// Default: "app" of ./cloudwright.json, else the built-in reference example
        #[arg(long, value_name = "CMD")]
        app: Option<String>,
        /// Output format of the summary
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        /// Print nothing on success
        #[arg(short, long)]
        quiet: bool,
        /// Write even when governance rules report errors (they are still printed)
        #[arg(long)]
        allow_rule_errors: bool,
    },
    /// Check the app against the governance rules; exit 1 when an unsuppressed finding is an error
    #[command(after_help = EXIT_CODES)]
    Validate(validate::ValidateArgs),
    /// Draw the app: organization, accounts and delivery pipeline, as Mermaid or DOT
    #[command(after_help = EXIT_CODES)]
    Graph {
        /// Command that runs the app (see `synth --help`)
        #[arg(long, value_name = "CMD")]
        app: Option<String>,
        /// Output format
        #[arg(long, value_enum, default_value_t)]
        format: GraphFormat,
    },
    /// Create a new cloudwright project in DIR (which must be empty or absent)
    #[command(after_help = EXIT_CODES)]
    Init {
        /// Where to create the project
        #[arg(default_value = ".")]
        dir: std::path::PathBuf,
        /// What the project starts with
        #[arg(long, value_enum, default_value_t)]
        template: init::Template,
    },
    /// List the stacks of the app
    #[command(after_help = EXIT_CODES)]
    Ls {
        /// Command that runs the app (see `synth --help`)
        #[arg(long, value_name = "CMD")]
        app: Option<String>,
        /// Output format
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// AWS Proton bundles: render them to plain CloudFormation stacks
    #[command(subcommand)]
    Proton(ProtonCommand),
    /// Show what changed between two outputs (assembly directories, snapshot directories or
    /// git REV:PATH): resources, replacements, security-relevant statements, Proton schemas
    #[command(after_help = EXIT_CODES)]
    Diff(diff::DiffArgs),
    /// The CloudFormation stack refactors that move deployed resources to their new logical
    /// ids and stacks (renamed or moved constructs) instead of replacing them: per account and
    /// region the CreateStackRefactor input and the commands that run it
    #[command(after_help = EXIT_CODES)]
    Refactor(refactor::RefactorArgs),
    /// The export lock: exports kept for consumers deployed before their reference was removed
    #[command(subcommand)]
    Exports(exports::ExportsCommand),
    /// What a first deployment needs, in order: live context (samples refused), `cdk bootstrap`
    /// per environment with the trust cross-account deploys need, manual steps, and the stacks
    /// in waves of `cdk deploy`
    #[command(after_help = EXIT_CODES)]
    Plan(plan::PlanArgs),
    /// Write Rust that builds the stacks of a CloudFormation template (JSON or YAML) or of a
    /// cloud assembly (--assembly, e.g. a CDK app's cdk.out), with the typed L1s
    Import(import::ImportArgs),
}

/// `cloudwright proton ...`
#[derive(Debug, Subcommand)]
enum ProtonCommand {
    /// Render a Proton CloudFormation bundle with a spec into a cloud assembly (one stack per
    /// environment or service instance), as Proton would have deployed it
    Render(proton::RenderArgs),
    /// Render a whole Proton template-sync repository into one cloud assembly and take over
    /// the stacks Proton deployed; writes MIGRATION.md
    Migrate(proton_migrate::MigrateArgs),
}

/// Whether output to `stream` may use colour: a terminal, and `NO_COLOR` unset or empty
/// (as no-color.org has it).
pub(crate) fn colour(stream: &impl std::io::IsTerminal) -> bool {
    stream.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// An error with the exit code it maps to.
#[derive(Debug)]
pub struct Failure {
    /// The exit code (2 input, 3 internal).
    pub code: u8,
    /// What went wrong.
    pub error: anyhow::Error,
}

impl Failure {
    pub(crate) fn input(error: impl Into<anyhow::Error>) -> Self {
        Failure { code: 2, error: error.into() }
    }
    pub(crate) fn internal(error: impl Into<anyhow::Error>) -> Self {
        Failure { code: 3, error: error.into() }
    }
}

/// Parses the command line and runs it; `default_app` is used when neither `--app` nor
/// `./cloudwright.json` names an app.
pub fn main_with(default_app: Box<dyn FnOnce(AppProps) -> cloudwright_core::Result<App>>) -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    let mode = match cli.mode.map(DeployMode::from).map_or_else(DeployMode::from_env, Ok) {
        Ok(mode) => mode,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let config = match source::Config::read() {
        Ok(config) => config,
        Err(Failure { code, error }) => {
            eprintln!("error: {}", render_error(&error));
            return ExitCode::from(code);
        }
    };
    let mut context = config.context.clone();
    context.extend(cli.context.iter().cloned());
    let lock = exports::lock_path(cli.exports_lock);
    // `exports prune` tells kept exports from produced ones by building the app without the lock.
    let apply_lock = !matches!(cli.command, Command::Exports(_));
    let app_lock = lock.clone().filter(|_| apply_lock);
    let mut props = mode.app_props();
    props.context.extend(context.clone());
    let default_app: Box<dyn FnOnce() -> cloudwright_core::Result<App>> = Box::new(move || {
        let app = default_app(props)?;
        if let (None, Some(path)) = (app.exports_lock(), app_lock.clone()) {
            app.set_exports_lock(path);
        }
        Ok(app)
    });
    let command_lock = lock.clone().filter(|_| apply_lock);
    let choose =
        |app: Option<String>, default| AppSource::choose(app, default, mode, command_lock.clone(), &config, &context);
    let result = match cli.command {
        Command::Synth { output, app, format, quiet, allow_rule_errors } => {
            choose(app, default_app).and_then(|s| commands::synth(s, &output, format, quiet, allow_rule_errors))
        }
        Command::Validate(args) => validate::validate(|| choose(args.app.clone(), default_app), &args),
        Command::Ls { app, format } => choose(app, default_app).and_then(|s| commands::ls(s, format)),
        Command::Init { dir, template } => init::init(&dir, template),
        Command::Graph { app, format } => choose(app, default_app).and_then(|s| commands::graph(s, format)),
        Command::Proton(ProtonCommand::Render(args)) => proton::render(&args),
        Command::Proton(ProtonCommand::Migrate(args)) => proton_migrate::migrate(&args),
        Command::Diff(args) => diff::diff(&args),
        Command::Refactor(args) => refactor::refactor(&args),
        Command::Exports(exports::ExportsCommand::Prune(args)) => match &lock {
            Some(path) => choose(args.app.clone(), default_app).and_then(|s| exports::run(s, path, &args.stack)),
            None => Err(Failure::input(anyhow::anyhow!(
                "no export lock to prune: ${} is empty; give --exports-lock PATH",
                exports::EXPORTS_LOCK_ENV
            ))),
        },
        Command::Import(args) => import::run(&args),
        Command::Plan(args) => {
            let synth =
                plan::Synth { mode: cli.mode.map(|m| DeployMode::from(m).as_str()), context: cli.context.clone() };
            plan::run(|| choose(args.app.clone(), default_app), &args, &synth)
        }
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(Failure { code, error }) => {
            eprintln!("error: {}", render_error(&error));
            ExitCode::from(code)
        }
    }
}

/// The error and its causes, each cause shown once (library errors already name theirs).
fn render_error(error: &anyhow::Error) -> String {
    let mut out = error.to_string();
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if !out.contains(&cause) {
            out.push_str(": ");
            out.push_str(&cause);
        }
    }
    out
}

/// The `main` of a user's app binary: `cloudwright_cli::run(|app| { ... })`.
///
/// Run by `cloudwright synth --app CMD` (with `$CLOUDWRIGHT_OUTDIR` set) it synthesizes
/// into that directory; run directly it offers the CLI's subcommands for this app.
pub fn run(build: impl FnOnce(&App) -> cloudwright_core::Result<()> + 'static) -> ExitCode {
    let make = move |props: AppProps| {
        let app = App::with_props(props);
        build(&app)?;
        Ok(app)
    };
    if let Some(outdir) = std::env::var_os(source::OUTDIR_ENV) {
        // Run by the CLI: the export lock it names, the default one when run by hand.
        let with_lock = |app: App| {
            if let (None, Some(path)) = (app.exports_lock(), exports::lock_path(None)) {
                app.set_exports_lock(path);
            }
            app.synth(&outdir)
        };
        return match DeployMode::from_env().map(DeployMode::app_props).and_then(make).and_then(with_lock) {
            Ok(_) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        };
    }
    main_with(Box::new(make))
}
