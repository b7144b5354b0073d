//! The parameters Proton gave each kind of template, for `proton render` and `proton
//! migrate` alike: the one parameter tree of `cloudwright_constructs::proton::parameters`
//! (<https://docs.aws.amazon.com/proton/latest/userguide/parameters.html>), which plain mode
//! resolves its stacks' parameters from too, here over an environment's [`EnvironmentFacts`].

use cloudwright_constructs::proton::parameters;
use serde_json::{Map, Value as Json};

use super::EnvironmentFacts;

pub use parameters::ServiceSource;

/// `environment` as an environment template sees it: name, account, inputs and outputs.
pub fn environment(name: &str, facts: &EnvironmentFacts, inputs: Json) -> Json {
    parameters::environment(name, Json::from(facts.account.as_str()), inputs, facts.outputs.clone())
}

/// `environment` as a service template sees it: no inputs.
pub fn instance_environment(name: &str, facts: &EnvironmentFacts) -> Json {
    parameters::instance_environment(name, Json::from(facts.account.as_str()), facts.outputs.clone())
}

/// `service`.
pub fn service(name: &str, source: &ServiceSource) -> Json {
    parameters::service(name, source)
}

/// `service_instance`: its inputs (defaults applied), its environment
/// ([`instance_environment`]) and its default component's outputs.
pub fn service_instance(name: &str, inputs: Json, environment: &Json, component: Map<String, Json>) -> Json {
    parameters::service_instance(name, inputs, environment, component)
}

/// The context of `instance_infrastructure/`.
pub fn instance(service: &Json, service_instance: &Json) -> Json {
    parameters::instance(service, service_instance)
}

/// The context of `pipeline_infrastructure/`: each entry of `service_instances` is a
/// [`service_instance`] with its `outputs`.
pub fn pipeline(service: &Json, inputs: Json, service_instances: Vec<Json>) -> Json {
    parameters::pipeline(service, inputs, service_instances)
}
