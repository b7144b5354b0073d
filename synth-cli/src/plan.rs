//! `cloudwright plan`: what a first deployment of the app needs, in order, printed from
//! `cloudwright_toolkit::plan` as text or JSON.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::anyhow;
use cloudwright_core::Assembly;
use cloudwright_toolkit::plan::{Plan, plan};

use crate::{AppSource, Failure, Format};

/// Where the `cdk` commands read the assembly when the plan synthesizes the app itself.
const DEFAULT_OUTDIR: &str = "cloudwright.out";

/// `cloudwright plan`'s arguments.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// Command that runs the app (see `synth --help`)
    #[arg(long, value_name = "CMD", conflicts_with = "assembly")]
    pub app: Option<String>,
    /// Plan an assembly already synthesized into DIR (e.g. by `cloudwright synth` or `cdk synth`)
    /// instead of the app; the `cdk` commands then name DIR
    #[arg(long, value_name = "DIR")]
    pub assembly: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// How the assembly was got, for the synthesize line of the text plan.
pub struct Synth {
    /// `--mode` as given, repeated on the `synth` line.
    pub mode: Option<&'static str>,
    /// `--context` flags as given, repeated on the `synth` line (`cloudwright.json`'s
    /// context applies to both commands by itself).
    pub context: Vec<(String, String)>,
}

/// Runs `cloudwright plan`; `source` is the app unless `--assembly` is given.
pub fn run(source: impl FnOnce() -> Result<AppSource, Failure>, args: &PlanArgs, synth: &Synth) -> Result<u8, Failure> {
    let (assembly, dir, synthesize) = match &args.assembly {
        Some(dir) => (Assembly::read(dir).map_err(Failure::input)?, dir.display().to_string(), false),
        None => (source()?.assembly()?, DEFAULT_OUTDIR.to_owned(), true),
    };
    let plan = plan(&assembly, &dir).map_err(Failure::input)?;
    let out = match args.format {
        Format::Json => serde_json::to_string_pretty(&plan).map_err(Failure::internal)? + "\n",
        Format::Text => {
            let synth_line = synthesize.then(|| {
                let mut line = format!("cloudwright synth -o {DEFAULT_OUTDIR}");
                if let Some(mode) = synth.mode {
                    line.push_str(&format!(" --mode {mode}"));
                }
                for (key, value) in &synth.context {
                    line.push_str(&format!(" --context {}", shell_word(&format!("{key}={value}"))));
                }
                line
            });
            text(&plan, synth_line.as_deref()).map_err(|e| Failure::internal(anyhow!(e)))?
        }
    };
    print!("{out}");
    Ok(0)
}

/// The plan as a runbook: numbered sections, commands after `$ `.
pub fn text(plan: &Plan, synth_line: Option<&str>) -> Result<String, std::fmt::Error> {
    let mut o = String::new();
    let stacks: usize = plan.waves.iter().map(|w| w.stacks.len()).sum();
    writeln!(
        o,
        "First deployment: {stacks} stack{} in {} wave{}, {} environment{} to bootstrap",
        plural(stacks),
        plan.waves.len(),
        plural(plan.waves.len()),
        plan.bootstrap.len(),
        plural(plan.bootstrap.len())
    )?;

    writeln!(o, "\n1. Context: the live values the app was synthesized with")?;
    if plan.context.is_empty() {
        writeln!(o, "   The app declares no context keys.")?;
    }
    for c in &plan.context {
        writeln!(o, "   {} = {}", c.key, c.value)?;
    }

    writeln!(o, "\n2. Bootstrap each environment, with credentials of its account")?;
    for b in &plan.bootstrap {
        writeln!(o, "   $ {}", b.command)?;
        let mut by_path: Vec<(&str, &str, Vec<&str>)> = Vec::new();
        for r in &b.trust_reasons {
            match by_path.iter_mut().find(|(a, p, _)| *a == r.account && *p == r.path) {
                Some((_, _, roles)) => roles.push(&r.role),
                None => by_path.push((&r.account, &r.path, vec![&r.role])),
            }
        }
        for (account, path, roles) in by_path {
            let how = match b.trust_reasons.iter().find(|r| r.path == path).map(|r| r.kind.as_str()) {
                Some("pipelineAction") => "runs actions with",
                _ => "may assume",
            };
            wrap(&mut o, "     ", &format!("trusts {account}: {path} {how} {}", roles.join(", ")))?;
        }
    }
    if plan.bootstrap.iter().any(|b| !b.trust.is_empty()) {
        wrap(
            &mut o,
            "   ",
            "--trust lets that account deploy with this environment's bootstrap roles (publish assets, run \
             CloudFormation); the cdk CLI then requires --cloudformation-execution-policies. AdministratorAccess is \
             what an untrusted bootstrap gets: replace it with managed policies allowing only what the stacks \
             deploy, if you can.",
        )?;
    }

    writeln!(o, "\n3. Manual steps")?;
    if plan.manual_steps.is_empty() {
        writeln!(o, "   None recorded.")?;
    }
    for (i, s) in plan.manual_steps.iter().enumerate() {
        let place = if s.stack.is_empty() { String::new() } else { format!(", {} in {}", s.before, s.stack) };
        if s.before_wave > plan.waves.len() {
            writeln!(o, "   {}. After the last wave{place}:", i + 1)?;
        } else {
            writeln!(o, "   {}. Before wave {}{place}:", i + 1, s.before_wave)?;
        }
        wrap(&mut o, "      ", &s.step)?;
        if let Some(command) = &s.command {
            writeln!(o, "      $ {command}")?;
        }
        if let Some(docs) = &s.docs {
            writeln!(o, "      See {docs}")?;
        }
    }

    writeln!(o, "\n4. Deploy the stacks in waves (each wave after the previous one succeeded)")?;
    if let Some(line) = synth_line {
        writeln!(o, "   Synthesize the assembly the waves deploy, with the same context:")?;
        writeln!(o, "   $ {line}")?;
    }
    for w in &plan.waves {
        let ids: Vec<&str> = w.stacks.iter().map(|s| s.id.as_str()).collect();
        writeln!(
            o,
            "   Wave {} ({}; account{} {}):",
            w.number,
            ids.join(", "),
            plural(w.accounts.len()),
            w.accounts.join(", ")
        )?;
        for c in &w.commands {
            if w.commands.len() > 1 {
                writeln!(o, "   with credentials of {} ({}):", c.credentials, c.stacks.join(", "))?;
            } else {
                writeln!(o, "   with credentials of {}:", c.credentials)?;
            }
            writeln!(o, "   $ {}", c.command)?;
        }
    }

    if !plan.notes.is_empty() {
        writeln!(o, "\nNotes")?;
        for n in &plan.notes {
            wrap(&mut o, "   ", &format!("- {} {}", n.path, n.message))?;
            if let Some(command) = &n.command {
                writeln!(o, "     $ {command}")?;
            }
        }
    }
    Ok(o)
}

/// `word` as one shell word.
fn shell_word(word: &str) -> String {
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+".contains(c)) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Prose wrapped at 100 columns after `first`, later lines two columns further in; a word longer than a line (a URL) stays whole.
fn wrap(o: &mut String, first: &str, prose: &str) -> std::fmt::Result {
    const WIDTH: usize = 100;
    let rest = " ".repeat(first.len() + 2);
    let mut indent = first;
    let mut line = String::new();
    for word in prose.split_whitespace() {
        if !line.is_empty() && indent.len() + line.len() + 1 + word.len() > WIDTH {
            writeln!(o, "{indent}{line}")?;
            line.clear();
            indent = &rest;
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        writeln!(o, "{indent}{line}")?;
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
