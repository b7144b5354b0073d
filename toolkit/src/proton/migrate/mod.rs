//! Leaving AWS Proton: a whole template-sync repository (templates, environment and service
//! specs) rendered into one cloud assembly, as Proton would have deployed it, and the
//! running Proton stacks taken over in place (`cloudwright proton migrate`).
//!
//! ```no_run
//! use cloudwright_toolkit::proton::migrate::{MigrateProps, migrate};
//! let assembly = migrate(&MigrateProps { repo: "proton-repo".into(), ..Default::default() })?;
//! assembly.write(std::path::Path::new("migrated.out"))?;
//! # Ok::<(), cloudwright_constructs::Error>(())
//! ```
//!
//! - One nested assembly per account (`assembly-<account>`); in each, the environments'
//!   stacks, then the service instances that run in them (Proton deploys an instance in its
//!   environment's account), then pipelines (in the management account of `migration.yaml`).
//! - `environment.outputs.*` become `Fn::GetStackOutput` of the environment's stack
//!   (`wire`), with a manifest dependency when both stacks are in one nested assembly; across
//!   accounts, with a reader role added to the environment's stack.
//! - With `deployed` (describe-stacks files), each rendered stack that a deployed Proton
//!   stack's tags name takes that stack's name (and keeps its tags), so `cdk deploy` updates
//!   it in place; with `deployed_templates`, a rendered template that would replace or delete
//!   a deployed resource is listed as needing a decision. `MIGRATION.md` (in the assembly)
//!   says, per Proton resource, the stack it became, its inputs and what is left to do.
//!
//! | module | one job |
//! |---|---|
//! | `repo` | the repository: templates, specs, `migration.yaml`, `proton-ops.yaml` -> a plan |
//! | `deployed` | describe-stacks files, Proton stacks identified by their tags, deployed templates |
//! | `stacks` | the Proton context of each resource, rendered |
//! | `wire` | environment outputs as tokens, then as `Fn::GetStackOutput` |
//! | `takeover` | which rendered stack takes over which deployed one, and what it would replace |
//! | `assembly` | the cloud assembly files |
//! | `report` | `MIGRATION.md` |
//! | [`rust`] | `--rust`: the repository as a typed Rust project |

mod assembly;
mod deployed;
pub mod repo;
mod report;
pub mod rust;
mod stacks;
mod takeover;
pub mod wire;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;

use cloudwright_core::{Assembly, Environment, Error, Result};
use serde_json::Value as Json;

pub use repo::CONFIG_FILE;

use super::render::{DEFAULT_ACCOUNT, DEFAULT_REGION, EnvironmentFacts};
use deployed::DeployedStack;
use repo::Plan;
use wire::{Output, Target, Tokens};

/// The name of the report written into the assembly.
pub const REPORT_FILE: &str = "MIGRATION.md";

/// What to migrate.
#[derive(Debug, Clone, Default)]
pub struct MigrateProps {
    /// The template-sync repository.
    pub repo: PathBuf,
    /// Output files of `aws cloudformation describe-stacks`, one per account and region.
    pub deployed: Vec<PathBuf>,
    /// A directory of `aws cloudformation get-template` outputs, `<StackName>.json`.
    pub deployed_templates: Option<PathBuf>,
}

/// A Proton resource that became a stack.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProtonResource {
    /// An environment, by name.
    Environment(String),
    /// A service instance.
    Instance {
        /// The service's name.
        service: String,
        /// The instance's name.
        instance: String,
    },
    /// A service's pipeline, by service name.
    Pipeline(String),
}

impl fmt::Display for ProtonResource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtonResource::Environment(e) => write!(f, "environment `{e}`"),
            ProtonResource::Instance { service, instance } => write!(f, "service instance `{service}/{instance}`"),
            ProtonResource::Pipeline(s) => write!(f, "pipeline of service `{s}`"),
        }
    }
}

impl ProtonResource {
    /// The stack name when no deployed stack is taken over (CloudFormation allows letters,
    /// digits and `-`; Proton names may hold `_`).
    fn default_stack_name(&self) -> String {
        let name = match self {
            ProtonResource::Environment(e) => e.clone(),
            ProtonResource::Instance { service, instance } => format!("{service}-{instance}"),
            ProtonResource::Pipeline(s) => format!("{s}-pipeline"),
        };
        name.replace('_', "-")
    }
}

/// One rendered stack and what the report says of it.
#[derive(Debug, Clone)]
struct MigratedStack {
    /// The Proton resource it was.
    resource: ProtonResource,
    /// Its stack name (the deployed one when taken over).
    name: String,
    /// Its account.
    account: String,
    /// Its region.
    region: String,
    /// Template name and major version.
    template_name: String,
    /// Major version of the template.
    major: u32,
    /// The bundle directory, relative to the repository.
    bundle: String,
    /// The spec file, relative to the repository.
    spec: String,
    /// The inputs it was rendered with (defaults included).
    inputs: Json,
    /// The rendered template.
    template: Json,
    /// Stacks (indexes) whose outputs it reads.
    reads: Vec<usize>,
    /// The deployed stack it takes over.
    deployed: Option<DeployedStack>,
    /// What the user must still do.
    todo: Vec<String>,
    /// What needs a decision before `cdk deploy`.
    decisions: Vec<String>,
}

/// Renders the repository into a cloud assembly holding `MIGRATION.md`. Problems of the
/// inputs are `Error::Input` naming the file, all at once; nothing is written.
pub fn migrate(props: &MigrateProps) -> Result<Assembly> {
    let plan = repo::read(&props.repo)?;
    let deployed = deployed::read(&props.deployed)?;
    let mut stacks = place(&plan, &deployed)?;
    render_all(&plan, &mut stacks)?;
    if let Some(dir) = &props.deployed_templates {
        for s in &mut stacks {
            takeover::check_replacements(s, dir, &deployed)?;
        }
    }
    let unmatched = takeover::unmatched(&deployed, &stacks);
    let mut files = assembly::files(&stacks);
    let report = report::markdown(&plan, &stacks, &unmatched, props);
    files.insert(REPORT_FILE.into(), report.into_bytes());
    Assembly::from_files(files)
}

/// Every resource of the plan with its stack name, account and region (template empty).
fn place(plan: &Plan, deployed: &[DeployedStack]) -> Result<Vec<MigratedStack>> {
    let mut out: Vec<MigratedStack> = Vec::new();
    for env in plan.environments.values() {
        let given = (env.placement.account.clone(), env.placement.region.clone());
        let resource = ProtonResource::Environment(env.name.clone());
        out.push(new_stack(plan, deployed, resource, &env.template, &env.spec, given));
    }
    for service in plan.services.values() {
        for i in &service.instances {
            // Proton deployed an instance in its environment's account and region.
            let env = out.iter().find(|s| s.resource == ProtonResource::Environment(i.environment.clone()));
            let given = env.map(|e| (Some(e.account.clone()), Some(e.region.clone()))).unwrap_or_default();
            let resource = ProtonResource::Instance { service: service.name.clone(), instance: i.name.clone() };
            out.push(new_stack(plan, deployed, resource, &service.template, &i.spec, given));
        }
        if service.template.has_pipeline() {
            let given = (plan.management.account.clone(), plan.management.region.clone());
            let resource = ProtonResource::Pipeline(service.name.clone());
            let mut s = new_stack(plan, deployed, resource, &service.template, &service.spec, given);
            if service.repository.id.is_none() || service.repository.connection_arn.is_none() {
                s.todo.push(format!(
                    "Its source repository is not set: `service.repository_id` and `service.repository_connection_arn` rendered empty. Set `repository` (`id`, `branch`, `connection_arn`) under `services: {}:` in migration.yaml.",
                    service.name
                ));
            }
            out.push(s);
        }
    }
    let mut problems: Vec<Error> =
        out.iter().flat_map(|s| Environment::new(s.account.as_str(), s.region.as_str()).validate(&s.spec)).collect();
    let mut names = BTreeMap::new();
    for s in &out {
        // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html
        let valid = s.name.len() <= 128
            && s.name.starts_with(|c: char| c.is_ascii_alphabetic())
            && s.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !valid {
            problems.push(Error::Input {
                path: s.spec.clone(),
                message: format!(
                    "{} would be the stack `{}`, which is not a CloudFormation stack name (a letter, then letters, digits and `-`, at most 128): rename it",
                    s.resource, s.name
                ),
            });
        }
        if let Some(other) = names.insert((s.account.clone(), s.region.clone(), s.name.clone()), &s.resource) {
            problems.push(Error::Input {
                path: s.spec.clone(),
                message: format!(
                    "{} and {other} would both be the stack `{}` in aws://{}/{}: rename one",
                    s.resource, s.name, s.account, s.region
                ),
            });
        }
    }
    Error::collect(problems)?;
    Ok(out)
}

/// A stack for `resource`, placed where `given` says (`migration.yaml`), else where its
/// deployed stack is, else in the default account and region.
fn new_stack(
    plan: &Plan,
    deployed: &[DeployedStack],
    resource: ProtonResource,
    template: &repo::Template,
    spec: &std::path::Path,
    given: (Option<String>, Option<String>),
) -> MigratedStack {
    let rel = |p: &std::path::Path| p.strip_prefix(&plan.root).unwrap_or(p).display().to_string();
    let mut s = MigratedStack {
        name: resource.default_stack_name(),
        account: String::new(),
        region: String::new(),
        template_name: template.name.clone(),
        major: template.major,
        bundle: rel(&template.dir),
        spec: rel(spec),
        inputs: Json::Null,
        template: Json::Null,
        reads: Vec::new(),
        deployed: None,
        todo: Vec::new(),
        decisions: Vec::new(),
        resource,
    };
    let matches = takeover::find(deployed, &s.resource);
    takeover::adopt(&mut s, &matches, given, default_placement());
    s
}

/// Renders every stack: environments first (their outputs become tokens), then services.
fn render_all(plan: &Plan, stacks: &mut [MigratedStack]) -> Result<()> {
    let mut problems = Vec::new();
    let mut tokens = Tokens::default();
    let mut facts: BTreeMap<String, EnvironmentFacts> = BTreeMap::new();
    let index_of = |stacks: &[MigratedStack], r: &ProtonResource| stacks.iter().position(|s| &s.resource == r);
    for env in plan.environments.values() {
        let Some(at) = index_of(stacks, &ProtonResource::Environment(env.name.clone())) else { continue };
        let Some(s) = stacks.get_mut(at) else { continue };
        let placed =
            EnvironmentFacts { account: s.account.clone(), region: s.region.clone(), outputs: Default::default() };
        match stacks::environment(env, &placed) {
            Ok((template, inputs)) => {
                let outputs =
                    stacks::outputs(&template, |name| tokens.token(Output { producer: at, name: name.to_owned() }));
                facts.insert(env.name.clone(), EnvironmentFacts { outputs, ..placed });
                s.template = template;
                s.inputs = inputs;
            }
            Err(e) => problems.push(e),
        }
    }
    Error::collect(std::mem::take(&mut problems))?;
    for service in plan.services.values() {
        let mut service_instances = Vec::new();
        for (n, i) in service.instances.iter().enumerate() {
            let resource = ProtonResource::Instance { service: service.name.clone(), instance: i.name.clone() };
            let (Some(at), Some(env)) = (index_of(stacks, &resource), facts.get(&i.environment)) else { continue };
            match stacks::instance(service, n, &i.environment, env) {
                Ok((template, inputs, mut service_instance)) => {
                    let outputs =
                        stacks::outputs(&template, |name| tokens.token(Output { producer: at, name: name.to_owned() }));
                    service_instance["outputs"] = Json::Object(outputs);
                    service_instances.push(service_instance);
                    if let Some(s) = stacks.get_mut(at) {
                        s.template = template;
                        s.inputs = inputs;
                    }
                }
                Err(e) => problems.push(e),
            }
        }
        if !problems.is_empty() || !service.template.has_pipeline() {
            continue;
        }
        let Some(at) = index_of(stacks, &ProtonResource::Pipeline(service.name.clone())) else { continue };
        match stacks::pipeline(service, service_instances) {
            Ok((template, inputs)) => {
                if let Some(s) = stacks.get_mut(at) {
                    s.template = template;
                    s.inputs = inputs;
                }
            }
            Err(e) => problems.push(e),
        }
    }
    Error::collect(std::mem::take(&mut problems))?;
    wire_all(stacks, &tokens)
}

/// Replaces the tokens of every stack with references; adds reader roles to producers read
/// from another account.
fn wire_all(stacks: &mut [MigratedStack], tokens: &Tokens) -> Result<()> {
    let targets: Vec<Target> = stacks
        .iter()
        .map(|s| Target { stack: s.name.clone(), region: s.region.clone(), account: s.account.clone() })
        .collect();
    let target = |i: usize| {
        targets.get(i).cloned().unwrap_or(Target {
            stack: String::new(),
            region: String::new(),
            account: String::new(),
        })
    };
    let mut problems = Vec::new();
    // Producer -> consumer account -> the execution roles that read it.
    let mut readers: BTreeMap<(usize, String), BTreeSet<String>> = BTreeMap::new();
    for s in stacks.iter_mut() {
        let (account, region) = (s.account.clone(), s.region.clone());
        match tokens.wire(&mut s.template, &account, &target) {
            Ok(used) => {
                for &p in &used {
                    if targets.get(p).is_some_and(|t| t.account != account) {
                        readers
                            .entry((p, account.clone()))
                            .or_default()
                            .insert(assembly::execution_role(&account, &region));
                    }
                }
                s.reads = used;
            }
            Err(found) => problems.extend(found.into_iter().map(|p| Error::Input {
                path: s.bundle.clone(),
                message: format!("{} (stack {}): {p}", s.resource, s.name),
            })),
        }
    }
    Error::collect(problems)?;
    for ((producer, consumer), deployers) in readers {
        if let Some(s) = stacks.get_mut(producer) {
            assembly::add_reader_role(s, &consumer, &deployers);
        }
    }
    Ok(())
}

/// The account and region of a stack no file names.
fn default_placement() -> (String, String) {
    (DEFAULT_ACCOUNT.to_owned(), DEFAULT_REGION.to_owned())
}
