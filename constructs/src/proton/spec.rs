//! Spec files (`proton: EnvironmentSpec` / `proton: ServiceSpec`), serialized from the same
//! typed inputs as the schema, with a `# template: NAME` line naming their template.

use serde_json::{Value as Json, json};

use super::yaml::to_yaml;

/// An environment's spec file.
pub fn environment_spec(template: &str, inputs: &Json) -> Vec<u8> {
    let body = json!({"proton": "EnvironmentSpec", "spec": inputs});
    format!("# template: {template}\n{}", to_yaml(&body)).into_bytes()
}

/// A service's spec file: its pipeline inputs and one instance per environment.
pub fn service_spec(template: &str, pipeline: Option<&Json>, instances: &[(String, String, Json)]) -> Vec<u8> {
    let mut body = serde_json::Map::new();
    body.insert("proton".into(), json!("ServiceSpec"));
    if let Some(p) = pipeline {
        body.insert("pipeline".into(), p.clone());
    }
    let instances: Vec<Json> = instances
        .iter()
        .map(|(name, environment, spec)| json!({"name": name, "environment": environment, "spec": spec}))
        .collect();
    body.insert("instances".into(), Json::Array(instances));
    format!("# template: {template}\n{}", to_yaml(&Json::Object(body))).into_bytes()
}
