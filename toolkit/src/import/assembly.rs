//! `cloudwright import --assembly DIR`: every stack of a cloud assembly into one Cargo
//! project, one module per stack, with the assembly's stages, environments, stack names
//! and stack dependencies in `src/main.rs`.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use cloudwright_core::{Assembly, Error, Result, Warning};

use super::value::lit;
use super::{import as import_template, module_name};
use crate::project;

/// An imported project: its files (relative paths) and what to tell the user.
#[derive(Debug, Clone)]
pub struct Project {
    /// Relative path -> text.
    pub files: Vec<(PathBuf, String)>,
    /// Warnings of every stack.
    pub warnings: Vec<Warning>,
    /// Resources of every stack.
    pub resources: usize,
    /// The `cloudwright-constructs` features the project enables.
    pub features: Vec<String>,
}

/// `aws://ACCOUNT/REGION` as an `Environment` expression (unknown parts left unset).
fn environment(env: &str) -> String {
    let rest = env.strip_prefix("aws://").unwrap_or_default();
    let (account, region) = rest.split_once('/').unwrap_or((rest, ""));
    let known = |p: &str| (!p.is_empty() && !p.starts_with("unknown-")).then(|| lit(p));
    match (known(account), known(region)) {
        (Some(a), Some(r)) => format!("Environment::new({a}, {r})"),
        (None, None) => "Environment::agnostic()".to_owned(),
        (a, r) => {
            let part = |p: Option<String>| p.map_or_else(|| "None".to_owned(), |p| format!("Some({p}.into())"));
            format!("Environment {{ account: {}, region: {} }}", part(a), part(r))
        }
    }
}

/// Imports every stack of the assembly in `dir` as a project to be written to `out`.
pub fn import(dir: &Path, out: &Path) -> Result<Project> {
    let assembly = Assembly::read(dir)?;
    if assembly.stacks().is_empty() {
        return Err(Error::Input {
            path: dir.display().to_string(),
            message: "declares no stack; give the directory of a cloud assembly with stacks (e.g. cdk.out)".into(),
        });
    }
    let mut files = Vec::new();
    let mut warnings = Vec::new();
    let mut resources = 0;
    let mut features = BTreeSet::new();
    let mut modules = Vec::new();
    let mut taken = HashSet::new();
    let mut body = String::new();
    let mut stages: HashMap<String, String> = HashMap::new();
    let mut stack_vars: HashMap<String, String> = HashMap::new();
    for s in assembly.stacks() {
        let path = dir.join(&s.template_file).display().to_string();
        let text = assembly
            .file(&s.template_file)
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .ok_or_else(|| Error::Input { path: path.clone(), message: "is missing from the assembly".into() })?;
        let imported = import_template(&text, &path)?;
        let module = cloudwright_cfn_model::names::unique(&module_name(&s.artifact_id), &mut taken);
        files.push((PathBuf::from(format!("src/stacks/{module}.rs")), imported.code));
        warnings.extend(imported.warnings);
        resources += imported.resources;
        features.extend(imported.features);
        modules.push(module.clone());

        // The stages on the way to the stack, created once each.
        let parts: Vec<&str> = s.display_name.split('/').collect();
        let (id, stage_path) = parts.split_last().map_or((s.display_name.as_str(), &[][..]), |(l, r)| (*l, r));
        let mut scope = "app".to_owned();
        for depth in 1..=stage_path.len() {
            let key = stage_path[..depth].join("/");
            let var = match stages.get(&key) {
                Some(v) => v.clone(),
                None => {
                    let v = cloudwright_cfn_model::names::unique(&format!("stage_{}", module_name(&key)), &mut taken);
                    body.push_str(&format!(
                        "let {v} = Stage::new({}, {}, StageProps::default())?;\n",
                        if scope == "app" { "app".to_owned() } else { format!("&{scope}") },
                        lit(stage_path[depth - 1])
                    ));
                    stages.insert(key, v.clone());
                    v
                }
            };
            scope = var;
        }
        let scope_ref = if scope == "app" { "app".to_owned() } else { format!("&{scope}") };
        let default_name = s.display_name.replace('/', "-");
        let name = if s.stack_name == default_name {
            String::new()
        } else {
            format!(", stack_name: Some({}.into())", lit(&s.stack_name))
        };
        let var = format!("{module}_stack");
        body.push_str(&format!(
            "let {var} = {module}::stack({scope_ref}, {}, StackProps {{ env: {}{name}, ..Default::default() }})?;\n",
            lit(id),
            environment(&s.environment)
        ));
        for d in &s.dependencies {
            if let Some(dep) = stack_vars.get(d) {
                body.push_str(&format!("{var}.add_dependency(&{dep});\n"));
            }
        }
        stack_vars.insert(s.artifact_id.clone(), var);
    }
    // Stacks nothing depends on are still bound above: mark them used.
    let unused: Vec<&String> = stack_vars
        .values()
        .filter(|v| !body.contains(&format!("&{v})")) && !body.contains(&format!("\n{v}.add_dependency")))
        .collect();
    let mut unused: Vec<String> = unused.into_iter().cloned().collect();
    unused.sort();
    for v in unused {
        body = body.replace(&format!("let {v} = "), "");
    }
    let uses_stage = body.contains("Stage::new");
    let stacks = format!(
        "//! The stacks of `{}`, imported by `cloudwright import --assembly`, with its stages and\n//! environments.\n\n{}\nuse cloudwright_constructs::{{App, Environment, Result, StackProps{}}};\n\n/// Adds every stack of the assembly to `app`.\npub fn build(app: &App) -> Result<()> {{\n{body}Ok(())\n}}\n",
        dir.display(),
        modules.iter().map(|m| format!("mod {m};\n")).collect::<String>(),
        if uses_stage { ", Stage, StageProps" } else { "" }
    );
    let main = "//! `cargo run -- synth` writes the cloud assembly again; the other cloudwright\n//! subcommands work too.\n\nmod stacks;\n\nfn main() -> std::process::ExitCode {\n    cloudwright_cli::run(stacks::build)\n}\n";
    files.push((PathBuf::from("src/stacks/mod.rs"), stacks));
    let features: Vec<String> = features.into_iter().collect();
    files.push((PathBuf::from("src/main.rs"), main.to_owned()));
    files.push((PathBuf::from("Cargo.toml"), cargo_toml(out, &features)));
    files.extend(project::config_files().into_iter().map(|(path, text)| (PathBuf::from(path), text)));
    Ok(Project { files, warnings, resources, features })
}

/// The project's manifest, named after `out` ("imported" when its name cannot be one):
/// only the services the stacks use, so the project builds no other generated L1.
fn cargo_toml(out: &Path, features: &[String]) -> String {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "-"))
        .filter(|n| n.starts_with(|c: char| c.is_ascii_alphabetic()))
        .unwrap_or_else(|| "imported".to_owned());
    let features = features.iter().map(|f| lit(f)).collect::<Vec<_>>().join(", ");
    project::manifest(&name, &(project::cloudwright_dependencies(&features) + "serde_json = \"1\"\n"))
}
