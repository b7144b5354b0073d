//! `cloudwright proton render`: the arguments of
//! [`cloudwright_toolkit::proton::render`], and what it prints.

use std::path::PathBuf;

use cloudwright_toolkit::proton::render::{DEFAULT_ACCOUNT, DEFAULT_REGION, RenderProps, render as render_bundle};

use crate::Failure;

/// The arguments of `proton render`.
#[derive(Debug, clap::Args)]
#[command(after_help = "The environments file maps each environment name to its account, region and outputs:\n\n  multi-svc-beta:\n    account: \"111111111111\"\n    region: us-west-2\n    outputs: {VPC: vpc-0abc}\n\nEnvironments not in it, and the service pipeline, take --account and --region\n(defaults 000000000000 and us-east-1).\n\n".to_owned() + crate::EXIT_CODES)]
pub struct RenderArgs {
    /// The bundle directory (holding schema/schema.yaml and infrastructure/ or instance_infrastructure/)
    pub bundle: PathBuf,
    /// The spec file (proton: EnvironmentSpec or ServiceSpec)
    #[arg(long)]
    pub spec: PathBuf,
    /// Name of the environment or service (default: the spec's file stem without environment-/service-)
    #[arg(long)]
    pub name: Option<String>,
    /// YAML/JSON file: environment name -> {account, region, outputs}
    #[arg(long)]
    pub environments: Option<PathBuf>,
    /// YAML/JSON file: service instance name -> its default component's outputs (name -> value)
    #[arg(long)]
    pub components: Option<PathBuf>,
    /// Account id of environments not in the environments file, and of the pipeline (default 000000000000)
    #[arg(long, default_value = DEFAULT_ACCOUNT)]
    pub account: String,
    /// Region of environments not in the environments file, and of the pipeline (default us-east-1)
    #[arg(long, default_value = DEFAULT_REGION)]
    pub region: String,
    /// Output directory: a cloud assembly, replaced atomically
    #[arg(short, long)]
    pub output: PathBuf,
}

impl RenderArgs {
    /// What the library renders.
    pub fn props(&self) -> RenderProps {
        RenderProps {
            bundle: self.bundle.clone(),
            spec: self.spec.clone(),
            name: self.name.clone(),
            environments: self.environments.clone(),
            components: self.components.clone(),
            account: self.account.clone(),
            region: self.region.clone(),
        }
    }
}

/// Runs `proton render`.
pub fn render(args: &RenderArgs) -> Result<u8, Failure> {
    let assembly = render_bundle(&args.props()).map_err(Failure::input)?;
    assembly.write(&args.output).map_err(Failure::input)?;
    let n = assembly.stacks().len();
    println!("rendered {n} stack{} to {}", if n == 1 { "" } else { "s" }, args.output.display());
    Ok(0)
}
