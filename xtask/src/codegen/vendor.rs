//! The vendored schemas: `constructs/schemas/<aws-service-type>.json`, one per resource type,
//! pretty-printed with keys in schema order, plus `SOURCE.txt` naming the cfn-lint release.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;

/// `AWS::S3::Bucket` -> `aws-s3-bucket.json`
pub fn file_name(type_name: &str) -> String {
    format!("{}.json", type_name.to_lowercase().replace("::", "-"))
}

/// Every vendored schema by type name.
pub fn load(dir: &Path) -> Result<BTreeMap<String, Json>, String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut schemas = BTreeMap::new();
    for entry in entries {
        let path = entry.map_err(|e| format!("cannot list {}: {e}", dir.display()))?.path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let text = fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let schema: Json = serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
        let type_name = schema
            .get("typeName")
            .and_then(Json::as_str)
            .ok_or_else(|| format!("{} has no typeName", path.display()))?
            .to_owned();
        schemas.insert(type_name, schema);
    }
    Ok(schemas)
}

/// The cfn-lint schema directory (`.../cfnlint/data/schemas`) and the package version.
fn cfn_lint_schemas() -> Result<(PathBuf, String), String> {
    if let Some(dir) = std::env::var_os("CFN_LINT_SCHEMAS") {
        return Ok((PathBuf::from(dir), "CFN_LINT_SCHEMAS".into()));
    }
    let oracles = std::env::var_os("CLOUDWRIGHT_ORACLES")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/cloudwright-oracles")))
        .ok_or("cannot find the oracles' venv: set CLOUDWRIGHT_ORACLES or CFN_LINT_SCHEMAS")?;
    let lib = oracles.join("venv/lib");
    let hint = "run ../shared/oracles/setup.sh to install the pinned cfn-lint";
    let pythons = fs::read_dir(&lib).map_err(|e| format!("cannot read {}: {e}; {hint}", lib.display()))?;
    for python in pythons.flatten() {
        let site = python.path().join("site-packages");
        let schemas = site.join("cfnlint/data/schemas");
        if !schemas.is_dir() {
            continue;
        }
        let version = fs::read_dir(&site)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.file_name().to_str().map(str::to_owned))
            .find_map(|n| n.strip_prefix("cfn_lint-")?.strip_suffix(".dist-info").map(str::to_owned))
            .unwrap_or_else(|| "unknown".into());
        return Ok((schemas, format!("cfn-lint {version}")));
    }
    Err(format!("no cfnlint package under {}; {hint}", lib.display()))
}

/// Replaces the vendored schemas with those of `services` from cfn-lint's us-east-1 provider
/// list. Returns how many were written.
pub fn update(dir: &Path, services: &[&str]) -> Result<usize, String> {
    let (schemas, source) = cfn_lint_schemas()?;
    let providers_path = schemas.join("providers/us-east-1.json");
    let providers: BTreeMap<String, String> = serde_json::from_str(
        &fs::read_to_string(&providers_path).map_err(|e| format!("cannot read {}: {e}", providers_path.display()))?,
    )
    .map_err(|e| format!("{}: {e}", providers_path.display()))?;

    let mut chosen = Vec::new();
    for service in services {
        let prefix = format!("AWS::{service}::");
        let before = chosen.len();
        chosen.extend(providers.iter().filter(|(t, _)| t.starts_with(&prefix)));
        if chosen.len() == before {
            return Err(format!("{} lists no resource type of AWS::{service}", providers_path.display()));
        }
    }

    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for entry in fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?.flatten() {
        if entry.path().extension().is_some_and(|e| e == "json") {
            fs::remove_file(entry.path()).map_err(|e| format!("cannot remove {}: {e}", entry.path().display()))?;
        }
    }
    for (type_name, hash) in &chosen {
        let from = schemas.join(format!("resources/{hash}.json"));
        let text = fs::read_to_string(&from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
        let schema: Json = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", from.display()))?;
        if schema.get("typeName").and_then(Json::as_str) != Some(type_name.as_str()) {
            return Err(format!("{} is not the schema of {type_name}", from.display()));
        }
        let pretty = serde_json::to_string_pretty(&schema).map_err(|e| e.to_string())?;
        let to = dir.join(file_name(type_name));
        fs::write(&to, format!("{pretty}\n")).map_err(|e| format!("cannot write {}: {e}", to.display()))?;
    }
    let note = format!(
        "Resource provider schemas vendored by `cargo xtask codegen --update` from {source}\n\
         (cfnlint/data/schemas/providers/us-east-1.json), for the services listed in\n\
         xtask/src/codegen/mod.rs. Do not edit: `cargo xtask codegen` generates constructs/src/cfn/ from them.\n"
    );
    fs::write(dir.join("SOURCE.txt"), note).map_err(|e| format!("cannot write SOURCE.txt: {e}"))?;
    Ok(chosen.len())
}
