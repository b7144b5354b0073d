//! Project automation.
//!
//! - `cargo xtask ci`: everything CI runs, each step timed.
//! - `cargo xtask codegen [--check|--update]`: regenerate the typed L1 resources.
//! - `cargo xtask bench [--quick]`: cloudwright against the AWS CDK, written to `bench/REPORT.md`.
//! - `cargo xtask fuzz [--cases N] [--time SECONDS]`: every reader of user files fed hostile input, longer than the tests.

mod bench;
mod ci;
mod codegen;
mod fuzz;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci::run(&args[1..]),
        Some("codegen") => codegen::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("fuzz") => fuzz::run(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask ci | cargo xtask codegen [--check|--update] | cargo xtask bench [--quick] | cargo xtask fuzz [--cases N] [--time SECONDS]"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
