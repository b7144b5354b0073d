//! Typed CodeBuild buildspecs (version 0.2).

use serde::Serialize;

/// One phase's commands.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Phase {
    /// Shell commands, run in order.
    pub commands: Vec<String>,
}

/// The phases of a build.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Phases {
    /// Installs tools.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub install: Option<Phase>,
    /// Prepares the build.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pre_build: Option<Phase>,
    /// Builds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build: Option<Phase>,
    /// Runs after the build.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_build: Option<Phase>,
}

/// Files the build outputs.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Artifacts {
    /// Glob patterns.
    pub files: Vec<String>,
    /// Directory the patterns are relative to.
    #[serde(rename = "base-directory", skip_serializing_if = "Option::is_none")]
    pub base_directory: Option<String>,
}

/// A test report group.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Report {
    /// Report files (glob patterns).
    pub files: Vec<String>,
    /// Directory of the report files.
    #[serde(rename = "base-directory", skip_serializing_if = "Option::is_none")]
    pub base_directory: Option<String>,
    /// `JUNITXML`, `CUCUMBERJSON`, `COBERTURAXML`, ...
    #[serde(rename = "file-format")]
    pub file_format: String,
}

/// Paths kept between builds.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Cache {
    /// Paths to cache.
    pub paths: Vec<String>,
}

/// Environment variables of the build.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Env {
    /// Plain variables.
    #[serde(skip_serializing_if = "indexmap::IndexMap::is_empty")]
    pub variables: indexmap::IndexMap<String, String>,
    /// Variables read from SSM parameters.
    #[serde(rename = "parameter-store", skip_serializing_if = "indexmap::IndexMap::is_empty")]
    pub parameter_store: indexmap::IndexMap<String, String>,
}

/// A buildspec.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BuildSpec {
    /// Always `0.2`.
    pub version: String,
    /// Environment variables.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env: Option<Env>,
    /// Phases.
    pub phases: Phases,
    /// Output files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifacts: Option<Artifacts>,
    /// Test reports by report group name.
    #[serde(skip_serializing_if = "indexmap::IndexMap::is_empty")]
    pub reports: indexmap::IndexMap<String, Report>,
    /// Cached paths.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<Cache>,
}

impl Default for BuildSpec {
    fn default() -> Self {
        BuildSpec {
            version: "0.2".into(),
            env: None,
            phases: Phases::default(),
            artifacts: None,
            reports: indexmap::IndexMap::new(),
            cache: None,
        }
    }
}

impl BuildSpec {
    /// A buildspec running `commands` in the build phase.
    pub fn commands(commands: &[&str]) -> Self {
        BuildSpec {
            phases: Phases {
                build: Some(Phase { commands: commands.iter().map(|c| (*c).to_owned()).collect() }),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    /// The buildspec as the JSON text CodeBuild reads (JSON is valid YAML).
    pub fn to_text(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// True when no phase has a command.
    pub fn is_empty(&self) -> bool {
        let p = &self.phases;
        [&p.install, &p.pre_build, &p.build, &p.post_build]
            .iter()
            .all(|ph| ph.as_ref().is_none_or(|ph| ph.commands.is_empty()))
    }
}
