//! `cloudwright validate`: the governance rules over the app, as a report; and the rule
//! check `synth` runs before it writes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use cloudwright_core::synth::write_files;
use cloudwright_toolkit::governance::{self, AssemblyFiles, PolicyScope, Report, Severity};

use crate::{AppSource, Failure, colour};

/// Report formats of `cloudwright validate`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Grouped by stack; coloured on a terminal unless NO_COLOR is set
    #[default]
    Text,
    /// The findings and a summary, for scripts
    Json,
    /// SARIF 2.1.0, for code-scanning UIs
    Sarif,
    /// A table for a pull-request comment
    Markdown,
}

/// Arguments of `cloudwright validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Command that runs the app (see `synth --help`)
    #[arg(long, value_name = "CMD")]
    pub app: Option<String>,
    /// Report format
    #[arg(long, value_enum, default_value_t)]
    pub format: ReportFormat,
    /// Write the rule pack as cfn-guard rules (one .guard file per rule) to DIR instead
    /// of validating; DIR's content is replaced
    #[arg(long, value_name = "DIR")]
    pub export_guard: Option<PathBuf>,
    /// Write the rules as Nirmata cloud controller policies (one ValidatingPolicy per rule,
    /// the app's suppressions as exclusions) to DIR instead of validating; DIR's content is
    /// replaced
    #[arg(long, value_name = "DIR")]
    pub export_nirmata: Option<PathBuf>,
    /// Write the rules as kyverno-json policies over templates (one ValidatingPolicy per
    /// rule) to DIR instead of validating; DIR's content is replaced
    #[arg(long, value_name = "DIR")]
    pub export_kyverno_json: Option<PathBuf>,
    /// List the rules (id, default severity, title) instead of validating
    #[arg(long)]
    pub list_rules: bool,
}

/// Runs `cloudwright validate`: exit 1 when an unsuppressed finding is an error.
pub fn validate(source: impl FnOnce() -> Result<AppSource, Failure>, args: &ValidateArgs) -> Result<u8, Failure> {
    if args.list_rules {
        for rule in governance::rule_list() {
            println!("{:<15} {:<8} {}", rule.id, rule.severity.as_str(), rule.title);
        }
        return Ok(0);
    }
    if let Some(dir) = &args.export_guard {
        return export(dir, governance::guard_files());
    }
    if args.export_nirmata.is_some() || args.export_kyverno_json.is_some() {
        // The app's suppressions and rule packs become the policies' exclusions.
        let scope = PolicyScope::of_assembly(&source()?.assembly()?).map_err(Failure::input)?;
        if let Some(dir) = &args.export_nirmata {
            export(dir, governance::nirmata_files(&scope).map_err(Failure::internal)?)?;
        }
        if let Some(dir) = &args.export_kyverno_json {
            export(dir, governance::kyverno_json_files(&scope).map_err(Failure::internal)?)?;
        }
        return Ok(0);
    }
    let assembly = source()?.assembly()?;
    let report = governance::check(&assembly).map_err(Failure::input)?;
    let text = match args.format {
        ReportFormat::Text => governance::to_text(&report, colour(&std::io::stdout())),
        ReportFormat::Json => governance::to_json(&report),
        ReportFormat::Sarif => governance::to_sarif(&report, env!("CARGO_PKG_VERSION")),
        ReportFormat::Markdown => governance::to_markdown(&report),
    };
    print!("{text}");
    if !text.ends_with('\n') {
        println!();
    }
    Ok(u8::from(report.has_errors()))
}

/// Writes an export's files to `dir` as a whole (staged, then renamed into place): a
/// directory that cannot be written is an input error and keeps its previous content.
fn export(dir: &Path, files: Vec<(String, String)>) -> Result<u8, Failure> {
    let files: BTreeMap<String, Vec<u8>> = files.into_iter().map(|(name, text)| (name, text.into_bytes())).collect();
    write_files(dir, &files)
        .map_err(|e| Failure::input(anyhow::anyhow!("cannot write the export to {}: {e}", dir.display())))?;
    println!("wrote {} files to {}", files.len(), dir.display());
    Ok(0)
}

/// The rule check of `synth`: the report, or a failure naming the errors when they
/// block writing.
pub fn check_before_write(assembly: &impl AssemblyFiles, allow_errors: bool) -> Result<Report, Failure> {
    let report = governance::check(assembly).map_err(Failure::input)?;
    if report.has_errors() {
        eprint!("{}", governance::to_text(&report, colour(&std::io::stderr())));
        if !allow_errors {
            return Err(Failure {
                code: 1,
                error: anyhow::anyhow!(
                    "{} rule error(s) found, nothing was written; fix them, suppress them with a reason \
                     (governance::suppress), or pass --allow-rule-errors",
                    report.count(Severity::Error)
                ),
            });
        }
    }
    Ok(report)
}
