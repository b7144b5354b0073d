//! `cloudwright proton render`: renders any AWS Proton CloudFormation bundle (ours or
//! hand-written) with a spec into a cloud assembly, one stack per environment or service
//! instance, as Proton would have rendered and deployed it.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow, bail};
use cloudwright_constructs::proton::InputSchema;
use minijinja::{Environment as Jinja, UndefinedBehavior};
use serde_json::{Map, Value as Json, json};
use serde_yaml::Value as Yaml;

use crate::Failure;

/// The arguments of `proton render`.
#[derive(Debug, clap::Args)]
#[command(after_help = "The account and region default to 000000000000 and us-east-1.\n\n".to_owned() + crate::EXIT_CODES)]
pub struct RenderArgs {
    /// The bundle directory (holding schema/schema.yaml and infrastructure/ or instance_infrastructure/)
    pub bundle: PathBuf,
    /// The spec file (proton: EnvironmentSpec or ServiceSpec)
    #[arg(long)]
    pub spec: PathBuf,
    /// YAML map of environment name to its outputs (name -> value), for service templates
    #[arg(long)]
    pub outputs: Option<PathBuf>,
    /// Account id of the environments (default 000000000000)
    #[arg(long, default_value = "000000000000")]
    pub account: String,
    /// Region of the stacks (default us-east-1)
    #[arg(long, default_value = "us-east-1")]
    pub region: String,
    /// Output directory: a cloud assembly, replaced atomically
    #[arg(short, long)]
    pub output: PathBuf,
}

/// Runs `proton render`.
pub fn render(args: &RenderArgs) -> Result<u8, Failure> {
    let files = render_files(args).map_err(Failure::input)?;
    let n = files.keys().filter(|k| k.ends_with(".template.json")).count();
    cloudwright_core::synth::write_files(&args.output, &files).map_err(Failure::input)?;
    println!("rendered {n} stack{} to {}", if n == 1 { "" } else { "s" }, args.output.display());
    Ok(0)
}

fn read(path: &Path) -> anyhow::Result<String> {
    fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// The rendered assembly's files, or why the input is wrong.
pub fn render_files(args: &RenderArgs) -> anyhow::Result<BTreeMap<String, Vec<u8>>> {
    if !cloudwright_core::env::is_account_id(&args.account) {
        bail!("--account {:?} is not a 12-digit account id", args.account);
    }
    if !cloudwright_core::env::is_region(&args.region) {
        bail!("--region {:?} is not an AWS region", args.region);
    }
    let bundle = &args.bundle;
    let schema_path = bundle.join("schema/schema.yaml");
    if !schema_path.is_file() {
        bail!(
            "{} is not a Proton bundle: it has no schema/schema.yaml (a bundle holds schema/ and infrastructure/ or \
             instance_infrastructure/)",
            bundle.display()
        );
    }
    let schema_doc: Json = serde_yaml::from_str(&read(&schema_path)?)
        .with_context(|| format!("{} is not valid YAML", schema_path.display()))?;
    let schema =
        schema_doc.get("schema").ok_or_else(|| anyhow!("{}: no top-level `schema:`", schema_path.display()))?;
    let types = schema.get("types").and_then(Json::as_object).cloned().unwrap_or_default();
    let input_type = |key: &str| -> anyhow::Result<Option<InputSchema>> {
        let Some(name) = schema.get(key).and_then(Json::as_str) else { return Ok(None) };
        let s = types.get(name).ok_or_else(|| anyhow!("{}: {key} {name:?} is not in types", schema_path.display()))?;
        Ok(Some(InputSchema { type_name: name.to_owned(), schema: s.clone() }))
    };
    let spec_text = read(&args.spec)?;
    let spec: Json =
        serde_yaml::from_str(&spec_text).with_context(|| format!("{} is not valid YAML", args.spec.display()))?;
    let is_env = bundle.join("infrastructure").is_dir();
    let is_svc = bundle.join("instance_infrastructure").is_dir();
    let mut stacks: Vec<(String, Json)> = Vec::new();
    let mut problems = Vec::new();
    match (is_env, is_svc, spec.get("proton").and_then(Json::as_str)) {
        (true, _, Some("EnvironmentSpec")) => {
            let inputs = spec.get("spec").cloned().unwrap_or_else(|| json!({}));
            let schema = input_type("environment_input_type")?
                .ok_or_else(|| anyhow!("{}: no environment_input_type", schema_path.display()))?;
            problems.extend(schema.validate(&inputs).into_iter().map(|p| format!("{}: {p}", args.spec.display())));
            let name = spec_name(&args.spec);
            let ctx = json!({"environment": {"name": name, "account_id": args.account, "inputs": with_defaults(&schema, inputs)}});
            if problems.is_empty() {
                let template = render_dir(&bundle.join("infrastructure"), &ctx)?;
                stacks.push((name, template));
            }
        }
        (_, true, Some("ServiceSpec")) => {
            let schema = input_type("service_input_type")?
                .ok_or_else(|| anyhow!("{}: no service_input_type", schema_path.display()))?;
            let outputs: Json = match &args.outputs {
                Some(p) => {
                    serde_yaml::from_str(&read(p)?).with_context(|| format!("{} is not valid YAML", p.display()))?
                }
                None => json!({}),
            };
            let instances = spec.get("instances").and_then(Json::as_array).cloned().unwrap_or_default();
            if instances.is_empty() {
                problems.push(format!("{}: the ServiceSpec has no instances", args.spec.display()));
            }
            let service = json!({"name": spec_name(&args.spec), "branch_name": "main", "repository_id": "",
                "repository_connection_arn": ""});
            for instance in &instances {
                let name = instance.get("name").and_then(Json::as_str).unwrap_or_default().to_owned();
                let env_name = instance.get("environment").and_then(Json::as_str).unwrap_or_default().to_owned();
                let inputs = instance.get("spec").cloned().unwrap_or_else(|| json!({}));
                let before = problems.len();
                problems.extend(
                    schema
                        .validate(&inputs)
                        .into_iter()
                        .map(|p| format!("{}, instance {name:?}: {p}", args.spec.display())),
                );
                let env_outputs = outputs.get(&env_name).cloned().unwrap_or_else(|| json!({}));
                let environment = json!({"name": env_name, "account_id": args.account, "outputs": env_outputs});
                let ctx = json!({
                    "environment": environment,
                    "service": service,
                    "service_instance": {"name": name, "inputs": with_defaults(&schema, inputs),
                        "environment": environment, "components": {"default": {"outputs": {}}}},
                });
                if problems.len() == before {
                    match render_dir(&bundle.join("instance_infrastructure"), &ctx) {
                        Ok(t) => stacks.push((format!("{}-{name}", spec_name(&args.spec)), t)),
                        Err(e) => problems.push(format!("instance {name:?}: {e:#}")),
                    }
                }
            }
        }
        (false, false, _) => bail!(
            "{} is not a Proton bundle: it has neither infrastructure/ nor instance_infrastructure/",
            bundle.display()
        ),
        (_, _, kind) => bail!(
            "{}: `proton: {}` does not fit the bundle, which is {} template",
            args.spec.display(),
            kind.unwrap_or("(missing)"),
            if is_env { "an environment" } else { "a service" }
        ),
    }
    if !problems.is_empty() {
        bail!(
            "{} problem{} found, nothing was written:\n  - {}",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" },
            problems.join("\n  - ")
        );
    }
    Ok(assembly(&stacks, &args.account, &args.region))
}

/// The environment's or service's name: the spec's file stem.
fn spec_name(spec: &Path) -> String {
    let stem = spec.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "spec".into());
    // cloudwright writes specs as `environment-<name>.yaml` and `service-<name>.yaml`.
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

/// Renders the templates of one infrastructure directory (merged when several) to JSON.
fn render_dir(dir: &Path, ctx: &Json) -> anyhow::Result<Json> {
    let manifest_path = dir.join("manifest.yaml");
    let manifest: Json = serde_yaml::from_str(&read(&manifest_path)?)
        .with_context(|| format!("{} is not valid YAML", manifest_path.display()))?;
    let templates = manifest.pointer("/infrastructure/templates").and_then(Json::as_array).cloned().unwrap_or_default();
    if templates.is_empty() {
        bail!("{}: lists no infrastructure.templates", manifest_path.display());
    }
    let mut merged = Json::Null;
    for t in templates {
        let engine = t.get("rendering_engine").and_then(Json::as_str);
        let language = t.get("template_language").and_then(Json::as_str);
        if engine != Some("jinja") || language != Some("cloudformation") {
            bail!(
                "{}: only Jinja CloudFormation templates render (got {engine:?}/{language:?})",
                manifest_path.display()
            );
        }
        let file = dir.join(t.get("file").and_then(Json::as_str).unwrap_or("cloudformation.yaml"));
        let source = read(&file)?;
        let mut env = Jinja::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_keep_trailing_newline(true);
        let rendered =
            env.render_str(&source, ctx).map_err(|e| anyhow!("{}: Jinja rendering failed: {e:#}", file.display()))?;
        let yaml: Yaml = serde_yaml::from_str(&yaml11_booleans(&rendered))
            .map_err(|e| anyhow!("{}: the rendered template is not valid YAML: {e}", file.display()))?;
        let json = cfn_json(yaml).map_err(|e| anyhow!("{}: {e}", file.display()))?;
        merged = if merged.is_null() { json } else { merge(merged, json) };
    }
    Ok(merged)
}

/// CloudFormation reads YAML 1.1, where a plain `Yes`, `No`, `On` or `Off` is a boolean;
/// the YAML 1.2 parser reads a string: write those mapping values and list items as
/// `true`/`false`.
fn yaml11_booleans(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let body = line.trim_end();
        let word_start = body.rfind([' ', '\t']).map_or(0, |i| i + 1);
        let (head, word) = body.split_at(word_start);
        let head_trim = head.trim_end();
        let value = match word {
            "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some("true"),
            "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some("false"),
            _ => None,
        };
        match value {
            Some(v) if head_trim.ends_with(':') || head_trim.trim_start() == "-" => {
                out.push_str(head);
                out.push_str(v);
                out.push_str(&line[body.len()..]);
            }
            _ => out.push_str(line),
        }
    }
    out
}

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

/// CloudFormation YAML (short-form tags included) as JSON.
pub fn cfn_json(value: Yaml) -> Result<Json, String> {
    Ok(match value {
        Yaml::Null => Json::Null,
        Yaml::Bool(b) => Json::Bool(b),
        Yaml::Number(n) => serde_json::to_value(&n).map_err(|e| e.to_string())?,
        Yaml::String(s) => Json::String(s),
        Yaml::Sequence(items) => Json::Array(items.into_iter().map(cfn_json).collect::<Result<_, _>>()?),
        Yaml::Mapping(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let key = match k {
                    Yaml::String(s) => s,
                    Yaml::Bool(b) => b.to_string(),
                    Yaml::Number(n) => n.to_string(),
                    other => return Err(format!("unsupported mapping key {other:?}")),
                };
                out.insert(key, cfn_json(v)?);
            }
            Json::Object(out)
        }
        Yaml::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let tag = tag.trim_start_matches('!');
            let inner = cfn_json(tagged.value)?;
            match tag {
                "Ref" => json!({"Ref": inner}),
                "Condition" => json!({"Condition": inner}),
                "GetAtt" => match inner {
                    Json::String(s) => match s.split_once('.') {
                        Some((resource, attribute)) => json!({"Fn::GetAtt": [resource, attribute]}),
                        None => return Err(format!("!GetAtt {s:?} needs the form Resource.Attribute")),
                    },
                    other => json!({"Fn::GetAtt": other}),
                },
                "Sub" | "If" | "Join" | "Select" | "Split" | "FindInMap" | "ImportValue" | "GetAZs" | "Base64"
                | "Cidr" | "Equals" | "And" | "Or" | "Not" | "Transform" | "ToJsonString" | "Length" | "Contains" => {
                    json!({ format!("Fn::{tag}"): inner })
                }
                other => return Err(format!("unknown CloudFormation tag !{other}")),
            }
        }
    })
}

/// A cloud assembly with one stack per rendered template.
fn assembly(stacks: &[(String, Json)], account: &str, region: &str) -> BTreeMap<String, Vec<u8>> {
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
    let manifest = json!({"version": cloudwright_core::synth::MANIFEST_VERSION, "artifacts": artifacts});
    files.insert("manifest.json".into(), serde_json::to_vec_pretty(&manifest).unwrap_or_default());
    files.insert(
        "cdk.out".into(),
        serde_json::to_vec(&json!({"version": cloudwright_core::synth::MANIFEST_VERSION})).unwrap_or_default(),
    );
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_form_tags_become_intrinsics() {
        let yaml: Yaml = serde_yaml::from_str(
            "A: !Ref X\nB: !GetAtt R.Arn\nC: !Sub '${AWS::Region}'\nD: !If [C, 1, !Ref AWS::NoValue]\nE: !Join ['', [a, !Select [0, !GetAZs '']]]\nF: !Equals [a, b]\nG: !Condition C\n",
        )
        .unwrap_or(Yaml::Null);
        let json = cfn_json(yaml).unwrap_or_default();
        assert_eq!(
            json,
            json!({"A": {"Ref": "X"}, "B": {"Fn::GetAtt": ["R", "Arn"]}, "C": {"Fn::Sub": "${AWS::Region}"},
                "D": {"Fn::If": ["C", 1, {"Ref": "AWS::NoValue"}]},
                "E": {"Fn::Join": ["", ["a", {"Fn::Select": [0, {"Fn::GetAZs": ""}]}]]},
                "F": {"Fn::Equals": ["a", "b"]}, "G": {"Condition": "C"}})
        );
    }
}
