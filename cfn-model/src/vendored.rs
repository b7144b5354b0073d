//! How the schemas are vendored: `cfn/schemas/<module>.json.gz`, one per service (a
//! gzip'd JSON array of that service's resource provider schemas sorted by type name, keys
//! in schema order), plus `SOURCE.txt` naming the cfn-lint release. Compressed because every
//! type of every service is ~18 MB of JSON and ~2 MB gzip'd. `cargo xtask codegen --update`
//! writes them; this module is their one reader (codegen, and `cloudwright import`'s build
//! script).

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::Path;

use serde_json::Value as Json;

/// `AWS::S3::Bucket` -> the service prefix `AWS::S3`.
pub fn service_of(type_name: &str) -> &str {
    type_name.rsplit_once("::").map_or(type_name, |(service, _)| service)
}

/// `AWS::S3` -> `s3`, `Alexa::ASK` -> `alexa_ask`: the module and cargo feature of a service.
pub fn module_of(service: &str) -> String {
    match service.strip_prefix("AWS::") {
        Some(name) => name.to_lowercase(),
        None => service.replace("::", "_").to_lowercase(),
    }
}

/// `AWS::S3` -> `s3.json.gz`
pub fn file_name(service: &str) -> String {
    format!("{}.json.gz", module_of(service))
}

/// Every vendored schema by type name.
pub fn load(dir: &Path) -> Result<BTreeMap<String, Json>, String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut schemas = BTreeMap::new();
    for entry in entries {
        let path = entry.map_err(|e| format!("cannot list {}: {e}", dir.display()))?.path();
        if !path.to_string_lossy().ends_with(".json.gz") {
            continue;
        }
        let bytes = fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut text = String::new();
        flate2::read::GzDecoder::new(bytes.as_slice())
            .read_to_string(&mut text)
            .map_err(|e| format!("{} is not gzip'd text: {e}", path.display()))?;
        let list: Vec<Json> =
            serde_json::from_str(&text).map_err(|e| format!("{} is not a JSON array: {e}", path.display()))?;
        for schema in list {
            let type_name = schema
                .get("typeName")
                .and_then(Json::as_str)
                .ok_or_else(|| format!("{} holds a schema without typeName", path.display()))?
                .to_owned();
            schemas.insert(type_name, schema);
        }
    }
    Ok(schemas)
}
