//! Synthesizes the reference multi-account example.
fn main() -> std::process::ExitCode {
    cloudwright_examples::synth_main(cloudwright_examples::multi_account::app)
}
