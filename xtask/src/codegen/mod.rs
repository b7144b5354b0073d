//! `cargo xtask codegen`: generates `constructs/src/cfn/` from the vendored CloudFormation
//! resource provider schemas in `constructs/schemas/`.
//!
//! - `cargo xtask codegen`: regenerate.
//! - `cargo xtask codegen --check`: regenerate in memory, fail listing every file that differs.
//! - `cargo xtask codegen --update`: refresh `constructs/schemas/` from the pinned cfn-lint
//!   package (`CFN_LINT_SCHEMAS=<dir with providers/ and resources/>` to point elsewhere),
//!   then regenerate.

mod emit;
mod share;
mod vendor;

use cloudwright_cfn_model::{model, names};

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The crate's `default` features: the services the seed system (the reference example and
/// the L2 modules it uses) needs, per Decision 8 of the design. `full` is every service.
pub const DEFAULT_SERVICES: &[&str] = &[
    "organizations",
    "controltower",
    "iam",
    "lambda",
    "logs",
    "cloudwatch",
    "xray",
    "ec2",
    "ecs",
    "servicediscovery",
    "codepipeline",
    "codebuild",
    "codecommit",
    "codestarconnections",
    "s3",
    "kms",
    "sns",
    "sqs",
    "events",
    "cloudformation",
    "proton",
    "ssm",
    "dynamodb",
];

/// Resource types the mapper cannot type, with the reason. They get no generated struct
/// (users write them with `CfnResource::from_json`) but are in `cfn::RESOURCE_TYPES`.
pub const EXCEPTIONS: &[(&str, &str)] = &[];

fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

/// Runs the code generator.
pub fn run(args: &[String]) -> Result<(), String> {
    let root = workspace_root();
    let mut check = false;
    for arg in args {
        match arg.as_str() {
            "--check" => check = true,
            "--update" => {
                let count = vendor::update(&root.join("constructs/schemas"))?;
                println!("vendored {count} resource provider schemas into constructs/schemas/");
            }
            other => return Err(format!("unknown argument {other}; usage: cargo xtask codegen [--check|--update]")),
        }
    }
    let files = generate(&root)?;
    if check { check_files(&root, &files) } else { write_files(&root, &files) }
}

/// Every generated file, by path relative to the workspace root.
fn generate(root: &Path) -> Result<BTreeMap<PathBuf, String>, String> {
    let schemas = vendor::load(&root.join("constructs/schemas"))?;
    if schemas.is_empty() {
        return Err("no schemas in constructs/schemas/: run `cargo xtask codegen --update`".into());
    }
    let mut errors = Vec::new();
    for (type_name, _) in EXCEPTIONS {
        if !schemas.contains_key(*type_name) {
            errors.push(format!("{type_name} is listed in EXCEPTIONS but has no schema: remove it from the list"));
        }
    }
    let mut by_service: BTreeMap<&str, Vec<(&String, &serde_json::Value)>> = BTreeMap::new();
    for (type_name, schema) in &schemas {
        by_service.entry(vendor::service_of(type_name)).or_default().push((type_name, schema));
    }
    let mut services = Vec::new();
    let mut infos = Vec::new();
    let mut service_modules = std::collections::HashSet::new();
    for (prefix, types) in by_service {
        let module = vendor::module_of(prefix);
        if !service_modules.insert(module.clone()) || names::snake_ident(&module) != module {
            errors.push(format!("{prefix}: module name {module} is taken or not an identifier"));
        }
        let mut resources = Vec::new();
        for (type_name, schema) in types {
            if EXCEPTIONS.iter().any(|(t, _)| t == type_name) {
                infos.push(emit::TypeInfo::of_schema(schema));
                continue;
            }
            match model::resource(schema) {
                Ok(r) => {
                    infos.push(emit::TypeInfo::of_resource(&r, schema));
                    resources.push(r);
                }
                Err(e) => errors.push(format!("{e} (constructs/schemas/{})", vendor::file_name(prefix))),
            }
        }
        let mut modules = std::collections::HashSet::new();
        for r in &resources {
            if !modules.insert(r.module.clone()) {
                errors.push(format!("{}: two resource types of {prefix} map to module {}", r.type_name, r.module));
            }
        }
        if !resources.is_empty() {
            services.push(emit::Service { module, prefix: prefix.to_owned(), resources });
        }
    }
    for default in DEFAULT_SERVICES {
        if !services.iter().any(|s| s.module == *default) {
            errors.push(format!("DEFAULT_SERVICES names {default}, which is no generated service"));
        }
    }
    if !errors.is_empty() {
        return Err(format!("cannot map {} schema(s):\n  {}", errors.len(), errors.join("\n  ")));
    }
    infos.sort_by(|a, b| a.type_name.cmp(&b.type_name));
    let mut files = BTreeMap::new();
    let cfn = PathBuf::from("constructs/src/cfn");
    for s in &services {
        files.insert(cfn.join(format!("{}.rs", s.module)), emit::service_file(s)?);
    }
    files.insert(cfn.join("mod.rs"), emit::mod_file(&services)?);
    files.insert(cfn.join("types.rs"), emit::types_file(&infos)?);
    let manifest = PathBuf::from("constructs/Cargo.toml");
    let current =
        fs::read_to_string(root.join(&manifest)).map_err(|e| format!("cannot read {}: {e}", manifest.display()))?;
    files.insert(manifest, with_features(&current, &services)?);
    Ok(files)
}

const FEATURES_BEGIN: &str = "# BEGIN features generated by `cargo xtask codegen`";
const FEATURES_END: &str = "# END features generated by `cargo xtask codegen`";

/// `constructs/Cargo.toml` with its generated feature block (one feature per service,
/// `default`, `full`) replaced.
fn with_features(manifest: &str, services: &[emit::Service]) -> Result<String, String> {
    let (Some(begin), Some(end)) = (manifest.find(FEATURES_BEGIN), manifest.find(FEATURES_END)) else {
        return Err(format!(
            "constructs/Cargo.toml needs the lines `{FEATURES_BEGIN}` and `{FEATURES_END}` in [features]"
        ));
    };
    let quoted = |names: &[String]| names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ");
    let all: Vec<String> = services.iter().map(|s| s.module.clone()).collect();
    let mut block = format!("{FEATURES_BEGIN}\n");
    let defaults: Vec<String> = DEFAULT_SERVICES.iter().map(|s| (*s).to_owned()).collect();
    block.push_str(&format!("## The services the seed system uses.\ndefault = [{}]\n", quoted(&defaults)));
    block.push_str(&format!("## Every generated service.\nfull = [{}]\n", quoted(&all)));
    for s in services {
        let plural = if s.resources.len() == 1 { "" } else { "s" };
        block.push_str(&format!(
            "## `{}::*` L1 resources ({} type{plural}).\n{} = []\n",
            s.prefix,
            s.resources.len(),
            s.module
        ));
    }
    Ok(format!("{}{block}{}", &manifest[..begin], &manifest[end..]))
}

fn write_files(root: &Path, files: &BTreeMap<PathBuf, String>) -> Result<(), String> {
    let cfn = root.join("constructs/src/cfn");
    fs::create_dir_all(&cfn).map_err(|e| format!("cannot create {}: {e}", cfn.display()))?;
    // Files of services no longer generated.
    for stale in stale_files(root, files)? {
        fs::remove_file(root.join(&stale)).map_err(|e| format!("cannot remove {}: {e}", stale.display()))?;
        println!("removed {}", stale.display());
    }
    let mut written = 0;
    let mut lines = 0;
    for (path, content) in files {
        lines += content.lines().count();
        let full = root.join(path);
        if fs::read_to_string(&full).ok().as_deref() != Some(content.as_str()) {
            fs::write(&full, content).map_err(|e| format!("cannot write {}: {e}", full.display()))?;
            written += 1;
        }
    }
    println!("codegen: {} files ({lines} lines), {written} changed", files.len());
    Ok(())
}

/// Generated files on disk that the generator no longer produces.
fn stale_files(root: &Path, files: &BTreeMap<PathBuf, String>) -> Result<Vec<PathBuf>, String> {
    let cfn = root.join("constructs/src/cfn");
    let Ok(entries) = fs::read_dir(&cfn) else { return Ok(Vec::new()) };
    let mut stale = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot list {}: {e}", cfn.display()))?;
        let rel = PathBuf::from("constructs/src/cfn").join(entry.file_name());
        if !files.contains_key(&rel) && rel.extension().is_some_and(|e| e == "rs") {
            stale.push(rel);
        }
    }
    stale.sort();
    Ok(stale)
}

fn check_files(root: &Path, files: &BTreeMap<PathBuf, String>) -> Result<(), String> {
    let mut differ: Vec<String> = files
        .iter()
        .filter(|(path, content)| fs::read_to_string(root.join(path)).ok().as_deref() != Some(content.as_str()))
        .map(|(path, _)| path.display().to_string())
        .collect();
    differ.extend(stale_files(root, files)?.iter().map(|p| format!("{} (stale, no longer generated)", p.display())));
    if differ.is_empty() {
        println!("codegen --check: {} generated files are current", files.len());
        Ok(())
    } else {
        Err(format!(
            "generated code is stale; run `cargo xtask codegen`. Files that differ:\n  {}",
            differ.join("\n  ")
        ))
    }
}

#[cfg(test)]
mod tests;
