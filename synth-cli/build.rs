//! Packs the vendored resource provider schemas (constructs/schemas/) for `cloudwright
//! import` to embed: each schema minified and compressed on its own (`schemas.bin`), so an
//! import unpacks only the types it meets, and an index of `TYPE\tOFFSET\tLENGTH` lines
//! (`schemas.idx`).

use std::io::Write;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../constructs/schemas");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.sort();
    let mut bin = Vec::new();
    let mut idx = String::new();
    for path in paths.iter().filter(|p| p.extension().is_some_and(|e| e == "json")) {
        let Ok(text) = std::fs::read_to_string(path) else { continue };
        let Ok(schema) = serde_json::from_str::<serde_json::Value>(&text) else { continue };
        let Some(type_name) = schema.get("typeName").and_then(|t| t.as_str()) else { continue };
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
