//! Rendering any AWS Proton CloudFormation bundle (ours or hand-written) with a spec into a
//! cloud assembly, one stack per environment or service instance, as Proton would have
//! rendered and deployed it: the Jinja templates with minijinja (strict undefined), then
//! CloudFormation YAML to JSON ([`cfn_yaml_to_json`]).
//!
//! ```no_run
//! use cloudwright_constructs::proton::render::{RenderProps, render};
//! let assembly = render(&RenderProps {
//!     bundle: "proton/vpc-env/v1".into(),
//!     spec: "proton/specs/environment-beta.yaml".into(),
//!     ..Default::default()
//! })?;
//! assembly.write(std::path::Path::new("rendered.out"))?;
//! # Ok::<(), cloudwright_constructs::Error>(())
//! ```

mod cfn_yaml;
pub mod filters;
pub mod jinja2;
mod jinja2_filters;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use cloudwright_core::{Assembly, Environment, Error, Result};
use serde_json::{Map, Value as Json, json};

pub use cfn_yaml::cfn_yaml_to_json;

use super::InputSchema;

/// The account of the rendered stacks when none is given.
pub const DEFAULT_ACCOUNT: &str = "000000000000";
/// The region of the rendered stacks when none is given.
pub const DEFAULT_REGION: &str = "us-east-1";

/// What to render.
#[derive(Debug, Clone)]
pub struct RenderProps {
    /// The bundle directory (holding `schema/schema.yaml` and `infrastructure/` or `instance_infrastructure/`).
    pub bundle: PathBuf,
    /// The spec file (`proton: EnvironmentSpec` or `ServiceSpec`); its file stem names the
    /// environment or service (a leading `environment-`/`service-` removed).
    pub spec: PathBuf,
    /// A YAML file mapping each environment name to its outputs (name -> value), for
    /// service templates; `environment.outputs.*` of an environment not in it are undefined.
    pub outputs: Option<PathBuf>,
    /// The account id of the environments.
    pub account: String,
    /// The region of the stacks.
    pub region: String,
}

impl Default for RenderProps {
    fn default() -> Self {
        RenderProps {
            bundle: PathBuf::new(),
            spec: PathBuf::new(),
            outputs: None,
            account: DEFAULT_ACCOUNT.to_owned(),
            region: DEFAULT_REGION.to_owned(),
        }
    }
}

/// Renders the bundle with the spec into a cloud assembly. Problems with the inputs are
/// `Error::Input` naming the file (with its line when known), all of the spec's at once;
/// unreadable files are `Error::Read`.
pub fn render(props: &RenderProps) -> Result<Assembly> {
    let spec_name = props.spec.display().to_string();
    Error::collect(Environment::new(props.account.as_str(), props.region.as_str()).validate(&spec_name))?;
    let bundle = Bundle::open(&props.bundle)?;
    let spec: Json = read_yaml(&props.spec)?;
    let name = spec_stem(&props.spec);
    let mut stacks = Vec::new();
    let mut problems = Vec::new();
    let spec_problem = |message: String| Error::Input { path: spec_name.clone(), message };
    match (bundle.kind, spec.get("proton").and_then(Json::as_str)) {
        (Kind::Environment, Some("EnvironmentSpec")) => {
            let schema = bundle.input_type("environment_input_type")?;
            let inputs = spec.get("spec").cloned().unwrap_or_else(|| json!({}));
            problems.extend(schema.validate(&inputs).into_iter().map(spec_problem));
            if problems.is_empty() {
                let environment =
                    json!({"name": name, "account_id": props.account, "inputs": with_defaults(&schema, inputs)});
                let template = bundle.render(&json!({ "environment": environment }), "")?;
                stacks.push((name, template));
            }
        }
        (Kind::Service, Some("ServiceSpec")) => {
            let schema = bundle.input_type("service_input_type")?;
            let outputs = match &props.outputs {
                Some(path) => read_yaml(path)?,
                None => json!({}),
            };
            let instances = spec.get("instances").and_then(Json::as_array).cloned().unwrap_or_default();
            if instances.is_empty() {
                problems.push(spec_problem("the ServiceSpec has no instances".into()));
            }
            let service = json!({"name": name, "branch_name": "main", "repository_id": "",
                "repository_connection_arn": ""});
            for instance in &instances {
                let field = |k: &str| instance.get(k).and_then(Json::as_str).unwrap_or_default().to_owned();
                let (instance_name, env_name) = (field("name"), field("environment"));
                let inputs = instance.get("spec").cloned().unwrap_or_else(|| json!({}));
                let found = schema.validate(&inputs);
                if !found.is_empty() {
                    problems
                        .extend(found.into_iter().map(|p| spec_problem(format!("instance {instance_name:?}: {p}"))));
                    continue;
                }
                let env_outputs = outputs.get(&env_name).cloned().unwrap_or_else(|| json!({}));
                let environment = json!({"name": env_name, "account_id": props.account, "outputs": env_outputs});
                let ctx = json!({
                    "environment": environment,
                    "service": service,
                    "service_instance": {"name": instance_name, "inputs": with_defaults(&schema, inputs),
                        "environment": environment, "components": {"default": {"outputs": {}}}},
                });
                match bundle.render(&ctx, &format!("instance {instance_name:?}: ")) {
                    Ok(t) => stacks.push((format!("{name}-{instance_name}"), t)),
                    Err(e) => problems.push(e),
                }
            }
        }
        (kind, proton) => {
            return Err(spec_problem(format!(
                "`proton: {}` does not fit the bundle, which is {} template",
                proton.unwrap_or("(missing)"),
                match kind {
                    Kind::Environment => "an environment",
                    Kind::Service => "a service",
                }
            )));
        }
    }
    Error::collect(problems)?;
    Assembly::from_files(assembly_files(&stacks, &props.account, &props.region))
}

/// Which template a bundle holds.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Environment,
    Service,
}

/// A bundle directory and its parsed schema file.
struct Bundle {
    kind: Kind,
    infrastructure: PathBuf,
    schema_path: PathBuf,
    schema: Json,
}

impl Bundle {
    fn open(dir: &Path) -> Result<Bundle> {
        let not_a_bundle = |why: &str| Error::Input {
            path: dir.display().to_string(),
            message: format!(
                "is not a Proton bundle: it has {why} (a bundle holds schema/ and infrastructure/ or instance_infrastructure/)"
            ),
        };
        let schema_path = dir.join("schema/schema.yaml");
        if !schema_path.is_file() {
            return Err(not_a_bundle("no schema/schema.yaml"));
        }
        let (kind, infrastructure) = if dir.join("infrastructure").is_dir() {
            (Kind::Environment, dir.join("infrastructure"))
        } else if dir.join("instance_infrastructure").is_dir() {
            (Kind::Service, dir.join("instance_infrastructure"))
        } else {
            return Err(not_a_bundle("neither infrastructure/ nor instance_infrastructure/"));
        };
        let doc: Json = read_yaml(&schema_path)?;
        let schema = doc.get("schema").cloned().ok_or_else(|| Error::Input {
            path: schema_path.display().to_string(),
            message: "has no top-level `schema:`; a Proton schema file starts with `schema:`".into(),
        })?;
        Ok(Bundle { kind, infrastructure, schema_path, schema })
    }

    /// The input type the schema names under `key`.
    fn input_type(&self, key: &str) -> Result<InputSchema> {
        let problem = |message: String| Error::Input { path: self.schema_path.display().to_string(), message };
        let name = self.schema.get(key).and_then(Json::as_str).ok_or_else(|| problem(format!("has no {key}")))?;
        let schema = self
            .schema
            .get("types")
            .and_then(|t| t.get(name))
            .ok_or_else(|| problem(format!("{key} {name:?} is not in types")))?;
        Ok(InputSchema { type_name: name.to_owned(), schema: schema.clone() })
    }

    /// Renders the templates of the infrastructure directory (merged when several) to JSON;
    /// `context` begins each message (which instance).
    fn render(&self, ctx: &Json, context: &str) -> Result<Json> {
        let manifest_path = self.infrastructure.join("manifest.yaml");
        let problem = |path: String, message: String| Error::Input { path, message: format!("{context}{message}") };
        let manifest: Json = read_yaml(&manifest_path)?;
        let templates =
            manifest.pointer("/infrastructure/templates").and_then(Json::as_array).cloned().unwrap_or_default();
        if templates.is_empty() {
            return Err(problem(manifest_path.display().to_string(), "lists no infrastructure.templates".into()));
        }
        let mut merged = Json::Null;
        for t in templates {
            let engine = t.get("rendering_engine").and_then(Json::as_str);
            let language = t.get("template_language").and_then(Json::as_str);
            if engine != Some("jinja") || language != Some("cloudformation") {
                return Err(problem(
                    manifest_path.display().to_string(),
                    format!("only Jinja CloudFormation templates render (got {engine:?}/{language:?})"),
                ));
            }
            let file = self.infrastructure.join(t.get("file").and_then(Json::as_str).unwrap_or("cloudformation.yaml"));
            let source = read_text(&file)?;
            let mut env = jinja2::environment();
            filters::add_to(&mut env);
            let rendered = env.render_str(&source, ctx).map(|r| filters::layout(&r)).map_err(|e| {
                let path = e.line().map_or_else(|| file.display().to_string(), |l| format!("{}:{l}", file.display()));
                problem(path, format!("Jinja rendering failed: {e:#}"))
            })?;
            // Lines of YAML problems are those of the rendered text.
            let json = cfn_yaml_to_json(&rendered, &file.display().to_string()).map_err(|e| match e {
                Error::Input { path, message } => problem(path, message),
                other => other,
            })?;
            merged = if merged.is_null() { json } else { merge(merged, json) };
        }
        Ok(merged)
    }
}

fn read_text(path: &Path) -> Result<String> {
    fs::read_to_string(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })
}

fn read_yaml(path: &Path) -> Result<Json> {
    serde_yaml::from_str(&read_text(path)?)
        .map_err(|e| Error::Input { path: path.display().to_string(), message: format!("is not valid YAML: {e}") })
}

/// The environment's or service's name: the spec's file stem, without the `environment-` or
/// `service-` cloudwright writes before it.
fn spec_stem(spec: &Path) -> String {
    let stem = spec.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "spec".into());
    let name = stem.strip_prefix("environment-").or_else(|| stem.strip_prefix("service-")).unwrap_or(&stem);
    name.to_owned()
}

/// Inputs with the schema's defaults for the ones left out, as Proton passes them.
fn with_defaults(schema: &InputSchema, mut inputs: Json) -> Json {
    if let (Json::Object(map), Some(props)) = (&mut inputs, schema.schema.get("properties").and_then(Json::as_object)) {
        for (k, s) in props {
            if let (false, Some(d)) = (map.contains_key(k), s.get("default")) {
                map.insert(k.clone(), d.clone());
            }
        }
    }
    inputs
}

/// Two templates of one infrastructure directory as one: sections merged key by key.
fn merge(mut a: Json, b: Json) -> Json {
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

/// The files of a cloud assembly with one stack per rendered template.
fn assembly_files(stacks: &[(String, Json)], account: &str, region: &str) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut artifacts = Map::new();
    for (name, template) in stacks {
        let id: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
        let file = format!("{id}.template.json");
        let mut bytes = Vec::new();
        let formatter = serde_json::ser::PrettyFormatter::with_indent(b" ");
        let mut ser = serde_json::Serializer::with_formatter(&mut bytes, formatter);
        let _ = serde::Serialize::serialize(template, &mut ser);
        files.insert(file.clone(), bytes);
        artifacts.insert(
            id,
            json!({
                "type": "aws:cloudformation:stack",
                "environment": format!("aws://{account}/{region}"),
                "properties": {"templateFile": file, "stackName": name, "validateOnSynth": false},
                "displayName": name,
            }),
        );
    }
    let version = cloudwright_core::synth::MANIFEST_VERSION;
    let manifest = json!({"version": version, "artifacts": artifacts});
    files.insert("manifest.json".into(), serde_json::to_vec_pretty(&manifest).unwrap_or_default());
    files.insert("cdk.out".into(), serde_json::to_vec(&json!({"version": version})).unwrap_or_default());
    files
}
