//! How Proton parameters ([`Expr::StackValue`](cloudwright_core::Expr::StackValue)s
//! named like `environment.inputs.vpc_cidr`) resolve in a stack: as Jinja placeholders in a
//! template bundle, or as the values Proton would have rendered.

use std::borrow::Cow;

use cloudwright_core::StackValues;
use indexmap::IndexMap;
use serde_json::Value as Json;

use super::python::py_scalar;

/// How Proton parameters resolve in a stack (set as its `StackProps::values`).
#[derive(Debug, Clone, PartialEq)]
pub enum ProtonParameters {
    /// They become Jinja placeholders (`{{ environment.inputs.x }}`), and literal strings
    /// that Jinja would read (`{{`, `{%`, `{#`) are escaped: the stack is the
    /// infrastructure of a Proton template.
    Jinja,
    /// They take these values, by parameter name: the stack is what Proton would have
    /// rendered for one environment or service instance.
    Values(IndexMap<String, Json>),
}

impl StackValues for ProtonParameters {
    fn value(&self, name: &str) -> Result<Json, String> {
        match self {
            ProtonParameters::Jinja => Ok(Json::String(format!("{{{{ {name} }}}}"))),
            ProtonParameters::Values(values) => lookup(values, name).ok_or_else(|| {
                format!(
                    "uses the Proton parameter `{name}`, which has no value for this stack; \
                     give it one in the spec (or the environment's outputs)"
                )
            }),
        }
    }

    fn literal<'s>(&self, text: &'s str) -> Cow<'s, str> {
        match self {
            ProtonParameters::Jinja if has_jinja_delimiter(text) => Cow::Owned(escape_jinja(text)),
            _ => Cow::Borrowed(text),
        }
    }
}

/// The suffix of a parameter written as text (`{{ name | string }}`): a number input in a
/// string, as a template author quotes it.
pub(crate) const AS_TEXT: &str = " | string";

/// The value of parameter `name`, as text when it ends with [`AS_TEXT`].
pub(crate) fn lookup(values: &IndexMap<String, Json>, name: &str) -> Option<Json> {
    match name.strip_suffix(AS_TEXT) {
        Some(base) => values.get(base).and_then(py_scalar).map(Json::String),
        None => values.get(name).cloned(),
    }
}

/// `text` (a template's description, Jinja source) with each `{{ name }}` whose value is a
/// string, number or boolean replaced by it: the description Proton would have rendered.
pub(crate) fn fill_placeholders(text: &str, values: &IndexMap<String, Json>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else { break };
        let name = rest[start + 2..start + len].trim();
        let value = lookup(values, name).as_ref().and_then(py_scalar);
        out.push_str(&rest[..start]);
        match value {
            Some(v) => out.push_str(&v),
            None => out.push_str(&rest[start..start + len + 2]),
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

fn has_jinja_delimiter(s: &str) -> bool {
    s.contains("{{") || s.contains("{%") || s.contains("{#")
}

/// Escapes a literal string so Jinja renders it unchanged: every `{{`, `{%` and `{#`
/// becomes a Jinja expression printing it.
fn escape_jinja(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    let mut rest = s;
    while let Some(i) = rest.find(['{']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        match tail.get(..2) {
            Some(open @ ("{{" | "{%" | "{#")) => {
                out.push_str(&format!("{{{{ '{open}' }}}}"));
                rest = &tail[2..];
            }
            _ => {
                out.push('{');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn descriptions_and_text_parameters_take_the_values() {
        let values: IndexMap<String, Json> =
            [("service.name".to_owned(), json!("queues")), ("service_instance.inputs.port".to_owned(), json!(8080))]
                .into_iter()
                .collect();
        assert_eq!(
            fill_placeholders("{{ service.name }} on {{service_instance.inputs.port}}, {{ unknown }}", &values),
            "queues on 8080, {{ unknown }}"
        );
        assert_eq!(lookup(&values, "service_instance.inputs.port"), Some(json!(8080)));
        assert_eq!(lookup(&values, &format!("service_instance.inputs.port{AS_TEXT}")), Some(json!("8080")));
        let flag: IndexMap<String, Json> = [("pipeline.inputs.on".to_owned(), json!(true))].into_iter().collect();
        assert_eq!(lookup(&flag, &format!("pipeline.inputs.on{AS_TEXT}")), Some(json!("True")), "as Jinja prints it");
        assert_eq!(
            ProtonParameters::Jinja.value(&format!("service_instance.inputs.port{AS_TEXT}")),
            Ok(json!("{{ service_instance.inputs.port | string }}"))
        );
    }
}
