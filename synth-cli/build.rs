//! Packs the vendored resource provider schemas (constructs/schemas/) into one compressed
//! blob that `cloudwright import` embeds: `TYPE\tSCHEMA\n` lines, the schema minified.

use std::io::Write;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../constructs/schemas");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    names.sort();
    let mut lines = String::new();
    for path in names.iter().filter(|p| p.extension().is_some_and(|e| e == "json")) {
        let Ok(text) = std::fs::read_to_string(path) else { continue };
        let Ok(schema) = serde_json::from_str::<serde_json::Value>(&text) else { continue };
        let Some(type_name) = schema.get("typeName").and_then(|t| t.as_str()) else { continue };
        lines.push_str(type_name);
        lines.push('\t');
        lines.push_str(&schema.to_string());
        lines.push('\n');
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let packed = gz.write_all(lines.as_bytes()).and_then(|()| gz.finish());
    let out = std::env::var("OUT_DIR").map(|d| Path::new(&d).join("schemas.gz"));
    match (packed, out) {
        (Ok(bytes), Ok(out)) => {
            if let Err(e) = std::fs::write(&out, bytes) {
                println!("cargo:warning=cannot write {}: {e}", out.display());
            }
        }
        (Err(e), _) => println!("cargo:warning=cannot compress the schemas: {e}"),
        (_, Err(e)) => println!("cargo:warning=OUT_DIR is not set: {e}"),
    }
}
