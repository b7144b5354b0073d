//! Proton's template parameters in one place: their names, the tree of values Proton hands a
//! template, and how they resolve in a stack.
//!
//! A template names a parameter with a dotted path (`{{ environment.inputs.vpc_cidr }}`);
//! Proton renders it with a tree of values (`{"environment": {"inputs": {"vpc_cidr": ...}}}`),
//! whose parts are listed in the Proton guide
//! (<https://docs.aws.amazon.com/proton/latest/userguide/parameters.html>): an environment
//! template sees `environment` (name, account, inputs, outputs); a service instance sees its
//! `environment` (name, account, outputs), `service` and `service_instance` (name, inputs,
//! environment, the default component's outputs); a service pipeline sees `service`,
//! `pipeline.inputs` and the `service_instances` list, each entry a `service_instance` with
//! its `outputs`.
//!
//! The names are the constants below. The builders ([`environment`], [`instance`],
//! [`pipeline`] and their parts) make the tree from those names; it is the one tree
//! `cloudwright proton render` and `proton migrate` render bundles with
//! (`cloudwright_toolkit::proton::render::context`), and the one whose dotted form
//! ([`flatten`]) gives the values of a stack in plain mode ([`ProtonParameters::Values`]).
//! What a template reads from the tree, a context accessor reads from the dotted form
//! (`EnvironmentContext`, ...), and both come from these names.

use std::borrow::Cow;

use cloudwright_core::StackValues;
use cloudwright_core::expr::holds_marker;
use indexmap::IndexMap;
use serde_json::{Map, Value as Json};

use super::python::py_scalar;

/// `environment`: the environment, as its templates and those of its service instances see it.
pub const ENVIRONMENT: &str = "environment";
/// `environment.name`: the environment's name.
pub const ENVIRONMENT_NAME: &str = "environment.name";
/// `environment.account_id`: the account the environment deploys to.
pub const ENVIRONMENT_ACCOUNT_ID: &str = "environment.account_id";
/// `environment.inputs`: an environment template's inputs, `environment.inputs.<name>` each.
pub const ENVIRONMENT_INPUTS: &str = "environment.inputs";
/// `environment.outputs`: the environment's outputs, `environment.outputs.<name>` each.
pub const ENVIRONMENT_OUTPUTS: &str = "environment.outputs";
/// `service`: the service, as its instances and pipeline see it.
pub const SERVICE: &str = "service";
/// `service.name`: the service's name.
pub const SERVICE_NAME: &str = "service.name";
/// `service.branch_name`: the branch of the service's repository its pipeline builds.
pub const SERVICE_BRANCH_NAME: &str = "service.branch_name";
/// `service.repository_id`: the service's repository (`owner/name`).
pub const SERVICE_REPOSITORY_ID: &str = "service.repository_id";
/// `service.repository_connection_arn`: the CodeStar connection to the repository.
pub const SERVICE_REPOSITORY_CONNECTION_ARN: &str = "service.repository_connection_arn";
/// `service_instance`: a service instance; in a pipeline, the loop variable over
/// [`SERVICE_INSTANCES`].
pub const SERVICE_INSTANCE: &str = "service_instance";
/// `service_instance.name`: the instance's name.
pub const SERVICE_INSTANCE_NAME: &str = "service_instance.name";
/// `service_instance.inputs`: a service template's instance inputs,
/// `service_instance.inputs.<name>` each.
pub const SERVICE_INSTANCE_INPUTS: &str = "service_instance.inputs";
/// `service_instance.outputs`: an instance's outputs, `service_instance.outputs.<name>`
/// each (a pipeline's `service_instances` entries only).
pub const SERVICE_INSTANCE_OUTPUTS: &str = "service_instance.outputs";
/// `service_instance.environment`: the instance's environment (name, account, outputs).
pub const SERVICE_INSTANCE_ENVIRONMENT: &str = "service_instance.environment";
/// `service_instance.environment.name`: the name of the instance's environment.
pub const SERVICE_INSTANCE_ENVIRONMENT_NAME: &str = "service_instance.environment.name";
/// `service_instance.environment.account_id`: the account of the instance's environment.
pub const SERVICE_INSTANCE_ENVIRONMENT_ACCOUNT_ID: &str = "service_instance.environment.account_id";
/// `service_instance.components.default.outputs`: the outputs of the instance's directly
/// defined component, `service_instance.components.default.outputs.<name>` each.
pub const COMPONENT_OUTPUTS: &str = "service_instance.components.default.outputs";
/// `pipeline.inputs`: a service template's pipeline inputs, `pipeline.inputs.<name>` each.
pub const PIPELINE_INPUTS: &str = "pipeline.inputs";
/// `service_instances`: a pipeline's list of the service's instances, each a
/// [`SERVICE_INSTANCE`] with its outputs, looped over with
/// `{% for service_instance in service_instances %}`.
pub const SERVICE_INSTANCES: &str = "service_instances";

/// `component.name`: a directly defined component's name (components only,
/// <https://docs.aws.amazon.com/proton/latest/userguide/comp-parameters.html>).
pub const COMPONENT_NAME: &str = "component.name";

/// The parameter `name` of `namespace`: `member(ENVIRONMENT_INPUTS, "vpc_cidr")` is
/// `environment.inputs.vpc_cidr`.
pub fn member(namespace: &str, name: &str) -> String {
    format!("{namespace}.{name}")
}

/// The name of `parameter` within `namespace`, the inverse of [`member`]:
/// `member_name(ENVIRONMENT_INPUTS, "environment.inputs.vpc_cidr")` is `Some("vpc_cidr")`.
pub fn member_name<'p>(namespace: &str, parameter: &'p str) -> Option<&'p str> {
    parameter.strip_prefix(namespace)?.strip_prefix('.')
}

/// Where a service's source lives (`service.branch_name`, `service.repository_id`,
/// `service.repository_connection_arn`); by default the branch `main`, the others empty
/// (what a spec file alone gives).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceSource {
    /// The branch its pipeline builds.
    pub branch: String,
    /// The repository (`owner/name`).
    pub repository_id: String,
    /// The CodeStar connection's ARN.
    pub connection_arn: String,
}

impl Default for ServiceSource {
    fn default() -> Self {
        ServiceSource { branch: "main".into(), repository_id: String::new(), connection_arn: String::new() }
    }
}

/// A parameter tree being built: each value set at its dotted name.
#[derive(Default)]
struct Tree(Map<String, Json>);

impl Tree {
    /// Sets `value` at the dotted `name`, making the objects on the way.
    fn set(mut self, name: &str, value: Json) -> Tree {
        let mut node = &mut self.0;
        let mut parts = name.split('.').peekable();
        while let Some(part) = parts.next() {
            if parts.peek().is_none() {
                node.insert(part.to_owned(), value);
                break;
            }
            let next = node.entry(part.to_owned()).or_insert_with(|| Json::Object(Map::new()));
            if !next.is_object() {
                *next = Json::Object(Map::new());
            }
            let Json::Object(map) = next else { break };
            node = map;
        }
        self
    }

    /// The value at the dotted `name`, `null` when there is none.
    fn get(&self, name: &str) -> Json {
        let mut parts = name.split('.');
        let first = parts.next().and_then(|p| self.0.get(p));
        parts.fold(first, |node, part| node.and_then(|n| n.get(part))).cloned().unwrap_or(Json::Null)
    }

    fn into_json(self) -> Json {
        Json::Object(self.0)
    }
}

/// The parameters of an environment template (`infrastructure/`): `environment` with the
/// environment's name, account, inputs (defaults applied) and outputs.
pub fn environment(name: &str, account_id: Json, inputs: Json, outputs: Map<String, Json>) -> Json {
    Tree::default()
        .set(ENVIRONMENT_NAME, Json::from(name))
        .set(ENVIRONMENT_ACCOUNT_ID, account_id)
        .set(ENVIRONMENT_INPUTS, inputs)
        .set(ENVIRONMENT_OUTPUTS, Json::Object(outputs))
        .into_json()
}

/// `environment` as a service template sees it: name, account and outputs, no inputs.
pub fn instance_environment(name: &str, account_id: Json, outputs: Map<String, Json>) -> Json {
    Tree::default()
        .set(ENVIRONMENT_NAME, Json::from(name))
        .set(ENVIRONMENT_ACCOUNT_ID, account_id)
        .set(ENVIRONMENT_OUTPUTS, Json::Object(outputs))
        .get(ENVIRONMENT)
}

/// `service`: the service's name and source.
pub fn service(name: &str, source: &ServiceSource) -> Json {
    Tree::default()
        .set(SERVICE_NAME, Json::from(name))
        .set(SERVICE_BRANCH_NAME, Json::from(source.branch.as_str()))
        .set(SERVICE_REPOSITORY_ID, Json::from(source.repository_id.as_str()))
        .set(SERVICE_REPOSITORY_CONNECTION_ARN, Json::from(source.connection_arn.as_str()))
        .get(SERVICE)
}

/// `service_instance`: its name, inputs (defaults applied), environment
/// ([`instance_environment`]) and its default component's outputs.
pub fn service_instance(name: &str, inputs: Json, environment: &Json, component: Map<String, Json>) -> Json {
    Tree::default()
        .set(SERVICE_INSTANCE_NAME, Json::from(name))
        .set(SERVICE_INSTANCE_INPUTS, inputs)
        .set(SERVICE_INSTANCE_ENVIRONMENT, environment.clone())
        .set(COMPONENT_OUTPUTS, Json::Object(component))
        .get(SERVICE_INSTANCE)
}

/// The parameters of `instance_infrastructure/`: the instance's `environment`, `service`
/// ([`service`]) and `service_instance` ([`service_instance`]).
pub fn instance(service: &Json, service_instance: &Json) -> Json {
    let instance = Tree::default().set(SERVICE_INSTANCE, service_instance.clone());
    let environment = instance.get(SERVICE_INSTANCE_ENVIRONMENT);
    Tree::default()
        .set(ENVIRONMENT, environment)
        .set(SERVICE, service.clone())
        .set(SERVICE_INSTANCE, service_instance.clone())
        .into_json()
}

/// The parameters of a directly defined component attached to a service instance: its
/// `component.name`, the instance's `environment`, `service.name` and `service_instance`
/// (name, inputs, environment).
pub fn component(name: &str, service: &str, instance: &str, instance_inputs: Json, environment: &Json) -> Json {
    Tree::default()
        .set(COMPONENT_NAME, Json::from(name))
        .set(ENVIRONMENT, environment.clone())
        .set(SERVICE_NAME, Json::from(service))
        .set(SERVICE_INSTANCE_NAME, Json::from(instance))
        .set(SERVICE_INSTANCE_INPUTS, instance_inputs)
        .set(SERVICE_INSTANCE_ENVIRONMENT, environment.clone())
        .into_json()
}

/// The parameters of `pipeline_infrastructure/`: `service`, `pipeline.inputs` (defaults
/// applied) and `service_instances`, each entry a [`service_instance`] with its `outputs`.
pub fn pipeline(service: &Json, inputs: Json, service_instances: Vec<Json>) -> Json {
    Tree::default()
        .set(SERVICE, service.clone())
        .set(PIPELINE_INPUTS, inputs)
        .set(SERVICE_INSTANCES, Json::Array(service_instances))
        .into_json()
}

/// The parameters inside a pipeline's `{% for service_instance in service_instances %}`
/// loop: `service_instance` bound to one entry of `service_instances`.
pub fn loop_item(service_instance: &Json) -> Json {
    Tree::default().set(SERVICE_INSTANCE, service_instance.clone()).into_json()
}

/// The dotted form of a parameter tree: every value by the name a template reads it with
/// (`environment.inputs.vpc_cidr`), objects included (`environment.inputs`); lists are
/// values, not looked into.
pub fn flatten(tree: &Json) -> IndexMap<String, Json> {
    fn walk(name: &str, value: &Json, out: &mut IndexMap<String, Json>) {
        if let Json::Object(map) = value {
            for (key, v) in map {
                let inner = if name.is_empty() { key.clone() } else { member(name, key) };
                out.insert(inner.clone(), v.clone());
                walk(&inner, v, out);
            }
        }
    }
    let mut out = IndexMap::new();
    walk("", tree, &mut out);
    out
}

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
            ProtonParameters::Values(values) => match lookup(values, name) {
                // A stack value is written as it is, so a reference (an environment's outputs in
                // plain mode) must be used as an `Expr` instead.
                Some(value) if holds_marker(&value) => Err(format!(
                    "uses the Proton parameter `{name}` as a stack value, but in plain mode its value is \
                     another stack's ({value}), which a stack value cannot refer to; read it with the \
                     template context's accessor (`environment_output`), which does"
                )),
                Some(value) => Ok(value),
                None => Err(format!(
                    "uses the Proton parameter `{name}`, which has no value for this stack; \
                     give it one in the spec (or the environment's outputs)"
                )),
            },
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

    fn map(entries: &[(&str, Json)]) -> Map<String, Json> {
        entries.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
    }

    #[test]
    fn the_trees_are_those_proton_renders_templates_with() {
        assert_eq!(
            environment("dev", json!("111111111111"), json!({"cidr": "10.0.0.0/16"}), map(&[("Vpc", json!("vpc-1"))])),
            json!({"environment": {"name": "dev", "account_id": "111111111111",
                "inputs": {"cidr": "10.0.0.0/16"}, "outputs": {"Vpc": "vpc-1"}}})
        );
        let env = instance_environment("dev", json!("111111111111"), map(&[("Vpc", json!("vpc-1"))]));
        assert_eq!(env, json!({"name": "dev", "account_id": "111111111111", "outputs": {"Vpc": "vpc-1"}}));
        let source =
            ServiceSource { branch: "trunk".into(), repository_id: "o/r".into(), connection_arn: "arn:c".into() };
        let svc = service("shop", &source);
        assert_eq!(
            svc,
            json!({"name": "shop", "branch_name": "trunk", "repository_id": "o/r", "repository_connection_arn": "arn:c"})
        );
        let si = service_instance("api", json!({"port": 80}), &env, map(&[("Url", json!("u"))]));
        assert_eq!(
            si,
            json!({"name": "api", "inputs": {"port": 80}, "environment": env,
                "components": {"default": {"outputs": {"Url": "u"}}}})
        );
        assert_eq!(instance(&svc, &si), json!({"environment": env, "service": svc, "service_instance": si}));
        assert_eq!(
            pipeline(&svc, json!({"stage": "beta"}), vec![si.clone()]),
            json!({"service": svc, "pipeline": {"inputs": {"stage": "beta"}}, "service_instances": [si]})
        );
        assert_eq!(loop_item(&si), json!({"service_instance": si}));
    }

    /// Every name is where the builders put its value, so an accessor reading a name and a
    /// template reading the tree agree.
    #[test]
    fn every_name_is_in_the_trees_the_builders_make() {
        let env = instance_environment("dev", json!("111111111111"), map(&[("Vpc", json!("vpc-1"))]));
        let svc = service("shop", &ServiceSource::default());
        let mut si = service_instance("api", json!({"port": 80}), &env, map(&[("Url", json!("u"))]));
        let mut names = flatten(&environment("dev", json!("111111111111"), json!({"cidr": "x"}), Map::new()));
        names.extend(flatten(&instance(&svc, &si)));
        si["outputs"] = json!({"Arn": "arn:f"});
        names.extend(flatten(&pipeline(&svc, json!({"stage": "beta"}), vec![si.clone()])));
        names.extend(flatten(&loop_item(&si)));
        for name in [
            ENVIRONMENT,
            ENVIRONMENT_NAME,
            ENVIRONMENT_ACCOUNT_ID,
            ENVIRONMENT_INPUTS,
            ENVIRONMENT_OUTPUTS,
            SERVICE,
            SERVICE_NAME,
            SERVICE_BRANCH_NAME,
            SERVICE_REPOSITORY_ID,
            SERVICE_REPOSITORY_CONNECTION_ARN,
            SERVICE_INSTANCE,
            SERVICE_INSTANCE_NAME,
            SERVICE_INSTANCE_INPUTS,
            SERVICE_INSTANCE_OUTPUTS,
            SERVICE_INSTANCE_ENVIRONMENT,
            SERVICE_INSTANCE_ENVIRONMENT_NAME,
            SERVICE_INSTANCE_ENVIRONMENT_ACCOUNT_ID,
            COMPONENT_OUTPUTS,
            PIPELINE_INPUTS,
            SERVICE_INSTANCES,
        ] {
            assert!(names.contains_key(name), "{name} is in no tree");
        }
        assert_eq!(names[&member(ENVIRONMENT_INPUTS, "cidr")], "x");
        assert_eq!(names[&member(ENVIRONMENT_OUTPUTS, "Vpc")], "vpc-1");
        assert_eq!(names[&member(COMPONENT_OUTPUTS, "Url")], "u");
        assert_eq!(names[&member(SERVICE_INSTANCE_OUTPUTS, "Arn")], "arn:f");
        assert_eq!(names[SERVICE_BRANCH_NAME], "main");
        assert_eq!(names[&member(PIPELINE_INPUTS, "stage")], "beta");
        assert_eq!(member_name(PIPELINE_INPUTS, &member(PIPELINE_INPUTS, "stage")), Some("stage"));
        assert_eq!(member_name(SERVICE_INSTANCE, "service_instances"), None, "a namespace ends at a dot");
    }

    #[test]
    fn a_value_of_another_stack_is_no_stack_value() {
        let values: IndexMap<String, Json> =
            [("environment.outputs.Vpc".to_owned(), json!({"cw::ref": [0, 3]}))].into_iter().collect();
        let e = ProtonParameters::Values(values).value("environment.outputs.Vpc").unwrap_err();
        assert!(e.contains("environment_output"), "{e}");
    }

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
