//! `cargo xtask fuzz [--cases N] [--time SECONDS]`: the hostile-input tests
//! (`toolkit/tests/fuzz.rs`) with many more cases than the test suite runs, round after
//! round (each with fresh random inputs) until the time is spent; one round by default.
//! `CLOUDWRIGHT_FUZZ_CASES` and `CLOUDWRIGHT_FUZZ_SECONDS` give the same from the
//! environment.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::ci::workspace_root;

/// Cases per reader in one round when none are given.
const DEFAULT_CASES: u32 = 5_000;

pub fn run(args: &[String]) -> Result<(), String> {
    let value = |flag: &str, env: &str| -> Result<Option<u64>, String> {
        let given = args.iter().position(|a| a == flag).map(|i| args.get(i + 1).cloned().unwrap_or_default());
        match given.or_else(|| std::env::var(env).ok()) {
            Some(v) => v.parse().map(Some).map_err(|_| format!("{flag} takes a number, not {v:?}")),
            None => Ok(None),
        }
    };
    let cases = value("--cases", "CLOUDWRIGHT_FUZZ_CASES")?.unwrap_or(u64::from(DEFAULT_CASES));
    let time = Duration::from_secs(value("--time", "CLOUDWRIGHT_FUZZ_SECONDS")?.unwrap_or(0));
    // The input being tried, left by the tests: a stack overflow aborts before any report.
    let last = workspace_root().join("target/fuzz-last-input.txt");
    let started = Instant::now();
    let mut round = 1;
    loop {
        eprintln!("xtask fuzz: round {round}, {cases} cases per reader");
        // A debug build, as the tests run: it shares their build, and the time bound per
        // input is set for it.
        let status = Command::new("cargo")
            .args(["test", "-p", "cloudwright-toolkit", "--test", "fuzz", "--", "--test-threads=2"])
            .env("CLOUDWRIGHT_FUZZ_CASES", cases.to_string())
            .env("CLOUDWRIGHT_FUZZ_LAST", &last)
            .current_dir(workspace_root())
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if !status.success() {
            let input = std::fs::read_to_string(&last).unwrap_or_default();
            return Err(format!(
                "round {round} found a failing input (printed above with its mutations; the last one tried, \
                 where the process aborted: {input})"
            ));
        }
        if started.elapsed() >= time {
            eprintln!("xtask fuzz: {round} round(s) of {cases} cases per reader in {:.0?}", started.elapsed());
            return Ok(());
        }
        round += 1;
    }
}
