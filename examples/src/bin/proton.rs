//! Synthesizes the Proton example.
fn main() -> std::process::ExitCode {
    cloudwright_examples::synth_main(cloudwright_examples::proton::app)
}
