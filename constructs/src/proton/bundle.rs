//! The files of a template bundle: `schema/schema.yaml`, each infrastructure directory's
//! `manifest.yaml` and `cloudformation.yaml`, in the layout template sync reads, and the
//! bundle's archive.

use std::collections::BTreeMap;

use std::sync::Arc;

use cloudwright_core::{App, AppProps, Error, Result, Stack, StackProps};

use super::ProtonParameters;
use serde_json::{Value as Json, json};

use super::schema::InputSchema;
use super::yaml::to_yaml;

/// The `manifest.yaml` of an infrastructure directory holding one Jinja CloudFormation file.
pub(crate) fn manifest_yaml() -> String {
    to_yaml(&json!({"infrastructure": {"templates": [{
        "file": "cloudformation.yaml",
        "rendering_engine": "jinja",
        "template_language": "cloudformation",
    }]}}))
}

/// `schema/schema.yaml`: `entries` are (`environment_input_type` | `service_input_type` |
/// `pipeline_input_type`, schema).
pub(crate) fn schema_yaml(entries: &[(&str, &InputSchema)]) -> String {
    let mut schema = serde_json::Map::new();
    schema.insert("format".into(), json!({"openapi": "3.0.0"}));
    let mut types = serde_json::Map::new();
    for (key, input) in entries {
        schema.insert((*key).to_owned(), json!(input.type_name));
        types.insert(input.type_name.clone(), input.schema.clone());
    }
    schema.insert("types".into(), Json::Object(types));
    to_yaml(&json!({ "schema": schema }))
}

/// Builds one infrastructure template in an app of its own, with Proton parameters as
/// Jinja placeholders, and returns it as JSON. Problems are reported against `path`.
pub(crate) fn render_infrastructure(
    path: &str,
    what: &str,
    description: Option<String>,
    build: impl FnOnce(&Stack) -> Result<()>,
) -> Result<Json> {
    let inner = App::with_props(AppProps { bootstrap_version_rule: false, ..Default::default() });
    let wrap = |e: Error| {
        let problems: Vec<Error> = e
            .problems()
            .into_iter()
            .map(|p| Error::Validation { path: path.to_owned(), message: format!("in the {what} template: {p}") })
            .collect();
        Error::Invalid(problems)
    };
    let props = StackProps {
        description,
        template_format_version: Some("2010-09-09".into()),
        values: Some(Arc::new(ProtonParameters::Jinja)),
        ..Default::default()
    };
    let stack = Stack::new(&inner, "Template", props).map_err(wrap)?;
    build(&stack).map_err(wrap)?;
    let assembly = inner.assembly().map_err(wrap)?;
    assembly.template("Template").ok_or_else(|| Error::Validation {
        path: path.to_owned(),
        message: format!("the {what} template was not rendered"),
    })
}

/// The files of one bundle under `proton/<name>/v<major>/`, and its archive under
/// `proton/archives/<name>-v<major>.<minor>.tar.gz`.
pub(crate) fn bundle_files(
    path: &str,
    name: &str,
    major: u32,
    minor: u32,
    files: BTreeMap<String, Vec<u8>>,
) -> Result<Vec<(String, Vec<u8>)>> {
    let archive = super::archive::tar_gz(&files)
        .map_err(|e| Error::Validation { path: path.to_owned(), message: format!("cannot archive the bundle: {e}") })?;
    let mut out: Vec<(String, Vec<u8>)> =
        files.into_iter().map(|(rel, bytes)| (format!("proton/{name}/v{major}/{rel}"), bytes)).collect();
    out.push((format!("proton/archives/{name}-v{major}.{minor}.tar.gz"), archive));
    Ok(out)
}

/// The infrastructure directory files for one rendered template.
pub(crate) fn infrastructure_files(dir: &str, template: &Json, files: &mut BTreeMap<String, Vec<u8>>) {
    files.insert(format!("{dir}/manifest.yaml"), manifest_yaml().into_bytes());
    files.insert(format!("{dir}/cloudformation.yaml"), to_yaml(template).into_bytes());
}

/// Flattens inputs into Proton parameter values: `prefix.field` (and `prefix.a.b` for
/// nested objects), with schema defaults for fields the value leaves out.
pub(crate) fn flatten_inputs(
    prefix: &str,
    value: &Json,
    schema: &InputSchema,
    out: &mut indexmap::IndexMap<String, Json>,
) {
    fn walk(prefix: &str, value: &Json, out: &mut indexmap::IndexMap<String, Json>) {
        out.insert(prefix.to_owned(), value.clone());
        if let Json::Object(map) = value {
            for (k, v) in map {
                walk(&format!("{prefix}.{k}"), v, out);
            }
        }
    }
    let mut value = value.clone();
    if let (Json::Object(map), Some(props)) = (&mut value, schema.schema.get("properties").and_then(Json::as_object)) {
        for (k, s) in props {
            if let (false, Some(d)) = (map.contains_key(k), s.get("default")) {
                map.insert(k.clone(), d.clone());
            }
        }
    }
    walk(prefix, &value, out);
}
