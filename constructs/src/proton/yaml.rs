//! A CloudFormation template (JSON) written as block-style YAML, with Jinja `for` loops
//! where a list holds a [`LOOP_KEY`] marker.

use std::collections::BTreeSet;

use serde_json::Value as Json;

/// Marker of a list item repeated by a Jinja loop:
/// `{"cw:proton:for": {"var": "service_instance", "in": "service_instances", "item": ...}}`.
pub(crate) const LOOP_KEY: &str = "cw:proton:for";

/// The template as YAML text.
pub(crate) fn to_yaml(value: &Json) -> String {
    template_yaml(value, &BTreeSet::new())
}

/// The template as YAML text, where a string that is one of `raw` (placeholders of number
/// and boolean inputs, `{{ service_instance.inputs.memory_size }}`) is written unquoted, so
/// the rendered value is a number or boolean, as when a template author writes it.
pub(crate) fn template_yaml(value: &Json, raw: &BTreeSet<String>) -> String {
    let mut out = String::new();
    match value {
        Json::Object(map) if !map.is_empty() => write_map(&mut out, map, 0, raw),
        other => {
            out.push_str(&scalar(other, raw));
            out.push('\n');
        }
    }
    out
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

fn is_block(value: &Json) -> bool {
    match value {
        Json::Object(m) => !m.is_empty(),
        Json::Array(a) => !a.is_empty(),
        _ => false,
    }
}

fn write_map(out: &mut String, map: &serde_json::Map<String, Json>, indent: usize, raw: &BTreeSet<String>) {
    for (key, value) in map {
        pad(out, indent);
        write_entry(out, key, value, indent, raw);
    }
}

/// `key: value` where the key is already indented.
fn write_entry(out: &mut String, key: &str, value: &Json, indent: usize, raw: &BTreeSet<String>) {
    out.push_str(&string(key));
    out.push(':');
    if loop_marker(value).is_some() {
        // A one-item list collapsed to its item (as IAM documents are written): still a loop.
        out.push('\n');
        write_list(out, std::slice::from_ref(value), indent + 2, raw);
        return;
    }
    match value {
        Json::Object(m) if !m.is_empty() => {
            out.push('\n');
            write_map(out, m, indent + 2, raw);
        }
        Json::Array(a) if !a.is_empty() => {
            out.push('\n');
            write_list(out, a, indent + 2, raw);
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other, raw));
            out.push('\n');
        }
    }
}

fn loop_marker(value: &Json) -> Option<(&str, &str, &Json)> {
    let spec = value.as_object().filter(|m| m.len() == 1)?.get(LOOP_KEY)?;
    Some((spec.get("var")?.as_str()?, spec.get("in")?.as_str()?, spec.get("item")?))
}

fn write_list(out: &mut String, items: &[Json], indent: usize, raw: &BTreeSet<String>) {
    for item in items {
        if let Some((var, over, body)) = loop_marker(item) {
            out.push_str(&format!("{{% for {var} in {over} %}}\n"));
            write_item(out, body, indent, raw);
            out.push_str("{% endfor %}\n");
        } else {
            write_item(out, item, indent, raw);
        }
    }
}

fn write_item(out: &mut String, item: &Json, indent: usize, raw: &BTreeSet<String>) {
    pad(out, indent);
    out.push_str("- ");
    match item {
        Json::Object(m) if !m.is_empty() => {
            for (i, (key, value)) in m.iter().enumerate() {
                if i > 0 {
                    pad(out, indent + 2);
                }
                write_entry(out, key, value, indent + 2, raw);
            }
        }
        Json::Array(a) if !a.is_empty() => {
            out.pop();
            out.push('\n');
            write_list(out, a, indent + 2, raw);
        }
        other => {
            debug_assert!(!is_block(other));
            out.push_str(&scalar(other, raw));
            out.push('\n');
        }
    }
}

fn scalar(value: &Json, raw: &BTreeSet<String>) -> String {
    match value {
        Json::String(s) if raw.contains(s) => s.clone(),
        Json::Null => "null".into(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        Json::String(s) => string(s),
        Json::Object(_) => "{}".into(),
        Json::Array(_) => "[]".into(),
    }
}

/// A string as a YAML scalar: plain when YAML reads it back as the same string,
/// double-quoted (JSON escapes are YAML escapes) otherwise.
fn string(s: &str) -> String {
    // YAML 1.1 readers (PyYAML, cfn-lint) also take yes/no/on/off as booleans and
    // 2010-09-09 as a date: quote those and anything starting with a digit.
    const WORDS: &[&str] = &["y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"];
    let plain_safe = !s.is_empty()
        && !WORDS.contains(&s.to_ascii_lowercase().as_str())
        && !s.starts_with(|c: char| c.is_whitespace() || c.is_ascii_digit() || "!&*?|>'\"%@`{}[],#-:+.=~<".contains(c))
        && !s.ends_with(char::is_whitespace)
        && !s.contains(['\n', '\r', '\t', '{', '}', '[', ']', '#', '"', '\''])
        && !s.contains(": ")
        && !s.ends_with(':')
        && serde_yaml::from_str::<Json>(s).ok().as_ref().and_then(Json::as_str) == Some(s);
    if plain_safe { s.to_owned() } else { Json::String(s.to_owned()).to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trips_through_a_yaml_parser() {
        let value = json!({
            "Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {
                "CidrBlock": "{{ environment.inputs.vpc_cidr }}",
                "Tags": [{"Key": "Name", "Value": "yes"}, {"Key": "n", "Value": "123"}],
                "Empty": [], "E2": {}, "Multi": "a\nb", "Colon": "a: b", "Arn": "arn:aws:iam::aws:policy/X",
                "Nested": [[1, 2], ["x"]], "Null": null, "Bool": true, "Quote": "it's", "Dash": "-x"
            }}}
        });
        let text = to_yaml(&value);
        let back: Json = serde_yaml::from_str(&text).unwrap_or_default();
        assert_eq!(back, value, "{text}");
        assert!(text.contains("Arn: arn:aws:iam::aws:policy/X"), "{text}");
    }

    #[test]
    fn placeholders_of_number_inputs_are_written_unquoted() {
        let raw: BTreeSet<String> = ["{{ service_instance.inputs.memory }}".to_owned()].into();
        let value = json!({"MemorySize": "{{ service_instance.inputs.memory }}",
            "Tag": "{{ service_instance.inputs.memory | string }}", "Name": "{{ service_instance.name }}"});
        assert_eq!(
            template_yaml(&value, &raw),
            "MemorySize: {{ service_instance.inputs.memory }}\nTag: \"{{ service_instance.inputs.memory | string }}\"\nName: \"{{ service_instance.name }}\"\n"
        );
    }

    #[test]
    fn a_loop_marker_in_place_of_a_list_is_a_loop() {
        let item = json!({LOOP_KEY: {"var": "service_instance", "in": "service_instances",
            "item": "{{ service_instance.name }}"}});
        let text = to_yaml(&json!({"Principal": {"AWS": item}}));
        assert_eq!(
            text,
            "Principal:\n  AWS:\n{% for service_instance in service_instances %}\n    - \"{{ service_instance.name }}\"\n{% endfor %}\n"
        );
    }

    #[test]
    fn loop_markers_become_jinja_for_blocks() {
        let value = json!({"P": ["fixed", {LOOP_KEY: {"var": "service_instance", "in": "service_instances",
            "item": "arn:aws:iam::{{ service_instance.environment.account_id }}:root"}}]});
        let text = to_yaml(&value);
        assert_eq!(
            text,
            "P:\n  - fixed\n{% for service_instance in service_instances %}\n  - \"arn:aws:iam::{{ service_instance.environment.account_id }}:root\"\n{% endfor %}\n"
        );
    }
}
