//! A Proton template's Jinja infrastructure as the body of a typed builder closure.
//!
//! A template whose Jinja only substitutes parameters (`{{ environment.inputs.vpc_cidr }}`,
//! no statements, filters or expressions) is rendered once with each parameter set to a
//! token (`cwpar000001`); the tokens in the result become references to the parameters
//! (`wire::splice`, as `proton migrate` wires environment outputs), and `cloudwright import`
//! writes the template as typed L1s where each reference is the context's accessor
//! (`ctx.input("vpc_cidr")`). The closure's bundle then renders to what the original
//! rendered: the test `proton_migrate_rust` compares every stack.
//!
//! Any other Jinja (`{% if %}`, loops, filters) decides the template's structure from
//! values a Rust closure does not see when the bundle is written, so such a template is
//! kept as it is, with the reason; `MIGRATION.md` and the project's README list it.

use std::collections::BTreeMap;

use cloudwright_constructs::proton::migrate::repo::Template;
use cloudwright_constructs::proton::migrate::wire::{DIGITS, splice};
use cloudwright_constructs::proton::render::{Kind, Part};
use cloudwright_core::Result;
use serde_json::{Map, Value as Json, json};

use crate::import::{Embedding, ImportedBody, import_into};

/// The prefix of the parameter tokens.
const PREFIX: &str = "cwpar";

/// Which infrastructure a part is: what its closure's context offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Infrastructure {
    /// `infrastructure/` (`EnvironmentContext`).
    Environment,
    /// `instance_infrastructure/` (`InstanceContext`).
    Instance,
    /// `pipeline_infrastructure/` (`PipelineContext`).
    Pipeline,
}

/// One infrastructure directory as a closure body.
#[derive(Debug, Clone)]
pub struct Translated {
    /// The statements, on `stack` and `ctx`.
    pub body: ImportedBody,
    /// The template's `Description`, Jinja source.
    pub description: Option<String>,
    /// Whether it reads a directly defined component's outputs.
    pub components: bool,
}

/// A template's parts translated, or why it is kept as Jinja.
#[derive(Debug, Clone)]
pub enum Translation {
    /// Every part as a closure body: the main one, and the pipeline's when there is one.
    Typed(Box<Translated>, Option<Box<Translated>>),
    /// Kept as its Jinja bundle, and why.
    Kept(String),
}

/// Translates a template, or says why it stays Jinja; `Err` only for a template that
/// cannot be read.
pub fn translate(template: &Template) -> Result<Translation> {
    let main_kind = match template.bundle.kind {
        Kind::Environment => Infrastructure::Environment,
        Kind::Service => Infrastructure::Instance,
    };
    let main = match part(template, Part::Main, main_kind)? {
        Ok(t) => t,
        Err(reason) => return Ok(Translation::Kept(reason)),
    };
    let pipeline = if template.has_pipeline() {
        match part(template, Part::Pipeline, Infrastructure::Pipeline)? {
            Ok(t) => Some(Box::new(t)),
            Err(reason) => return Ok(Translation::Kept(reason)),
        }
    } else {
        None
    };
    Ok(Translation::Typed(Box::new(main), pipeline))
}

/// One part: `Ok(Err(reason))` when it cannot be translated.
fn part(template: &Template, part: Part, kind: Infrastructure) -> Result<std::result::Result<Translated, String>> {
    let mut paths = Vec::new();
    for (file, text) in template.bundle.sources(part)? {
        let name = file.strip_prefix(&template.dir).unwrap_or(&file).display().to_string();
        match parameters(text.as_str()) {
            Ok(found) => paths.extend(found),
            Err((line, what)) => return Ok(Err(format!("{name}:{line}: {what}"))),
        }
    }
    paths.sort();
    paths.dedup();
    // Each parameter's token, and the accessor it becomes.
    let mut tokens: Vec<(String, String, String)> = Vec::new();
    for (n, path) in paths.iter().enumerate() {
        let Some(code) = accessor(kind, path) else {
            return Ok(Err(format!("`{{{{ {path} }}}}` is not a parameter a cloudwright template context offers")));
        };
        if let Some(input) = input_name(kind, path) {
            let key = match kind {
                Infrastructure::Environment => "environment_input_type",
                Infrastructure::Instance => "service_input_type",
                Infrastructure::Pipeline => "pipeline_input_type",
            };
            let schema = template.bundle.input_type(key)?;
            if !schema.always_set(input) {
                return Ok(Err(format!(
                    "`{path}` is an optional input without a default: the template renders only for specs that set it"
                )));
            }
        }
        tokens.push((format!("{PREFIX}{:0width$}", n + 1, width = DIGITS), path.clone(), code));
    }
    let mut ctx = Json::Object(Map::new());
    for (token, path, _) in &tokens {
        if !insert(&mut ctx, path, token) {
            return Ok(Err(format!("`{path}` is used both as a value and as an object")));
        }
    }
    let mut rendered = match template.bundle.render(part, &ctx, "") {
        Ok(t) => t,
        Err(e) => return Ok(Err(format!("it does not render with placeholder values: {e}"))),
    };
    let description = rendered.as_object_mut().and_then(|m| {
        m.shift_remove("AWSTemplateFormatVersion");
        m.shift_remove("Description")
    });
    let description = match description {
        None => None,
        Some(Json::String(d)) => Some(placeholders(&d, &tokens)),
        Some(other) => return Ok(Err(format!("its `Description` is not a string: {other}"))),
    };
    let by_token: BTreeMap<&str, &(String, String, String)> = tokens.iter().map(|t| (t.0.as_str(), t)).collect();
    let var = |token: &str| by_token.get(token).map_or_else(|| token.to_owned(), |t| sub_variable(&t.1));
    let mut reference = |token: &str, _: &str| json!({ "Ref": token });
    if let Err(places) = splice(&mut rendered, PREFIX, &mut reference, &var) {
        return Ok(Err(format!(
            "a parameter is used where a reference cannot be: {} (the value is only known when it is rendered)",
            places.join(", ")
        )));
    }
    let embedding = Embedding {
        provided: tokens.iter().map(|(token, _, code)| (token.clone(), code.clone())).collect(),
        outputs_via: (kind != Infrastructure::Pipeline).then(|| "ctx".to_owned()),
    };
    let label = format!("{}/v{}", template.name, template.major);
    let body = import_into(&rendered, &label, &embedding)?;
    let components = paths.iter().any(|p| p.starts_with("service_instance.components."));
    Ok(Ok(Translated { body, description, components }))
}

/// The parameters a Jinja source substitutes, or the first line (1-based) with anything else.
fn parameters(text: &str) -> std::result::Result<Vec<String>, (usize, String)> {
    let line_of = |at: usize| text[..at].matches('\n').count() + 1;
    if let Some(at) = text.find("{%").or_else(|| text.find("{#")) {
        let end = text[at..].find('\n').map_or(text.len(), |e| at + e);
        return Err((
            line_of(at),
            format!(
                "the Jinja statement `{}` decides the template's structure from values; a typed template's \
                 closure writes one structure",
                text[at..end].trim()
            ),
        ));
    }
    let mut found = Vec::new();
    let mut rest = 0;
    while let Some(start) = text[rest..].find("{{").map(|s| rest + s) {
        let Some(len) = text[start..].find("}}") else {
            return Err((line_of(start), "an unclosed `{{`".into()));
        };
        let inner = text[start + 2..start + len].trim().trim_start_matches('-').trim_end_matches('-').trim();
        let is_path = !inner.is_empty()
            && inner.split('.').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        if !is_path {
            return Err((
                line_of(start),
                format!("`{{{{ {inner} }}}}` computes a value (a filter or an expression), which a reference cannot"),
            ));
        }
        found.push(inner.to_owned());
        rest = start + len + 2;
    }
    Ok(found)
}

/// The Rust expression of a parameter in the closure of `kind`.
fn accessor(kind: Infrastructure, path: &str) -> Option<String> {
    let named = |prefix: &str| path.strip_prefix(prefix).map(|n| format!("{n:?}"));
    let service = match path {
        "service.name" => Some("ctx.service_name()".to_owned()),
        "service.branch_name" => Some("ctx.branch_name()".to_owned()),
        "service.repository_id" => Some("ctx.repository_id()".to_owned()),
        "service.repository_connection_arn" => Some("ctx.repository_connection_arn()".to_owned()),
        _ => None,
    };
    match kind {
        Infrastructure::Environment => match path {
            "environment.name" => Some("ctx.name()".into()),
            "environment.account_id" => Some("ctx.account_id()".into()),
            _ => named("environment.inputs.").map(|n| format!("ctx.input({n})")),
        },
        Infrastructure::Instance => service.or_else(|| match path {
            "environment.name" => Some("ctx.environment_name()".into()),
            "environment.account_id" => Some("ctx.environment_account_id()".into()),
            "service_instance.name" => Some("ctx.name()".into()),
            "service_instance.environment.account_id" => Some("ctx.instance_account_id()".into()),
            "service_instance.environment.name" => Some("ctx.instance_environment_name()".into()),
            _ => named("environment.outputs.")
                .map(|n| format!("ctx.environment_output({n})"))
                .or_else(|| named("service_instance.inputs.").map(|n| format!("ctx.input({n})")))
                .or_else(|| {
                    named("service_instance.components.default.outputs.").map(|n| format!("ctx.component_output({n})"))
                }),
        }),
        Infrastructure::Pipeline => service.or_else(|| named("pipeline.inputs.").map(|n| format!("ctx.input({n})"))),
    }
}

/// The input an input parameter names, for the schema checks.
fn input_name(kind: Infrastructure, path: &str) -> Option<&str> {
    let prefix = match kind {
        Infrastructure::Environment => "environment.inputs.",
        Infrastructure::Instance => "service_instance.inputs.",
        Infrastructure::Pipeline => "pipeline.inputs.",
    };
    path.strip_prefix(prefix)
}

/// Sets `path` (dotted) in `ctx` to `token`; false when a value and an object collide.
fn insert(ctx: &mut Json, path: &str, token: &str) -> bool {
    let mut at = ctx;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        let Json::Object(map) = at else { return false };
        if i + 1 == parts.len() {
            return map.insert((*part).to_owned(), json!(token)).is_none();
        }
        at = map.entry((*part).to_owned()).or_insert_with(|| Json::Object(Map::new()));
    }
    false
}

/// `text` with each token written back as the Jinja placeholder it stood for.
fn placeholders(text: &str, tokens: &[(String, String, String)]) -> String {
    tokens.iter().fold(text.to_owned(), |t, (token, path, _)| t.replace(token.as_str(), &format!("{{{{ {path} }}}}")))
}

/// The `Fn::Sub` variable of a parameter: `environment.outputs.TableName` is
/// `EnvironmentOutputsTableName`.
fn sub_variable(path: &str) -> String {
    path.split(['.', '_']).map(cloudwright_cfn_model::names::type_name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitutions_are_parameters_and_anything_else_says_where() {
        let ok = "A: {{ environment.inputs.x }}\nB: \"arn:{{- service.name -}}\"\n";
        assert_eq!(parameters(ok).unwrap(), vec!["environment.inputs.x", "service.name"]);
        let (line, what) = parameters("A: 1\n{% if x %}\nB: 2\n{% endif %}\n").unwrap_err();
        assert_eq!(line, 2);
        assert!(what.contains("{% if x %}"), "{what}");
        let (line, what) = parameters("A: {{ x | upper }}").unwrap_err();
        assert_eq!(line, 1);
        assert!(what.contains("x | upper"), "{what}");
    }

    #[test]
    fn each_context_offers_its_parameters() {
        assert_eq!(
            accessor(Infrastructure::Environment, "environment.inputs.vpc").as_deref(),
            Some("ctx.input(\"vpc\")")
        );
        assert_eq!(
            accessor(Infrastructure::Instance, "environment.outputs.TableName").as_deref(),
            Some("ctx.environment_output(\"TableName\")")
        );
        assert_eq!(accessor(Infrastructure::Pipeline, "service.name").as_deref(), Some("ctx.service_name()"));
        assert_eq!(accessor(Infrastructure::Pipeline, "environment.name"), None);
        assert_eq!(sub_variable("environment.outputs.TableName"), "EnvironmentOutputsTableName");
    }
}
