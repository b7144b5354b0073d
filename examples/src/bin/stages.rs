//! Synthesizes the two-stage example.
fn main() -> std::process::ExitCode {
    cloudwright_examples::synth_main(cloudwright_examples::stages::app)
}
