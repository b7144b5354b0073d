//! The resource provider schemas `import` reads, embedded in the binary (packed by
//! `build.rs` from constructs/schemas/). The one place that knows how they are stored.

use std::collections::HashMap;
use std::io::Read;
use std::sync::OnceLock;

use serde_json::Value as Json;

static PACKED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/schemas.gz"));

/// Type name -> minified schema text, unpacked on first use.
fn table() -> &'static HashMap<String, String> {
    static TABLE: OnceLock<HashMap<String, String>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut text = String::new();
        if flate2::read::GzDecoder::new(PACKED).read_to_string(&mut text).is_err() {
            return HashMap::new();
        }
        text.lines()
            .filter_map(|l| l.split_once('\t'))
            .map(|(name, schema)| (name.to_owned(), schema.to_owned()))
            .collect()
    })
}

/// The schema of a resource type, when cloudwright generates a typed L1 for it.
pub fn schema(type_name: &str) -> Option<Json> {
    table().get(type_name).and_then(|s| serde_json::from_str(s).ok())
}

/// The cargo feature of `cloudwright-constructs` that holds a type's L1: its service,
/// lowercased, as `cargo xtask codegen` names it.
pub fn feature(type_name: &str) -> Option<String> {
    type_name.split("::").nth(1).map(str::to_lowercase)
}

/// The path of the generated module of a type's service (`cfn::s3`).
pub fn service_path(type_name: &str) -> Option<String> {
    feature(type_name).map(|f| format!("cfn::{f}"))
}

/// The number of schemas embedded.
pub fn count() -> usize {
    table().len()
}
