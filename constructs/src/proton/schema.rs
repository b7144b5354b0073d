//! Input schemas: schemars output turned into the OpenAPI 3.0.0 form Proton reads, field
//! look-ups for the checks at synth, and validation of spec values against a schema.

use schemars::JsonSchema;
use schemars::r#gen::SchemaSettings;
use serde_json::{Map, Value as Json, json};

/// The schema of one input struct: its type name and its OpenAPI schema object.
#[derive(Debug, Clone, PartialEq)]
pub struct InputSchema {
    /// The name under `types:` (the Rust type's schema name).
    pub type_name: String,
    /// The OpenAPI 3.0 schema object (subschemas inlined).
    pub schema: Json,
}

impl InputSchema {
    /// The schema of `T`, derived with schemars.
    pub fn of<T: JsonSchema>() -> InputSchema {
        let settings = SchemaSettings::openapi3().with(|s| {
            s.inline_subschemas = true;
            s.meta_schema = None;
        });
        let root = settings.into_generator().into_root_schema_for::<T>();
        let mut schema = serde_json::to_value(&root.schema).unwrap_or(Json::Null);
        clean(&mut schema);
        let type_name = T::schema_name();
        if let Some(map) = schema.as_object_mut() {
            if map.get("title").and_then(Json::as_str) == Some(type_name.as_str()) {
                map.shift_remove("title");
            }
            map.entry("type").or_insert_with(|| json!("object"));
        }
        InputSchema { type_name, schema }
    }

    /// The schema of one field (`a` or `a.b` for nested objects), or what is wrong.
    pub fn field(&self, path: &str) -> Result<&Json, String> {
        let mut current = &self.schema;
        let mut seen = String::new();
        for part in path.split('.') {
            let props = current.get("properties").and_then(Json::as_object);
            match props.and_then(|p| p.get(part)) {
                Some(s) => current = s,
                None => {
                    let known: Vec<&str> = props.map(|p| p.keys().map(String::as_str).collect()).unwrap_or_default();
                    let within =
                        if seen.is_empty() { self.type_name.clone() } else { format!("{}.{seen}", self.type_name) };
                    return Err(format!(
                        "`{part}` is not an input of {within} (its inputs: {})",
                        if known.is_empty() { "none".to_owned() } else { known.join(", ") }
                    ));
                }
            }
            if !seen.is_empty() {
                seen.push('.');
            }
            seen.push_str(part);
        }
        Ok(current)
    }

    /// True when the top-level input `name` is required or has a default, so Proton
    /// always passes a value for it.
    pub fn always_set(&self, path: &str) -> bool {
        let mut current = &self.schema;
        for part in path.split('.') {
            let required = current
                .get("required")
                .and_then(Json::as_array)
                .is_some_and(|r| r.iter().any(|v| v.as_str() == Some(part)));
            let Some(next) = current.get("properties").and_then(|p| p.get(part)) else { return false };
            if !required && next.get("default").is_none() {
                return false;
            }
            current = next;
        }
        true
    }

    /// Inputs with this schema's defaults for the top-level ones left out, as Proton passes
    /// them to a template.
    pub fn with_defaults(&self, mut inputs: Json) -> Json {
        if let (Json::Object(map), Some(props)) = (&mut inputs, self.schema.get("properties").and_then(Json::as_object))
        {
            for (k, s) in props {
                if let (false, Some(d)) = (map.contains_key(k), s.get("default")) {
                    map.insert(k.clone(), d.clone());
                }
            }
        }
        inputs
    }

    /// The placeholders (`{{ namespace.name }}`) of the top-level inputs that are numbers or
    /// booleans.
    pub fn raw_placeholders(&self, namespace: &str) -> Vec<String> {
        let props = self.schema.get("properties").and_then(Json::as_object);
        props
            .into_iter()
            .flatten()
            .filter(|(_, s)| matches!(s.get("type").and_then(Json::as_str), Some("number" | "integer" | "boolean")))
            .map(|(name, _)| format!("{{{{ {namespace}.{name} }}}}"))
            .collect()
    }

    /// Problems of `value` against this schema (type, required, enum, bounds, unknown fields).
    pub fn validate(&self, value: &Json) -> Vec<String> {
        let mut problems = Vec::new();
        validate(&self.schema, value, "", &mut problems);
        problems
    }
}

/// Turns schemars output into what OpenAPI 3.0 (and Proton) accepts.
fn clean(value: &mut Json) {
    match value {
        Json::Object(map) => {
            map.shift_remove("$schema");
            // Unit variants with docs come as `oneOf` single-value enums: Proton's form is `enum`.
            let variants: Option<Vec<Json>> = map.get("oneOf").and_then(Json::as_array).and_then(|branches| {
                branches
                    .iter()
                    .map(|b| match b.get("enum").and_then(Json::as_array).map(Vec::as_slice) {
                        Some([one]) if b.get("type").and_then(Json::as_str) == Some("string") => Some(one.clone()),
                        _ => None,
                    })
                    .collect()
            });
            if let Some(variants) = variants {
                map.shift_remove("oneOf");
                map.insert("type".into(), json!("string"));
                map.insert("enum".into(), Json::Array(variants));
            }
            // A doc comment's first line, when a paragraph of its own, is the title.
            if let (None, Some(description)) = (map.get("title"), map.get("description").and_then(Json::as_str)) {
                if let Some((first, rest)) = description.split_once("\n\n") {
                    if !first.contains('\n') {
                        let (first, rest) = (first.trim().to_owned(), rest.trim().to_owned());
                        map.insert("title".into(), json!(first));
                        map.insert("description".into(), json!(rest));
                    }
                }
            }
            map.shift_remove("definitions");
            if let Some(Json::Array(examples)) = map.shift_remove("examples") {
                if let Some(first) = examples.into_iter().next() {
                    map.insert("example".into(), first);
                }
            }
            for (key, v) in map.iter_mut() {
                // Property names are data, not schema keywords: clean their schemas only.
                if key == "properties" {
                    if let Json::Object(props) = v {
                        props.values_mut().for_each(clean);
                    }
                } else if key != "default" && key != "example" && key != "enum" {
                    clean(v);
                }
            }
        }
        Json::Array(items) => items.iter_mut().for_each(clean),
        _ => {}
    }
}

fn type_name(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

fn validate(schema: &Json, value: &Json, at: &str, problems: &mut Vec<String>) {
    let here = if at.is_empty() { "the spec".to_owned() } else { format!("input `{at}`") };
    if value.is_null() && schema.get("nullable").and_then(Json::as_bool) == Some(true) {
        return;
    }
    if let Some(expected) = schema.get("type").and_then(Json::as_str) {
        let actual = type_name(value);
        let fits = expected == actual || (expected == "number" && actual == "integer");
        if !fits {
            problems.push(format!("{here} must be of type {expected}, but the spec gives {actual} {value}"));
            return;
        }
    }
    if let Some(options) = schema.get("enum").and_then(Json::as_array) {
        if !options.contains(value) {
            let listed: Vec<String> = options.iter().map(Json::to_string).collect();
            problems.push(format!("{here} is {value}, which is not one of {}", listed.join(", ")));
        }
    }
    let bound = |k: &str| schema.get(k).and_then(Json::as_f64);
    if let Some(n) = value.as_f64() {
        if let Some(min) = bound("minimum") {
            if n < min {
                problems.push(format!("{here} is {value}, below its minimum {min}"));
            }
        }
        if let Some(max) = bound("maximum") {
            if n > max {
                problems.push(format!("{here} is {value}, above its maximum {max}"));
            }
        }
    }
    if let Some(s) = value.as_str() {
        let len = s.chars().count() as f64;
        if let Some(min) = bound("minLength").filter(|m| len < *m) {
            problems.push(format!("{here} has a length of {len}, below its minLength {min}"));
        }
        if let Some(max) = bound("maxLength").filter(|m| len > *m) {
            problems.push(format!("{here} has a length of {len}, above its maxLength {max}"));
        }
    }
    if let Json::Object(fields) = value {
        let props = schema.get("properties").and_then(Json::as_object).cloned().unwrap_or_else(Map::new);
        for req in schema.get("required").and_then(Json::as_array).into_iter().flatten().filter_map(Json::as_str) {
            let has_default = props.get(req).is_some_and(|p| p.get("default").is_some());
            if !fields.contains_key(req) && !has_default {
                let name = join(at, req);
                problems.push(format!("required input `{name}` is missing; give it a value in the spec"));
            }
        }
        let closed = schema.get("additionalProperties") == Some(&Json::Bool(false));
        for (k, v) in fields {
            match props.get(k) {
                Some(s) => validate(s, v, &join(at, k), problems),
                None if closed || !props.is_empty() => {
                    let known: Vec<&str> = props.keys().map(String::as_str).collect();
                    problems.push(format!(
                        "`{}` is not an input of the template (its inputs: {})",
                        join(at, k),
                        known.join(", ")
                    ));
                }
                None => {}
            }
        }
    }
    if let (Json::Array(items), Some(item_schema)) = (value, schema.get("items")) {
        for (i, item) in items.iter().enumerate() {
            validate(item_schema, item, &format!("{at}[{i}]"), problems);
        }
    }
}

fn join(at: &str, key: &str) -> String {
    if at.is_empty() { key.to_owned() } else { format!("{at}.{key}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    /// Inputs of a test environment.
    #[derive(Serialize, JsonSchema)]
    #[allow(dead_code)]
    struct Inputs {
        /// The VPC's CIDR block.
        #[schemars(example = "cidr")]
        vpc_cidr: String,
        /// How many.
        #[schemars(range(min = 1, max = 4))]
        count: u32,
        /// Optional.
        note: Option<String>,
        #[serde(default = "mode")]
        mode: Mode,
    }
    fn cidr() -> &'static str {
        "10.0.0.0/16"
    }
    fn mode() -> Mode {
        Mode::Fast
    }
    #[derive(Serialize, JsonSchema)]
    #[serde(rename_all = "snake_case")]
    #[allow(dead_code)]
    enum Mode {
        Fast,
        Slow,
    }

    #[test]
    fn schema_is_openapi_with_examples_and_defaults() {
        let s = InputSchema::of::<Inputs>();
        assert_eq!(s.type_name, "Inputs");
        assert_eq!(s.schema["properties"]["vpc_cidr"]["example"], json!("10.0.0.0/16"));
        assert_eq!(s.schema["properties"]["count"]["maximum"], json!(4.0));
        assert_eq!(s.schema["properties"]["mode"]["default"], json!("fast"));
        assert_eq!(s.schema["properties"]["mode"]["enum"], json!(["fast", "slow"]));
        assert!(s.schema.get("definitions").is_none());
        assert!(s.always_set("vpc_cidr"));
        assert!(s.always_set("mode"));
        assert!(!s.always_set("note"));
        assert!(s.field("nope").is_err());
    }

    #[test]
    fn validation_reports_types_required_and_unknown() {
        let s = InputSchema::of::<Inputs>();
        let problems = s.validate(&json!({"count": "3", "extra": 1}));
        assert!(problems.iter().any(|p| p.contains("`vpc_cidr` is missing")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("must be of type integer")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("`extra` is not an input")), "{problems:?}");
        assert!(s.validate(&json!({"vpc_cidr": "x", "count": 2})).is_empty());
    }
}
