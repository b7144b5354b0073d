//! The app's context from outside the program (the CDK's `cdk.json` `"context"`,
//! `--context` and `CDK_CONTEXT_JSON`), and the keys an app declares with a sample value:
//! values of the live environment (an organization's root id, an ARN) that a program
//! cannot know, so its snapshots and first synth use samples, named in a warning, which a
//! deploy plan refuses.

use indexmap::IndexMap;
use serde_json::{Value as Json, json};

use crate::synth::Warning;

/// The environment variable holding context for an app (a JSON object of strings), set
/// by the CLI for the app commands it runs, as the CDK's `CDK_CONTEXT_JSON`.
pub const CONTEXT_ENV: &str = "CLOUDWRIGHT_CONTEXT";

/// Metadata type, on the app (written on the manifest's `Tree` artifact under `/`), of one
/// declared context key: `{"key", "value", "sample"}`.
pub const CONTEXT_METADATA: &str = "cloudwright:context";

/// Parses `$CLOUDWRIGHT_CONTEXT`'s text: a JSON object whose values are strings (numbers
/// and booleans are taken as their JSON text, as the CDK's string context is).
pub fn parse(text: &str) -> Result<IndexMap<String, String>, String> {
    let value: Json = serde_json::from_str(text).map_err(|e| format!("is not JSON: {e}"))?;
    let Json::Object(map) = value else { return Err("is not a JSON object of context keys".into()) };
    map.into_iter()
        .map(|(k, v)| match v {
            Json::String(s) => Ok((k, s)),
            Json::Number(_) | Json::Bool(_) => Ok((k, v.to_string())),
            other => Err(format!("key `{k}` holds {other}, not a string")),
        })
        .collect()
}

/// The metadata recording one declared key.
pub(crate) fn declaration(key: &str, value: &str, sample: bool) -> Json {
    json!({ "key": key, "value": value, "sample": sample })
}

/// One declared context key, as recorded in the app's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    /// The key.
    pub key: String,
    /// The value synthesis used.
    pub value: String,
    /// Whether that value is the app's sample (the key was unset, or set to the sample).
    pub sample: bool,
}

impl Declared {
    /// Reads a `cloudwright:context` metadata entry's data.
    pub fn from_metadata(data: &Json) -> Option<Declared> {
        Some(Declared {
            key: data.get("key")?.as_str()?.to_owned(),
            value: data.get("value")?.as_str()?.to_owned(),
            sample: data.get("sample")?.as_bool()?,
        })
    }

    /// The warning synthesis gives for a key left at its sample value.
    pub fn warning(&self) -> Option<Warning> {
        self.sample.then(|| Warning {
            path: format!("context `{}`", self.key),
            message: format!(
                "uses the sample value {:?}, which exists only in documentation; set the live value in \
                 cloudwright.json (\"context\": {{\"{}\": \"...\"}}) or with --context {}=VALUE before deploying \
                 (`cloudwright plan` refuses samples)",
                self.value, self.key, self.key
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::{App, Stack, StackProps};

    #[test]
    fn context_is_parsed_as_strings_and_anything_else_is_named() {
        let parsed = parse(r#"{"a": "x", "n": 3, "b": true}"#).unwrap();
        assert_eq!(parsed.get("a").map(String::as_str), Some("x"));
        assert_eq!(parsed.get("n").map(String::as_str), Some("3"));
        assert!(parse("[1]").unwrap_err().contains("not a JSON object"));
        assert!(parse(r#"{"k": {"nested": 1}}"#).unwrap_err().contains("key `k`"));
        assert!(parse("{").unwrap_err().contains("not JSON"));
    }

    #[test]
    fn a_key_left_at_its_sample_is_recorded_and_warned_about_and_a_live_value_is_not() {
        let app = App::new();
        app.set_context("org:rootId", "r-live");
        assert_eq!(app.context_or_sample("org:rootId", "r-a1b2"), "r-live");
        assert_eq!(app.context_or_sample("connection", "arn:sample"), "arn:sample");
        // Declared twice, recorded once.
        assert_eq!(app.context_or_sample("connection", "arn:sample"), "arn:sample");
        let stack = Stack::new(&app, "S", StackProps::default()).unwrap();
        crate::CfnResource::new(&stack, "Topic", "AWS::SNS::Topic", serde_json::Map::new()).unwrap();
        let assembly = app.assembly().unwrap();
        let warnings: Vec<String> = assembly.warnings().iter().map(ToString::to_string).collect();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].starts_with("context `connection`: uses the sample value \"arn:sample\""));
        let manifest: Json = serde_json::from_slice(assembly.file("manifest.json").unwrap()).unwrap();
        let declared = manifest.pointer("/artifacts/Tree/metadata/~1").unwrap().as_array().unwrap();
        let declared: Vec<Declared> = declared.iter().filter_map(|e| Declared::from_metadata(&e["data"])).collect();
        assert_eq!(declared.len(), 2);
        assert!(!declared[0].sample && declared[1].sample);
        // Read back from disk, as the CLI reads an --app command's output.
        let dir = std::env::temp_dir().join(format!("cw-context-{}", std::process::id()));
        app.synth(&dir).unwrap();
        let read = crate::Assembly::read(&dir).unwrap();
        assert_eq!(read.warnings().len(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
