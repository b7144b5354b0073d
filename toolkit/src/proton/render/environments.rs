//! Where each Proton environment lives and what it produced: the environments file of
//! `cloudwright proton render --environments FILE`, one entry per environment name:
//!
//! ```yaml
//! multi-svc-beta:
//!   account: "111111111111"   # the environment's account (its stacks, `account_id`)
//!   region: us-west-2
//!   outputs:                   # the environment stack's outputs, for service templates
//!     VPC: vpc-0abc
//! ```
//!
//! Every key is optional; an environment not in the file, or a key left out, takes the
//! defaults (`--account`/`--region`, no outputs).

use std::collections::BTreeMap;
use std::path::Path;

use cloudwright_core::{Environment, Error, Result};
use serde_json::{Map, Value as Json};

/// One environment's account, region and outputs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EnvironmentFacts {
    /// The 12-digit account id (`environment.account_id` in templates).
    pub account: String,
    /// The region its stacks deploy to.
    pub region: String,
    /// Its outputs (`environment.outputs.*`), name to value.
    pub outputs: Map<String, Json>,
}

/// Environment name to facts, with the facts of environments not listed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Environments {
    /// The account and region of an environment not listed (its outputs are empty).
    pub default: EnvironmentFacts,
    /// The listed environments.
    pub by_name: BTreeMap<String, EnvironmentFacts>,
}

impl Environments {
    /// No environment listed: every one has the given account and region and no outputs.
    pub fn with_default(account: &str, region: &str) -> Environments {
        Environments {
            default: EnvironmentFacts { account: account.into(), region: region.into(), outputs: Map::new() },
            by_name: BTreeMap::new(),
        }
    }

    /// The facts of the environment `name`.
    pub fn get(&self, name: &str) -> EnvironmentFacts {
        self.by_name.get(name).cloned().unwrap_or_else(|| self.default.clone())
    }

    /// Reads an environments file (YAML or JSON) over these defaults; every problem of the
    /// file is reported at once, naming the file and the environment.
    pub fn read(mut self, path: &Path) -> Result<Environments> {
        let file = path.display().to_string();
        let doc: Json = crate::input::read_yaml(path)?;
        let problem = |message: String| Error::Input { path: file.clone(), message };
        let Json::Object(entries) = doc else {
            return Err(problem("must map each environment name to {account, region, outputs}".into()));
        };
        let mut problems = Vec::new();
        for (name, entry) in entries {
            let mut facts = self.default.clone();
            let Json::Object(fields) = entry else {
                problems.push(problem(format!("environment {name:?} must be a map of account, region and outputs")));
                continue;
            };
            for (key, value) in fields {
                match (key.as_str(), value) {
                    ("account", Json::String(s)) => facts.account = s,
                    // A YAML account id left unquoted reads as a number.
                    ("account", Json::Number(n)) => facts.account = format!("{n:0>12}"),
                    ("region", Json::String(s)) => facts.region = s,
                    ("outputs", Json::Object(o)) => facts.outputs = o,
                    ("account" | "region" | "outputs", v) => {
                        problems.push(problem(format!("environment {name:?}: `{key}` has the wrong type ({v})")))
                    }
                    _ => problems.push(problem(format!(
                        "environment {name:?}: unknown key `{key}` (expected account, region, outputs)"
                    ))),
                }
            }
            let at = format!("{file}: environment {name:?}");
            problems.extend(Environment::new(facts.account.as_str(), facts.region.as_str()).validate(&at));
            self.by_name.insert(name, facts);
        }
        Error::collect(problems)?;
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn read(text: &str) -> Result<Environments> {
        let path =
            std::env::temp_dir().join(format!("cw-envs-{}-{:?}.yaml", std::process::id(), std::thread::current().id()));
        std::fs::write(&path, text).unwrap();
        Environments::with_default("000000000000", "us-east-1").read(&path)
    }

    #[test]
    fn listed_environments_override_the_defaults_key_by_key() {
        let envs =
            read("dev:\n  account: 012345678901\n  outputs: {VPC: vpc-1}\nprod:\n  region: eu-west-1\n").unwrap();
        // An unquoted account id is a YAML number: its leading zero comes back.
        assert_eq!(envs.get("dev").account, "012345678901");
        assert_eq!(envs.get("dev").region, "us-east-1");
        assert_eq!(envs.get("dev").outputs["VPC"], "vpc-1");
        assert_eq!(envs.get("prod").account, "000000000000");
        assert_eq!(envs.get("prod").region, "eu-west-1");
        assert!(envs.get("other").outputs.is_empty());
    }

    #[test]
    fn every_problem_of_the_file_is_reported() {
        let err = read("dev:\n  region: us-east-9\n  outputs: [a]\nprod: 3\n").unwrap_err();
        let text = err.to_string();
        assert_eq!(err.problems().len(), 3, "{text}");
        assert!(text.contains("environment \"dev\": `outputs` has the wrong type"), "{text}");
        assert!(text.contains("environment \"prod\" must be a map"), "{text}");
        assert!(read("- a\n").unwrap_err().to_string().contains("must map each environment name"));
    }
}
