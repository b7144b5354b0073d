//! Synthesizes the essentials example.
fn main() -> std::process::ExitCode {
    cloudwright_examples::synth_main(cloudwright_examples::essentials::app)
}
