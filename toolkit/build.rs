//! Packs the vendored resource provider schemas ([`SCHEMAS`], read with
//! `cloudwright_cfn_model::vendored::load`) for `cloudwright import` to embed
//! (`src/import/schemas.rs`): each schema minified and compressed on its own
//! (`schemas.bin`), so an import unpacks only the types it meets, and an index of
//! `TYPE\tOFFSET\tLENGTH` lines (`schemas.idx`).

use std::io::Write;
use std::path::Path;

/// Where the schemas are vendored, from the workspace root: the one place the toolkit
/// names it.
const SCHEMAS: &str = "cfn/schemas";

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(SCHEMAS);
    println!("cargo:rerun-if-changed={}", dir.display());
    let schemas = match cloudwright_cfn_model::vendored::load(&dir) {
        Ok(schemas) => schemas,
        Err(e) => {
            println!("cargo:warning=no schemas for `cloudwright import`: {e}");
            Default::default()
        }
    };
    let mut bin = Vec::new();
    let mut idx = String::new();
    for (type_name, schema) in &schemas {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let Ok(packed) = gz.write_all(schema.to_string().as_bytes()).and_then(|()| gz.finish()) else { continue };
        idx.push_str(&format!("{type_name}\t{}\t{}\n", bin.len(), packed.len()));
        bin.extend(packed);
    }
    let Ok(out) = std::env::var("OUT_DIR") else {
        println!("cargo:warning=OUT_DIR is not set");
        return;
    };
    for (name, bytes) in [("schemas.bin", bin), ("schemas.idx", idx.into_bytes())] {
        let path = Path::new(&out).join(name);
        if let Err(e) = std::fs::write(&path, bytes) {
            println!("cargo:warning=cannot write {}: {e}", path.display());
        }
    }
}
