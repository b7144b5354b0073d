//! `bench-app --stacks N --functions M -o DIR`: synthesizes a benchmark app into DIR.
//! `bench-app --floor DIR`: prints the seconds plain serde_json takes to serialize DIR's JSON.
//! `bench-app --rules DIR`: prints the seconds the governance rules take over DIR's assembly.

use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

/// The floor: the time plain serde_json takes to serialize the same JSON files, read
/// from `dir` beforehand (templates with one-space indentation, the rest with two).
fn floor(dir: &str) -> Result<f64, String> {
    fn collect(dir: &std::path::Path, out: &mut Vec<(bool, serde_json::Value)>) -> Result<(), String> {
        for entry in std::fs::read_dir(dir).map_err(|e| e.to_string())? {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                collect(&path, out)?;
            } else if path.extension().is_some_and(|e| e == "json") {
                let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
                let value = serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
                out.push((path.to_string_lossy().ends_with(".template.json"), value));
            }
        }
        Ok(())
    }
    let mut values = Vec::new();
    collect(std::path::Path::new(dir), &mut values)?;
    let start = std::time::Instant::now();
    let mut bytes = 0;
    for (template, value) in &values {
        let indent: &[u8] = if *template { b" " } else { b"  " };
        let mut out = Vec::new();
        let mut ser =
            serde_json::Serializer::with_formatter(&mut out, serde_json::ser::PrettyFormatter::with_indent(indent));
        serde::Serialize::serialize(value, &mut ser).map_err(|e| e.to_string())?;
        bytes += out.len();
    }
    let seconds = start.elapsed().as_secs_f64();
    std::hint::black_box(bytes);
    Ok(seconds)
}

/// The time the governance rules take over the assembly in `dir` (read beforehand).
fn rules(dir: &str) -> Result<f64, String> {
    let assembly = cloudwright_constructs::Assembly::read(std::path::Path::new(dir)).map_err(|e| e.to_string())?;
    let start = std::time::Instant::now();
    let report = cloudwright_constructs::governance::check(&assembly).map_err(|e| e.to_string())?;
    let seconds = start.elapsed().as_secs_f64();
    eprintln!("{} findings over {} resources", report.findings.len(), report.resources);
    Ok(seconds)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // The two measuring modes print seconds on stdout.
    let measured = if let Some(dir) = arg(&args, "--floor") {
        Some(floor(&dir))
    } else {
        arg(&args, "--rules").map(|dir| rules(&dir))
    };
    match measured {
        Some(Ok(seconds)) => {
            println!("{seconds}");
            return ExitCode::SUCCESS;
        }
        Some(Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
        None => {}
    }
    let number = |name: &str, default: usize| arg(&args, name).map_or(Ok(default), |v| v.parse::<usize>());
    let (Ok(stacks), Ok(functions)) = (number("--stacks", 3), number("--functions", 1)) else {
        eprintln!("usage: bench-app --stacks N --functions M -o DIR (N and M are whole numbers)");
        return ExitCode::from(2);
    };
    let outdir = arg(&args, "-o").unwrap_or_else(|| "cloudwright.out".into());
    let result = cloudwright_examples::bench::app(stacks, functions).and_then(|app| {
        let report = app.synth(&outdir);
        // The process ends here: freeing the whole tree first would only cost time.
        std::mem::forget(app);
        report
    });
    match result {
        Ok(report) => {
            std::mem::forget(report);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
