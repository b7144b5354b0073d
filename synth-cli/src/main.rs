//! The `cloudwright` binary; with no app given it synthesizes the reference example.
// Synthesis allocates many small JSON values; mimalloc is markedly faster at that than
// the system allocator. Libraries leave the choice to the binary.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cloudwright_cli::main_with(Box::new(cloudwright_examples::default_app_with))
}
