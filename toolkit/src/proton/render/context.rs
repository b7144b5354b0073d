//! The parameters Proton gave each kind of template, built in one place for `proton render`
//! and `proton migrate` alike
//! (<https://docs.aws.amazon.com/proton/latest/userguide/parameters.html>).

use serde_json::{Map, Value as Json, json};

use super::EnvironmentFacts;

/// Where a service's source lives (`service.branch_name`, `service.repository_id`,
/// `service.repository_connection_arn`); a spec does not say, so by default `main` and empty.
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

/// `environment` as an environment template sees it: name, account, inputs and outputs.
pub fn environment(name: &str, facts: &EnvironmentFacts, inputs: Json) -> Json {
    json!({"environment": {"name": name, "account_id": facts.account, "inputs": inputs, "outputs": facts.outputs}})
}

/// `environment` as a service template sees it: no inputs.
pub fn instance_environment(name: &str, facts: &EnvironmentFacts) -> Json {
    json!({"name": name, "account_id": facts.account, "outputs": facts.outputs})
}

/// `service`.
pub fn service(name: &str, source: &ServiceSource) -> Json {
    json!({"name": name, "branch_name": source.branch, "repository_id": source.repository_id,
        "repository_connection_arn": source.connection_arn})
}

/// `service_instance`: its inputs (defaults applied), its environment
/// ([`instance_environment`]) and its default component's outputs.
pub fn service_instance(name: &str, inputs: Json, environment: &Json, component: Map<String, Json>) -> Json {
    json!({"name": name, "inputs": inputs, "environment": environment,
        "components": {"default": {"outputs": component}}})
}

/// The context of `instance_infrastructure/`.
pub fn instance(service: &Json, service_instance: &Json) -> Json {
    json!({"environment": service_instance["environment"], "service": service, "service_instance": service_instance})
}

/// The context of `pipeline_infrastructure/`: each entry of `service_instances` is a
/// [`service_instance`] with its `outputs`.
pub fn pipeline(service: &Json, inputs: Json, service_instances: Vec<Json>) -> Json {
    json!({"service": service, "pipeline": {"inputs": inputs}, "service_instances": service_instances})
}
