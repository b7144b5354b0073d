//! The `cloudwright` binary; with no app given it synthesizes the reference example.
fn main() -> std::process::ExitCode {
    cloudwright_cli::main_with(Box::new(cloudwright_examples::default_app))
}
