//! Refreshing the vendored schemas (`cfn/schemas/`, format and reader in
//! `cloudwright_cfn_model::vendored`) from the pinned cfn-lint package.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;

pub use cloudwright_cfn_model::vendored::{file_name, load, module_of, service_of};

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

/// Gzip with a fixed header (no name, mtime 0), so the same schemas give the same bytes.
fn gzip(text: &str) -> Result<Vec<u8>, String> {
    let mut encoder = flate2::GzBuilder::new().mtime(0).write(Vec::new(), flate2::Compression::best());
    encoder.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
    encoder.finish().map_err(|e| e.to_string())
}

/// Replaces the vendored schemas with every resource type of cfn-lint's us-east-1 provider
/// list. Returns how many types were written.
pub fn update(dir: &Path) -> Result<usize, String> {
    let (schemas, source) = cfn_lint_schemas()?;
    let providers_path = schemas.join("providers/us-east-1.json");
    let providers: BTreeMap<String, String> = serde_json::from_str(
        &fs::read_to_string(&providers_path).map_err(|e| format!("cannot read {}: {e}", providers_path.display()))?,
    )
    .map_err(|e| format!("{}: {e}", providers_path.display()))?;

    let mut by_service: BTreeMap<&str, Vec<Json>> = BTreeMap::new();
    for (type_name, hash) in &providers {
        let from = schemas.join(format!("resources/{hash}.json"));
        let text = fs::read_to_string(&from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
        let schema: Json = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", from.display()))?;
        if schema.get("typeName").and_then(Json::as_str) != Some(type_name.as_str()) {
            return Err(format!("{} is not the schema of {type_name}", from.display()));
        }
        by_service.entry(service_of(type_name)).or_default().push(schema);
    }

    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for entry in fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".json") || name.ends_with(".json.gz") {
            fs::remove_file(entry.path()).map_err(|e| format!("cannot remove {}: {e}", entry.path().display()))?;
        }
    }
    for (service, list) in &by_service {
        let text = serde_json::to_string(list).map_err(|e| e.to_string())?;
        let to = dir.join(file_name(service));
        fs::write(&to, gzip(&text)?).map_err(|e| format!("cannot write {}: {e}", to.display()))?;
    }
    let note = format!(
        "Resource provider schemas vendored by `cargo xtask codegen --update` from {source}\n\
         (cfnlint/data/schemas/providers/us-east-1.json): every resource type, one gzip'd JSON array\n\
         per service (`zcat s3.json.gz | jq .` to read one). Do not edit: `cargo xtask codegen`\n\
         generates cfn/src/generated/ from them.\n"
    );
    fs::write(dir.join("SOURCE.txt"), note).map_err(|e| format!("cannot write SOURCE.txt: {e}"))?;
    Ok(providers.len())
}
