//! AWS Proton's own Jinja filters, as the Proton user guide defines them ("Parameter filters
//! for CloudFormation IaC files",
//! <https://docs.aws.amazon.com/proton/latest/userguide/parameter-filters.html>):
//! `proton_cfn_ecs_task_definition_formatted_env_vars`,
//! `proton_cfn_lambda_function_formatted_env_vars`, `proton_cfn_iam_policy_arns` and
//! `proton_cfn_sanitize`.
//!
//! The three formatting filters produce YAML that must sit at the indentation of the line
//! where the template places them (the guide's examples put the expression on a line of its
//! own under `Environment:` or after a list item). A filter cannot see that line, so it emits
//! its value between private-use markers and [`layout`] writes it after rendering: as block
//! YAML at the line's indentation when the expression starts the line, as flow YAML (JSON)
//! when it follows a key on the same line. Values are written quoted, so an output such as
//! `123` or `yes` stays a string.

use minijinja::value::{Kwargs, Value};
use minijinja::{Environment, Error, ErrorKind};
use serde_json::{Map, Value as Json};

use super::jinja2::py_str;

/// Starts a value [`layout`] writes; followed by its kind (`E`, `L` or `I`) and JSON.
const START: char = '\u{E000}';
/// Ends a value [`layout`] writes.
const END: char = '\u{E001}';

/// The regular expression the guide gives for a safe value.
const SAFE_PATTERN: &str = "^[a-zA-Z0-9_-]*$";

/// Registers Proton's four filters.
pub fn add_to(env: &mut Environment<'static>) {
    env.add_filter(
        "proton_cfn_ecs_task_definition_formatted_env_vars",
        |outputs: Value, raw: Option<bool>, kwargs: Kwargs| {
            let pairs = env_vars(&outputs, raw, &kwargs)?;
            let list = pairs
                .into_iter()
                .map(|(k, v)| {
                    Json::Object(Map::from_iter([("Name".into(), Json::from(k)), ("Value".into(), Json::from(v))]))
                })
                .collect();
            Ok(placed('E', &Json::Array(list)))
        },
    );
    env.add_filter(
        "proton_cfn_lambda_function_formatted_env_vars",
        |outputs: Value, raw: Option<bool>, kwargs: Kwargs| {
            let pairs = env_vars(&outputs, raw, &kwargs)?;
            Ok(placed('L', &Json::Object(pairs.into_iter().map(|(k, v)| (k, Json::from(v))).collect())))
        },
    );
    env.add_filter("proton_cfn_iam_policy_arns", |outputs: Value| -> Result<Value, Error> {
        let mut arns = Vec::new();
        for key in outputs.try_iter()? {
            let value = py_str(&outputs.get_item(&key)?);
            if is_iam_policy_arn(&value) {
                arns.push(Json::from(value));
            }
        }
        Ok(placed('I', &Json::Array(arns)))
    });
    env.add_filter("proton_cfn_sanitize", |value: Value| -> Result<Value, Error> {
        let text = py_str(&value);
        if is_safe(&text) || is_arn(&text) {
            Ok(Value::from(text))
        } else {
            // The guide's own message for this rejection.
            Err(Error::new(
                ErrorKind::InvalidOperation,
                format!(
                    "Illegal character(s) detected in \"{text}\". Must match regex {SAFE_PATTERN} or be a valid ARN"
                ),
            ))
        }
    });
}

/// The outputs as (name, value) pairs in their order; with `raw=False` each value must be safe.
fn env_vars(outputs: &Value, raw: Option<bool>, kwargs: &Kwargs) -> Result<Vec<(String, String)>, Error> {
    let raw = match kwargs.get::<Option<bool>>("raw")? {
        Some(r) => r,
        None => raw.unwrap_or(true),
    };
    kwargs.assert_all_used()?;
    let mut pairs = Vec::new();
    for key in outputs.try_iter()? {
        let value = py_str(&outputs.get_item(&key)?);
        if !raw && !is_safe(&value) {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("Illegal character(s) detected in \"{value}\". Must match regex {SAFE_PATTERN}"),
            ));
        }
        pairs.push((py_str(&key), value));
    }
    Ok(pairs)
}

fn placed(kind: char, value: &Json) -> Value {
    Value::from_safe_string(format!("{START}{kind}{value}{END}"))
}

/// `^[a-zA-Z0-9_-]*$`.
fn is_safe(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// `^arn:[a-zA-Z-]+:iam::\d{12}:policy/`, the guide's pattern for an IAM policy ARN.
fn is_iam_policy_arn(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("arn:") else { return false };
    let Some((partition, rest)) = rest.split_once(':') else { return false };
    let Some(rest) = rest.strip_prefix("iam::") else { return false };
    let Some((account, rest)) = rest.split_once(':') else { return false };
    !partition.is_empty()
        && partition.chars().all(|c| c.is_ascii_alphabetic() || c == '-')
        && account.len() == 12
        && account.chars().all(|c| c.is_ascii_digit())
        && rest.starts_with("policy/")
}

/// An ARN as the IAM guide defines its form, `arn:partition:service:region:account-id:resource`
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html>): partition and
/// service present, the account empty or 12 digits, a resource after it.
fn is_arn(s: &str) -> bool {
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    let [arn, partition, service, region, account, resource] = parts.as_slice() else { return false };
    *arn == "arn"
        && !partition.is_empty()
        && partition.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !service.is_empty()
        && !service.chars().any(char::is_whitespace)
        && region.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && (account.is_empty() || (account.len() == 12 && account.chars().all(|c| c.is_ascii_digit())))
        && !resource.is_empty()
        && !resource.chars().any(char::is_whitespace)
}

/// Writes the values the formatting filters left in `rendered`, as block YAML at the
/// indentation of their line or as flow YAML after a key.
pub fn layout(rendered: &str) -> String {
    if !rendered.contains(START) {
        return rendered.to_owned();
    }
    let mut out = String::with_capacity(rendered.len());
    let mut rest = rendered;
    while let Some(start) = rest.find(START) {
        let (before, after) = rest.split_at(start);
        out.push_str(before);
        let after = &after[START.len_utf8()..];
        let end = after.find(END).unwrap_or(after.len());
        let (kind, json) = after[..end].split_at(after[..end].chars().next().map_or(0, char::len_utf8));
        let line_start = out.rfind('\n').map_or(0, |i| i + 1);
        let prefix = &out[line_start..];
        let value: Json = serde_json::from_str(json).unwrap_or(Json::Null);
        if prefix.chars().all(|c| c == ' ') {
            let indent = prefix.to_owned();
            out.push_str(&block(kind, &value, &indent));
        } else {
            out.push_str(json);
        }
        rest = after.get(end + END.len_utf8()..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// Block YAML for a filter's value; lines after the first at `indent`.
fn block(kind: &str, value: &Json, indent: &str) -> String {
    let lines: Vec<String> = match value {
        Json::Array(items) if items.is_empty() && kind == "I" => return String::new(),
        Json::Array(items) if items.is_empty() => return "[]".into(),
        Json::Object(map) if map.is_empty() => return "{}".into(),
        Json::Array(items) => items
            .iter()
            .map(|item| match item {
                Json::Object(map) => map
                    .iter()
                    .enumerate()
                    .map(|(i, (k, v))| format!("{}{}: {v}", if i == 0 { "- " } else { "  " }, Json::from(k.as_str())))
                    .collect::<Vec<_>>()
                    .join(&format!("\n{indent}")),
                other => format!("- {other}"),
            })
            .collect(),
        Json::Object(map) => map.iter().map(|(k, v)| format!("{}: {v}", Json::from(k.as_str()))).collect(),
        other => vec![other.to_string()],
    };
    lines.join(&format!("\n{indent}"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use serde_json::json;

    use super::*;

    fn render(template: &str) -> Result<String, Error> {
        let mut env = super::super::jinja2::environment();
        add_to(&mut env);
        let outputs = json!({"Output1": "hello", "Output2": "world",
            "PolicyArn1": "arn:aws:iam::123456789012:policy/cfn-generated-policy-name-1", "Bad": "a b"});
        env.render_str(template, json!({"outputs": outputs, "o": {"Output1": "hello", "Output2": "world"}}))
            .map(|s| layout(&s))
    }

    // The guide's examples, as the guide renders them.
    #[test]
    fn ecs_environment_as_in_the_guide() {
        let t = "Environment:\n  {{ o | proton_cfn_ecs_task_definition_formatted_env_vars }}\n";
        assert_eq!(
            render(t).unwrap(),
            "Environment:\n  - \"Name\": \"Output1\"\n    \"Value\": \"hello\"\n  - \"Name\": \"Output2\"\n    \"Value\": \"world\""
        );
        let inline = "Environment: {{ o | proton_cfn_ecs_task_definition_formatted_env_vars(raw=False) }}";
        assert_eq!(
            render(inline).unwrap(),
            r#"Environment: [{"Name":"Output1","Value":"hello"},{"Name":"Output2","Value":"world"}]"#
        );
    }

    #[test]
    fn lambda_variables_and_policy_arns_as_in_the_guide() {
        let t = "Variables:\n  {{ o | proton_cfn_lambda_function_formatted_env_vars }}";
        assert_eq!(render(t).unwrap(), "Variables:\n  \"Output1\": \"hello\"\n  \"Output2\": \"world\"");
        let t = "ManagedPolicyArns:\n  - !Ref Base\n  {{ outputs | proton_cfn_iam_policy_arns }}";
        assert_eq!(
            render(t).unwrap(),
            "ManagedPolicyArns:\n  - !Ref Base\n  - \"arn:aws:iam::123456789012:policy/cfn-generated-policy-name-1\""
        );
        assert_eq!(render("L:\n  - x\n  {{ o | proton_cfn_iam_policy_arns }}").unwrap(), "L:\n  - x\n  ");
    }

    #[test]
    fn validation_rejects_as_the_guide_says() {
        let err = render("{{ outputs | proton_cfn_lambda_function_formatted_env_vars(False) }}").unwrap_err();
        assert!(err.to_string().contains(r#"Illegal character(s) detected in "arn:aws:iam"#), "{err}");
        assert!(render("{{ outputs | proton_cfn_lambda_function_formatted_env_vars }}").is_ok());
        assert_eq!(render("{{ 'This-is_valid_37' | proton_cfn_sanitize }}").unwrap(), "This-is_valid_37");
        let arn = "arn:aws:some-service::123456789012:some-resource/resource-name";
        assert_eq!(render(&format!("{{{{ '{arn}' | proton_cfn_sanitize }}}}")).unwrap(), arn);
        let err = render("{{ 'this::is::incorrect' | proton_cfn_sanitize }}").unwrap_err();
        assert!(
            err.to_string().contains(
                r#"Illegal character(s) detected in "this::is::incorrect". Must match regex ^[a-zA-Z0-9_-]*$ or be a valid ARN"#
            ),
            "{err}"
        );
    }
}
