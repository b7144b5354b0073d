//! Synthesizes the network example.
fn main() -> std::process::ExitCode {
    cloudwright_examples::synth_main(cloudwright_examples::network::app)
}
