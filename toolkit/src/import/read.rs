//! Reading a template (JSON, or YAML with short-form tags through the project's one
//! CloudFormation YAML reader) and finding the line of a name in its text for messages.

use crate::proton::render::cfn_yaml_to_json;
use cloudwright_core::{Error, Result, limits};
use serde_json::Value as Json;

/// The template's JSON form; syntax errors name `path:LINE:COLUMN`.
pub fn template(text: &str, path: &str) -> Result<Json> {
    if text.len() as u64 > limits::TEMPLATE_BYTES {
        return Err(limits::too_large(path, limits::TEMPLATE_BYTES));
    }
    let value = if text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|e| Error::Input {
            path: format!("{path}:{}:{}", e.line(), e.column()),
            message: format!("is not valid JSON ({e}); fix the template there and import again"),
        })?
    } else {
        cfn_yaml_to_json(text, path)?
    };
    if !value.is_object() {
        return Err(Error::Input {
            path: path.to_owned(),
            message: "is not a CloudFormation template: its top level must be a mapping with `Resources`".into(),
        });
    }
    // CloudFormation's quotas: a template with more could never be deployed, so its import
    // would only give code that fails later.
    for (section, max) in [
        ("Resources", limits::TEMPLATE_RESOURCES),
        ("Parameters", limits::TEMPLATE_PARAMETERS),
        ("Outputs", limits::TEMPLATE_OUTPUTS),
        ("Mappings", limits::TEMPLATE_MAPPINGS),
    ] {
        let count = value.get(section).and_then(Json::as_object).map_or(0, serde_json::Map::len);
        if count > max {
            return Err(Error::Input {
                path: at(text, path, section),
                message: format!(
                    "declares {count} {section}, more than the {max} CloudFormation allows in one template; \
                     split it into several stacks and import each"
                ),
            });
        }
    }
    Ok(value)
}

/// `path:LINE` of the first line holding `needle` (a quoted or plain key), else `path`.
pub fn at(text: &str, path: &str, needle: &str) -> String {
    let quoted = format!("\"{needle}\"");
    let found = text.lines().position(|l| {
        let t = l.trim_start();
        t.contains(&quoted)
            || t.starts_with(&format!("{needle}:"))
            || t.starts_with(&format!("- {needle}:"))
            || t.contains(&format!("!{}", needle.trim_start_matches("Fn::")))
    });
    found.map_or_else(|| path.to_owned(), |i| format!("{path}:{}", i + 1))
}

/// `path:LINE` of `key` inside the block of `owner` (the first `key` after `owner`'s line).
pub fn at_within(text: &str, path: &str, owner: &str, key: &str) -> String {
    let start = at(text, path, owner);
    let from = start.rsplit_once(':').and_then(|(_, l)| l.parse::<usize>().ok()).unwrap_or(1);
    let quoted = format!("\"{key}\"");
    let found = text
        .lines()
        .enumerate()
        .skip(from - 1)
        .find(|(_, l)| l.contains(&quoted) || l.trim_start().starts_with(&format!("{key}:")));
    found.map_or(start, |(i, _)| format!("{path}:{}", i + 1))
}
