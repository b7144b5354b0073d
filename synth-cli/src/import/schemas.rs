//! The resource provider schemas `import` reads, embedded in the binary (packed by
//! `build.rs` from cfn/schemas/). The one place that knows how they are stored.

use std::collections::HashMap;
use std::io::Read;
use std::sync::OnceLock;

use cloudwright_cfn_model::vendored::{module_of, service_of};
use serde_json::Value as Json;

static PACKED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/schemas.bin"));
static INDEX: &str = include_str!(concat!(env!("OUT_DIR"), "/schemas.idx"));

/// Type name -> (offset, length) of its compressed schema in `PACKED`.
fn index() -> &'static HashMap<&'static str, (usize, usize)> {
    static TABLE: OnceLock<HashMap<&'static str, (usize, usize)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        INDEX
            .lines()
            .filter_map(|l| {
                let mut parts = l.split('\t');
                let name = parts.next()?;
                let offset = parts.next()?.parse().ok()?;
                let len = parts.next()?.parse().ok()?;
                Some((name, (offset, len)))
            })
            .collect()
    })
}

/// The schema of a resource type: every type of the vendored schemas has a typed L1.
pub fn schema(type_name: &str) -> Option<Json> {
    let &(offset, len) = index().get(type_name)?;
    let packed = PACKED.get(offset..offset + len)?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(packed).read_to_string(&mut text).ok()?;
    serde_json::from_str(&text).ok()
}

/// The cargo feature of `cloudwright-constructs` that holds a type's L1 (its service's
/// module, as `cargo xtask codegen` names it).
pub fn feature(type_name: &str) -> Option<String> {
    type_name.contains("::").then(|| module_of(service_of(type_name)))
}

/// The path of the generated module of a type's service (`cfn::s3`).
pub fn service_path(type_name: &str) -> Option<String> {
    feature(type_name).map(|f| format!("cfn::{f}"))
}

/// The number of schemas embedded, and their compressed size in bytes.
pub fn embedded() -> (usize, usize) {
    (index().len(), PACKED.len())
}
