//! The files of a template bundle: `schema/schema.yaml`, each infrastructure directory's
//! `manifest.yaml` and `cloudformation.yaml`, in the layout template sync reads, and the
//! bundle's archive.

use std::collections::BTreeMap;

use std::sync::Arc;

use cloudwright_core::{App, AppProps, Node, Result, Stack, StackProps};

use super::ProtonParameters;
use serde_json::{Value as Json, json};

use super::schema::InputSchema;
use super::yaml::{template_yaml, to_yaml};

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
/// Jinja placeholders, and returns it as JSON; `None` when it has problems, which are
/// recorded on `node` (the template construct), each naming its place in the template.
pub(crate) fn render_infrastructure(
    node: &Node,
    what: &str,
    description: Option<String>,
    build: impl FnOnce(&Stack) -> Result<()>,
) -> Option<Json> {
    let inner = App::with_props(AppProps { bootstrap_version_rule: false, ..Default::default() });
    let description_source = description.clone();
    let props = StackProps {
        description,
        template_format_version: Some("2010-09-09".into()),
        values: Some(Arc::new(ProtonParameters::Jinja)),
        ..Default::default()
    };
    let rendered =
        Stack::new(&inner, "Template", props).and_then(|stack| build(&stack)).and_then(|()| inner.assembly());
    match rendered {
        Ok(assembly) => assembly.template("Template").map(|mut template| {
            cloudwright_core::fold_literals(&mut template);
            // The description is Jinja source: it may name Proton parameters.
            if let (Some(d), Some(map)) = (description_source, template.as_object_mut()) {
                map.insert("Description".into(), Json::String(d));
            }
            template
        }),
        Err(e) => {
            for problem in e.problems() {
                node.add_error(format!("in the {what} template: {problem}"));
            }
            None
        }
    }
}

/// The files of one bundle under `proton/<name>/v<major>/`, and its archive under
/// `proton/archives/<name>-v<major>.<minor>.tar.gz`.
/// `None` when the archive cannot be made, recorded on `node`.
pub(crate) fn bundle_files(
    node: &Node,
    name: &str,
    major: u32,
    minor: u32,
    files: BTreeMap<String, Vec<u8>>,
) -> Option<Vec<(String, Vec<u8>)>> {
    let archive = match super::archive::tar_gz(&files) {
        Ok(archive) => archive,
        Err(e) => {
            node.add_error(format!("cannot archive the bundle: {e}"));
            return None;
        }
    };
    let mut out: Vec<(String, Vec<u8>)> =
        files.into_iter().map(|(rel, bytes)| (format!("proton/{name}/v{major}/{rel}"), bytes)).collect();
    out.push((format!("proton/archives/{name}-v{major}.{minor}.tar.gz"), archive));
    Some(out)
}

/// The infrastructure directory files for one rendered template; `inputs` are the input
/// schemas it reads (namespace, schema), whose number and boolean inputs are written
/// unquoted.
pub(crate) fn infrastructure_files(
    dir: &str,
    template: &Json,
    inputs: &[(&str, &InputSchema)],
    files: &mut BTreeMap<String, Vec<u8>>,
) {
    let raw = inputs.iter().flat_map(|(namespace, schema)| schema.raw_placeholders(namespace)).collect();
    files.insert(format!("{dir}/manifest.yaml"), manifest_yaml().into_bytes());
    files.insert(format!("{dir}/cloudformation.yaml"), template_yaml(template, &raw).into_bytes());
}
