//! A Proton input type (an OpenAPI 3.0 object schema) as a Rust struct whose schemars
//! schema validates the same specs and gives the same defaults, and spec values as struct
//! literals of it.
//! <https://docs.aws.amazon.com/proton/latest/userguide/ag-schema.html>

use cloudwright_cfn_model::names;
use cloudwright_constructs::proton::InputSchema;
use serde_json::{Map, Value as Json};

use crate::import::plain_ident;

/// The Rust type of one input.
#[derive(Debug, Clone, PartialEq)]
enum Ty {
    Str,
    /// `serde_json::Number`: Proton's `number` keeps `86400` an integer when rendered.
    Num,
    Int,
    Bool,
    /// A generated enum of string values: (type name, (variant, value)...).
    Enum(String, Vec<(String, String)>),
    Vec(Box<Ty>),
    /// Anything else (objects, mixed types): `serde_json::Value`.
    Json,
}

/// One field of the struct.
#[derive(Debug, Clone)]
struct Field {
    /// The input's name in the schema.
    name: String,
    /// The Rust field name.
    ident: String,
    ty: Ty,
    /// Neither required nor defaulted: `Option`.
    optional: bool,
    default: Option<Json>,
    schema: Json,
}

/// An input type as Rust.
#[derive(Debug, Clone)]
pub struct InputStruct {
    /// The Rust type's name.
    pub name: String,
    fields: Vec<Field>,
    schema: InputSchema,
}

impl InputStruct {
    /// The struct for `schema`.
    pub fn new(schema: &InputSchema) -> InputStruct {
        let name = names::type_name(&schema.type_name);
        let required: Vec<&str> = schema
            .schema
            .get("required")
            .and_then(Json::as_array)
            .map(|r| r.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default();
        let props = schema.schema.get("properties").and_then(Json::as_object).cloned().unwrap_or_default();
        let mut taken = std::collections::HashSet::new();
        let fields = props
            .iter()
            .map(|(input, s)| {
                let ident = names::unique(&plain_ident(input), &mut taken);
                let default = s.get("default").cloned();
                Field {
                    name: input.clone(),
                    ty: ty_of(&format!("{name}{}", names::type_name(input)), s),
                    optional: !required.contains(&input.as_str()) && default.is_none(),
                    default,
                    ident,
                    schema: s.clone(),
                }
            })
            .collect();
        InputStruct { name, fields, schema: schema.clone() }
    }

    /// The struct, its enums and its default functions.
    pub fn code(&self) -> String {
        let mut out = String::new();
        out.push_str(&doc(&self.schema.schema, ""));
        out.push_str("#[derive(Debug, Clone, Serialize, JsonSchema)]\n");
        if self.name != self.schema.type_name {
            out.push_str(&format!("#[schemars(rename = {:?})]\n", self.schema.type_name));
        }
        out.push_str(&format!("pub struct {} {{\n", self.name));
        let mut extra = String::new();
        for f in &self.fields {
            out.push_str(&doc(&f.schema, "    "));
            if f.ident != f.name && f.ident != format!("r#{}", f.name) {
                out.push_str(&format!("    #[serde(rename = {:?})]\n", f.name));
            }
            if f.default.is_some() {
                out.push_str(&format!("    #[serde(default = \"{}\")]\n", self.default_fn(f)));
            }
            if f.optional {
                out.push_str("    #[serde(skip_serializing_if = \"Option::is_none\")]\n");
            }
            let checks = checks(&f.schema);
            if !checks.is_empty() {
                out.push_str(&format!("    #[schemars({})]\n", checks.join(", ")));
            }
            let ty = rust_type(&f.ty);
            let ty = if f.optional { format!("Option<{ty}>") } else { ty };
            out.push_str(&format!("    pub {}: {ty},\n", f.ident));
            enums(&f.ty, &mut extra);
            if let Some(d) = &f.default {
                extra.push_str(&format!(
                    "\n/// The default of `{}`.\npub fn {}() -> {} {{\n    {}\n}}\n",
                    f.name,
                    self.default_fn(f),
                    rust_type(&f.ty),
                    literal(&f.ty, d, "")
                ));
            }
        }
        out.push_str("}\n");
        out.push_str(&extra);
        out
    }

    fn default_fn(&self, f: &Field) -> String {
        format!(
            "default_{}_{}",
            names::snake_ident(&self.name).trim_start_matches("r#"),
            f.ident.trim_start_matches("r#")
        )
    }

    /// A struct literal of spec `values` (fields it leaves out take their default), its
    /// types named through `module` (`templates::lambda_env_v1`).
    pub fn literal(&self, module: &str, values: &Json) -> String {
        let empty = Map::new();
        let values = values.as_object().unwrap_or(&empty);
        let fields: Vec<String> = self
            .fields
            .iter()
            .map(|f| {
                let value = match (values.get(&f.name), &f.default) {
                    (Some(v), _) if f.optional => format!("Some({})", literal(&f.ty, v, module)),
                    (Some(v), _) => literal(&f.ty, v, module),
                    (None, Some(_)) => format!("{module}::{}()", self.default_fn(f)),
                    (None, None) if f.optional => "None".to_owned(),
                    // Proton refused a spec without a required input; migrate did too.
                    (None, None) => "Default::default()".to_owned(),
                };
                format!("{}: {value}", f.ident)
            })
            .collect();
        format!("{module}::{} {{ {} }}", self.name, fields.join(", "))
    }
}

fn ty_of(enum_name: &str, s: &Json) -> Ty {
    if let Some(values) = s.get("enum").and_then(Json::as_array) {
        let strings: Option<Vec<&str>> = values.iter().map(Json::as_str).collect();
        if let Some(strings) = strings {
            let mut taken = std::collections::HashSet::new();
            let variants =
                strings.iter().map(|v| (names::unique(&names::variant_name(v), &mut taken), (*v).to_owned())).collect();
            return Ty::Enum(enum_name.to_owned(), variants);
        }
        return Ty::Json;
    }
    match s.get("type").and_then(Json::as_str) {
        Some("string") => Ty::Str,
        Some("number") => Ty::Num,
        Some("integer") => Ty::Int,
        Some("boolean") => Ty::Bool,
        Some("array") => match s.get("items") {
            Some(items) => Ty::Vec(Box::new(ty_of(&format!("{enum_name}Item"), items))),
            None => Ty::Json,
        },
        _ => Ty::Json,
    }
}

fn rust_type(ty: &Ty) -> String {
    match ty {
        Ty::Str => "String".into(),
        Ty::Num => "serde_json::Number".into(),
        Ty::Int => "i64".into(),
        Ty::Bool => "bool".into(),
        Ty::Enum(name, _) => name.clone(),
        Ty::Vec(item) => format!("Vec<{}>", rust_type(item)),
        Ty::Json => "serde_json::Value".into(),
    }
}

fn enums(ty: &Ty, out: &mut String) {
    match ty {
        Ty::Enum(name, variants) => {
            out.push_str(&format!(
                "\n/// The values of `{name}`.\n#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]\npub enum {name} {{\n"
            ));
            for (variant, value) in variants {
                out.push_str(&format!("    #[serde(rename = {value:?})]\n    {variant},\n"));
            }
            out.push_str("}\n");
        }
        Ty::Vec(item) => enums(item, out),
        _ => {}
    }
}

/// A Rust expression of type `ty` for a JSON value, its enums named through `module`
/// (empty: in their own module).
fn literal(ty: &Ty, v: &Json, module: &str) -> String {
    let path = |name: &str| if module.is_empty() { name.to_owned() } else { format!("{module}::{name}") };
    match (ty, v) {
        (Ty::Str, Json::String(s)) => format!("{s:?}.into()"),
        (Ty::Num, Json::Number(n)) if n.is_i64() || n.is_u64() => format!("serde_json::Number::from({n}_i64)"),
        (Ty::Num, Json::Number(n)) => {
            format!("serde_json::Number::from_f64({n:?}).unwrap_or_else(|| serde_json::Number::from(0))")
        }
        (Ty::Int, Json::Number(n)) => format!("{n}"),
        (Ty::Bool, Json::Bool(b)) => format!("{b}"),
        (Ty::Enum(name, variants), Json::String(s)) => match variants.iter().find(|(_, value)| value == s) {
            Some((variant, _)) => format!("{}::{variant}", path(name)),
            // Not one of the schema's values: the spec was refused before this is written.
            None => format!("{}::{}", path(name), variants.first().map_or("", |v| v.0.as_str())),
        },
        (Ty::Vec(item), Json::Array(items)) => {
            format!("vec![{}]", items.iter().map(|i| literal(item, i, module)).collect::<Vec<_>>().join(", "))
        }
        _ => format!("serde_json::json!({v})"),
    }
}

/// The schemars checks a property's schema asks for.
fn checks(s: &Json) -> Vec<String> {
    let num = |k: &str| s.get(k).filter(|v| v.is_number()).map(Json::to_string);
    let mut out = Vec::new();
    let mut pair = |name: &str, min: Option<String>, max: Option<String>| {
        let parts: Vec<String> =
            [("min", min), ("max", max)].into_iter().filter_map(|(k, v)| v.map(|v| format!("{k} = {v}"))).collect();
        if !parts.is_empty() {
            out.push(format!("{name}({})", parts.join(", ")));
        }
    };
    pair("range", num("minimum"), num("maximum"));
    pair("length", num("minLength").or_else(|| num("minItems")), num("maxLength").or_else(|| num("maxItems")));
    if let Some(p) = s.get("pattern").and_then(Json::as_str) {
        out.push(format!("regex(pattern = {p:?})"));
    }
    out
}

/// Doc comments from a schema's `title` and `description` (the title a paragraph of its
/// own, as `InputSchema` reads it back).
fn doc(s: &Json, indent: &str) -> String {
    let title = s.get("title").and_then(Json::as_str);
    let description = s.get("description").and_then(Json::as_str);
    let text = match (title, description) {
        (Some(t), Some(d)) => format!("{t}\n\n{d}"),
        (Some(t), None) => t.to_owned(),
        (None, Some(d)) => d.to_owned(),
        (None, None) => return String::new(),
    };
    text.lines().map(|l| format!("{indent}/// {l}\n").replace("/// \n", "///\n")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn queue() -> InputSchema {
        InputSchema {
            type_name: "QueueServiceInput".into(),
            schema: json!({"type": "object", "description": "A queue", "required": ["name"], "properties": {
                "retention_seconds": {"type": "number", "default": 345600, "minimum": 60, "maximum": 1209600},
                "name": {"type": "string", "minLength": 1, "pattern": "^[a-z]+$"},
                "scope": {"type": "string", "enum": ["public", "private"], "default": "public"},
                "tags": {"type": "array", "items": {"type": "string"}},
            }}),
        }
    }

    #[test]
    fn a_schema_becomes_a_struct_with_its_checks_and_defaults() {
        let code = InputStruct::new(&queue()).code();
        for part in [
            "pub struct QueueServiceInput {",
            "#[serde(default = \"default_queue_service_input_retention_seconds\")]",
            "#[schemars(range(min = 60, max = 1209600))]",
            "pub retention_seconds: serde_json::Number,",
            "#[schemars(length(min = 1), regex(pattern = \"^[a-z]+$\"))]",
            "pub name: String,",
            "pub scope: QueueServiceInputScope,",
            "#[serde(rename = \"public\")]",
            "pub tags: Option<Vec<String>>,",
            "serde_json::Number::from(345600_i64)",
        ] {
            assert!(code.contains(part), "{part} not in\n{code}");
        }
    }

    #[test]
    fn spec_values_become_a_literal() {
        let s = InputStruct::new(&queue());
        assert_eq!(
            s.literal("q", &json!({"name": "orders", "scope": "private"})),
            "q::QueueServiceInput { retention_seconds: q::default_queue_service_input_retention_seconds(), name: \"orders\".into(), scope: q::QueueServiceInputScope::Private, tags: None }"
        );
    }
}
