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
/// from `dir` beforehand, as cloudwright formats them (templates with one-space
/// indentation, `tree.json` on one line, the rest with two).
fn floor(dir: &str) -> Result<f64, String> {
    fn collect(dir: &std::path::Path, out: &mut Vec<(&'static [u8], serde_json::Value)>) -> Result<(), String> {
        for entry in std::fs::read_dir(dir).map_err(|e| e.to_string())? {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                collect(&path, out)?;
            } else if path.extension().is_some_and(|e| e == "json") {
                let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
                let value = serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
                let name = path.to_string_lossy();
                let indent: &[u8] = if name.ends_with(".template.json") {
                    b" "
                } else if name.ends_with("tree.json") {
                    b""
                } else {
                    b"  "
                };
                out.push((indent, value));
            }
        }
        Ok(())
    }
    let mut values = Vec::new();
    collect(std::path::Path::new(dir), &mut values)?;
    let start = std::time::Instant::now();
    let mut bytes = 0;
    for (indent, value) in &values {
        let mut out = Vec::new();
        if indent.is_empty() {
            serde_json::to_writer(&mut out, value).map_err(|e| e.to_string())?;
        } else {
            let formatter = serde_json::ser::PrettyFormatter::with_indent(indent);
            let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
            serde::Serialize::serialize(value, &mut ser).map_err(|e| e.to_string())?;
        }
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
    let report = cloudwright_toolkit::governance::check(&assembly).map_err(|e| e.to_string())?;
    let seconds = start.elapsed().as_secs_f64();
    eprintln!("{} findings over {} resources", report.findings.len(), report.resources);
    Ok(seconds)
}

/// Prints this process's peak RSS (`VmHWM`) for `scripts/measure.py` when it asks
/// (`$MEASURE_PEAK_RSS`): getrusage of a child forked from Python cannot read below
/// Python's own size, which is more than a small synth takes.
fn report_peak_rss() {
    if std::env::var_os("MEASURE_PEAK_RSS").is_none() {
        return;
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    if let Some(kib) = status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().strip_suffix("kB")) {
        eprintln!("peak-rss-kib: {}", kib.trim());
    }
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
            report_peak_rss();
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
