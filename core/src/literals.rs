//! Intrinsic functions of literals folded into the strings they make: a template reads as
//! its author wrote it, and two templates that differ only in how a literal was put
//! together compare equal.

use serde_json::Value as Json;

/// `Fn::Join`s of plain strings, and `Fn::Sub` variables whose values are plain strings,
/// written as the string they make, as the CDK writes `Fn.join` of literals (a `${` in a
/// substituted value is written `${!`, so CloudFormation prints it rather than reading a
/// variable). The values are the same for CloudFormation:
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-join.html>,
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-sub.html>.
pub fn fold_literals(value: &mut Json) {
    match value {
        Json::Array(items) => items.iter_mut().for_each(fold_literals),
        Json::Object(map) => {
            map.values_mut().for_each(fold_literals);
            if map.len() != 1 {
                return;
            }
            if let Some(Json::Array(args)) = map.get("Fn::Join") {
                if let [Json::String(delimiter), Json::Array(parts)] = args.as_slice() {
                    let strings: Option<Vec<&str>> = parts.iter().map(Json::as_str).collect();
                    if let Some(strings) = strings {
                        *value = Json::String(strings.join(delimiter));
                    }
                }
                return;
            }
            if let Some(Json::Array(args)) = map.get_mut("Fn::Sub") {
                let [Json::String(template), Json::Object(vars)] = args.as_mut_slice() else { return };
                let literal: Vec<String> = vars.iter().filter(|(_, v)| v.is_string()).map(|(k, _)| k.clone()).collect();
                for name in literal {
                    if let Some(Json::String(v)) = vars.shift_remove(&name) {
                        // `${` in a value would be read as a variable: `${!` writes it literally.
                        *template = template.replace(&format!("${{{name}}}"), &v.replace("${", "${!"));
                    }
                }
                if vars.is_empty() {
                    let template = std::mem::take(template);
                    map.insert("Fn::Sub".into(), Json::String(template));
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn joins_and_substitutions_of_strings_are_the_string_they_make() {
        let mut t = json!({
            "Join": {"Fn::Join": ["", ["arn:aws:iam::", "{{ account }}", ":root"]]},
            "Dashes": {"Fn::Join": ["-", ["a", "b"]]},
            "Kept": {"Fn::Join": ["", ["a", {"Ref": "AWS::Region"}]]},
            "Sub": {"Fn::Sub": ["${AWS::Region}-${Name}-${Other}", {"Name": "{{ name }}", "Other": {"Ref": "X"}}]},
            "Whole": {"Fn::Sub": ["q-${Name}", {"Name": "a${b}"}]},
        });
        fold_literals(&mut t);
        assert_eq!(
            t,
            json!({
                "Join": "arn:aws:iam::{{ account }}:root",
                "Dashes": "a-b",
                "Kept": {"Fn::Join": ["", ["a", {"Ref": "AWS::Region"}]]},
                "Sub": {"Fn::Sub": ["${AWS::Region}-{{ name }}-${Other}", {"Other": {"Ref": "X"}}]},
                "Whole": {"Fn::Sub": "q-a${!b}"},
            })
        );
    }
}
