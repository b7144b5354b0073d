//! `cargo xtask codegen`: generates the `cloudwright-cfn` crate's code (`cfn/src/generated/`,
//! and the service features of `cfn/Cargo.toml` and `constructs/Cargo.toml`) from the
//! vendored CloudFormation resource provider schemas in `cfn/schemas/`.
//!
//! - `cargo xtask codegen`: regenerate.
//! - `cargo xtask codegen --check`: regenerate in memory, fail listing every file that differs.
//! - `cargo xtask codegen --update`: refresh `cfn/schemas/` from the pinned cfn-lint
//!   package (`CFN_LINT_SCHEMAS=<dir with providers/ and resources/>` to point elsewhere),
//!   then regenerate.

mod emit;
mod share;
mod vendor;

use cloudwright_cfn_model::{model, names};

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The vendored schemas, relative to the workspace root.
const SCHEMAS: &str = "cfn/schemas";
/// The generated code, relative to the workspace root: nothing else lives there.
const GENERATED: &str = "cfn/src/generated";
/// The L1 crate's manifest: one feature per service.
const CFN_MANIFEST: &str = "cfn/Cargo.toml";
/// The constructs crate's manifest: the same features, forwarded to the L1 crate.
const CONSTRUCTS_MANIFEST: &str = "constructs/Cargo.toml";
/// The L1 crate, as the constructs crate's manifest names it.
const CFN_CRATE: &str = "cloudwright-cfn";
/// Optional dependencies of the constructs crate that a service's feature turns on: the
/// Proton L2s write each bundle as a `.tar.gz`, so an app without them compiles no tar.
const CONSTRUCTS_SERVICE_DEPENDENCIES: &[(&str, &[&str])] = &[("proton", &["dep:tar", "dep:flate2"])];

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
                let count = vendor::update(&root.join(SCHEMAS))?;
                println!("vendored {count} resource provider schemas into {SCHEMAS}/");
            }
            other => return Err(format!("unknown argument {other}; usage: cargo xtask codegen [--check|--update]")),
        }
    }
    let files = generate(&root)?;
    if check { check_files(&root, &files) } else { write_files(&root, &files) }
}

/// Every generated file, by path relative to the workspace root.
fn generate(root: &Path) -> Result<BTreeMap<PathBuf, String>, String> {
    let schemas = vendor::load(&root.join(SCHEMAS))?;
    if schemas.is_empty() {
        return Err(format!("no schemas in {SCHEMAS}/: run `cargo xtask codegen --update`"));
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
                Err(e) => errors.push(format!("{e} ({SCHEMAS}/{})", vendor::file_name(prefix))),
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
    let generated = PathBuf::from(GENERATED);
    for s in &services {
        files.insert(generated.join(format!("{}.rs", s.module)), emit::service_file(s)?);
    }
    files.insert(generated.join("mod.rs"), emit::mod_file(&services)?);
    files.insert(generated.join("types.rs"), emit::types_file(&infos)?);
    files.insert(generated.join("setters.rs"), emit::setters_file()?);
    files.insert(generated.join("services.md"), emit::services_table(&services));
    for (manifest, forward) in [(CFN_MANIFEST, None), (CONSTRUCTS_MANIFEST, Some(CFN_CRATE))] {
        let current = fs::read_to_string(root.join(manifest)).map_err(|e| format!("cannot read {manifest}: {e}"))?;
        files.insert(PathBuf::from(manifest), with_features(manifest, &current, &services, forward)?);
    }
    Ok(files)
}

const FEATURES_BEGIN: &str = "# BEGIN features generated by `cargo xtask codegen`";
const FEATURES_END: &str = "# END features generated by `cargo xtask codegen`";

/// `manifest` (named `path`) with its generated feature block (one feature per service,
/// `default`, `full`) replaced. With `forward`, the crate depending on the L1 crate of that
/// name, each feature turns on the L1 crate's feature of the same name.
fn with_features(
    path: &str,
    manifest: &str,
    services: &[emit::Service],
    forward: Option<&str>,
) -> Result<String, String> {
    let (Some(begin), Some(end)) = (manifest.find(FEATURES_BEGIN), manifest.find(FEATURES_END)) else {
        return Err(format!("{path} needs the lines `{FEATURES_BEGIN}` and `{FEATURES_END}` in [features]"));
    };
    // The L1 crate's feature of the same name first, then this crate's services.
    let list = |own: &str, names: Vec<&str>| {
        let forwarded = forward.map(|c| format!("{c}/{own}"));
        let names = forwarded.into_iter().chain(names.into_iter().map(str::to_owned));
        names.map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
    };
    let mut block = format!("{FEATURES_BEGIN}\n");
    let defaults = list("default", DEFAULT_SERVICES.to_vec());
    block.push_str(&format!("## The services the seed system uses.\ndefault = [{defaults}]\n"));
    let all = list("full", services.iter().map(|s| s.module.as_str()).collect());
    block.push_str(&format!("## Every generated service.\nfull = [{all}]\n"));
    for s in services {
        let plural = if s.resources.len() == 1 { "" } else { "s" };
        let deps = CONSTRUCTS_SERVICE_DEPENDENCIES.iter().filter(|(m, _)| forward.is_some() && *m == s.module);
        let enables: Vec<String> = forward
            .map(|c| format!("\"{c}/{}\"", s.module))
            .into_iter()
            .chain(deps.flat_map(|(_, d)| d.iter().map(|d| format!("\"{d}\""))))
            .collect();
        let enables = enables.join(", ");
        block.push_str(&format!(
            "## `{}::*` L1 resources ({} type{plural}).\n{} = [{enables}]\n",
            s.prefix,
            s.resources.len(),
            s.module
        ));
    }
    Ok(format!("{}{block}{}", &manifest[..begin], &manifest[end..]))
}

fn write_files(root: &Path, files: &BTreeMap<PathBuf, String>) -> Result<(), String> {
    let generated = root.join(GENERATED);
    fs::create_dir_all(&generated).map_err(|e| format!("cannot create {}: {e}", generated.display()))?;
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
    let generated = root.join(GENERATED);
    let Ok(entries) = fs::read_dir(&generated) else { return Ok(Vec::new()) };
    let mut stale = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot list {}: {e}", generated.display()))?;
        let rel = PathBuf::from(GENERATED).join(entry.file_name());
        // Everything in the directory is generated.
        if !files.contains_key(&rel) && entry.path().is_file() {
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
