//! CloudFormation YAML as JSON: the project's one reader of it, short-form tags (`!Ref`,
//! `!GetAtt`, `!Sub`, ...) included.

use cloudwright_core::{Error, Result, limits};
use serde_json::{Map, Value as Json, json};
use serde_yaml::Value as Yaml;

/// The intrinsic functions with a YAML short form `!Name` for `Fn::Name`: the functions,
/// condition functions and rule functions of the template reference.
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html>
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/rules-section-structure.html>
const FUNCTIONS: &[&str] = &[
    "And",
    "Base64",
    "Cidr",
    "Contains",
    "EachMemberEquals",
    "EachMemberIn",
    "Equals",
    "FindInMap",
    "GetAZs",
    "If",
    "ImportValue",
    "Join",
    "Length",
    "Not",
    "Or",
    "RefAll",
    "Select",
    "Split",
    "Sub",
    "ToJsonString",
    "Transform",
    "ValueOf",
    "ValueOfAll",
];

/// Reads CloudFormation YAML into the JSON form of the template. `path` names the text in
/// errors (`Error::Input`), with `:LINE` added when the line is known (`:LINE:COLUMN` for
/// a syntax error).
pub fn cfn_yaml_to_json(text: &str, path: &str) -> Result<Json> {
    let at = |line: Option<usize>| line.map_or_else(|| path.to_owned(), |l| format!("{path}:{l}"));
    if text.len() as u64 > limits::TEMPLATE_BYTES {
        return Err(limits::too_large(path, limits::TEMPLATE_BYTES));
    }
    // Lines stay where they were: `yaml11_booleans` rewrites words within their line.
    let yaml: Yaml = crate::input::yaml(&yaml11_booleans(text), path)?;
    convert(yaml).map_err(|p| Error::Input { path: at(p.tag.and_then(|t| line_of_tag(text, &t))), message: p.message })
}

/// A conversion problem, and the tag it concerns (to find its line).
struct Problem {
    tag: Option<String>,
    message: String,
}

impl Problem {
    fn at_tag(tag: &str, message: String) -> Problem {
        Problem { tag: Some(tag.to_owned()), message }
    }
}

fn convert(value: Yaml) -> Result<Json, Problem> {
    Ok(match value {
        Yaml::Null => Json::Null,
        Yaml::Bool(b) => Json::Bool(b),
        Yaml::Number(n) => serde_json::to_value(&n).map_err(|e| Problem { tag: None, message: e.to_string() })?,
        Yaml::String(s) => Json::String(s),
        Yaml::Sequence(items) => Json::Array(items.into_iter().map(convert).collect::<Result<_, _>>()?),
        Yaml::Mapping(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let key = match k {
                    Yaml::String(s) => s,
                    Yaml::Bool(b) => b.to_string(),
                    Yaml::Number(n) => n.to_string(),
                    other => {
                        return Err(Problem {
                            tag: None,
                            message: format!("a mapping key must be a string, not {other:?}"),
                        });
                    }
                };
                out.insert(key, convert(v)?);
            }
            Json::Object(out)
        }
        Yaml::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!');
            let inner = convert(tagged.value)?;
            match name {
                "Ref" | "Condition" => json!({ name: inner }),
                "GetAtt" => json!({ "Fn::GetAtt": get_att(&tag, inner)? }),
                _ if FUNCTIONS.contains(&name) => json!({ format!("Fn::{name}"): inner }),
                _ => {
                    return Err(Problem::at_tag(
                        &tag,
                        format!(
                            "unknown CloudFormation tag {tag}; the short forms are !Ref, !Condition, !GetAtt and !{}",
                            FUNCTIONS.join(", !")
                        ),
                    ));
                }
            }
        }
    })
}

/// `!GetAtt Resource.Attribute` (the attribute may hold dots, e.g. `Endpoint.Address`) or
/// `!GetAtt [Resource, Attribute]`.
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getatt.html>
fn get_att(tag: &str, inner: Json) -> Result<Json, Problem> {
    match inner {
        Json::String(s) => match s.split_once('.') {
            Some((resource, attribute)) if !resource.is_empty() && !attribute.is_empty() => {
                Ok(json!([resource, attribute]))
            }
            _ => Err(Problem::at_tag(tag, format!("!GetAtt {s:?} needs the form Resource.Attribute"))),
        },
        Json::Array(items) if items.len() == 2 => Ok(Json::Array(items)),
        other => {
            Err(Problem::at_tag(tag, format!("!GetAtt takes Resource.Attribute or [Resource, Attribute], not {other}")))
        }
    }
}

/// The 1-based line where `tag` first appears as a tag (not as the prefix of a longer one).
fn line_of_tag(text: &str, tag: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            line.match_indices(tag).any(|(i, _)| {
                !line[i + tag.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == ':' || c == '_')
            })
        })
        .map(|i| i + 1)
}

/// CloudFormation reads YAML 1.1, where a plain `Yes`, `No`, `On` or `Off` is a boolean;
/// the YAML 1.2 parser reads a string: write those mapping values and list items as
/// `true`/`false`.
fn yaml11_booleans(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let body = line.trim_end();
        let word_start = body.rfind([' ', '\t']).map_or(0, |i| i + 1);
        let (head, word) = body.split_at(word_start);
        let head_trim = head.trim_end();
        let value = match word {
            "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some("true"),
            "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some("false"),
            _ => None,
        };
        match value {
            Some(v) if head_trim.ends_with(':') || head_trim.trim_start() == "-" => {
                out.push_str(head);
                out.push_str(v);
                out.push_str(&line[body.len()..]);
            }
            _ => out.push_str(line),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Json {
        match cfn_yaml_to_json(text, "t.yaml") {
            Ok(json) => json,
            Err(e) => panic!("{e}"),
        }
    }

    fn error(text: &str) -> String {
        match cfn_yaml_to_json(text, "t.yaml") {
            Ok(json) => panic!("read as {json}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn each_short_form_tag_becomes_its_intrinsic() {
        assert_eq!(read("A: !Ref X"), json!({"A": {"Ref": "X"}}));
        assert_eq!(read("A: !Condition C"), json!({"A": {"Condition": "C"}}));
        assert_eq!(read("A: !GetAtt R.Arn"), json!({"A": {"Fn::GetAtt": ["R", "Arn"]}}));
        for name in FUNCTIONS {
            let key = format!("Fn::{name}");
            assert_eq!(read(&format!("A: !{name} [x, y]")), json!({"A": {key.clone(): ["x", "y"]}}), "{name}");
            assert_eq!(read(&format!("A: !{name} x")), json!({"A": {key: "x"}}), "{name}");
        }
        assert_eq!(
            read("A: !Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}"),
            json!({"A": {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}}}})
        );
    }

    #[test]
    fn nested_tags() {
        assert_eq!(
            read(
                "A: !Sub '${AWS::Region}'\nB: !If [C, 1, !Ref AWS::NoValue]\nC: !Join ['', [a, !Select [0, !GetAZs '']]]\n\
                 D: !Sub\n  - '${X}-b'\n  - X: !GetAtt R.Name\nE: !Not [!Equals [!Ref P, '']]\n"
            ),
            json!({"A": {"Fn::Sub": "${AWS::Region}"}, "B": {"Fn::If": ["C", 1, {"Ref": "AWS::NoValue"}]},
                "C": {"Fn::Join": ["", ["a", {"Fn::Select": [0, {"Fn::GetAZs": ""}]}]]},
                "D": {"Fn::Sub": ["${X}-b", {"X": {"Fn::GetAtt": ["R", "Name"]}}]},
                "E": {"Fn::Not": [{"Fn::Equals": [{"Ref": "P"}, ""]}]}})
        );
    }

    #[test]
    fn get_att_forms() {
        assert_eq!(read("A: !GetAtt Db.Endpoint.Address"), json!({"A": {"Fn::GetAtt": ["Db", "Endpoint.Address"]}}));
        assert_eq!(read("A: !GetAtt [R, Arn]"), json!({"A": {"Fn::GetAtt": ["R", "Arn"]}}));
        assert_eq!(
            read("A: !GetAtt [R, !Ref Attr]"),
            json!({"A": {"Fn::GetAtt": ["R", {"Ref": "Attr"}]}}),
            "the attribute may be a Ref"
        );
        assert!(error("A: 1\nB: !GetAtt Arn\n").starts_with("t.yaml:2: !GetAtt \"Arn\" needs the form"));
        assert!(error("A: !GetAtt [R]").starts_with("t.yaml:1: !GetAtt takes Resource.Attribute"));
    }

    #[test]
    fn a_bad_tag_is_an_error_naming_the_file_and_line() {
        let e = error("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Reff Name\n");
        assert!(e.starts_with("t.yaml:5: unknown CloudFormation tag !Reff; the short forms are !Ref"), "{e}");
        // A tag that only begins with a known one's name is found on its own line.
        assert_eq!(line_of_tag("a: !GetAttX b\nb: !GetAtt c\n", "!GetAtt"), Some(2));
        let e = error("A: [1,\n");
        assert!(e.starts_with("t.yaml:") && e.contains("is not valid YAML"), "{e}");
    }

    #[test]
    fn yaml_1_1_booleans_as_cloudformation_reads_them() {
        assert_eq!(
            read("A: Yes\nB: off\nC:\n  - On\nD: 'Yes'\nE: Yesterday\n"),
            json!({"A": true, "B": false, "C": [true], "D": "Yes", "E": "Yesterday"})
        );
    }
}
