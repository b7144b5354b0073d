//! Rendering each Proton resource of a [`Plan`] as Proton would have: the context it built
//! for an environment, a service instance and a service pipeline, inputs checked against the
//! template's schema and completed with its defaults.
//! <https://docs.aws.amazon.com/proton/latest/userguide/parameters.html>

use std::path::Path;

use cloudwright_core::{Error, Result};
use serde_json::{Map, Value as Json};

use super::repo::{EnvironmentPlan, Repository, ServicePlan, Template};
use crate::proton::render::{EnvironmentFacts, Part, ServiceSource, context};

/// The inputs of `value` checked against the template's input type under `key` and
/// completed with its defaults; problems are `Error::Input` on `spec`, `what` naming the
/// resource.
pub fn inputs(template: &Template, key: &str, value: &Json, spec: &Path, what: &str) -> Result<Json> {
    if !template.bundle.names_input_type(key) {
        return Ok(value.clone());
    }
    let schema = template.bundle.input_type(key)?;
    let problems: Vec<Error> = schema
        .validate(value)
        .into_iter()
        .map(|p| Error::Input { path: spec.display().to_string(), message: format!("{what}: {p}") })
        .collect();
    Error::collect(problems)?;
    Ok(schema.with_defaults(value.clone()))
}

/// An environment's template (its outputs not known yet: `facts.outputs` is empty), with
/// its inputs.
pub fn environment(env: &EnvironmentPlan, facts: &EnvironmentFacts) -> Result<(Json, Json)> {
    let what = format!("environment {:?}", env.name);
    let inputs = inputs(&env.template, "environment_input_type", &env.inputs, &env.spec, &what)?;
    let ctx = context::environment(&env.name, facts, inputs.clone());
    let template = env.template.bundle.render(Part::Main, &ctx, "").map_err(|e| within(e, &what))?;
    Ok((template, inputs))
}

/// `service` of the service's templates: its repository from `migration.yaml`.
fn service_context(name: &str, repo: &Repository) -> Json {
    let mut source = ServiceSource::default();
    if let Some(branch) = &repo.branch {
        source.branch.clone_from(branch);
    }
    source.repository_id = repo.id.clone().unwrap_or_default();
    source.connection_arn = repo.connection_arn.clone().unwrap_or_default();
    context::service(name, &source)
}

/// A service instance's template, with its inputs (defaults added) and its
/// `service_instance` (what the pipeline sees of it, once given its `outputs`). `env` is the
/// instance's environment, its outputs tokens (see `wire`).
pub fn instance(
    service: &ServicePlan,
    index: usize,
    env_name: &str,
    env: &EnvironmentFacts,
) -> Result<(Json, Json, Json)> {
    let Some(i) = service.instances.get(index) else {
        return Err(Error::Input { path: service.spec.display().to_string(), message: "no such instance".into() });
    };
    let what = format!("service {:?} instance {:?}", service.name, i.name);
    let inputs = inputs(&service.template, "service_input_type", &i.inputs, &i.spec, &what)?;
    let environment = context::instance_environment(env_name, env);
    // Components are not part of a template-sync repository: none is attached.
    let service_instance = context::service_instance(&i.name, inputs.clone(), &environment, Map::new());
    let ctx = context::instance(&service_context(&service.name, &service.repository), &service_instance);
    let template = service.template.bundle.render(Part::Main, &ctx, "").map_err(|e| within(e, &what))?;
    Ok((template, inputs, service_instance))
}

/// A service pipeline's template: one more rendered stack, its context holding every
/// instance (`service_instances`: each [`instance`]'s `service_instance` with its outputs).
/// The one place a pipeline is rendered.
pub fn pipeline(service: &ServicePlan, service_instances: Vec<Json>) -> Result<(Json, Json)> {
    let what = format!("service {:?} pipeline", service.name);
    let inputs = inputs(&service.template, "pipeline_input_type", &service.pipeline_inputs, &service.spec, &what)?;
    let ctx =
        context::pipeline(&service_context(&service.name, &service.repository), inputs.clone(), service_instances);
    let template = service.template.bundle.render(Part::Pipeline, &ctx, "").map_err(|e| within(e, &what))?;
    Ok((template, inputs))
}

/// Names the resource in a rendering error.
fn within(e: Error, what: &str) -> Error {
    match e {
        Error::Input { path, message } => Error::Input { path, message: format!("{what}: {message}") },
        other => other,
    }
}

/// A rendered stack's outputs as the next rendering sees them: an output whose value is a
/// literal is that literal (the template fixes it); any other is a token `token(name)` that
/// `wire` turns into a reference.
pub fn outputs(template: &Json, mut token: impl FnMut(&str) -> String) -> Map<String, Json> {
    let Some(outputs) = template.get("Outputs").and_then(Json::as_object) else { return Map::new() };
    outputs
        .iter()
        .map(|(name, o)| {
            let value = match o.get("Value") {
                Some(v @ (Json::String(_) | Json::Number(_) | Json::Bool(_))) => v.clone(),
                _ => Json::String(token(name)),
            };
            (name.clone(), value)
        })
        .collect()
}
