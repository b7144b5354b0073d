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
use std::collections::btree_map::Entry;

use crate::proton::migrate::repo::Template;
use crate::proton::migrate::wire::{DIGITS, splice};
use crate::proton::render::{Kind, Part};
use cloudwright_constructs::proton::InputSchema;
use cloudwright_constructs::proton::parameters as p;
use cloudwright_core::Result;
use cloudwright_core::assembly::Section;
use serde_json::{Map, Value as Json, json};

use crate::import::{Embedding, ImportedBody, SPREAD_KEY, import_into};

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
        match parameters(text.as_str(), kind == Infrastructure::Pipeline) {
            Ok(found) => paths.extend(found),
            Err((line, what)) => return Ok(Err(format!("{name}:{line}: {what}"))),
        }
    }
    paths.sort();
    paths.dedup();
    // Each parameter's token, and the accessor it becomes. A number or boolean input is
    // rendered as a number (`numbers`): unquoted in the source it stays one and is the
    // input itself (`ctx.input`), quoted it is a string and the input as text
    // (`ctx.input_text`), so the bundle quotes what the original quoted.
    let mut tokens: Vec<(String, String, String)> = Vec::new();
    let mut numbers: Vec<Number> = Vec::new();
    let mut values: Vec<(String, Json)> = Vec::new();
    // Each input type read from the schema once.
    let mut schemas: BTreeMap<&str, InputSchema> = BTreeMap::new();
    let mut next = 0;
    let mut token = || {
        next += 1;
        format!("{PREFIX}{next:0width$}", width = DIGITS)
    };
    for path in &paths {
        let Some(code) = accessor(kind, path) else {
            return Ok(Err(format!("`{{{{ {path} }}}}` is not a parameter a cloudwright template context offers")));
        };
        let mut scalar = false;
        if let Some((key, input)) = input_name(kind, path) {
            let schema = match schemas.entry(key) {
                Entry::Occupied(known) => known.into_mut(),
                Entry::Vacant(slot) => slot.insert(template.bundle.input_type(key)?),
            };
            if !schema.always_set(input) {
                return Ok(Err(format!(
                    "`{path}` is an optional input without a default: the template renders only for specs that set it"
                )));
            }
            let ty = schema.field(input).ok().and_then(|f| f.get("type")).and_then(Json::as_str);
            scalar = matches!(ty, Some("number" | "integer" | "boolean"));
        }
        let raw = token();
        if scalar {
            let (text, value) = (token(), NUMBER_BASE + numbers.len() as u64);
            numbers.push(Number { value, raw: raw.clone(), text: text.clone() });
            values.push((path.clone(), json!(value)));
            tokens.push((text, path.clone(), code.replacen(".input(", ".input_text(", 1)));
        } else {
            values.push((path.clone(), json!(raw)));
        }
        tokens.push((raw, path.clone(), code));
    }
    // In a pipeline, `service_instance.*` is the loop variable: rendered for two instances
    // (tokens A and B), each loop must make one list item per instance, the B item the A
    // item with B's tokens, and those pairs become one item `ctx.for_each_instance` repeats.
    let is_item = |path: &str| kind == Infrastructure::Pipeline && p::member_name(p::SERVICE_INSTANCE, path).is_some();
    // (A token, B token) of the loop variable; B's numbers beside them.
    let mut second: Vec<(String, String)> = Vec::new();
    let mut second_numbers: Vec<Number> = Vec::new();
    let mut ctx = Json::Object(Map::new());
    let (mut first_item, mut second_item) = (Json::Object(Map::new()), Json::Object(Map::new()));
    for (path, value) in &values {
        let placed = match p::member_name(p::SERVICE_INSTANCE, path).filter(|_| is_item(path)) {
            Some(field) => {
                let b = match value.as_u64().and_then(|v| numbers.iter().find(|n| n.value == v)) {
                    Some(n) => {
                        let b = Number {
                            value: NUMBER_BASE + 500_000 + second_numbers.len() as u64,
                            raw: token(),
                            text: token(),
                        };
                        second.push((n.raw.clone(), b.raw.clone()));
                        second.push((n.text.clone(), b.text.clone()));
                        let v = json!(b.value);
                        second_numbers.push(b);
                        v
                    }
                    None => {
                        let b = token();
                        second.push((value.as_str().unwrap_or_default().to_owned(), b.clone()));
                        json!(b)
                    }
                };
                insert(&mut first_item, field, value.clone()) && insert(&mut second_item, field, b)
            }
            None => insert(&mut ctx, path, value.clone()),
        };
        if !placed {
            return Ok(Err(format!("`{path}` is used both as a value and as an object")));
        }
    }
    let all_numbers: Vec<Number> = numbers.iter().chain(&second_numbers).cloned().collect();
    let render = |items: Vec<Json>| {
        let mut ctx = ctx.clone();
        if !second.is_empty() {
            ctx[p::SERVICE_INSTANCES] = Json::Array(items);
        }
        template.bundle.render(part, &ctx, "").map(|t| as_tokens(t, &all_numbers))
    };
    let mut rendered = match render(vec![first_item.clone(), second_item]) {
        Ok(t) => t,
        Err(e) => return Ok(Err(format!("it does not render with placeholder values: {e}"))),
    };
    let text = rendered.to_string();
    if let Some(n) = all_numbers.iter().find(|n| text.contains(&n.value.to_string())) {
        let path = values.iter().find(|(_, v)| v.as_u64() == Some(n.value)).map_or("", |(p, _)| p.as_str());
        return Ok(Err(format!("`{path}` is used where a reference cannot be (a key, or changed by a filter)")));
    }
    if !second.is_empty() {
        let single = match render(vec![first_item]) {
            Ok(t) => t,
            Err(e) => return Ok(Err(format!("it does not render with placeholder values: {e}"))),
        };
        rendered = collapse(rendered, &second, true);
        let looped = rendered.to_string();
        if rendered != collapse(single, &second, false)
            || second.iter().any(|(a, b)| looped.contains(b.as_str()) || outside_spreads(&rendered, a))
        {
            return Ok(Err(
                "a `service_instances` loop makes something other than one list item per instance".to_owned()
            ));
        }
    }
    let description = rendered.as_object_mut().and_then(|m| {
        m.shift_remove(Section::FormatVersion.key());
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
        spread: (!second.is_empty()).then(|| "ctx.for_each_instance(|i| {})".to_owned()),
    };
    let label = format!("{}/v{}", template.name, template.major);
    let body = import_into(&rendered, &label, &embedding)?;
    let components = paths
        .iter()
        .any(|path| p::member_name(p::SERVICE_INSTANCE, path).is_some_and(|m| m.starts_with("components.")));
    Ok(Ok(Translated { body, description, components }))
}

/// The parameters a Jinja source substitutes, or the first line (1-based) with anything
/// else; with `loops`, `{% for service_instance in service_instances %}` ... `{% endfor %}`
/// may surround list items (checked once rendered).
fn parameters(text: &str, loops: bool) -> std::result::Result<Vec<String>, (usize, String)> {
    let line_of = |at: usize| text[..at].matches('\n').count() + 1;
    if let Some(at) = text.find("{#") {
        return Err((line_of(at), "a Jinja comment, which a typed template cannot keep".into()));
    }
    let mut rest = 0;
    while let Some(at) = text[rest..].find("{%").map(|s| rest + s) {
        let end = text[at..].find("%}").map_or(text.len(), |e| at + e + 2);
        let statement = &text[at..end];
        let words: Vec<&str> =
            statement.trim_start_matches("{%").trim_end_matches("%}").trim_matches('-').split_whitespace().collect();
        let a_loop = matches!(words.as_slice(), ["for", item, "in", list] if *item == p::SERVICE_INSTANCE && *list == p::SERVICE_INSTANCES)
            || words.as_slice() == ["endfor"];
        if !(loops && a_loop) {
            return Err((
                line_of(at),
                format!(
                    "the Jinja statement `{statement}` decides the template's structure from values; a typed \
                     template's closure writes one structure"
                ),
            ));
        }
        rest = end;
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
    // The name after a namespace (`environment.inputs.` + name), quoted as a Rust string.
    let named = |namespace: &str| p::member_name(namespace, path).map(|n| format!("{n:?}"));
    let service = match path {
        p::SERVICE_NAME => Some("ctx.service_name()".to_owned()),
        p::SERVICE_BRANCH_NAME => Some("ctx.branch_name()".to_owned()),
        p::SERVICE_REPOSITORY_ID => Some("ctx.repository_id()".to_owned()),
        p::SERVICE_REPOSITORY_CONNECTION_ARN => Some("ctx.repository_connection_arn()".to_owned()),
        _ => None,
    };
    match kind {
        Infrastructure::Environment => match path {
            p::ENVIRONMENT_NAME => Some("ctx.name()".into()),
            p::ENVIRONMENT_ACCOUNT_ID => Some("ctx.account_id()".into()),
            _ => named(p::ENVIRONMENT_INPUTS).map(|n| format!("ctx.input({n})")),
        },
        Infrastructure::Instance => service.or_else(|| match path {
            p::ENVIRONMENT_NAME => Some("ctx.environment_name()".into()),
            p::ENVIRONMENT_ACCOUNT_ID => Some("ctx.environment_account_id()".into()),
            p::SERVICE_INSTANCE_NAME => Some("ctx.name()".into()),
            p::SERVICE_INSTANCE_ENVIRONMENT_ACCOUNT_ID => Some("ctx.instance_account_id()".into()),
            p::SERVICE_INSTANCE_ENVIRONMENT_NAME => Some("ctx.instance_environment_name()".into()),
            _ => named(p::ENVIRONMENT_OUTPUTS)
                .map(|n| format!("ctx.environment_output({n})"))
                .or_else(|| named(p::SERVICE_INSTANCE_INPUTS).map(|n| format!("ctx.input({n})")))
                .or_else(|| named(p::COMPONENT_OUTPUTS).map(|n| format!("ctx.component_output({n})"))),
        }),
        Infrastructure::Pipeline => service.or_else(|| match path {
            p::SERVICE_INSTANCE_NAME => Some("i.name()".into()),
            p::SERVICE_INSTANCE_ENVIRONMENT_ACCOUNT_ID => Some("i.account_id()".into()),
            p::SERVICE_INSTANCE_ENVIRONMENT_NAME => Some("i.environment_name()".into()),
            _ => named(p::PIPELINE_INPUTS)
                .map(|n| format!("ctx.input({n})"))
                .or_else(|| named(p::SERVICE_INSTANCE_INPUTS).map(|n| format!("i.input({n})")))
                .or_else(|| named(p::SERVICE_INSTANCE_OUTPUTS).map(|n| format!("i.output({n})"))),
        }),
    }
}

/// The schema key and input an input parameter names, for the schema checks.
fn input_name(kind: Infrastructure, path: &str) -> Option<(&'static str, &str)> {
    let (key, namespace) = match kind {
        Infrastructure::Environment => ("environment_input_type", p::ENVIRONMENT_INPUTS),
        Infrastructure::Instance => ("service_input_type", p::SERVICE_INSTANCE_INPUTS),
        Infrastructure::Pipeline if p::member_name(p::SERVICE_INSTANCE, path).is_some() => {
            ("service_input_type", p::SERVICE_INSTANCE_INPUTS)
        }
        Infrastructure::Pipeline => ("pipeline_input_type", p::PIPELINE_INPUTS),
    };
    p::member_name(namespace, path).map(|input| (key, input))
}

/// Sets `path` (dotted) in `ctx` to `token`; false when a value and an object collide.
fn insert(ctx: &mut Json, path: &str, value: Json) -> bool {
    let mut at = ctx;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        let Json::Object(map) = at else { return false };
        if i + 1 == parts.len() {
            return map.insert((*part).to_owned(), value).is_none();
        }
        at = map.entry((*part).to_owned()).or_insert_with(|| Json::Object(Map::new()));
    }
    false
}

/// Number and boolean inputs are rendered as numbers from here on, so no real value is one.
const NUMBER_BASE: u64 = 900_000_000_000_000;

/// A number or boolean input's rendered value and the tokens it becomes: `raw` where it
/// stays a number, `text` where a string is exactly it.
#[derive(Debug, Clone)]
struct Number {
    value: u64,
    raw: String,
    text: String,
}

/// `value` with each rendered number input made its token: a number the raw token, a
/// string that is the number the text token, a number inside a string the raw token.
fn as_tokens(value: Json, numbers: &[Number]) -> Json {
    match value {
        Json::Number(n) => match n.as_u64().and_then(|v| numbers.iter().find(|x| x.value == v)) {
            Some(x) => json!(x.raw),
            None => Json::Number(n),
        },
        Json::String(s) => match numbers.iter().find(|x| s == x.value.to_string()) {
            Some(x) => json!(x.text),
            None => json!(numbers.iter().fold(s, |s, x| s.replace(&x.value.to_string(), &x.raw))),
        },
        Json::Array(items) => Json::Array(items.into_iter().map(|i| as_tokens(i, numbers)).collect()),
        Json::Object(map) => Json::Object(map.into_iter().map(|(k, v)| (k, as_tokens(v, numbers))).collect()),
        other => other,
    }
}

/// `value` with each list item holding an A token (the first instance's, `pairs` A -> B)
/// made a spread; with `two`, only when the next item is the same with the B tokens (the
/// second instance's), which is then dropped.
fn collapse(value: Json, pairs: &[(String, String)], two: bool) -> Json {
    match value {
        Json::Array(items) => {
            let items: Vec<Json> = items.into_iter().map(|i| collapse(i, pairs, two)).collect();
            let mut out = Vec::new();
            let mut at = 0;
            while let Some(item) = items.get(at) {
                // A list inside the item may hold a spread already: what is left decides.
                if !pairs.iter().any(|(a, _)| outside_spreads(item, a)) {
                    out.push(item.clone());
                    at += 1;
                    continue;
                }
                let expected = pairs.iter().fold(item.to_string(), |t, (a, b)| t.replace(a.as_str(), b));
                let expected: Json = serde_json::from_str(&expected).unwrap_or_default();
                let repeated = items.get(at + 1) == Some(&expected);
                if two && !repeated {
                    out.push(item.clone());
                    at += 1;
                    continue;
                }
                out.push(json!({ SPREAD_KEY: item }));
                at += if two { 2 } else { 1 };
            }
            Json::Array(out)
        }
        Json::Object(map) => Json::Object(map.into_iter().map(|(k, v)| (k, collapse(v, pairs, two))).collect()),
        other => other,
    }
}

/// Whether `token` occurs in `value` outside a spread item.
fn outside_spreads(value: &Json, token: &str) -> bool {
    match value {
        Json::String(s) => s.contains(token),
        Json::Array(items) => items.iter().any(|i| i.get(SPREAD_KEY).is_none() && outside_spreads(i, token)),
        Json::Object(map) => map.iter().any(|(k, v)| k.contains(token) || outside_spreads(v, token)),
        _ => false,
    }
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
        assert_eq!(parameters(ok, false).unwrap(), vec!["environment.inputs.x", "service.name"]);
        let (line, what) = parameters("A: 1\n{% if x %}\nB: 2\n{% endif %}\n", true).unwrap_err();
        assert_eq!(line, 2);
        assert!(what.contains("{% if x %}"), "{what}");
        let (line, what) = parameters("A: {{ x | upper }}", false).unwrap_err();
        let looped =
            "L:\n{%- for service_instance in service_instances %}\n  - {{ service_instance.name }}\n{%- endfor %}\n";
        assert_eq!(parameters(looped, true).unwrap(), vec!["service_instance.name"]);
        assert_eq!(parameters(looped, false).unwrap_err().0, 2, "loops only in pipelines");
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
