//! Synthesizes the Lambda service example.
fn main() -> std::process::ExitCode {
    cloudwright_examples::synth_main(cloudwright_examples::lambda_service::app)
}
