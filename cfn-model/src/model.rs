//! From one resource provider schema to the types the emitter writes.
//!
//! Mapping, in order of precedence, for a schema node:
//! - `$ref: #/definitions/X`: the definition's type; object definitions become a struct named
//!   `X` (registered before their fields are mapped, so `$ref` cycles terminate; cycles
//!   without a `Vec`/map in between are boxed afterwards).
//! - `type` a string: `string` (with `enum`: a Rust enum), `integer`, `number`, `boolean`,
//!   `array` (`Vec`), `object` (with `properties`: a struct; with `patternProperties` or an
//!   `additionalProperties` schema: a map; else untyped `serde_json::Value`).
//! - `type` an array of names (`["object", "string"]`): `serde_json::Value`.
//! - no `type`: `properties` make it an object; `oneOf`/`anyOf` whose branches all map to
//!   one type give that type, object branches merge into one struct of optional fields,
//!   anything else is `serde_json::Value`.
//!
//! `oneOf`/`anyOf` next to a `type` or `properties` only constrain the value (which of the
//! properties are required together, formats) and are ignored. Anything else the mapper
//! does not understand is an error naming the type and JSON pointer.

use std::collections::{HashMap, HashSet};

use heck::ToSnakeCase;
use serde_json::{Map, Value as Json};

use crate::names;

/// A property type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    /// `Value<String>`.
    Str,
    /// `Value<i64>`.
    Int,
    /// `Value<f64>`.
    Num,
    /// `Value<bool>`.
    Bool,
    /// Untyped JSON (`serde_json::Value`).
    Json,
    /// A generated enum, by name.
    Enum(String),
    /// A generated struct, by name.
    Struct(String),
    /// The shared `cfn::Tag` (`Key`, `Value`).
    Tag,
    /// A list.
    Vec(Box<Ty>),
    /// A map with string keys (`IndexMap`).
    Map(Box<Ty>),
    /// A boxed type (breaks a recursive struct).
    Boxed(Box<Ty>),
}

/// The tag shape of a resource type, as `cloudwright_core::TagFormat` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagFormat {
    /// A list of `{Key, Value}`.
    Standard,
    /// A map of key to value.
    Map,
    /// No tags.
    NotTaggable,
}

/// A property of a generated struct.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The property name as CloudFormation spells it.
    pub json_name: String,
    /// The Rust field name (may be a raw identifier such as `r#type`).
    pub rust_name: String,
    /// Its type.
    pub ty: Ty,
    /// Required properties are plain fields, optional ones `Option`.
    pub required: bool,
    /// Its doc comment.
    pub doc: String,
}

/// A generated struct.
#[derive(Debug, Clone, PartialEq)]
pub struct StructDef {
    /// The Rust type name.
    pub name: String,
    /// Its doc comment.
    pub doc: String,
    /// Its fields in schema order.
    pub fields: Vec<Field>,
}

/// A generated enum of string values.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumDef {
    /// The Rust type name.
    pub name: String,
    /// Its doc comment.
    pub doc: String,
    /// (variant name, value)
    pub variants: Vec<(String, String)>,
}

/// A nested type of a resource.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeDef {
    /// A struct.
    Struct(StructDef),
    /// An enum.
    Enum(EnumDef),
}

/// A read-only attribute (`Fn::GetAtt`).
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// The `Fn::GetAtt` attribute name, e.g. `Endpoint.Address`.
    pub name: String,
    /// The accessor name, e.g. `attr_endpoint_address`.
    pub method: String,
    /// Its doc comment.
    pub doc: String,
}

/// Everything generated for one resource type.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// `AWS::S3::Bucket`
    pub type_name: String,
    /// `Bucket`
    pub short_name: String,
    /// `bucket`
    pub module: String,
    /// `CfnBucket`
    pub handle: String,
    /// Its doc comment.
    pub doc: String,
    /// `CfnBucketProps`.
    pub props: StructDef,
    /// Nested types in first-use order.
    pub types: Vec<TypeDef>,
    /// Its `Fn::GetAtt` attributes.
    pub attributes: Vec<Attribute>,
    /// Properties whose change replaces the resource (JSON pointers).
    pub create_only: Vec<String>,
    /// The properties that identify a resource (JSON pointers).
    pub primary_identifier: Vec<String>,
    /// How it carries tags.
    pub tag_format: TagFormat,
    /// The `Ref` return value as far as the schema tells: its primary identifier.
    pub ref_doc: String,
}

/// Maximum length of a doc comment taken from a description.
const DOC_MAX: usize = 400;

/// Builds the model of one resource type from its provider schema.
pub fn resource(schema: &Json) -> Result<Resource, String> {
    let type_name = schema.get("typeName").and_then(Json::as_str).ok_or("schema without a typeName")?;
    let err = |ptr: &str, msg: &str| format!("{type_name} at {}: {msg}", if ptr.is_empty() { "/" } else { ptr });
    let root = schema.as_object().ok_or_else(|| err("", "schema is not an object"))?;
    let short_name = type_name.rsplit("::").next().unwrap_or(type_name).to_owned();
    let base = names::type_name(&short_name);
    let handle = format!("Cfn{base}");
    let props_name = format!("{handle}Props");

    let mut mapper = Mapper::new(type_name, root, &[handle.as_str(), props_name.as_str()])?;
    let read_only = string_list(root, "readOnlyProperties");
    mapper.mark_nested_read_only(&read_only);

    // The props struct: the top-level properties less the read-only ones.
    let top_read_only: HashSet<&str> =
        read_only.iter().filter_map(|p| p.strip_prefix("/properties/")).filter(|p| !p.contains('/')).collect();
    let mut props_schema = root.clone();
    if let Some(Json::Object(p)) = props_schema.get_mut("properties") {
        p.retain(|k, _| !top_read_only.contains(k.as_str()));
    }
    props_schema.insert("description".into(), Json::String(format!("The properties of `{type_name}`.")));
    let props = mapper.build_struct(&Json::Object(props_schema), "", props_name, &base, true)?;

    let attributes = read_only
        .iter()
        .filter(|p| !p.contains('*'))
        .filter_map(|p| p.strip_prefix("/properties/"))
        .map(|p| {
            let name = p.replace('/', ".");
            let described = mapper.describe_path(p).unwrap_or_default();
            let doc = if described.is_empty() { format!("The `{name}` attribute.") } else { described };
            let method = format!("attr_{}", p.replace(['/', '.', '-'], "_").to_snake_case().trim_matches('_'));
            Attribute { method, name, doc }
        })
        .collect::<Vec<_>>();
    let mut seen = HashSet::new();
    let attributes = attributes.into_iter().filter(|a| seen.insert(a.method.clone())).collect();

    let types = mapper.finish();
    let primary_identifier = string_list(root, "primaryIdentifier");
    let ref_doc = match primary_identifier.as_slice() {
        [one] => format!("`Ref` returns the primary identifier, `{}`.", one.trim_start_matches("/properties/")),
        [] => String::new(),
        many => format!(
            "`Ref` returns the primary identifier, made of {}.",
            many.iter().map(|p| format!("`{}`", p.trim_start_matches("/properties/"))).collect::<Vec<_>>().join(", ")
        ),
    };
    Ok(Resource {
        type_name: type_name.to_owned(),
        module: names::snake_ident(&short_name),
        handle,
        doc: root.get("description").and_then(Json::as_str).map(|d| names::doc_text(d, DOC_MAX)).unwrap_or_default(),
        props,
        types,
        attributes,
        create_only: string_list(root, "createOnlyProperties"),
        primary_identifier,
        tag_format: tag_format(root),
        ref_doc,
        short_name,
    })
}

fn string_list(obj: &Map<String, Json>, key: &str) -> Vec<String> {
    obj.get(key)
        .and_then(Json::as_array)
        .map(|a| a.iter().filter_map(Json::as_str).map(str::to_owned).collect())
        .unwrap_or_default()
}

/// The tag format from `tagging` and the shape of the tag property.
pub fn tag_format(root: &Map<String, Json>) -> TagFormat {
    let tagging = root.get("tagging");
    if tagging.and_then(|t| t.get("taggable")).and_then(Json::as_bool) == Some(false) {
        return TagFormat::NotTaggable;
    }
    let property = tagging.and_then(|t| t.get("tagProperty")).and_then(Json::as_str).unwrap_or("/properties/Tags");
    let Some(name) = property.strip_prefix("/properties/").filter(|n| !n.contains('/')) else {
        return TagFormat::NotTaggable;
    };
    let Some(mut schema) = root.get("properties").and_then(|p| p.get(name)) else {
        return TagFormat::NotTaggable;
    };
    if let Some(def) = schema.get("$ref").and_then(Json::as_str).and_then(|r| r.strip_prefix("#/definitions/")) {
        match root.get("definitions").and_then(|d| d.get(def)) {
            Some(s) => schema = s,
            None => return TagFormat::NotTaggable,
        }
    }
    let has = |k: &str| schema.get(k).is_some();
    match schema.get("type").and_then(Json::as_str) {
        Some("array") => TagFormat::Standard,
        Some("object")
            if has("patternProperties") || schema.get("additionalProperties").is_some_and(Json::is_object) =>
        {
            TagFormat::Map
        }
        _ => TagFormat::NotTaggable,
    }
}

/// Escapes one JSON pointer segment (RFC 6901).
fn seg(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

struct Mapper<'a> {
    type_name: &'a str,
    root: &'a Map<String, Json>,
    definitions: Map<String, Json>,
    /// Type names in use.
    taken: HashSet<String>,
    /// Definition name -> its Rust type name (reserved up front so inline names avoid them).
    def_names: HashMap<String, String>,
    /// Definition name -> mapped type, once known (structs before their fields are mapped).
    def_types: HashMap<String, Ty>,
    /// Non-struct definitions being resolved (a cycle through them cannot be mapped).
    resolving: Vec<String>,
    /// Type slots in first-use order (filled after the fields are mapped).
    types: Vec<Option<TypeDef>>,
    /// (schema pointer of an object, property) pairs the schema lists as read-only.
    nested_read_only: HashSet<(String, String)>,
}

struct Hint<'h> {
    /// The preferred type name for an inline struct or enum.
    preferred: String,
    /// The enclosing type's name, to qualify `preferred` on a clash.
    parent: &'h str,
}

impl<'a> Mapper<'a> {
    fn new(type_name: &'a str, root: &'a Map<String, Json>, reserved: &[&str]) -> Result<Self, String> {
        let definitions = match root.get("definitions") {
            None => Map::new(),
            Some(Json::Object(d)) => d.clone(),
            Some(_) => return Err(format!("{type_name} at /definitions: not an object")),
        };
        let mut taken: HashSet<String> = reserved.iter().map(|s| (*s).to_owned()).collect();
        taken.extend(names::RESERVED_TYPE_NAMES.iter().map(|s| (*s).to_owned()));
        let mut def_names = HashMap::new();
        for name in definitions.keys() {
            let mut rust = names::type_name(name);
            if taken.contains(&rust) {
                rust.push_str("Property");
            }
            def_names.insert(name.clone(), names::unique(&rust, &mut taken));
        }
        Ok(Mapper {
            type_name,
            root,
            definitions,
            taken,
            def_names,
            def_types: HashMap::new(),
            resolving: Vec::new(),
            types: Vec::new(),
            nested_read_only: HashSet::new(),
        })
    }

    fn err(&self, ptr: &str, msg: impl std::fmt::Display) -> String {
        format!("{} at {}: {msg}", self.type_name, if ptr.is_empty() { "/" } else { ptr })
    }

    /// Follows `$ref`s from a schema node; returns the node and the pointer of the object
    /// it ends at.
    fn deref<'s>(&'s self, mut schema: &'s Json, mut ptr: String) -> Option<(&'s Json, String)> {
        for _ in 0..16 {
            match schema.get("$ref").and_then(Json::as_str).and_then(|r| r.strip_prefix("#/definitions/")) {
                Some(def) => {
                    schema = self.definitions.get(def)?;
                    ptr = format!("/definitions/{}", seg(def));
                }
                None => return Some((schema, ptr)),
            }
        }
        None
    }

    /// Records nested read-only properties (`/properties/A/B`) so the struct holding `B`
    /// never requires it.
    fn mark_nested_read_only(&mut self, pointers: &[String]) {
        for p in pointers {
            let Some(path) = p.strip_prefix("/properties/") else { continue };
            let segments: Vec<&str> = path.split('/').collect();
            if segments.len() < 2 {
                continue;
            }
            let Some(mut node) = self.root.get("properties").and_then(|p| p.get(segments[0])) else { continue };
            let mut ptr = format!("/properties/{}", seg(segments[0]));
            let mut found = true;
            for s in &segments[1..segments.len() - 1] {
                let Some((n, p)) = self.deref(node, ptr.clone()) else {
                    found = false;
                    break;
                };
                let next = if *s == "*" { n.get("items") } else { n.get("properties").and_then(|ps| ps.get(*s)) };
                let suffix = if *s == "*" { "/items".to_owned() } else { format!("/properties/{}", seg(s)) };
                match next {
                    Some(next) => {
                        node = next;
                        ptr = format!("{p}{suffix}");
                    }
                    None => {
                        found = false;
                        break;
                    }
                }
            }
            if !found {
                continue;
            }
            if let (Some((_, object_ptr)), Some(last)) = (self.deref(node, ptr), segments.last()) {
                self.nested_read_only.insert((object_ptr, (*last).to_owned()));
            }
        }
    }

    /// The description of a property by its path below `/properties`, `$ref`s followed.
    fn describe_path(&self, path: &str) -> Option<String> {
        let mut node = self.root.get("properties")?;
        for s in path.split('/') {
            let (n, _) = self.deref(node, String::new())?;
            node = n.get("properties").unwrap_or(n).get(s)?;
        }
        let desc = node.get("description").and_then(Json::as_str).filter(|d| !d.trim().is_empty());
        let desc = desc.or_else(|| self.deref(node, String::new())?.0.get("description")?.as_str());
        desc.map(|d| names::doc_text(d, DOC_MAX)).filter(|d| !d.is_empty())
    }

    fn finish(self) -> Vec<TypeDef> {
        let mut types: Vec<TypeDef> = self.types.into_iter().flatten().collect();
        box_cycles(&mut types);
        types
    }

    /// Allocates a name for an inline type: `preferred`, else `ParentPreferred`, else numbered.
    fn inline_name(&mut self, hint: &Hint) -> String {
        if !self.taken.contains(&hint.preferred) {
            return names::unique(&hint.preferred, &mut self.taken);
        }
        let qualified =
            format!("{}{}", hint.parent.trim_start_matches("Cfn").trim_end_matches("Props"), hint.preferred);
        names::unique(&qualified, &mut self.taken)
    }

    fn map(&mut self, schema: &Json, ptr: &str, hint: &Hint) -> Result<Ty, String> {
        let obj = match schema {
            Json::Object(o) => o,
            Json::Bool(true) => return Ok(Ty::Json),
            _ => return Err(self.err(ptr, "schema is neither an object nor `true`")),
        };
        if let Some(r) = obj.get("$ref") {
            return self.map_ref(r, ptr);
        }
        match obj.get("type") {
            Some(Json::String(t)) => self.map_typed(t, obj, ptr, hint),
            Some(Json::Array(types)) => {
                let mut names = Vec::new();
                for t in types {
                    match t.as_str() {
                        Some(t @ ("string" | "integer" | "number" | "boolean" | "object" | "array")) => names.push(t),
                        _ => return Err(self.err(&format!("{ptr}/type"), format!("unsupported type {t}"))),
                    }
                }
                match names.as_slice() {
                    [one] => self.map_typed(one, obj, ptr, hint),
                    _ => Ok(Ty::Json),
                }
            }
            Some(other) => Err(self.err(&format!("{ptr}/type"), format!("unsupported type {other}"))),
            None if obj.contains_key("properties") => self.map_typed("object", obj, ptr, hint),
            None if obj.contains_key("items") => self.map_typed("array", obj, ptr, hint),
            None if obj.contains_key("enum") => self.map_typed("string", obj, ptr, hint),
            None => match alternatives(obj) {
                Some((key, branches)) => self.map_alternatives(key, branches, obj, ptr, hint),
                None => Ok(Ty::Json),
            },
        }
    }

    fn map_ref(&mut self, reference: &Json, ptr: &str) -> Result<Ty, String> {
        let rptr = format!("{ptr}/$ref");
        if let Some(property) = reference.as_str().and_then(|r| r.strip_prefix("#/properties/")) {
            return self.map_property_ref(property, &rptr);
        }
        let def = reference
            .as_str()
            .and_then(|r| r.strip_prefix("#/definitions/"))
            .filter(|d| !d.contains('/'))
            .ok_or_else(|| self.err(&rptr, format!("unsupported $ref {reference}")))?;
        if let Some(ty) = self.def_types.get(def) {
            return Ok(ty.clone());
        }
        let schema =
            self.definitions.get(def).cloned().ok_or_else(|| self.err(&rptr, format!("no definition {def}")))?;
        if self.resolving.iter().any(|d| d == def) {
            return Err(self.err(&rptr, format!("$ref cycle through {def}, which is not an object")));
        }
        let def_ptr = format!("/definitions/{}", seg(def));
        let name = self.def_names.get(def).cloned().unwrap_or_else(|| names::type_name(def));
        let ty = if def == "Tag" && is_plain_tag(&schema) {
            Ty::Tag
        } else if is_struct(&schema) {
            self.def_types.insert(def.to_owned(), Ty::Struct(name.clone()));
            self.build_struct(&schema, &def_ptr, name.clone(), &name, true)?;
            Ty::Struct(name)
        } else {
            self.resolving.push(def.to_owned());
            // A definition's own name beats an inline name for its enum.
            self.taken.remove(&name);
            let ty = self.map(&schema, &def_ptr, &Hint { preferred: name.clone(), parent: "" });
            self.taken.insert(name);
            self.resolving.pop();
            ty?
        };
        self.def_types.insert(def.to_owned(), ty.clone());
        Ok(ty)
    }

    /// `$ref: #/properties/X`: the type of the top-level property `X` (memoized under the
    /// pointer, so it is mapped once).
    fn map_property_ref(&mut self, property: &str, rptr: &str) -> Result<Ty, String> {
        let key = format!("#/properties/{property}");
        if let Some(ty) = self.def_types.get(&key) {
            return Ok(ty.clone());
        }
        let schema = self
            .root
            .get("properties")
            .and_then(|p| p.get(property))
            .filter(|_| !property.contains('/'))
            .ok_or_else(|| self.err(rptr, format!("unsupported $ref {key}: no such top-level property")))?;
        if self.resolving.contains(&key) {
            return Err(self.err(rptr, format!("$ref cycle through {key}")));
        }
        self.resolving.push(key.clone());
        let ty = self.map(
            schema,
            &format!("/properties/{}", seg(property)),
            &Hint { preferred: names::type_name(property), parent: "" },
        );
        self.resolving.pop();
        let ty = ty?;
        self.def_types.insert(key, ty.clone());
        Ok(ty)
    }

    fn map_typed(&mut self, t: &str, obj: &Map<String, Json>, ptr: &str, hint: &Hint) -> Result<Ty, String> {
        match t {
            "string" => match obj.get("enum") {
                Some(Json::Array(values)) if !values.is_empty() => self.build_enum(values, obj, ptr, hint),
                Some(Json::Array(_)) | None => Ok(Ty::Str),
                Some(other) => Err(self.err(&format!("{ptr}/enum"), format!("enum is not an array: {other}"))),
            },
            // Integer and number enums stay numbers: the values are the documentation.
            "integer" => Ok(Ty::Int),
            "number" => Ok(Ty::Num),
            "boolean" => Ok(Ty::Bool),
            "array" => match obj.get("items") {
                None => Ok(Ty::Vec(Box::new(Ty::Json))),
                Some(items @ (Json::Object(_) | Json::Bool(true))) => {
                    let hint = Hint { preferred: format!("{}Item", hint.preferred), parent: hint.parent };
                    Ok(Ty::Vec(Box::new(self.map(items, &format!("{ptr}/items"), &hint)?)))
                }
                Some(_) => {
                    Err(self.err(&format!("{ptr}/items"), "tuple-typed arrays (items as a list) are not supported"))
                }
            },
            "object" => {
                if obj.get("properties").and_then(Json::as_object).is_some_and(|p| !p.is_empty()) {
                    let name = self.inline_name(hint);
                    self.build_struct(&Json::Object(obj.clone()), ptr, name.clone(), &name, true)?;
                    return Ok(Ty::Struct(name));
                }
                if let Some(Json::Object(patterns)) = obj.get("patternProperties") {
                    let mut value_types = Vec::new();
                    for (pattern, s) in patterns {
                        let p = format!("{ptr}/patternProperties/{}", seg(pattern));
                        let h = Hint { preferred: format!("{}Value", hint.preferred), parent: hint.parent };
                        value_types.push(self.map(s, &p, &h)?);
                    }
                    value_types.dedup();
                    return Ok(Ty::Map(Box::new(match value_types.as_slice() {
                        [one] => one.clone(),
                        _ => Ty::Json,
                    })));
                }
                if let Some(additional @ Json::Object(_)) = obj.get("additionalProperties") {
                    let p = format!("{ptr}/additionalProperties");
                    let h = Hint { preferred: format!("{}Value", hint.preferred), parent: hint.parent };
                    return Ok(Ty::Map(Box::new(self.map(additional, &p, &h)?)));
                }
                match alternatives(obj) {
                    Some((key, branches)) => self.map_alternatives(key, branches, obj, ptr, hint),
                    None => Ok(Ty::Json),
                }
            }
            other => Err(self.err(&format!("{ptr}/type"), format!("unsupported type \"{other}\""))),
        }
    }

    /// `oneOf`/`anyOf` without a type of their own.
    fn map_alternatives(
        &mut self,
        key: &str,
        branches: &[Json],
        obj: &Map<String, Json>,
        ptr: &str,
        hint: &Hint,
    ) -> Result<Ty, String> {
        // Branches that only say which properties are required constrain, they do not type.
        if branches.iter().all(|b| b.as_object().is_some_and(|o| o.keys().all(|k| is_constraint_keyword(k)))) {
            return Ok(Ty::Json);
        }
        // Object branches: one struct with every branch's properties, all optional.
        let object_branches: Option<Vec<&Map<String, Json>>> = branches
            .iter()
            .map(|b| {
                let (b, _) = self.deref(b, String::new())?;
                b.get("properties").and_then(Json::as_object)
            })
            .collect();
        if let Some(object_branches) = object_branches {
            let mut merged = Map::new();
            for props in object_branches {
                for (k, v) in props {
                    merged.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
            let mut schema = Map::new();
            schema.insert("properties".into(), Json::Object(merged));
            if let Some(d) = obj.get("description") {
                schema.insert("description".into(), d.clone());
            }
            let name = self.inline_name(hint);
            self.build_struct(&Json::Object(schema), ptr, name.clone(), &name, false)?;
            return Ok(Ty::Struct(name));
        }
        let mut types = Vec::new();
        for (i, b) in branches.iter().enumerate() {
            types.push(self.map(b, &format!("{ptr}/{key}/{i}"), hint)?);
        }
        types.dedup();
        Ok(match types.as_slice() {
            [one] => one.clone(),
            _ => Ty::Json,
        })
    }

    fn build_enum(&mut self, values: &[Json], obj: &Map<String, Json>, ptr: &str, hint: &Hint) -> Result<Ty, String> {
        let mut variants = Vec::new();
        let mut taken: HashSet<String> = ["Other".to_owned()].into();
        for (i, v) in values.iter().enumerate() {
            let value =
                v.as_str().ok_or_else(|| self.err(&format!("{ptr}/enum/{i}"), format!("{v} is not a string")))?;
            if variants.iter().any(|(_, existing)| existing == value) {
                continue;
            }
            let mut name = names::variant_name(value);
            if name == "Other" {
                name = "OtherValue".into();
            }
            variants.push((names::unique(&name, &mut taken), value.to_owned()));
        }
        let name = self.inline_name(hint);
        let doc = obj.get("description").and_then(Json::as_str).map(|d| names::doc_text(d, DOC_MAX));
        let doc = doc.filter(|d| !d.is_empty()).unwrap_or_else(|| format!("Values of `{}`.", hint.preferred));
        self.types.push(Some(TypeDef::Enum(EnumDef { name: name.clone(), doc, variants })));
        Ok(Ty::Enum(name))
    }

    /// Builds a struct from an object schema; `required` false makes every field optional.
    fn build_struct(
        &mut self,
        schema: &Json,
        ptr: &str,
        name: String,
        parent: &str,
        required: bool,
    ) -> Result<StructDef, String> {
        let slot = self.types.len();
        let is_props = ptr.is_empty();
        if !is_props {
            self.types.push(None);
        }
        let empty = Map::new();
        let properties = schema.get("properties").and_then(Json::as_object).unwrap_or(&empty);
        let required_names: HashSet<&str> = if required {
            schema.get("required").and_then(Json::as_array).into_iter().flatten().filter_map(Json::as_str).collect()
        } else {
            HashSet::new()
        };
        let mut field_names = HashSet::new();
        let mut fields = Vec::new();
        for (pname, pschema) in properties {
            let fptr = format!("{ptr}/properties/{}", seg(pname));
            let hint = Hint { preferred: names::type_name(pname), parent };
            let ty = self.map(pschema, &fptr, &hint)?;
            let read_only = self.nested_read_only.contains(&(ptr.to_owned(), pname.clone()));
            let mut doc = pschema
                .get("description")
                .and_then(Json::as_str)
                .map(|d| names::doc_text(d, DOC_MAX))
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| format!("`{pname}`."));
            if ty == Ty::Json {
                doc.push_str(&json_note(pschema));
            }
            if read_only {
                doc.push_str(" Read-only: CloudFormation returns it.");
            }
            let rust = names::snake_ident(pname);
            let rust =
                if field_names.contains(&rust) { names::unique(&format!("{rust}_"), &mut field_names) } else { rust };
            field_names.insert(rust.clone());
            fields.push(Field {
                json_name: pname.clone(),
                rust_name: rust,
                ty,
                required: required_names.contains(pname.as_str()) && !read_only,
                doc,
            });
        }
        let doc = schema
            .get("description")
            .and_then(Json::as_str)
            .map(|d| names::doc_text(d, DOC_MAX))
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| format!("The `{name}` property type."));
        let def = StructDef { name, doc, fields };
        if is_props {
            return Ok(def);
        }
        self.types[slot] = Some(TypeDef::Struct(def.clone()));
        Ok(def)
    }
}

/// Why a property is `serde_json::Value`, for its doc comment.
fn json_note(schema: &Json) -> String {
    let any = "any `serde_json::Value`";
    match schema.get("type") {
        Some(Json::Array(types)) => {
            let types: Vec<String> = types.iter().filter_map(Json::as_str).map(|t| format!("`{t}`")).collect();
            format!(" One of {} in the schema: {any}.", types.join(", "))
        }
        _ => format!(" Untyped in the schema: {any}."),
    }
}

fn is_constraint_keyword(k: &str) -> bool {
    matches!(k, "required" | "not" | "description" | "$comment" | "format" | "pattern" | "relationshipRef")
}

fn alternatives(obj: &Map<String, Json>) -> Option<(&'static str, &Vec<Json>)> {
    ["oneOf", "anyOf"].into_iter().find_map(|k| Some((k, obj.get(k)?.as_array()?)))
}

/// An object definition with properties becomes a named struct.
fn is_struct(schema: &Json) -> bool {
    let typed_object = matches!(schema.get("type").and_then(Json::as_str), Some("object") | None);
    typed_object && schema.get("properties").and_then(Json::as_object).is_some_and(|p| !p.is_empty())
}

/// `Tag` definitions of exactly `{Key: string, Value: string}` share `cfn::Tag`.
fn is_plain_tag(schema: &Json) -> bool {
    let Some(props) = schema.get("properties").and_then(Json::as_object) else { return false };
    let is_string = |k: &str| props.get(k).and_then(|p| p.get("type")).and_then(Json::as_str) == Some("string");
    props.len() == 2 && is_string("Key") && is_string("Value")
}

/// Boxes struct fields that would make a type infinitely large: a direct (not through `Vec`
/// or a map) field of a struct that leads back to the struct holding it.
fn box_cycles(types: &mut [TypeDef]) {
    let direct = |ty: &Ty| match ty {
        Ty::Struct(n) => Some(n.clone()),
        _ => None,
    };
    let edges: HashMap<String, Vec<String>> = types
        .iter()
        .filter_map(|t| match t {
            TypeDef::Struct(s) => Some((s.name.clone(), s.fields.iter().filter_map(|f| direct(&f.ty)).collect())),
            TypeDef::Enum(_) => None,
        })
        .collect();
    let reaches = |from: &str, to: &str| {
        let mut stack = vec![from.to_owned()];
        let mut seen = HashSet::new();
        while let Some(n) = stack.pop() {
            if n == to {
                return true;
            }
            if seen.insert(n.clone()) {
                stack.extend(edges.get(&n).into_iter().flatten().cloned());
            }
        }
        false
    };
    for t in types.iter_mut() {
        if let TypeDef::Struct(s) = t {
            for f in &mut s.fields {
                if direct(&f.ty).is_some_and(|target| reaches(&target, &s.name)) {
                    f.ty = Ty::Boxed(Box::new(f.ty.clone()));
                }
            }
        }
    }
}
