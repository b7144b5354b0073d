//! A changed value that holds text of several lines (a buildspec, inline code, a policy or
//! template held as JSON text): the lines that changed, decoded, as a unified diff. Its
//! one-line display would cut both sides at the same prefix and show nothing.

use serde_json::Value as Json;
use similar::TextDiff;

use super::json::compact;

/// The most lines of a text diff shown; the rest is counted.
const MAX_LINES: usize = 400;

/// The text a value holds, decoded: a JSON string as itself (pretty-printed when it is JSON
/// text), an `Fn::Join` with the empty separator or an `Fn::Sub` as its text with the
/// intrinsics in `${...}`.
fn decode(value: &Json) -> Option<String> {
    match value {
        Json::String(text) => {
            let trimmed = text.trim_start();
            if trimmed.starts_with('{') || trimmed.starts_with('[') {
                if let Ok(json @ (Json::Object(_) | Json::Array(_))) = serde_json::from_str::<Json>(text) {
                    return serde_json::to_string_pretty(&json).ok();
                }
            }
            Some(text.clone())
        }
        Json::Object(map) if map.len() == 1 => {
            let (k, v) = map.iter().next()?;
            match (k.as_str(), v) {
                ("Fn::Join", Json::Array(args)) if args.first().and_then(Json::as_str) == Some("") => {
                    let parts = args.get(1)?.as_array()?;
                    Some(
                        parts
                            .iter()
                            .map(|p| p.as_str().map_or_else(|| format!("${{{}}}", compact(p)), str::to_owned))
                            .collect(),
                    )
                }
                ("Fn::Sub", Json::String(text)) => Some(text.clone()),
                ("Fn::Sub", Json::Array(args)) => args.first().and_then(Json::as_str).map(str::to_owned),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The unified diff of the texts of `old` and `new`, when either holds several lines.
pub(crate) fn lines(old: &Json, new: &Json) -> Option<String> {
    let (a, b) = (decode(old)?, decode(new)?);
    if !a.contains('\n') && !b.contains('\n') {
        return None;
    }
    // Myers' diff is quadratic at worst: past the deadline it settles for a coarser diff.
    let diff = TextDiff::configure().timeout(std::time::Duration::from_millis(500)).diff_lines(&a, &b);
    let text = diff.unified_diff().context_radius(2).to_string();
    let total = text.lines().count();
    if total <= MAX_LINES {
        return Some(text);
    }
    let mut shown: String = text.lines().take(MAX_LINES).flat_map(|l| [l, "\n"]).collect();
    shown.push_str(&format!("… {} more lines\n", total - MAX_LINES));
    Some(shown)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn json_text_and_joins_are_decoded_into_their_lines() {
        let old = json!("{\"version\": \"0.2\", \"phases\": {\"build\": {\"commands\": [\"make\"]}}}");
        let new = json!("{\"version\": \"0.2\", \"phases\": {\"build\": {\"commands\": [\"make test\"]}}}");
        let diff = lines(&old, &new).unwrap();
        assert!(diff.contains("-        \"make\"\n+        \"make test\"\n"), "{diff}");
        let join = |cmd: &str| json!({"Fn::Join": ["", ["phases:\n  build:\n    - ", cmd, "\n", {"Ref": "X"}]]});
        let diff = lines(&join("make"), &join("cargo")).unwrap();
        assert!(diff.contains("-    - make\n+    - cargo\n"), "{diff}");
        assert!(diff.contains(" ${Ref(X)}"), "{diff}");
        assert_eq!(lines(&json!("a"), &json!("b")), None);
        assert_eq!(lines(&json!(1), &json!("a\nb")), None);
    }
}
