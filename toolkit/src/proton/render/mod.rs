//! Rendering any AWS Proton CloudFormation bundle (ours or hand-written) with a spec into a
//! cloud assembly, one stack per environment, service instance and service pipeline, as
//! Proton would have rendered and deployed it: the Jinja templates with Jinja2's semantics
//! ([`jinja2`]: its built-in filters and tests, Python's printing of values) and Proton's own
//! filters ([`filters`]), then CloudFormation YAML to JSON ([`cfn_yaml_to_json`]).
//!
//! The parameters a template sees are those of the Proton guide
//! (<https://docs.aws.amazon.com/proton/latest/userguide/parameters.html>): `environment.*`
//! (`name`, `account_id`, `inputs`, `outputs`), `service.*`, `service_instance.*` (with
//! `environment` and `components.default.outputs`), and for `pipeline_infrastructure/`,
//! `pipeline.inputs` and the `service_instances` list.
//!
//! Two entry points:
//! - [`render`] reads a bundle, a spec file and optional environments/components files and
//!   returns the cloud assembly (what `cloudwright proton render` writes);
//! - [`render_spec`] renders in memory, for a caller that already holds the spec and the
//!   environments' facts (`proton migrate`): one bundle, one spec (parsed), the name of the
//!   environment or service, the [`Environments`] (account, region, outputs per name) and the
//!   components' outputs per service instance; it returns a [`RenderedStack`] per
//!   environment, service instance or pipeline, each template as JSON; [`render_component`]
//!   renders a directly defined component attached to one service instance.
//!
//! ```no_run
//! use cloudwright_toolkit::proton::render::{RenderProps, render};
//! let assembly = render(&RenderProps {
//!     bundle: "proton/vpc-env/v1".into(),
//!     spec: "proton/specs/environment-beta.yaml".into(),
//!     ..Default::default()
//! })?;
//! assembly.write(std::path::Path::new("rendered.out"))?;
//! # Ok::<(), cloudwright_constructs::Error>(())
//! ```

mod bundle;
mod cfn_yaml;
pub mod context;
mod environments;
pub mod filters;
pub mod jinja2;
mod jinja2_filters;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cloudwright_constructs::proton::parameters;
use cloudwright_core::assembly::{Artifact, ArtifactIds, Manifest, StackArtifactProps, cdk_out};
use cloudwright_core::{Assembly, Environment, Error, Result};
use serde_json::{Map, Value as Json, json};

pub use bundle::{Bundle, Kind, Part};
pub use cfn_yaml::cfn_yaml_to_json;
pub use context::ServiceSource;
pub use environments::{EnvironmentFacts, Environments};

/// The account of the rendered stacks when none is given.
pub const DEFAULT_ACCOUNT: &str = "000000000000";
/// The region of the rendered stacks when none is given.
pub const DEFAULT_REGION: &str = "us-east-1";

/// What to render.
#[derive(Debug, Clone)]
pub struct RenderProps {
    /// The bundle directory (holding `schema/schema.yaml` and `infrastructure/` or `instance_infrastructure/`).
    pub bundle: PathBuf,
    /// The spec file (`proton: EnvironmentSpec` or `ServiceSpec`).
    pub spec: PathBuf,
    /// The environment's or service's name (Proton's `environment.name`/`service.name`);
    /// by default the spec's file stem without a leading `environment-`/`service-`.
    pub name: Option<String>,
    /// The environments file ([`Environments::read`]): environment name to account, region
    /// and outputs.
    pub environments: Option<PathBuf>,
    /// A YAML file mapping each service instance name to its default component's outputs
    /// (`service_instance.components.default.outputs`); an instance not in it has none.
    pub components: Option<PathBuf>,
    /// The account of environments not in the environments file, and of the service pipeline.
    pub account: String,
    /// The region of environments not in the environments file, and of the service pipeline.
    pub region: String,
}

impl Default for RenderProps {
    fn default() -> Self {
        RenderProps {
            bundle: PathBuf::new(),
            spec: PathBuf::new(),
            name: None,
            environments: None,
            components: None,
            account: DEFAULT_ACCOUNT.to_owned(),
            region: DEFAULT_REGION.to_owned(),
        }
    }
}

/// What a rendered stack stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StackKind {
    /// An environment.
    Environment,
    /// A service instance, in its environment.
    ServiceInstance {
        /// The instance's name.
        instance: String,
        /// The name of its environment.
        environment: String,
    },
    /// The service's pipeline (`pipeline_infrastructure/`).
    Pipeline,
    /// A directly defined component attached to a service instance.
    Component {
        /// The component's name.
        component: String,
        /// The service instance it is attached to.
        instance: String,
    },
}

/// One rendered template and where it deploys.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedStack {
    /// The stack name: the environment's name, `<service>-<instance>` or `<service>-pipeline`.
    pub name: String,
    /// What it stands for.
    pub kind: StackKind,
    /// Its account.
    pub account: String,
    /// Its region.
    pub region: String,
    /// The CloudFormation template.
    pub template: Json,
}

/// Renders the bundle with the spec into a cloud assembly. Problems with the inputs are
/// `Error::Input` naming the file (with its line when known), all of the spec's at once;
/// unreadable files are `Error::Read`.
pub fn render(props: &RenderProps) -> Result<Assembly> {
    let spec_name = props.spec.display().to_string();
    Error::collect(Environment::new(props.account.as_str(), props.region.as_str()).validate(&spec_name))?;
    let bundle = Bundle::open(&props.bundle)?;
    let mut environments = Environments::with_default(&props.account, &props.region);
    if let Some(path) = &props.environments {
        environments = environments.read(path)?;
    }
    let components = match &props.components {
        Some(path) => components_file(path)?,
        None => Map::new(),
    };
    let spec = read_yaml(&props.spec)?;
    let stacks = render_spec(&SpecInput {
        bundle: &bundle,
        spec: &spec,
        spec_path: &spec_name,
        name: &props.name.clone().unwrap_or_else(|| spec_stem(&props.spec)),
        environments: &environments,
        components: &components,
        source: &ServiceSource::default(),
    })?;
    assembly(&stacks)
}

/// A cloud assembly of rendered stacks, each in its account and region.
pub fn assembly(stacks: &[RenderedStack]) -> Result<Assembly> {
    Assembly::from_files(assembly_files(stacks))
}

/// What [`render_spec`] renders.
#[derive(Debug, Clone, Copy)]
pub struct SpecInput<'a> {
    /// The template bundle.
    pub bundle: &'a Bundle,
    /// The parsed spec (`proton: EnvironmentSpec` or `ServiceSpec`).
    pub spec: &'a Json,
    /// The spec's file, named in errors.
    pub spec_path: &'a str,
    /// The environment's or service's name.
    pub name: &'a str,
    /// Each environment's account, region and outputs.
    pub environments: &'a Environments,
    /// Service instance name to its default component's outputs.
    pub components: &'a Map<String, Json>,
    /// A service's source repository (`service.repository_id`, ...).
    pub source: &'a ServiceSource,
}

/// Renders one spec with its bundle in memory: a stack for the environment, or one per
/// service instance plus the pipeline's when the template has `pipeline_infrastructure/`
/// (its inputs from the spec's `pipeline:`, defaults applied). Every problem of the spec's
/// instances is reported at once.
pub fn render_spec(input: &SpecInput<'_>) -> Result<Vec<RenderedStack>> {
    let bundle = input.bundle;
    match (bundle.kind, input.spec.get("proton").and_then(Json::as_str)) {
        (Kind::Environment, Some("EnvironmentSpec")) => render_environment(input),
        (Kind::Service, Some("ServiceSpec")) => render_service(input),
        (kind, proton) => Err(input.problem(format!(
            "`proton: {}` does not fit the bundle, which is {} template",
            proton.unwrap_or("(missing)"),
            match kind {
                Kind::Environment => "an environment",
                Kind::Service => "a service",
            }
        ))),
    }
}

impl SpecInput<'_> {
    /// A problem of the spec file.
    fn problem(&self, message: String) -> Error {
        Error::Input { path: self.spec_path.to_owned(), message }
    }
}

fn render_environment(input: &SpecInput<'_>) -> Result<Vec<RenderedStack>> {
    let schema = input.bundle.input_type("environment_input_type")?;
    let inputs = input.spec.get("spec").cloned().unwrap_or_else(|| json!({}));
    Error::collect(schema.validate(&inputs).into_iter().map(|p| input.problem(p)).collect())?;
    let facts = input.environments.get(input.name);
    let ctx = context::environment(input.name, &facts, schema.with_defaults(inputs));
    let template = input.bundle.render(Part::Main, &ctx, "")?;
    Ok(vec![RenderedStack {
        name: input.name.to_owned(),
        kind: StackKind::Environment,
        account: facts.account,
        region: facts.region,
        template,
    }])
}

/// A stack per service instance, then the pipeline's, which sees every instance.
fn render_service(input: &SpecInput<'_>) -> Result<Vec<RenderedStack>> {
    let (bundle, name) = (input.bundle, input.name);
    let schema = bundle.input_type("service_input_type")?;
    let instances = input.spec.get("instances").and_then(Json::as_array).cloned().unwrap_or_default();
    let mut problems = Vec::new();
    if instances.is_empty() {
        problems.push(input.problem("the ServiceSpec has no instances".into()));
    }
    let service = context::service(name, input.source);
    let mut stacks = Vec::new();
    let mut seen_by_pipeline = Vec::new();
    for (i, instance) in instances.iter().enumerate() {
        let field = |k: &str| instance.get(k).and_then(Json::as_str).map(str::to_owned);
        let (Some(instance_name), Some(env_name)) = (field("name"), field("environment")) else {
            problems.push(input.problem(format!("instance {} needs a `name` and an `environment`", i + 1)));
            continue;
        };
        let inputs = instance.get("spec").cloned().unwrap_or_else(|| json!({}));
        let found = schema.validate(&inputs);
        if !found.is_empty() {
            problems.extend(found.into_iter().map(|p| input.problem(format!("instance {instance_name:?}: {p}"))));
            continue;
        }
        let facts = input.environments.get(&env_name);
        let environment = context::instance_environment(&env_name, &facts);
        let component = input.components.get(&instance_name).and_then(Json::as_object).cloned().unwrap_or_default();
        let mut service_instance =
            context::service_instance(&instance_name, schema.with_defaults(inputs), &environment, component);
        let ctx = context::instance(&service, &service_instance);
        match bundle.render(Part::Main, &ctx, &format!("instance {instance_name:?}: ")) {
            Ok(template) => {
                service_instance["outputs"] = literal_outputs(&template);
                seen_by_pipeline.push(service_instance);
                stacks.push(RenderedStack {
                    name: format!("{name}-{instance_name}"),
                    kind: StackKind::ServiceInstance { instance: instance_name, environment: env_name },
                    account: facts.account,
                    region: facts.region,
                    template,
                });
            }
            Err(e) => problems.push(e),
        }
    }
    Error::collect(problems)?;
    if bundle.has_pipeline() {
        let schema = bundle.input_type("pipeline_input_type")?;
        let inputs = input.spec.get("pipeline").cloned().unwrap_or_else(|| json!({}));
        let found = schema.validate(&inputs);
        Error::collect(found.into_iter().map(|p| input.problem(format!("pipeline: {p}"))).collect())?;
        let ctx = context::pipeline(&service, schema.with_defaults(inputs), seen_by_pipeline);
        let template = bundle.render(Part::Pipeline, &ctx, "pipeline: ")?;
        let facts = &input.environments.default;
        stacks.push(RenderedStack {
            name: format!("{name}-pipeline"),
            kind: StackKind::Pipeline,
            account: facts.account.clone(),
            region: facts.region.clone(),
            template,
        });
    }
    Ok(stacks)
}

/// A directly defined component (a directory with `manifest.yaml` and its template, no
/// schema: a component has no inputs of its own) attached to a service instance.
#[derive(Debug, Clone, Copy)]
pub struct ComponentInput<'a> {
    /// The component's directory.
    pub dir: &'a Path,
    /// The component's name (`component.name`).
    pub name: &'a str,
    /// The service's name.
    pub service: &'a str,
    /// The service instance it is attached to.
    pub instance: &'a str,
    /// That instance's inputs (`service_instance.inputs`), defaults applied.
    pub instance_inputs: &'a Json,
    /// The instance's environment.
    pub environment: &'a str,
    /// Each environment's account, region and outputs.
    pub environments: &'a Environments,
}

/// Renders a component attached to a service instance, with the parameters the Proton guide
/// gives components (<https://docs.aws.amazon.com/proton/latest/userguide/comp-parameters.html>):
/// `component.name`, `service.name`, `service_instance.name`/`inputs`, `environment.name`/
/// `outputs`. Its stack is `<service>-<instance>-<component>`, in the instance's environment.
pub fn render_component(input: &ComponentInput<'_>) -> Result<RenderedStack> {
    let facts = input.environments.get(input.environment);
    let environment = context::instance_environment(input.environment, &facts);
    let ctx =
        parameters::component(input.name, input.service, input.instance, input.instance_inputs.clone(), &environment);
    let template = bundle::render_dir(input.dir, &ctx, &format!("component {:?}: ", input.name))?;
    Ok(RenderedStack {
        name: format!("{}-{}-{}", input.service, input.instance, input.name),
        kind: StackKind::Component { component: input.name.to_owned(), instance: input.instance.to_owned() },
        account: facts.account,
        region: facts.region,
        template,
    })
}

/// The outputs of a rendered template whose values are known before deploy (literals, not
/// intrinsic functions): the `service_instances[i].outputs` a pipeline template sees. An
/// output computed at deploy time is left out, so a pipeline reading it fails to render,
/// naming the line.
fn literal_outputs(template: &Json) -> Json {
    let outputs = template.get("Outputs").and_then(Json::as_object).into_iter().flatten();
    Json::Object(
        outputs
            .filter_map(|(k, o)| {
                o.get("Value").filter(|v| !v.is_object() && !v.is_array()).map(|v| (k.clone(), v.clone()))
            })
            .collect(),
    )
}

/// The components file: service instance name to its default component's outputs.
fn components_file(path: &Path) -> Result<Map<String, Json>> {
    let problem = |message: &str| Error::Input { path: path.display().to_string(), message: message.into() };
    match read_yaml(path)? {
        Json::Object(map) if map.values().all(Json::is_object) => Ok(map),
        _ => Err(problem("must map each service instance name to its component's outputs (name -> value)")),
    }
}

/// A template's Jinja source: a template body, at most `limits::TEMPLATE_BYTES`.
pub(crate) fn read_text(path: &Path) -> Result<String> {
    cloudwright_core::limits::read_text(path, cloudwright_core::limits::TEMPLATE_BYTES)
}

pub(crate) fn read_yaml(path: &Path) -> Result<Json> {
    crate::input::read_yaml(path)
}

/// The environment's or service's name: the spec's file stem, without the `environment-` or
/// `service-` cloudwright writes before it.
fn spec_stem(spec: &Path) -> String {
    let stem = spec.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "spec".into());
    let name = stem.strip_prefix("environment-").or_else(|| stem.strip_prefix("service-")).unwrap_or(&stem);
    name.to_owned()
}

/// Two templates of one infrastructure directory as one: sections merged key by key.
pub(crate) fn merge(mut a: Json, b: Json) -> Json {
    if let (Json::Object(x), Json::Object(y)) = (&mut a, b) {
        for (k, v) in y {
            match x.get_mut(&k) {
                Some(existing @ Json::Object(_)) if v.is_object() => *existing = merge(existing.take(), v),
                _ => {
                    x.insert(k, v);
                }
            }
        }
    }
    a
}

/// The files of a cloud assembly with one stack per rendered template, each deployed with
/// the default CDK bootstrap's roles of its account and region.
fn assembly_files(stacks: &[RenderedStack]) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut manifest: Manifest = Manifest::default();
    let mut ids = ArtifactIds::default();
    for stack in stacks {
        let name = &stack.name;
        let id = ids.id_for(name);
        let file = format!("{id}.template.json");
        let mut bytes = Vec::new();
        let formatter = serde_json::ser::PrettyFormatter::with_indent(b" ");
        let mut ser = serde_json::Serializer::with_formatter(&mut bytes, formatter);
        let _ = serde::Serialize::serialize(&stack.template, &mut ser);
        files.insert(file.clone(), bytes);
        let artifact = Artifact::new_stack(StackArtifactProps {
            artifact_id: id.clone(),
            stack_name: name.clone(),
            display_name: name.clone(),
            environment: Environment::new(stack.account.as_str(), stack.region.as_str()),
            template_file: file,
            ..Default::default()
        });
        manifest.artifacts.insert(id, artifact);
    }
    files.insert("manifest.json".into(), manifest.to_vec());
    files.insert("cdk.out".into(), cdk_out());
    files
}
