//! Synthesizes one stack with a sample typed L1 resource per generated service into the
//! directory given as the first argument, for cfn-lint:
//!
//! ```sh
//! cargo run -p cloudwright-cfn --features full --example l1_samples -- /tmp/l1
//! ../shared/oracles/run check-assembly /tmp/l1
//! ```

#[path = "../tests/support/l1_samples.rs"]
mod samples;

use cloudwright_core::{App, Environment, Stack, StackProps};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).ok_or("usage: l1_samples OUTDIR")?;
    let app = App::new();
    let env = Environment::new("111111111111", "us-east-1");
    let stack = Stack::new(&app, "L1Samples", StackProps { env, ..Default::default() })?;
    for (_, sample) in samples::SAMPLES {
        sample(&stack)?;
    }
    let report = app.synth(&dir)?;
    println!("{report:?}");
    Ok(())
}
