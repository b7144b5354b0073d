//! `cargo run -- synth` writes the cloud assembly; `cargo run -- ls`, `-- graph` and the
//! other cloudwright subcommands work too.

fn main() -> std::process::ExitCode {
    cloudwright_cli::run({{crate}}::build)
}
