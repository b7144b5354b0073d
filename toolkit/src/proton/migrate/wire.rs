//! Environment outputs as stack references instead of copied values.
//!
//! A service is rendered with each `environment.outputs.NAME` set to a unique token
//! (`cwout000001`: letters and digits only, so it passes through YAML unquoted and through
//! most filters unchanged). In the rendered template a string equal to a token becomes
//! `Fn::GetStackOutput` of the environment's stack; a token inside a longer string becomes an
//! `Fn::Join` of the parts, or, inside an `Fn::Sub` string, a `${Var}` with the reference in
//! its variable map. A token left in any other form (a key, or changed by a filter such as
//! `upper`) is an error: its value is only known when the environment stack is deployed.
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getstackoutput.html>

use cloudwright_core::synth::weak_reference::{Source, reader_role_name};
use serde_json::{Map, Value as Json, json};

/// The prefix of every token.
const PREFIX: &str = "cwout";
/// Digits after the prefix: fixed, so no token is the start of another.
pub const DIGITS: usize = 6;

/// One environment output a rendered service may reference.
#[derive(Debug, Clone)]
pub struct Output {
    /// Index of the producer stack.
    pub producer: usize,
    /// The output's name in the producer's template.
    pub name: String,
}

/// The tokens handed out, in order.
#[derive(Debug, Default)]
pub struct Tokens {
    outputs: Vec<Output>,
}

/// Where a reference points: the producer's deployed name, region and account.
#[derive(Debug, Clone)]
pub struct Target {
    /// The stack name.
    pub stack: String,
    /// Its region.
    pub region: String,
    /// Its account.
    pub account: String,
}

impl Tokens {
    /// A new token for `output`.
    pub fn token(&mut self, output: Output) -> String {
        self.outputs.push(output);
        format!("{PREFIX}{:0width$}", self.outputs.len(), width = DIGITS)
    }

    /// The output a token stands for.
    fn output(&self, token: &str) -> Option<&Output> {
        let n: usize = token.strip_prefix(PREFIX)?.parse().ok()?;
        self.outputs.get(n.checked_sub(1)?)
    }

    /// Replaces the tokens of `template` (a stack in `account`) with references;
    /// returns the producers used (indexes) or the problems found.
    pub fn wire(
        &self,
        template: &mut Json,
        account: &str,
        target: &dyn Fn(usize) -> Target,
    ) -> Result<Vec<usize>, Vec<String>> {
        let mut used = Vec::new();
        let mut problems = Vec::new();
        let mut reference = |token: &str, at: &str| match self.output(token) {
            Some(output) => {
                used.push(output.producer);
                let target = target(output.producer);
                // Across accounts, the reader role core names (and `assembly` adds to the producer).
                let role = (target.account != account).then(|| reader_role_name(&target.stack, account));
                Source {
                    stack_name: &target.stack,
                    output: &output.name,
                    region: Some(&target.region),
                    reader: role.as_deref().map(|r| (target.account.as_str(), r)),
                }
                .get_stack_output()
            }
            None => {
                problems.push(format!("{at}: {token} is not a token this migration handed out"));
                Json::String(token.to_owned())
            }
        };
        let var = |token: &str| format!("CwEnvOutput{}", &token[PREFIX.len()..]);
        let spliced = splice(template, PREFIX, &mut reference, &var);
        problems.extend(spliced.err().unwrap_or_default().into_iter().map(|at| {
            format!(
                "{at} holds an environment output in a key or changed by a filter or expression; its value is only known when the environment is deployed: use the output unchanged in a value, or give the value as an input"
            )
        }));
        if problems.is_empty() {
            used.sort_unstable();
            used.dedup();
            Ok(used)
        } else {
            Err(problems)
        }
    }
}

/// Replaces each token (`prefix` and six digits) in the strings of `template` with the
/// intrinsic `reference(token, place)` gives: a string that is one token becomes it; a
/// token inside a longer string, an `Fn::Join` of the parts; inside an `Fn::Sub` string, a
/// variable named `var(token)` holding it. `Err` lists the places (JSON pointer and text)
/// where a token cannot be replaced: in a key, or changed by a filter (another case).
pub fn splice(
    template: &mut Json,
    prefix: &str,
    reference: &mut dyn FnMut(&str, &str) -> Json,
    var: &dyn Fn(&str) -> String,
) -> Result<(), Vec<String>> {
    let mut ctx = Splice { prefix, reference, var, problems: Vec::new() };
    ctx.value(template, "");
    if ctx.problems.is_empty() { Ok(()) } else { Err(ctx.problems) }
}

struct Splice<'a> {
    prefix: &'a str,
    reference: &'a mut dyn FnMut(&str, &str) -> Json,
    var: &'a dyn Fn(&str) -> String,
    /// Places of tokens that cannot be replaced.
    problems: Vec<String>,
}

impl Splice<'_> {
    fn value(&mut self, v: &mut Json, at: &str) {
        match v {
            Json::String(s) => {
                if let Some(replaced) = self.string(s, at) {
                    *v = replaced;
                }
            }
            Json::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    self.value(item, &format!("{at}/{i}"));
                }
            }
            Json::Object(map) => {
                if map.len() == 1 && map.contains_key("Fn::Sub") {
                    self.sub(map, at);
                    return;
                }
                for (k, item) in map.iter_mut() {
                    if find_tokens(self.prefix, k).next().is_some() || has_mangled(self.prefix, k) {
                        self.problems.push(format!("{at}: the key {k:?}"));
                    }
                    self.value(item, &format!("{at}/{k}"));
                }
            }
            _ => {}
        }
    }

    /// A string holding tokens as an intrinsic function, `None` when it holds none.
    fn string(&mut self, s: &str, at: &str) -> Option<Json> {
        let found: Vec<(usize, usize)> = find_tokens(self.prefix, s).collect();
        if found.is_empty() {
            if has_mangled(self.prefix, s) {
                self.problems.push(format!("{at}: {s:?}"));
            }
            return None;
        }
        if let [(0, end)] = found.as_slice() {
            if *end == s.len() {
                return Some((self.reference)(s, at));
            }
        }
        let mut parts = Vec::new();
        let mut last = 0;
        for (start, end) in found {
            if start > last {
                parts.push(json!(s[last..start]));
            }
            parts.push((self.reference)(&s[start..end], at));
            last = end;
        }
        if last < s.len() {
            parts.push(json!(s[last..]));
        }
        Some(json!({ "Fn::Join": ["", parts] }))
    }

    /// `Fn::Sub` (string or `[string, variables]`): tokens in the string become variables.
    fn sub(&mut self, map: &mut Map<String, Json>, at: &str) {
        let at = format!("{at}/Fn::Sub");
        let Some(arg) = map.get_mut("Fn::Sub") else { return };
        if let Json::String(s) = arg {
            *arg = json!([s.clone(), {}]);
        }
        let Json::Array(items) = arg else { return };
        let mut vars = items.get(1).cloned().unwrap_or_else(|| json!({}));
        if let Json::Object(v) = &mut vars {
            for (k, item) in v.iter_mut() {
                self.value(item, &format!("{at}/1/{k}"));
            }
        }
        let Some(Json::String(text)) = items.first().cloned() else { return };
        let found: Vec<(usize, usize)> = find_tokens(self.prefix, &text).collect();
        if found.is_empty() {
            if has_mangled(self.prefix, &text) {
                self.problems.push(format!("{at}: {text:?}"));
            }
            if vars.as_object().is_some_and(Map::is_empty) {
                *arg = Json::String(text);
            } else if let Some(slot) = items.get_mut(1) {
                *slot = vars;
            }
            return;
        }
        let mut out = String::new();
        let mut last = 0;
        for (start, end) in found {
            let token = &text[start..end];
            let var = (self.var)(token);
            out.push_str(&text[last..start]);
            out.push_str(&format!("${{{var}}}"));
            let reference = (self.reference)(token, &at);
            if let Json::Object(v) = &mut vars {
                v.insert(var, reference);
            }
            last = end;
        }
        out.push_str(&text[last..]);
        *items = vec![Json::String(out), vars];
    }
}

/// The byte ranges of well-formed tokens (`prefix` and six digits) in `s`.
fn find_tokens<'s>(prefix: &'s str, s: &'s str) -> impl Iterator<Item = (usize, usize)> + 's {
    s.match_indices(prefix).filter_map(move |(i, _)| {
        let end = i + prefix.len() + DIGITS;
        let digits = s.get(i + prefix.len()..end)?;
        digits.bytes().all(|b| b.is_ascii_digit()).then_some((i, end))
    })
}

/// Whether `s` holds a token in another case (a filter changed it).
fn has_mangled(prefix: &str, s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    lower.contains(prefix) && find_tokens(prefix, &lower).count() > find_tokens(prefix, s).count()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn tokens() -> (Tokens, String, String) {
        let mut t = Tokens::default();
        let a = t.token(Output { producer: 0, name: "TableName".into() });
        let b = t.token(Output { producer: 1, name: "Bucket".into() });
        (t, a, b)
    }

    fn wire(t: &Tokens, v: &mut Json) -> Result<Vec<usize>, Vec<String>> {
        let target = |i: usize| Target {
            stack: format!("env{i}"),
            region: if i == 1 { "eu-west-1".into() } else { "us-east-1".into() },
            account: if i == 1 { "222222222222".into() } else { "111111111111".into() },
        };
        t.wire(v, "111111111111", &target)
    }

    #[test]
    fn a_whole_string_becomes_get_stack_output() {
        let (t, a, _) = tokens();
        let mut v = json!({"P": a});
        assert_eq!(wire(&t, &mut v).unwrap(), vec![0]);
        assert_eq!(
            v,
            json!({"P": {"Fn::GetStackOutput": {"StackName": "env0", "OutputName": "TableName", "Region": "us-east-1"}}})
        );
    }

    #[test]
    fn a_part_becomes_a_join_with_region_and_role_across_accounts() {
        let (t, _, b) = tokens();
        let mut v = json!([format!("arn:aws:s3:::{b}/*")]);
        assert_eq!(wire(&t, &mut v).unwrap(), vec![1]);
        assert_eq!(
            v,
            json!([{"Fn::Join": ["", ["arn:aws:s3:::", {"Fn::GetStackOutput": {"StackName": "env1", "OutputName": "Bucket",
                "Region": "eu-west-1", "RoleArn": {"Fn::Sub": format!("arn:${{AWS::Partition}}:iam::222222222222:role/{}",
                reader_role_name("env1", "111111111111"))}}}, "/*"]]}])
        );
    }

    #[test]
    fn inside_sub_a_token_becomes_a_variable() {
        let (t, a, _) = tokens();
        let mut v = json!({"Fn::Sub": format!("${{AWS::Region}}-{a}")});
        wire(&t, &mut v).unwrap();
        assert_eq!(
            v,
            json!({"Fn::Sub": ["${AWS::Region}-${CwEnvOutput000001}", {"CwEnvOutput000001":
                {"Fn::GetStackOutput": {"StackName": "env0", "OutputName": "TableName", "Region": "us-east-1"}}}]})
        );
    }

    #[test]
    fn a_token_changed_by_a_filter_is_an_error() {
        let (t, a, _) = tokens();
        let mut v = json!({"P": a.to_uppercase()});
        let err = wire(&t, &mut v).unwrap_err();
        assert!(err[0].contains("/P") && err[0].contains("filter"), "{err:?}");
    }
}
