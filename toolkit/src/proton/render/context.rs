//! The parameters Proton gave each kind of template, for `proton render` and `proton
//! migrate` alike: the one parameter tree of `cloudwright_constructs::proton::parameters`
//! (<https://docs.aws.amazon.com/proton/latest/userguide/parameters.html>), which plain mode
//! resolves its stacks' parameters from too, here over an environment's [`EnvironmentFacts`].

use cloudwright_constructs::proton::parameters;
use serde_json::Value as Json;

use super::EnvironmentFacts;

// The parts that need no environment facts are the shared builders themselves.
pub use parameters::{ServiceSource, instance, pipeline, service, service_instance};

/// `environment` as an environment template sees it: name, account, inputs and outputs.
pub fn environment(name: &str, facts: &EnvironmentFacts, inputs: Json) -> Json {
    parameters::environment(name, Json::from(facts.account.as_str()), inputs, facts.outputs.clone())
}

/// `environment` as a service template sees it: no inputs.
pub fn instance_environment(name: &str, facts: &EnvironmentFacts) -> Json {
    parameters::instance_environment(name, Json::from(facts.account.as_str()), facts.outputs.clone())
}
