//! The subcommands.

use std::path::Path;
use std::time::Instant;

use cloudwright_core::synth::write_files;

use crate::{AppSource, Failure, Format, GraphFormat};

/// `cloudwright synth`: validate, synthesize, write atomically, summarize.
pub fn synth(source: AppSource, output: &Path, format: Format, quiet: bool) -> Result<u8, Failure> {
    let started = Instant::now();
    let assembly = source.assembly()?;
    write_files(output, assembly.files()).map_err(Failure::input)?;
    let elapsed = started.elapsed();
    // The command ends the process: freeing every file's bytes first would only cost time.
    let assembly = std::mem::ManuallyDrop::new(assembly);
    if quiet {
        return Ok(0);
    }
    match format {
        Format::Json => {
            let report = serde_json::json!({
                "outdir": output,
                "stacks": assembly.stacks(),
                "files": assembly.files().len(),
                "bytes": assembly.files().values().map(Vec::len).sum::<usize>(),
                "millis": elapsed.as_secs_f64() * 1000.0,
            });
            println!("{}", serde_json::to_string_pretty(&report).map_err(Failure::internal)?);
        }
        Format::Text => {
            let rows: Vec<[String; 4]> = assembly
                .stacks()
                .iter()
                .map(|s| [s.display_name.clone(), s.environment.clone(), s.resources.to_string(), s.bytes.to_string()])
                .collect();
            print_table(["stack", "environment", "resources", "bytes"], &rows);
            println!(
                "wrote {} stacks, {} files to {} in {:.1} ms",
                assembly.stacks().len(),
                assembly.files().len(),
                output.display(),
                elapsed.as_secs_f64() * 1000.0
            );
        }
    }
    Ok(0)
}

/// `cloudwright ls`: the stacks, as `cdk ls` shows them.
pub fn ls(source: AppSource, format: Format) -> Result<u8, Failure> {
    let assembly = source.assembly()?;
    match format {
        Format::Text => {
            for s in assembly.stacks() {
                println!("{}", s.display_name);
            }
        }
        Format::Json => {
            println!("{}", serde_json::to_string_pretty(assembly.stacks()).map_err(Failure::internal)?);
        }
    }
    Ok(0)
}

fn print_table<const N: usize>(header: [&str; N], rows: &[[String; N]]) {
    let mut widths = header.map(str::len);
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.len());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells.iter().zip(widths).map(|(c, w)| format!("{c:<w$}")).collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}

/// `cloudwright graph`: the app as a picture.
pub fn graph(source: AppSource, format: GraphFormat) -> Result<u8, Failure> {
    let assembly = source.assembly()?;
    let g = crate::graph::graph(&assembly);
    print!(
        "{}",
        match format {
            GraphFormat::Mermaid => g.mermaid(),
            GraphFormat::Dot => g.dot(),
        }
    );
    Ok(0)
}
