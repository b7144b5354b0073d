//! Template values as Rust expressions: intrinsics as `Expr`/`Cond`, typed property values
//! as the generated L1 types of the shared model (`cloudwright_cfn_model`).

use std::collections::HashMap;

use cloudwright_cfn_model::model::{Resource, StructDef, Ty, TypeDef};
use serde_json::Value as Json;

/// What a logical id of the template names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A parameter (`var.value()`).
    Parameter,
    /// A mapping (`var.find_in_map(..)`).
    Mapping,
    /// A condition (`var.if_then(..)`, `var.as_cond()`).
    Condition,
    /// A resource (`var.reference()`, `var.get_att(..)`).
    Resource,
    /// A name the enclosing code provides ([`super::stack::Embedding`]): `var` is the Rust
    /// expression (an `Expr`) a `Ref` of it becomes.
    Provided,
}

/// A named element and the Rust variable holding its handle.
#[derive(Debug, Clone)]
pub struct Element {
    /// Its kind.
    pub kind: Kind,
    /// The variable.
    pub var: String,
    /// The model of its type, for a typed resource.
    pub model: Option<std::rc::Rc<Resource>>,
}

/// Why something cannot be written as Rust: a template error (`Err`) names where.
#[derive(Debug)]
pub enum Problem {
    /// The value does not fit the typed field; the reason, for a comment.
    Unfit(String),
    /// The template is wrong: the message (what and how to fix), and the name to find the line by.
    Invalid(String, String),
}

type Out = Result<String, Problem>;

/// Every intrinsic function name import knows; those `Expr` has no variant for
/// (`Fn::Transform`, `Fn::GetStackOutput`, `Fn::ForEach`) and unusual argument forms are
/// imported as literal JSON, unchanged.
const KNOWN: &[&str] = &[
    "Ref",
    "Fn::GetAtt",
    "Fn::Sub",
    "Fn::Join",
    "Fn::Select",
    "Fn::Split",
    "Fn::If",
    "Fn::ImportValue",
    "Fn::GetAZs",
    "Fn::Base64",
    "Fn::Cidr",
    "Fn::FindInMap",
    "Fn::ToJsonString",
    "Fn::Length",
    "Fn::Equals",
    "Fn::And",
    "Fn::Or",
    "Fn::Not",
    "Fn::Contains",
    "Fn::EachMemberEquals",
    "Fn::EachMemberIn",
    "Fn::RefAll",
    "Fn::ValueOf",
    "Fn::ValueOfAll",
    "Fn::Transform",
    "Fn::GetStackOutput",
    "Fn::ForEach",
];

/// The key of a list item that stands for items made by the enclosing code
/// (`{SPREAD_KEY: body}`, written as `Values::spread` says).
pub const SPREAD_KEY: &str = "cw:import:spread";

/// A Rust string literal.
pub fn lit(s: &str) -> String {
    format!("{s:?}")
}

/// The intrinsic a JSON object is, if it is one: its name and argument.
fn intrinsic(v: &Json) -> Option<(&str, &Json)> {
    let o = v.as_object()?;
    if o.len() != 1 {
        return None;
    }
    let (k, arg) = o.iter().next()?;
    (k == "Ref" || k.starts_with("Fn::")).then_some((k.as_str(), arg))
}

/// Whether a value holds no intrinsic anywhere.
fn is_plain(v: &Json) -> bool {
    match v {
        Json::Array(a) => a.iter().all(is_plain),
        Json::Object(o) => intrinsic(v).is_none() && !o.contains_key(SPREAD_KEY) && o.values().all(is_plain),
        _ => true,
    }
}

/// Whether a list item is a spread (`{SPREAD_KEY: body}`).
fn is_spread(v: &Json) -> bool {
    v.as_object().is_some_and(|o| o.len() == 1 && o.contains_key(SPREAD_KEY))
}

/// A `serde_json::Value` expression of plain JSON: `json!` for short values (the macro
/// recurses per token), nested constructors for long ones.
pub fn json_code(v: &Json) -> String {
    let compact = v.to_string();
    if compact.len() <= 80 {
        return format!("json!({compact})");
    }
    match v {
        Json::Array(items) => {
            format!("Json::Array(vec![{}])", items.iter().map(json_code).collect::<Vec<_>>().join(", "))
        }
        Json::Object(o) => format!(
            "Json::Object(serde_json::Map::from_iter([{}]))",
            o.iter().map(|(k, v)| format!("({}.to_owned(), {})", lit(k), json_code(v))).collect::<Vec<_>>().join(", ")
        ),
        Json::String(s) => format!("Json::from({})", lit(s)),
        other => format!("json!({other})"),
    }
}

/// Writes values of one template; `elements` are its named elements.
pub struct Values<'a> {
    /// Logical id -> element.
    pub elements: &'a HashMap<String, Element>,
    /// The variables the values written so far use.
    pub used: std::cell::RefCell<std::collections::HashSet<String>>,
    /// How a list item `{SPREAD_KEY: body}` is written: an expression of type `Vec<Expr>`
    /// with `{}` where the body's `Expr` goes (`ctx.for_each_instance(|i| {})`).
    pub spread: Option<&'a str>,
}

impl Values<'_> {
    /// The variable of an element, noted as used.
    pub fn var(&self, e: &Element) -> String {
        self.used.borrow_mut().insert(e.var.clone());
        e.var.clone()
    }

    fn element(&self, name: &str, kind: Kind, what: &str) -> Result<&Element, Problem> {
        match self.elements.get(name) {
            Some(e) if e.kind == kind => Ok(e),
            Some(e) => Err(Problem::Invalid(
                format!(
                    "{what} names `{name}`, a {:?}, where it needs a {kind:?}; name a {kind:?} of the template",
                    e.kind
                ),
                name.to_owned(),
            )),
            None => Err(Problem::Invalid(
                format!("{what} names `{name}`, which the template does not define; define it or fix the name"),
                name.to_owned(),
            )),
        }
    }

    /// An `Expr` of any template value.
    pub fn expr(&self, v: &Json) -> Out {
        if let Some((name, arg)) = intrinsic(v) {
            return self.intrinsic(name, arg, v);
        }
        if let Some(key) = v.as_object().and_then(|o| o.keys().find(|k| k.starts_with("Fn::"))) {
            return Err(unknown(key));
        }
        Ok(match v {
            Json::String(s) => format!("Expr::from({})", lit(s)),
            Json::Bool(b) => format!("Expr::from({b})"),
            Json::Number(n) if n.is_i64() => format!("Expr::from({n}_i64)"),
            _ if is_plain(v) => format!("Expr::Literal({})", json_code(v)),
            Json::Array(items) if items.iter().any(is_spread) => self.spread_list(items)?,
            Json::Array(items) => format!("Expr::List(vec![{}])", self.list(items)?),
            Json::Object(o) => {
                let fields = o
                    .iter()
                    .map(|(k, v)| Ok(format!("({}.to_owned(), {})", lit(k), self.expr(v)?)))
                    .collect::<Result<Vec<_>, Problem>>()?;
                format!("Expr::Object(vec![{}])", fields.join(", "))
            }
            other => format!("Expr::Literal({})", json_code(other)),
        })
    }

    /// A list with spread items: the runs of plain items and each spread, concatenated.
    fn spread_list(&self, items: &[Json]) -> Out {
        let Some(spread) = self.spread else { return Err(unknown(SPREAD_KEY)) };
        let mut parts: Vec<String> = Vec::new();
        let mut run: Vec<String> = Vec::new();
        for item in items {
            match item.get(SPREAD_KEY) {
                Some(body) => {
                    if !run.is_empty() {
                        parts.push(format!("vec![{}]", run.join(", ")));
                        run.clear();
                    }
                    parts.push(spread.replace("{}", &self.expr(body)?));
                }
                None => run.push(self.expr(item)?),
            }
        }
        if !run.is_empty() {
            parts.push(format!("vec![{}]", run.join(", ")));
        }
        Ok(match parts.as_slice() {
            [one] => format!("Expr::List({one})"),
            _ => format!("Expr::List([{}].concat())", parts.join(", ")),
        })
    }

    fn list(&self, items: &[Json]) -> Out {
        Ok(items.iter().map(|i| self.expr(i)).collect::<Result<Vec<_>, _>>()?.join(", "))
    }

    /// The JSON of a value that may hold intrinsics (for `serde_json::Value` fields).
    pub fn json(&self, v: &Json) -> Out {
        if is_plain(v) { Ok(json_code(v)) } else { Ok(format!("Json::from({})", self.expr(v)?)) }
    }

    fn literal_intrinsic(&self, whole: &Json) -> Out {
        Ok(format!("Expr::Literal({})", json_code(whole)))
    }

    fn intrinsic(&self, name: &str, arg: &Json, whole: &Json) -> Out {
        let args = arg.as_array().map(Vec::as_slice).unwrap_or_default();
        let u32_of = |v: &Json| v.as_u64().and_then(|n| u32::try_from(n).ok());
        Ok(match (name, args) {
            ("Ref", _) => {
                let target = arg.as_str().ok_or_else(|| bad("Ref", "takes a name"))?;
                match pseudo(target) {
                    Some(code) => code.to_owned(),
                    None if target.starts_with("AWS::") => {
                        return Err(Problem::Invalid(
                            format!(
                                "`Ref` of `{target}`, which is not a pseudo parameter; use one of AWS::AccountId, AWS::NotificationARNs, AWS::NoValue, AWS::Partition, AWS::Region, AWS::StackId, AWS::StackName, AWS::URLSuffix"
                            ),
                            target.to_owned(),
                        ));
                    }
                    None => match self.elements.get(target) {
                        Some(e) if e.kind == Kind::Parameter => format!("{}.value()", self.var(e)),
                        Some(e) if e.kind == Kind::Provided => e.var.clone(),
                        Some(e) if e.kind == Kind::Resource => format!("{}.reference()", self.var(e)),
                        _ => format!("{}.reference()", self.var(self.element(target, Kind::Resource, "`Ref`")?)),
                    },
                }
            }
            ("Fn::GetAtt", _) => {
                let (resource, attribute) = match (arg, args) {
                    (Json::String(s), _) => match s.split_once('.') {
                        Some((r, a)) => (r, a.to_owned()),
                        None => return Err(bad(name, "takes `Resource.Attribute`")),
                    },
                    (_, [Json::String(r), Json::String(a)]) => (r.as_str(), a.clone()),
                    _ => return self.literal_intrinsic(whole),
                };
                let e = self.element(resource, Kind::Resource, "`Fn::GetAtt`")?;
                match e.model.as_ref().and_then(|m| m.attributes.iter().find(|a| a.name == attribute)) {
                    Some(a) => format!("{}.{}()", self.var(e), a.method),
                    None => format!("{}.get_att({})", self.var(e), lit(&attribute)),
                }
            }
            ("Fn::Sub", _) => match (arg, args) {
                (Json::String(t), _) => format!("Expr::sub({})", lit(t)),
                (_, [Json::String(t), Json::Object(vars)]) if vars.is_empty() => format!("Expr::sub({})", lit(t)),
                (_, [Json::String(t), Json::Object(vars)]) => {
                    let vars = vars
                        .iter()
                        .map(|(k, v)| Ok(format!("({}, {})", lit(k), self.expr(v)?)))
                        .collect::<Result<Vec<_>, Problem>>()?;
                    format!("Expr::sub_with({}, [{}])", lit(t), vars.join(", "))
                }
                _ => return self.literal_intrinsic(whole),
            },
            ("Fn::Join", [Json::String(d), Json::Array(items)]) => {
                format!("Expr::join({}, [{}])", lit(d), self.list(items)?)
            }
            ("Fn::Select", [i, list]) if u32_of(i).is_some() => {
                format!("Expr::select({}, {})", u32_of(i).unwrap_or_default(), self.expr(list)?)
            }
            ("Fn::Split", [Json::String(d), source]) => format!("Expr::split({}, {})", lit(d), self.expr(source)?),
            ("Fn::If", [Json::String(c), a, b]) => {
                let c = self.element(c, Kind::Condition, "`Fn::If`")?;
                format!("{}.if_then({}, {})", self.var(c), self.expr(a)?, self.expr(b)?)
            }
            ("Fn::ImportValue", _) => format!("Expr::import_value({})", self.expr(arg)?),
            ("Fn::GetAZs", _) if arg.as_str() == Some("") => "Expr::azs()".to_owned(),
            ("Fn::GetAZs", _) => format!("Expr::GetAzs(Box::new({}))", self.expr(arg)?),
            ("Fn::Base64", _) => format!("Expr::base64({})", self.expr(arg)?),
            ("Fn::Cidr", [block, count, bits]) if u32_of(count).is_some() && u32_of(bits).is_some() => format!(
                "Expr::cidr({}, {}, {})",
                self.expr(block)?,
                u32_of(count).unwrap_or_default(),
                u32_of(bits).unwrap_or_default()
            ),
            ("Fn::FindInMap", [Json::String(m), k1, k2]) => {
                let m = self.element(m, Kind::Mapping, "`Fn::FindInMap`")?;
                format!("{}.find_in_map({}, {})", self.var(m), self.expr(k1)?, self.expr(k2)?)
            }
            ("Fn::ToJsonString", _) => format!("Expr::to_json_string({})", self.expr(arg)?),
            ("Fn::Length", _) => format!("Expr::Length(Box::new({}))", self.expr(arg)?),
            ("Fn::RefAll", _) => match arg {
                Json::String(t) => format!("Expr::RefAll({}.into())", lit(t)),
                _ => return self.literal_intrinsic(whole),
            },
            ("Fn::ValueOf", [Json::String(p), Json::String(a)]) => {
                let p = self.element(p, Kind::Parameter, "`Fn::ValueOf`")?;
                format!("Expr::ValueOf({}.element(), {}.into())", self.var(p), lit(a))
            }
            ("Fn::ValueOfAll", [Json::String(t), Json::String(a)]) => {
                format!("Expr::ValueOfAll({}.into(), {}.into())", lit(t), lit(a))
            }
            (
                "Fn::Equals"
                | "Fn::And"
                | "Fn::Or"
                | "Fn::Not"
                | "Fn::Contains"
                | "Fn::EachMemberEquals"
                | "Fn::EachMemberIn",
                _,
            ) => format!("Expr::from({})", self.cond(whole)?),
            _ if KNOWN.contains(&name) => return self.literal_intrinsic(whole),
            _ => return Err(unknown(name)),
        })
    }

    /// A `Cond` of a condition function or `{"Condition": NAME}`.
    pub fn cond(&self, v: &Json) -> Out {
        let Some((name, arg)) = v.as_object().filter(|o| o.len() == 1).and_then(|o| o.iter().next()) else {
            return Err(Problem::Invalid(
                format!("a condition must be a condition function (Fn::Equals, Fn::And, ...), not {v}"),
                String::new(),
            ));
        };
        let args = arg.as_array().map(Vec::as_slice).unwrap_or_default();
        let conds = |items: &[Json]| -> Out {
            Ok(items.iter().map(|c| self.cond(c)).collect::<Result<Vec<_>, _>>()?.join(", "))
        };
        Ok(match (name.as_str(), args) {
            ("Condition", _) => {
                let c = arg.as_str().ok_or_else(|| bad("Condition", "takes a condition name"))?;
                format!("{}.as_cond()", self.var(self.element(c, Kind::Condition, "`Condition`")?))
            }
            ("Fn::Equals", [a, b]) => format!("Cond::Equals({}, {})", self.expr(a)?, self.expr(b)?),
            ("Fn::And", items) => format!("Cond::And(vec![{}])", conds(items)?),
            ("Fn::Or", items) => format!("Cond::Or(vec![{}])", conds(items)?),
            ("Fn::Not", [c]) => format!("Cond::Not(Box::new({}))", self.cond(c)?),
            ("Fn::Contains", [a, b]) => format!("Cond::Contains({}, {})", self.expr(a)?, self.expr(b)?),
            ("Fn::EachMemberEquals", [a, b]) => format!("Cond::EachMemberEquals({}, {})", self.expr(a)?, self.expr(b)?),
            ("Fn::EachMemberIn", [a, b]) => format!("Cond::EachMemberIn({}, {})", self.expr(a)?, self.expr(b)?),
            (f, _) if KNOWN.contains(&f) => {
                return Err(Problem::Invalid(
                    format!("`{f}` is not a condition function or has the wrong arguments: {v}"),
                    f.to_owned(),
                ));
            }
            (f, _) => return Err(unknown(f)),
        })
    }

    /// A value of a typed field of `model`.
    pub fn typed(&self, ty: &Ty, v: &Json, model: &Resource) -> Out {
        let expr_value = |this: &Self| -> Out { Ok(format!("Value::Expr({})", this.expr(v)?)) };
        match ty {
            Ty::Str => match v {
                Json::String(s) => Ok(format!("{}.into()", lit(s))),
                _ => expr_value(self),
            },
            Ty::Int => match v {
                Json::Number(n) if n.is_i64() => Ok(format!("Value::Literal({n})")),
                _ => expr_value(self),
            },
            Ty::Num => match v {
                Json::Number(n) if n.is_f64() => Ok(format!("Value::Literal({n})")),
                _ => expr_value(self),
            },
            Ty::Bool => match v {
                Json::Bool(b) => Ok(format!("Value::Literal({b})")),
                _ => expr_value(self),
            },
            Ty::Enum(name) => match v {
                Json::String(s) => {
                    let path = type_path(model, name);
                    let def = model.types.iter().find_map(|t| match t {
                        TypeDef::Enum(e) if &e.name == name => Some(e),
                        _ => None,
                    });
                    match def.and_then(|d| d.variants.iter().find(|(_, value)| value == s)) {
                        Some((variant, _)) => Ok(format!("Value::Literal({path}::{variant})")),
                        None => Ok(format!("Value::Literal({path}::Other({}.into()))", lit(s))),
                    }
                }
                _ => expr_value(self),
            },
            Ty::Json => self.json(v),
            Ty::Tag => match v.as_object() {
                Some(o) if o.len() == 2 && o.contains_key("Key") && o.contains_key("Value") => Ok(format!(
                    "cfn::Tag {{ key: {}, value: {} }}",
                    self.typed(&Ty::Str, &o["Key"], model)?,
                    self.typed(&Ty::Str, &o["Value"], model)?
                )),
                _ => Err(Problem::Unfit(format!("a tag must be {{Key, Value}}, not {v}"))),
            },
            Ty::Vec(_) if v.as_array().is_some_and(|items| items.iter().any(is_spread)) => {
                Err(Problem::Unfit("a list extended by the enclosing code".into()))
            }
            Ty::Vec(item) => match v {
                Json::Array(items) if intrinsic(v).is_none() => {
                    let items = items.iter().map(|i| self.typed(item, i, model)).collect::<Result<Vec<_>, _>>()?;
                    Ok(format!("vec![{}]", items.join(", ")))
                }
                _ => Err(Problem::Unfit("a list given by an intrinsic function".into())),
            },
            Ty::Map(value) => match v.as_object() {
                Some(o) if intrinsic(v).is_none() => {
                    if o.is_empty() {
                        return Ok("Default::default()".into());
                    }
                    let entries = o
                        .iter()
                        .map(|(k, v)| Ok(format!("({}.to_owned(), {})", lit(k), self.typed(value, v, model)?)))
                        .collect::<Result<Vec<_>, Problem>>()?;
                    Ok(format!("[{}].into_iter().collect()", entries.join(", ")))
                }
                _ => Err(Problem::Unfit("a map given by an intrinsic function".into())),
            },
            Ty::Boxed(inner) => Ok(format!("Box::new({})", self.typed(inner, v, model)?)),
            Ty::Struct(name) => {
                let def = model
                    .types
                    .iter()
                    .find_map(|t| match t {
                        TypeDef::Struct(s) if &s.name == name => Some(s),
                        _ => None,
                    })
                    .ok_or_else(|| Problem::Unfit(format!("no struct {name} in the model")))?;
                self.literal(def, &type_path(model, name), v, model)
            }
        }
    }

    /// A struct literal of `def` (at Rust path `path`) from a JSON object.
    pub fn literal(&self, def: &StructDef, path: &str, v: &Json, model: &Resource) -> Out {
        let o = match v.as_object() {
            Some(o) if intrinsic(v).is_none() => o,
            _ => return Err(Problem::Unfit(format!("`{}` given by an intrinsic function", def.name))),
        };
        if let Some(k) = o.keys().find(|k| !def.fields.iter().any(|f| &f.json_name == *k)) {
            return Err(Problem::Unfit(format!("`{k}` is not a property of `{}` in the schema", def.name)));
        }
        // Every field is named (a struct with required fields has no `Default`), so each
        // value has the field's type to infer from.
        let mut given = Vec::new();
        let mut unset = Vec::new();
        for f in &def.fields {
            match (o.get(&f.json_name), f.required) {
                (Some(v), true) => given.push(format!("{}: {}", f.rust_name, self.typed(&f.ty, v, model)?)),
                (Some(v), false) => given.push(format!("{}: Some({})", f.rust_name, self.typed(&f.ty, v, model)?)),
                (None, true) => {
                    return Err(Problem::Unfit(format!("the required `{}` of `{}` is missing", f.json_name, def.name)));
                }
                (None, false) => unset.push(format!("{}: None", f.rust_name)),
            }
        }
        let all_optional = def.fields.iter().all(|f| !f.required);
        Ok(if all_optional && given.is_empty() {
            format!("{path}::default()")
        } else if unset.is_empty() {
            format!("{path} {{ {} }}", given.join(", "))
        } else if all_optional {
            format!("{path} {{ {}, ..Default::default() }}", given.join(", "))
        } else {
            given.extend(unset);
            format!("{path} {{ {} }}", given.join(", "))
        })
    }
}

/// The Rust path of a nested type of a resource: the generated module of the resource.
pub fn type_path(model: &Resource, name: &str) -> String {
    let service = super::schemas::service_path(&model.type_name).unwrap_or_default();
    format!("{service}::{}::{name}", model.module)
}

fn pseudo(name: &str) -> Option<&'static str> {
    Some(match name {
        "AWS::AccountId" => "Expr::account_id()",
        "AWS::Region" => "Expr::region()",
        "AWS::Partition" => "Expr::partition()",
        "AWS::StackName" => "Expr::stack_name()",
        "AWS::URLSuffix" => "Expr::url_suffix()",
        "AWS::NoValue" => "Expr::no_value()",
        "AWS::StackId" => "Expr::Pseudo(Pseudo::StackId)",
        "AWS::NotificationARNs" => "Expr::Pseudo(Pseudo::NotificationArns)",
        _ => return None,
    })
}

fn bad(name: &str, what: &str) -> Problem {
    Problem::Invalid(
        format!(
            "`{name}` {what}; see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html"
        ),
        name.to_owned(),
    )
}

fn unknown(name: &str) -> Problem {
    Problem::Invalid(
        format!(
            "`{name}` is not a CloudFormation intrinsic function import knows ({}); fix the name \
             (see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html)",
            KNOWN.join(", ")
        ),
        name.to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_json_is_built_without_the_macro() {
        let v: Json = serde_json::json!({"a": "x".repeat(100)});
        assert!(json_code(&v).starts_with("Json::Object("), "{}", json_code(&v));
        assert_eq!(json_code(&serde_json::json!([1])), "json!([1])");
    }
}
