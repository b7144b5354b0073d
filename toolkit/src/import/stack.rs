//! One template as a Rust module: `pub fn stack(scope, id, props) -> Result<Stack>` that
//! builds its parameters, mappings, conditions, resources (typed L1s), outputs and rules.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::rc::Rc;

use cloudwright_cfn_model::{model, names};
use cloudwright_core::assembly::{Bootstrap, Section, VERSION_PARAMETER_ID, VERSION_RULE_ID};
use cloudwright_core::{Error, Result, Warning};
use serde_json::{Map, Value as Json};

use super::read;
use super::schemas;
use super::value::{Element, Kind, Problem, Values, json_code, lit};

/// A template imported as Rust.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The module's source (unformatted: one statement a line).
    pub code: String,
    /// What the user should know: escape hatches used, sections left out.
    pub warnings: Vec<Warning>,
    /// The `cloudwright-constructs` features the module needs.
    pub features: BTreeSet<String>,
    /// The number of resources.
    pub resources: usize,
}

/// A template imported into code that already has its stack (`let stack`): a Proton
/// template's builder closure, where some names are Proton parameters.
#[derive(Debug, Clone, Default)]
pub struct Embedding {
    /// Names a `Ref` may use that the template does not define, each with the Rust
    /// expression (an `Expr`) it becomes.
    pub provided: Vec<(String, String)>,
    /// Outputs without an export or condition are declared as `{outputs_via}.output(name,
    /// value, description)?`; with `None`, as `CfnOutput`s.
    pub outputs_via: Option<String>,
    /// How list items `{SPREAD_KEY: body}` are written (`Values::spread`).
    pub spread: Option<String>,
}

/// A template imported as the statements of an enclosing function ([`import_into`]).
#[derive(Debug, Clone)]
pub struct ImportedBody {
    /// The statements, one a line (unformatted), building on `stack`.
    pub body: String,
    /// The items they use (`cloudwright_constructs::Expr`, `serde_json::json`), for [`use_lines`].
    pub uses: BTreeSet<String>,
    /// What the user should know: escape hatches used, sections left out.
    pub warnings: Vec<Warning>,
    /// The `cloudwright-constructs` features they need.
    pub features: BTreeSet<String>,
    /// The number of resources.
    pub resources: usize,
}

/// One statement of the function, and the variable it binds.
struct Stmt {
    var: Option<String>,
    code: String,
}

/// Imports the template `text` read from `path` (named in messages and the module doc).
pub fn import(text: &str, path: &str) -> Result<Imported> {
    let template = read::template(text, path)?;
    let (stmts, used, me, resources) = Importer::new(text, path, &template, None)?.run(&template)?;
    let code = me.module(stmts, &used);
    Ok(Imported { code, warnings: me.warnings, features: me.features, resources })
}

/// Imports `template` (already read; `path` names it in messages) as statements adding its
/// elements to the enclosing function's `stack`, `embedding` saying what it provides.
/// The template's `Description` and format version are the caller's.
pub fn import_into(template: &Json, path: &str, embedding: &Embedding) -> Result<ImportedBody> {
    let text = serde_json::to_string_pretty(template).unwrap_or_default();
    let (stmts, used, me, resources) = Importer::new(&text, path, template, Some(embedding))?.run(template)?;
    let (body, uses) = me.statements(&stmts, &used);
    Ok(ImportedBody { body, uses, warnings: me.warnings, features: me.features, resources })
}

struct Importer<'a> {
    text: &'a str,
    embedding: Option<&'a Embedding>,
    path: &'a str,
    elements: HashMap<String, Element>,
    /// Logical ids in the order they are built.
    order: Vec<String>,
    warnings: Vec<Warning>,
    features: BTreeSet<String>,
    /// Resources of a typed L1 imported with `from_json`, and why.
    unfit: HashMap<String, String>,
}

fn section<'t>(template: &'t Json, name: &str) -> &'t Map<String, Json> {
    static EMPTY: std::sync::OnceLock<Map<String, Json>> = std::sync::OnceLock::new();
    template.get(name).and_then(Json::as_object).unwrap_or_else(|| EMPTY.get_or_init(Map::new))
}

fn is_cdk_bootstrap(template: &Json) -> bool {
    // The CDK's bootstrap check, which cloudwright adds itself (`AppProps::bootstrap_version_rule`).
    let parameter = section(template, "Parameters").get(VERSION_PARAMETER_ID);
    parameter
        .and_then(|p| p.get("Default"))
        .and_then(Json::as_str)
        .is_some_and(|d| Bootstrap::qualifier_of_version_parameter(d).is_some())
        && section(template, "Rules").contains_key(VERSION_RULE_ID)
}

impl<'a> Importer<'a> {
    fn new(text: &'a str, path: &'a str, template: &Json, embedding: Option<&'a Embedding>) -> Result<Self> {
        let mut me = Importer {
            text,
            embedding,
            path,
            elements: HashMap::new(),
            order: Vec::new(),
            warnings: Vec::new(),
            features: BTreeSet::new(),
            unfit: HashMap::new(),
        };
        let skip_bootstrap = is_cdk_bootstrap(template);
        let mut taken: HashSet<String> =
            ["stack", "scope", "id", "props", "ctx"].into_iter().map(str::to_owned).collect();
        for (name, code) in embedding.iter().flat_map(|e| &e.provided) {
            me.elements.insert(name.clone(), Element { kind: Kind::Provided, var: code.clone(), model: None });
        }
        let kinds = [
            ("Parameters", Kind::Parameter),
            ("Mappings", Kind::Mapping),
            ("Conditions", Kind::Condition),
            ("Resources", Kind::Resource),
        ];
        for (name, kind) in kinds {
            for (id, body) in section(template, name) {
                if skip_bootstrap && id == VERSION_PARAMETER_ID && kind == Kind::Parameter {
                    continue;
                }
                if me.elements.contains_key(id) {
                    return Err(
                        me.invalid(id, format!("`{id}` is defined twice; logical ids are unique across sections"))
                    );
                }
                let model = match kind {
                    Kind::Resource => me.model_of(id, body)?,
                    _ => None,
                };
                let var = names::unique(&super::plain_ident(id), &mut taken);
                me.elements.insert(id.clone(), Element { kind, var, model });
            }
        }
        Ok(me)
    }

    /// A warning at `path` (`file:LINE`).
    fn warn(&mut self, path: String, message: String) {
        self.warnings.push(Warning { path, message });
    }

    fn invalid(&self, name: &str, message: String) -> Error {
        Error::Input { path: read::at(self.text, self.path, name), message }
    }

    /// The model of a resource's type, when its schema is embedded and maps.
    fn model_of(&mut self, id: &str, body: &Json) -> Result<Option<Rc<model::Resource>>> {
        let type_name = body.get("Type").and_then(Json::as_str).ok_or_else(|| {
            self.invalid(
                id,
                format!("resource `{id}` has no `Type`; give it its CloudFormation type (e.g. AWS::S3::Bucket)"),
            )
        })?;
        let Some(model) = model_for(type_name) else {
            self.warn(
                read::at(self.text, self.path, id),
                format!("resource `{id}` is of type {type_name}, which has no generated L1 (its schema is not vendored): imported with `CfnResource::from_json`"),
            );
            return Ok(None);
        };
        match model {
            Ok(m) => {
                if let Some(f) = schemas::feature(type_name) {
                    self.features.insert(f);
                }
                Ok(Some(m))
            }
            Err(e) => {
                self.warn(
                    read::at(self.text, self.path, id),
                    format!("resource `{id}`: the schema of {type_name} does not map ({e}): imported with `CfnResource::from_json`"),
                );
                Ok(None)
            }
        }
    }

    fn problem(&self, owner: &str, p: Problem) -> Error {
        match p {
            Problem::Invalid(message, name) => {
                let path = if name.is_empty() {
                    read::at(self.text, self.path, owner)
                } else {
                    read::at_within(self.text, self.path, owner, &name)
                };
                Error::Input { path, message: format!("in `{owner}`: {message}") }
            }
            Problem::Unfit(reason) => {
                Error::Input { path: read::at(self.text, self.path, owner), message: format!("in `{owner}`: {reason}") }
            }
        }
    }

    /// The statements, the variables used, the importer (warnings, features) and the number
    /// of resources.
    #[allow(clippy::type_complexity)]
    fn run(mut self, template: &Json) -> Result<(Vec<Stmt>, HashSet<String>, Self, usize)> {
        for key in template.as_object().into_iter().flat_map(|o| o.keys()) {
            if Section::from_key(key).is_none_or(|s| s == Section::Metadata) {
                self.warn(
                    read::at(self.text, self.path, key),
                    format!("the template's `{key}` section is not imported (cloudwright does not write it)"),
                );
            }
        }
        self.order = self.ordered(template)?;
        let mut elements = std::mem::take(&mut self.elements);
        // Which typed resources do not fit their props: they become `CfnResource`s, so
        // what refers to them must not use the typed accessors.
        let mut unfit: HashMap<String, String> = HashMap::new();
        {
            let values = Values {
                elements: &elements,
                used: Default::default(),
                spread: self.embedding.and_then(|e| e.spread.as_deref()),
            };
            for (id, body) in section(template, "Resources") {
                let Some(m) = elements.get(id).and_then(|e| e.model.clone()) else { continue };
                let properties = body.get("Properties").and_then(Json::as_object).cloned().unwrap_or_default();
                if let Err(reason) = self.typed_props(&values, id, &m, &properties)? {
                    unfit.insert(id.clone(), reason);
                }
            }
        }
        for id in unfit.keys() {
            if let Some(e) = elements.get_mut(id) {
                e.model = None;
            }
        }
        self.unfit = unfit;
        let values = Values {
            elements: &elements,
            used: Default::default(),
            spread: self.embedding.and_then(|e| e.spread.as_deref()),
        };
        let mut stmts = match self.embedding {
            None => vec![self.stack_stmt(template)],
            // The enclosing code made the stack: transforms are added to it.
            Some(_) => self
                .transforms(template)
                .into_iter()
                .map(|t| Stmt { var: None, code: format!("stack.add_transform({})", lit(&t)) })
                .collect(),
        };
        let skip_bootstrap = is_cdk_bootstrap(template);
        let mut resources = 0;
        let order = std::mem::take(&mut self.order);
        for id in &order {
            let Some(e) = elements.get(id) else { continue };
            let section_name = match e.kind {
                Kind::Parameter => "Parameters",
                Kind::Mapping => "Mappings",
                Kind::Condition => "Conditions",
                Kind::Resource => "Resources",
                Kind::Provided => continue,
            };
            let Some(body) = section(template, section_name).get(id) else { continue };
            let code = match e.kind {
                Kind::Parameter => parameter(id, body).map_err(|p| self.problem(id, p))?,
                Kind::Mapping => mapping(id, body).map_err(|p| self.problem(id, p))?,
                Kind::Condition => {
                    let c = values.cond(body).map_err(|p| self.problem(id, p))?;
                    format!("CfnCondition::new(&stack, {}, {c})?", lit(id))
                }
                Kind::Resource => {
                    resources += 1;
                    self.resource(&values, id, e, body, &mut stmts)?;
                    continue;
                }
                Kind::Provided => continue,
            };
            stmts.push(Stmt { var: Some(e.var.clone()), code });
        }
        // Outputs and rules have namespaces of their own in a template, construct ids share one.
        let mut ids: HashSet<String> = elements.keys().cloned().collect();
        let outputs_via = self.embedding.and_then(|e| e.outputs_via.as_deref());
        for (id, body) in section(template, "Outputs") {
            let code = output(&values, id, body, outputs_via).map_err(|p| self.problem(id, p))?;
            stmts.push(Stmt { var: None, code: own_id(code, id, "Output", &mut ids) });
        }
        for (id, body) in section(template, "Rules") {
            if skip_bootstrap && id == VERSION_RULE_ID {
                continue;
            }
            let code = rule(&values, id, body).map_err(|p| self.problem(id, p))?;
            stmts.push(Stmt { var: None, code: own_id(code, id, "Rule", &mut ids) });
        }
        let used = values.used.into_inner();
        Ok((stmts, used, self, resources))
    }

    /// The names of the template's `Transform` (one or a list); any other form is left out
    /// with a warning.
    fn transforms(&mut self, template: &Json) -> Vec<String> {
        match template.get("Transform") {
            Some(Json::String(t)) => vec![t.clone()],
            Some(Json::Array(ts)) if ts.iter().all(Json::is_string) => {
                ts.iter().filter_map(Json::as_str).map(str::to_owned).collect()
            }
            Some(other) => {
                self.warn(
                    read::at(self.text, self.path, "Transform"),
                    format!("`Transform` {other} is not a transform name or a list of them: left out"),
                );
                Vec::new()
            }
            None => Vec::new(),
        }
    }

    fn stack_stmt(&mut self, template: &Json) -> Stmt {
        let mut fields = Vec::new();
        if let Some(d) = template.get("Description").and_then(Json::as_str) {
            fields.push(format!("description: Some({}.into())", lit(d)));
        }
        if let Some(v) = template.get(Section::FormatVersion.key()).and_then(Json::as_str) {
            fields.push(format!("template_format_version: Some({}.into())", lit(v)));
        }
        let transforms = self.transforms(template);
        if !transforms.is_empty() {
            let names: Vec<String> = transforms.iter().map(|t| format!("{}.into()", lit(t))).collect();
            fields.push(format!("transforms: vec![{}]", names.join(", ")));
        }
        let props = if fields.is_empty() {
            "props".to_owned()
        } else {
            format!("StackProps {{ {}, ..props }}", fields.join(", "))
        };
        Stmt { var: Some("stack".into()), code: format!("Stack::new(scope, id, {props})?") }
    }

    fn resource(
        &mut self,
        values: &Values<'_>,
        id: &str,
        e: &Element,
        body: &Json,
        stmts: &mut Vec<Stmt>,
    ) -> Result<()> {
        let type_name = body.get("Type").and_then(Json::as_str).unwrap_or_default();
        let empty = Map::new();
        let properties = match body.get("Properties") {
            None => &empty,
            Some(Json::Object(p)) => p,
            Some(_) => return Err(self.invalid(id, format!("the `Properties` of `{id}` must be a mapping"))),
        };
        let construct_id = construct_id(id);
        let typed = match (&e.model, self.unfit.get(id)) {
            (Some(m), _) => match self.typed_props(values, id, m, properties)? {
                Ok(t) => Ok(t),
                Err(reason) => Err(reason),
            },
            (None, Some(reason)) => Err(reason.clone()),
            (None, None) => Err(String::new()),
        };
        let mut extra = Vec::new();
        let typed = match typed {
            Ok(t) => Some(t),
            Err(reason) if !reason.is_empty() => {
                self.warn(
                    read::at(self.text, self.path, id),
                    format!("resource `{id}` ({type_name}) is imported with `CfnResource::from_json`: {reason}"),
                );
                extra.push(format!("// {reason}: the typed props cannot hold it."));
                None
            }
            Err(_) => {
                extra.push(format!("// {type_name} has no generated L1 (its schema is not vendored)."));
                None
            }
        };
        let code = match (typed, &e.model) {
            (Some((literal, overrides)), Some(m)) => {
                let service = schemas::service_path(type_name).unwrap_or_default();
                let mut code = format!("{service}::{}::new(&stack, {}, {literal})?", m.handle, lit(&construct_id));
                for (name, value, reason) in overrides {
                    code.push_str(&format!(
                        ";\n// `{name}`: {reason}; set as JSON.\n{}.set_property({}, {value})",
                        e.var,
                        lit(&name)
                    ));
                }
                code
            }
            _ => {
                let props = values.json(&Json::Object(properties.clone())).map_err(|p| self.problem(id, p))?;
                let props =
                    if properties.is_empty() { "Json::Object(serde_json::Map::new())".to_owned() } else { props };
                format!(
                    "{}CfnResource::from_json(&stack, {}, {}, {props})?",
                    extra.join("\n") + "\n",
                    lit(&construct_id),
                    lit(type_name)
                )
            }
        };
        let mut code = code;
        if construct_id != id {
            code.push_str(&format!(";\n{}.override_logical_id({})", e.var, lit(id)));
        }
        for attr in self.attributes(values, id, e, body)? {
            code.push_str(&format!(";\n{}.{attr}", e.var));
        }
        stmts.push(Stmt { var: Some(e.var.clone()), code });
        Ok(())
    }

    /// The props literal and the properties set as JSON (name, value, why), or why the
    /// resource does not fit its typed props at all.
    #[allow(clippy::type_complexity)]
    fn typed_props(
        &self,
        values: &Values<'_>,
        id: &str,
        m: &model::Resource,
        properties: &Map<String, Json>,
    ) -> Result<std::result::Result<(String, Vec<(String, String, String)>), String>> {
        let service = schemas::service_path(&m.type_name).unwrap_or_default();
        let mut fitted = Map::new();
        let mut overrides = Vec::new();
        for (name, v) in properties {
            let field = m.props.fields.iter().find(|f| &f.json_name == name);
            let reason = match field {
                None => format!("not a property of {} in its schema", m.type_name),
                Some(f) => match values.typed(&f.ty, v, m) {
                    Ok(_) => {
                        fitted.insert(name.clone(), v.clone());
                        continue;
                    }
                    Err(Problem::Unfit(r)) => r,
                    Err(p) => return Err(self.problem(id, p)),
                },
            };
            if field.is_some_and(|f| f.required) {
                return Ok(Err(format!("its required property `{name}` does not fit the typed field ({reason})")));
            }
            let value = values.json(v).map_err(|p| self.problem(id, p))?;
            overrides.push((name.clone(), value, reason));
        }
        let path = format!("{service}::{}", m.props.name);
        match values.literal(&m.props, &path, &Json::Object(fitted), m) {
            Ok(literal) => Ok(Ok((literal, overrides))),
            Err(Problem::Unfit(r)) => Ok(Err(r)),
            Err(p) => Err(self.problem(id, p)),
        }
    }

    /// The calls that set a resource's attributes other than its properties.
    fn attributes(&mut self, values: &Values<'_>, id: &str, _e: &Element, body: &Json) -> Result<Vec<String>> {
        let mut calls = Vec::new();
        for (key, v) in body.as_object().into_iter().flatten() {
            match key.as_str() {
                "Type" | "Properties" => {}
                "Condition" => {
                    let c = v.as_str().and_then(|c| values.elements.get(c)).filter(|c| c.kind == Kind::Condition);
                    let c = c.ok_or_else(|| {
                        self.invalid(id, format!("the `Condition` of `{id}` is not a condition of the template: {v}"))
                    })?;
                    calls.push(format!("set_condition(&{})", values.var(c)));
                }
                "DependsOn" => {
                    for d in depends_on(v) {
                        let target = values.elements.get(d).filter(|t| t.kind == Kind::Resource).ok_or_else(|| {
                            self.invalid(id, format!("`{id}` depends on `{d}`, which is not a resource of the template; fix the name or remove it from `DependsOn`"))
                        })?;
                        calls.push(format!("add_depends_on(&{})", values.var(target)));
                    }
                }
                "DeletionPolicy" | "UpdateReplacePolicy" => {
                    let policy = match v.as_str() {
                        Some(p @ ("Delete" | "Retain" | "Snapshot" | "RetainExceptOnCreate")) => p,
                        _ => {
                            return Err(self.invalid(
                                id,
                                format!(
                                    "the `{key}` of `{id}` is {v}; use Delete, Retain, Snapshot or RetainExceptOnCreate"
                                ),
                            ));
                        }
                    };
                    let method =
                        if key == "DeletionPolicy" { "set_deletion_policy" } else { "set_update_replace_policy" };
                    calls.push(format!("{method}(RemovalPolicy::{policy})"));
                }
                "UpdatePolicy" | "CreationPolicy" => {
                    let method = if key == "UpdatePolicy" { "set_update_policy" } else { "set_creation_policy" };
                    calls.push(format!("{method}({})", values.json(v).map_err(|p| self.problem(id, p))?));
                }
                "Metadata" => {
                    for (k, m) in v.as_object().into_iter().flatten() {
                        calls.push(format!(
                            "add_cfn_metadata({}, {})",
                            lit(k),
                            values.json(m).map_err(|p| self.problem(id, p))?
                        ));
                    }
                }
                other => self.warn(
                    read::at_within(self.text, self.path, id, other),
                    format!("the `{other}` attribute of `{id}` is not imported (cloudwright does not write it)"),
                ),
            }
        }
        Ok(calls)
    }

    /// The logical ids in an order where each comes after what it refers to, or the
    /// circular dependency.
    fn ordered(&self, template: &Json) -> Result<Vec<String>> {
        let mut ids: Vec<&String> = Vec::new();
        for name in ["Parameters", "Mappings", "Conditions", "Resources"] {
            ids.extend(section(template, name).keys().filter(|k| self.elements.contains_key(*k)));
        }
        let body = |id: &str| {
            ["Parameters", "Mappings", "Conditions", "Resources"].iter().find_map(|s| section(template, s).get(id))
        };
        let deps: HashMap<&str, Vec<String>> = ids
            .iter()
            .map(|id| {
                let mut out = Vec::new();
                if let Some(b) = body(id) {
                    references(b, &mut out);
                    if let Some(d) = b.get("DependsOn") {
                        out.extend(depends_on(d).into_iter().map(str::to_owned));
                    }
                    if let Some(c) = b.get("Condition").and_then(Json::as_str) {
                        out.push(c.to_owned());
                    }
                }
                out.retain(|d| self.elements.get(d).is_some_and(|e| e.kind != Kind::Provided) && d != *id);
                (id.as_str(), out)
            })
            .collect();
        let mut done: HashSet<&str> = HashSet::new();
        let mut order = Vec::new();
        while order.len() < ids.len() {
            let next = ids
                .iter()
                .find(|id| !done.contains(id.as_str()) && deps[id.as_str()].iter().all(|d| done.contains(d.as_str())));
            match next {
                Some(id) => {
                    done.insert(id);
                    order.push((*id).clone());
                }
                None => return Err(self.cycle(&ids, &deps, &done)),
            }
        }
        Ok(order)
    }

    fn cycle(&self, ids: &[&String], deps: &HashMap<&str, Vec<String>>, done: &HashSet<&str>) -> Error {
        // Walk unresolved dependencies from the first unfinished element until one repeats.
        let mut path: Vec<String> = Vec::new();
        let mut at = ids.iter().find(|id| !done.contains(id.as_str())).map(|s| (*s).clone()).unwrap_or_default();
        while !path.contains(&at) {
            path.push(at.clone());
            match deps.get(at.as_str()).and_then(|d| d.iter().find(|d| !done.contains(d.as_str()))) {
                Some(d) => at = d.clone(),
                None => break,
            }
        }
        let start = path.iter().position(|p| *p == at).unwrap_or(0);
        let mut cycle: Vec<String> = path[start..].to_vec();
        cycle.push(at.clone());
        Error::Input {
            path: read::at(self.text, self.path, &at),
            message: format!(
                "circular dependency between resources (`DependsOn`, `Ref`, `Fn::GetAtt`): {}; CloudFormation refuses it too: remove one of these dependencies",
                cycle.join(" -> ")
            ),
        }
    }

    /// The statements as code, and the items they use (`cloudwright_constructs::Expr`).
    fn statements(&self, stmts: &[Stmt], used: &HashSet<String>) -> (String, BTreeSet<String>) {
        let mut body = String::new();
        for s in stmts {
            let used =
                s.var.as_ref().filter(|v| *v == "stack" || s.code.contains(&format!("\n{v}.")) || used.contains(*v));
            match used {
                Some(v) => body.push_str(&format!("let {v} = {};\n", s.code)),
                None => body.push_str(&format!("{};\n", s.code)),
            }
        }
        let mut uses: BTreeSet<String> = BTreeSet::new();
        if self.embedding.is_none() {
            uses.extend(["Construct", "Result", "Stack", "StackProps"].map(|i| format!("cloudwright_constructs::{i}")));
        }
        for (needle, name) in [
            ("Expr::", "Expr"),
            ("Cond::", "Cond"),
            ("Value::", "Value"),
            ("Pseudo::", "Pseudo"),
            ("CfnResource::", "CfnResource"),
            ("CfnParameter::", "CfnParameter"),
            ("ParameterProps", "ParameterProps"),
            ("CfnCondition::", "CfnCondition"),
            ("CfnMapping::", "CfnMapping"),
            ("CfnOutput::", "CfnOutput"),
            ("OutputProps", "OutputProps"),
            ("CfnRule::", "CfnRule"),
            ("RuleProps", "RuleProps"),
            ("RemovalPolicy::", "RemovalPolicy"),
            ("cfn::", "cfn"),
        ] {
            if uses_item(&body, needle) {
                uses.insert(format!("cloudwright_constructs::{name}"));
            }
        }
        if uses_item(&body, "Json::") {
            uses.insert("serde_json::Value as Json".into());
        }
        if uses_item(&body, "json!(") {
            uses.insert("serde_json::json".into());
        }
        (body, uses)
    }

    fn module(&self, stmts: Vec<Stmt>, used: &HashSet<String>) -> String {
        let (body, uses) = self.statements(&stmts, used);
        let uses_line = use_lines(&uses);
        format!(
            "//! The stack of `{path}`, imported by `cloudwright import`.\n\n{uses_line}\n/// Adds the stack of `{path}` to `scope`; `props` are its settings (environment, name, ...).\npub fn stack(scope: &impl Construct, id: &str, props: StackProps) -> Result<Stack> {{\n{body}Ok(stack)\n}}\n",
            path = self.path.rsplit('/').next().unwrap_or(self.path)
        )
    }
}

/// `use` lines for items (`crate::path::Item`), one per crate, items sorted as rustfmt does.
pub fn use_lines(items: &BTreeSet<String>) -> String {
    let mut by_crate: std::collections::BTreeMap<&str, Vec<&str>> = std::collections::BTreeMap::new();
    for item in items {
        let (root, rest) = item.split_once("::").unwrap_or((item, ""));
        by_crate.entry(root).or_default().push(rest);
    }
    let mut out = String::new();
    for (root, mut rest) in by_crate {
        rest.sort_unstable_by_key(|s| s.to_lowercase());
        match rest.as_slice() {
            [one] => out.push_str(&format!("use {root}::{one};\n")),
            many => out.push_str(&format!("use {root}::{{{}}};\n", many.join(", "))),
        }
    }
    out
}

/// The model of a type: `None` without a schema, the mapping error when it does not map.
type Model = Option<std::result::Result<Rc<model::Resource>, String>>;

thread_local! {
    /// The model of each type used so far: schemas are read and mapped once per type.
    static MODELS: std::cell::RefCell<HashMap<String, Model>> = std::cell::RefCell::default();
}

/// The model of a type, mapped once.
fn model_for(type_name: &str) -> Model {
    MODELS.with(|models| {
        models
            .borrow_mut()
            .entry(type_name.to_owned())
            .or_insert_with(|| schemas::schema(type_name).map(|s| model::resource(&s).map(Rc::new)))
            .clone()
    })
}

/// An output's or rule's statement with a construct id no other element has: `code` was
/// written with `id`; a taken one becomes `id` + `suffix`, its logical id kept by an override.
fn own_id(code: String, id: &str, suffix: &str, ids: &mut HashSet<String>) -> String {
    if ids.insert(id.to_owned()) {
        return code;
    }
    let unique = names::unique(&format!("{id}{suffix}"), ids);
    ids.insert(unique.clone());
    format!(
        "{}.override_logical_id({})",
        code.replacen(&format!("(&stack, {}", lit(id)), &format!("(&stack, {}", lit(&unique)), 1),
        lit(id)
    )
}

/// Whether `code` names the item `needle` itself (not as the last part of a longer path,
/// such as `cfn::events::CfnRule::`).
fn uses_item(code: &str, needle: &str) -> bool {
    code.match_indices(needle).any(|(i, _)| !code[..i].ends_with(|c: char| c == ':' || c == '_' || c.is_alphanumeric()))
}

/// The construct id that gives `logical_id` (a top-level id is its own logical id, but
/// `Default` is hidden from ids).
fn construct_id(logical_id: &str) -> String {
    if cloudwright_core::logical_id::make_unique_id(&[logical_id]).as_deref() == Some(logical_id) {
        logical_id.to_owned()
    } else {
        format!("{logical_id}Imported")
    }
}

fn depends_on(v: &Json) -> Vec<&str> {
    match v {
        Json::String(s) => vec![s.as_str()],
        Json::Array(items) => items.iter().filter_map(Json::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The logical ids a value refers to (`Ref`, `Fn::GetAtt`, `Fn::If`, `Fn::FindInMap`, `Condition`).
fn references(v: &Json, out: &mut Vec<String>) {
    match v {
        Json::Array(items) => items.iter().for_each(|i| references(i, out)),
        Json::Object(o) => {
            for (k, arg) in o {
                let first = arg.as_array().and_then(|a| a.first()).and_then(Json::as_str);
                match (k.as_str(), arg) {
                    ("Ref" | "Condition", Json::String(s)) => out.push(s.clone()),
                    ("Fn::GetAtt", Json::String(s)) => out.extend(s.split('.').next().map(str::to_owned)),
                    ("Fn::GetAtt" | "Fn::If" | "Fn::FindInMap" | "Fn::ValueOf", _) => {
                        out.extend(first.map(str::to_owned))
                    }
                    _ => {}
                }
                references(arg, out);
            }
        }
        _ => {}
    }
}

fn number(v: &Json) -> Option<f64> {
    v.as_f64().or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

fn parameter(id: &str, body: &Json) -> std::result::Result<String, Problem> {
    let o = body
        .as_object()
        .ok_or_else(|| Problem::Invalid(format!("parameter `{id}` must be a mapping"), String::new()))?;
    let text = |k: &str| o.get(k).and_then(Json::as_str).map(|s| format!("Some({}.into())", lit(s)));
    let mut fields = Vec::new();
    let mut put = |name: &str, v: Option<String>| {
        if let Some(v) = v {
            fields.push(format!("{name}: {v}"));
        }
    };
    put("parameter_type", text("Type"));
    put("default", o.get("Default").map(|d| format!("Some({})", json_code(d))));
    put("description", text("Description"));
    put(
        "allowed_values",
        o.get("AllowedValues").and_then(Json::as_array).map(|vs| {
            let vs: Vec<String> = vs
                .iter()
                .map(|v| format!("{}.into()", lit(&v.as_str().map_or_else(|| v.to_string(), str::to_owned))))
                .collect();
            format!("vec![{}]", vs.join(", "))
        }),
    );
    put("allowed_pattern", text("AllowedPattern"));
    put("constraint_description", text("ConstraintDescription"));
    put("min_length", o.get("MinLength").and_then(number).map(|n| format!("Some({})", n as u32)));
    put("max_length", o.get("MaxLength").and_then(number).map(|n| format!("Some({})", n as u32)));
    put("min_value", o.get("MinValue").and_then(number).map(|n| format!("Some({n:?})")));
    put("max_value", o.get("MaxValue").and_then(number).map(|n| format!("Some({n:?})")));
    let no_echo = o.get("NoEcho").is_some_and(|v| v.as_bool() == Some(true) || v.as_str() == Some("true"));
    put("no_echo", no_echo.then(|| "true".to_owned()));
    let rest = if fields.len() == 11 { String::new() } else { ", ..Default::default()".to_owned() };
    let props = if fields.is_empty() {
        "ParameterProps::default()".to_owned()
    } else {
        format!("ParameterProps {{ {}{rest} }}", fields.join(", "))
    };
    Ok(format!("CfnParameter::new(&stack, {}, {props})?", lit(id)))
}

fn mapping(id: &str, body: &Json) -> std::result::Result<String, Problem> {
    let invalid = || Problem::Invalid(format!("mapping `{id}` must be a mapping of mappings"), String::new());
    let top = body.as_object().ok_or_else(invalid)?;
    let mut entries = Vec::new();
    for (k, second) in top {
        let second = second.as_object().ok_or_else(invalid)?;
        let inner: Vec<String> =
            second.iter().map(|(k2, v)| format!("({}.to_owned(), {})", lit(k2), json_code(v))).collect();
        entries.push(format!("({}.to_owned(), [{}].into_iter().collect())", lit(k), inner.join(", ")));
    }
    Ok(format!("CfnMapping::new(&stack, {}, [{}].into_iter().collect())?", lit(id), entries.join(", ")))
}

fn output(values: &Values<'_>, id: &str, body: &Json, via: Option<&str>) -> std::result::Result<String, Problem> {
    let value = body
        .get("Value")
        .ok_or_else(|| Problem::Invalid(format!("output `{id}` has no `Value`; give it one"), String::new()))?;
    if let Some(via) = via.filter(|_| body.get("Export").is_none() && body.get("Condition").is_none()) {
        let description = body.get("Description").and_then(Json::as_str).unwrap_or_default();
        return Ok(format!("{via}.output({}, {}, {})?", lit(id), values.expr(value)?, lit(description)));
    }
    let mut fields = vec![format!("value: {}", values.expr(value)?)];
    if let Some(d) = body.get("Description").and_then(Json::as_str) {
        fields.push(format!("description: Some({}.into())", lit(d)));
    }
    if let Some(name) = body.get("Export").and_then(|e| e.get("Name")) {
        fields.push(format!("export_name: Some({})", values.expr(name)?));
    }
    if let Some(c) = body.get("Condition").and_then(Json::as_str) {
        let c = values.elements.get(c).filter(|e| e.kind == Kind::Condition).ok_or_else(|| {
            Problem::Invalid(
                format!("the `Condition` of output `{id}` is not a condition of the template"),
                c.to_owned(),
            )
        })?;
        fields.push(format!("condition: Some({}.clone())", values.var(c)));
    }
    let rest = if fields.len() == 4 { "" } else { ", ..Default::default()" };
    Ok(format!("CfnOutput::new(&stack, {}, OutputProps {{ {}{rest} }})?", lit(&construct_id(id)), fields.join(", ")))
}

fn rule(values: &Values<'_>, id: &str, body: &Json) -> std::result::Result<String, Problem> {
    let mut fields = Vec::new();
    if let Some(c) = body.get("RuleCondition") {
        fields.push(format!("rule_condition: Some({})", values.cond(c)?));
    }
    let mut assertions = Vec::new();
    for a in body.get("Assertions").and_then(Json::as_array).into_iter().flatten() {
        let assert = a
            .get("Assert")
            .ok_or_else(|| Problem::Invalid(format!("an assertion of rule `{id}` has no `Assert`"), String::new()))?;
        let description = a
            .get("AssertDescription")
            .and_then(Json::as_str)
            .map_or("None".to_owned(), |d| format!("Some({}.into())", lit(d)));
        assertions.push(format!("({}, {description})", values.cond(assert)?));
    }
    fields.push(format!("assertions: vec![{}]", assertions.join(", ")));
    let rest = if fields.len() == 2 { "" } else { ", ..Default::default()" };
    Ok(format!("CfnRule::new(&stack, {}, RuleProps {{ {}{rest} }})?", lit(&construct_id(id)), fields.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_item_is_named_only_as_itself() {
        assert!(uses_item("CfnRule::new(&stack", "CfnRule::"));
        assert!(!uses_item("cfn::events::CfnRule::new(&stack", "CfnRule::"));
    }
}
