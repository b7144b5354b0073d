//! Renders a [`Report`] for people and tools: terminal text, JSON, SARIF 2.1.0 for code
//! scanning, and Markdown for a pull-request comment.
//!
//! Every function here is a pure function of the report: the same report always gives
//! the same bytes, whatever the order the engine produced its findings in.

use super::model::{Finding, Report, RuleInfo, Severity};
use serde_json::{Map, Value, json};

/// The SARIF schema URI written into `$schema`, the one GitHub code scanning documents.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Where the `cloudwright` SARIF driver says it is documented.
pub const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");

/// The `partialFingerprints` key under which a finding's stable identity is recorded.
pub const FINGERPRINT_KEY: &str = "cloudwrightFinding/v1";

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";

/// All severities, worst first.
const SEVERITIES: [Severity; 3] = [Severity::Error, Severity::Warning, Severity::Info];

// ---------------------------------------------------------------------------------------
// Ordering and counting shared by the formats
// ---------------------------------------------------------------------------------------

/// Findings in report order: by stack, construct path, rule, then severity.
fn sorted<'a>(findings: impl Iterator<Item = &'a Finding>) -> Vec<&'a Finding> {
    let mut out: Vec<&Finding> = findings.collect();
    out.sort_by(|a, b| (&a.stack, &a.path, &a.rule_id, a.severity).cmp(&(&b.stack, &b.path, &b.rule_id, b.severity)));
    out
}

/// Suppressed findings in report order.
fn suppressed(report: &Report) -> Vec<&Finding> {
    sorted(report.findings.iter().filter(|f| f.suppressed.is_some()))
}

/// `word` or `words`, after the count.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `N errors, N warnings, N info, N suppressed; R rules over S stacks and K resources`.
fn summary_line(report: &Report) -> String {
    format!(
        "{}, {}, {} info, {} suppressed; {} over {} and {}",
        plural(report.count(Severity::Error), "error", "errors"),
        plural(report.count(Severity::Warning), "warning", "warnings"),
        report.count(Severity::Info),
        report.suppressed_count(),
        plural(report.rules.len(), "rule", "rules"),
        plural(report.stacks, "stack", "stacks"),
        plural(report.resources, "resource", "resources"),
    )
}

/// `Prod/Service/Role/Resource (Role1234)`, or just the path without a logical id.
fn construct(finding: &Finding) -> String {
    match &finding.logical_id {
        Some(id) => format!("{} ({id})", finding.path),
        None => finding.path.clone(),
    }
}

// ---------------------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------------------

/// The ANSI colour of a severity word.
fn severity_colour(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "\x1b[1;31m",
        Severity::Warning => "\x1b[33m",
        Severity::Info => "\x1b[34m",
    }
}

/// `text` wrapped in `code`…reset when colour is on.
fn paint(text: &str, code: &str, colour: bool) -> String {
    if colour { format!("{code}{text}{RESET}") } else { text.to_string() }
}

/// Where a finding's `fix:` line and the continuation lines of its message start.
const TEXT_INDENT: &str = "          ";

/// `text` with any line breaks continued at [`TEXT_INDENT`].
fn continued(text: &str) -> String {
    text.trim_end().lines().collect::<Vec<_>>().join(&format!("\n{TEXT_INDENT}"))
}

/// One active finding: the severity/rule/construct/message line and its `fix:` line.
fn text_finding(finding: &Finding, rule_width: usize, colour: bool) -> String {
    let severity = paint(&format!("{:<7}", finding.severity.as_str()), severity_colour(finding.severity), colour);
    let fix = paint(&format!("fix: {}", continued(&finding.fix)), DIM, colour);
    format!(
        "  {severity} {:<rule_width$}  {}: {}\n{TEXT_INDENT}{fix}\n",
        finding.rule_id,
        construct(finding),
        continued(&finding.message),
    )
}

/// One suppressed finding, compactly, with its reason.
fn text_suppressed(finding: &Finding, rule_width: usize) -> String {
    let reason = finding.suppressed.as_deref().unwrap_or_default();
    format!("  {:<rule_width$}  {}: {}", finding.rule_id, construct(finding), continued(reason))
}

/// Human text, grouped by stack then construct path; ANSI colours only when `colour`.
pub fn to_text(report: &Report, colour: bool) -> String {
    let active = sorted(report.active());
    let hidden = suppressed(report);
    let rule_width = report.findings.iter().map(|f| f.rule_id.len()).max().unwrap_or(0);
    let mut out = String::new();
    let mut stack: Option<&str> = None;
    for finding in &active {
        if stack != Some(finding.stack.as_str()) {
            if stack.is_some() {
                out.push('\n');
            }
            out.push_str(&paint(&finding.stack, BOLD, colour));
            out.push('\n');
            stack = Some(&finding.stack);
        }
        out.push_str(&text_finding(finding, rule_width, colour));
    }
    if active.is_empty() {
        out.push_str("No findings.\n");
    }
    if !hidden.is_empty() {
        out.push('\n');
        out.push_str(&paint(&format!("Suppressed ({}):", hidden.len()), BOLD, colour));
        out.push('\n');
        for finding in &hidden {
            out.push_str(&paint(&text_suppressed(finding, rule_width), DIM, colour));
            out.push('\n');
        }
    }
    out.push('\n');
    out.push_str(&summary_line(report));
    out.push('\n');
    out
}

// ---------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------

/// The `summary` object of counts that heads the JSON report.
fn summary_json(report: &Report) -> Value {
    json!({
        "errors": report.count(Severity::Error),
        "warnings": report.count(Severity::Warning),
        "info": report.count(Severity::Info),
        "suppressed": report.suppressed_count(),
        "findings": report.findings.len(),
        "rules": report.rules.len(),
        "stacks": report.stacks,
        "resources": report.resources,
    })
}

/// A JSON value as pretty text with a final newline.
fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// The report as pretty JSON, headed by a `summary` object of counts.
pub fn to_json(report: &Report) -> String {
    let mut object = Map::new();
    object.insert("summary".into(), summary_json(report));
    let mut body = report.clone();
    body.findings = sorted(report.findings.iter()).into_iter().cloned().collect();
    if let Ok(Value::Object(fields)) = serde_json::to_value(&body) {
        object.extend(fields);
    }
    pretty(&Value::Object(object))
}

// ---------------------------------------------------------------------------------------
// SARIF
// ---------------------------------------------------------------------------------------

/// The SARIF `level` of a severity.
fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// 64-bit FNV-1a: a hash that stays the same across Rust releases and platforms.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3))
}

/// A finding's stable identity across runs: rule, stack and construct path, not line or wording.
pub fn fingerprint(finding: &Finding) -> String {
    let key = format!("{}\0{}\0{}", finding.rule_id, finding.stack, finding.path);
    format!("{:016x}", fnv1a(key.as_bytes()))
}

/// One `reportingDescriptor` for a rule.
fn sarif_rule(rule: &RuleInfo) -> Value {
    let text = format!("{}\n\nFix: {}", rule.rationale, rule.fix);
    let markdown = format!("{}\n\n**Fix:** {}", rule.rationale, rule.fix);
    json!({
        "id": rule.id,
        "shortDescription": { "text": rule.title },
        "fullDescription": { "text": text },
        "help": { "text": text, "markdown": markdown },
        "defaultConfiguration": { "level": sarif_level(rule.severity) },
    })
}

/// The location of a finding: the file (and line), and the construct as a logical location.
fn sarif_location(finding: &Finding) -> Value {
    let mut physical = json!({
        "artifactLocation": { "uri": finding.file, "uriBaseId": "%SRCROOT%" },
    });
    if let (Some(line), Some(object)) = (finding.line, physical.as_object_mut()) {
        object.insert("region".into(), json!({ "startLine": line.max(1) }));
    }
    let mut logical = json!({ "fullyQualifiedName": finding.path, "kind": "resource" });
    if let (Some(id), Some(object)) = (&finding.logical_id, logical.as_object_mut()) {
        object.insert("name".into(), json!(id));
    }
    json!({ "physicalLocation": physical, "logicalLocations": [logical] })
}

/// One `result` for a finding; `rule_index` is its rule's place in `tool.driver.rules`.
fn sarif_result(finding: &Finding, rule_index: Option<usize>) -> Value {
    let mut result = Map::new();
    result.insert("ruleId".into(), json!(finding.rule_id));
    if let Some(index) = rule_index {
        result.insert("ruleIndex".into(), json!(index));
    }
    result.insert("level".into(), json!(sarif_level(finding.severity)));
    result.insert("message".into(), json!({ "text": format!("{}\nFix: {}", finding.message, finding.fix) }));
    result.insert("locations".into(), json!([sarif_location(finding)]));
    result.insert("partialFingerprints".into(), json!({ FINGERPRINT_KEY: fingerprint(finding) }));
    if let Some(reason) = &finding.suppressed {
        result.insert("suppressions".into(), json!([{ "kind": "inSource", "justification": reason }]));
    }
    Value::Object(result)
}

/// SARIF 2.1.0 with one run of the `cloudwright` driver, for GitHub code scanning and others.
pub fn to_sarif(report: &Report, tool_version: &str) -> String {
    let rules: Vec<Value> = report.rules.iter().map(sarif_rule).collect();
    let index = |id: &str| report.rules.iter().position(|rule| rule.id == id);
    let results: Vec<Value> =
        sorted(report.findings.iter()).into_iter().map(|f| sarif_result(f, index(&f.rule_id))).collect();
    let sarif = json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "cloudwright",
                    "version": tool_version,
                    "semanticVersion": tool_version,
                    "informationUri": INFORMATION_URI,
                    "rules": rules,
                }
            },
            "columnKind": "utf16CodeUnits",
            "results": results,
        }],
    });
    pretty(&sarif)
}

// ---------------------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------------------

/// A table cell's text: `|` escaped, line breaks as `<br>`, outer whitespace trimmed.
fn cell(text: &str) -> String {
    text.trim().replace("\r\n", "\n").replace('|', "\\|").replace('\n', "<br>")
}

/// A construct path as a code span, so `_` and `*` in ids are not read as emphasis.
fn code(text: &str) -> String {
    if text.contains('`') { format!("`` {text} ``") } else { format!("`{text}`") }
}

/// The construct for Markdown: its path as code, then its logical id.
fn markdown_construct(finding: &Finding) -> String {
    match &finding.logical_id {
        Some(id) => format!("{} ({id})", code(&finding.path)),
        None => code(&finding.path),
    }
}

/// A list item's text on one line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The table of active findings, errors first.
fn markdown_table(report: &Report) -> String {
    let mut out = String::from("| Severity | Rule | Construct | Message | Fix |\n| --- | --- | --- | --- | --- |\n");
    for severity in SEVERITIES {
        for finding in sorted(report.active()).into_iter().filter(|f| f.severity == severity) {
            out.push_str(&format!(
                "| {} | `{}` | {} | {} | {} |\n",
                severity.as_str(),
                cell(&finding.rule_id),
                cell(&markdown_construct(finding)),
                cell(&finding.message),
                cell(&finding.fix),
            ));
        }
    }
    out
}

/// The collapsed list of suppressed findings with their reasons.
fn markdown_suppressed(hidden: &[&Finding]) -> String {
    let mut out = format!(
        "<details>\n<summary>{}</summary>\n\n",
        plural(hidden.len(), "suppressed finding", "suppressed findings")
    );
    for finding in hidden {
        let reason = finding.suppressed.as_deref().unwrap_or_default();
        out.push_str(&format!(
            "- `{}` {}: {}\n",
            finding.rule_id,
            one_line(&markdown_construct(finding)),
            one_line(reason)
        ));
    }
    out.push_str("\n</details>\n");
    out
}

/// Markdown for a pull-request comment: a summary, a table of findings, suppressed ones folded.
pub fn to_markdown(report: &Report) -> String {
    let status = if report.has_errors() { "Failed" } else { "Passed" };
    let mut out = format!("## cloudwright governance\n\n**{status}:** {}.\n\n", summary_line(report));
    if report.active().next().is_none() {
        out.push_str("No findings.\n");
    } else {
        out.push_str(&markdown_table(report));
    }
    let hidden = suppressed(report);
    if !hidden.is_empty() {
        out.push('\n');
        out.push_str(&markdown_suppressed(&hidden));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_reference_vectors() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn cells_escape_pipes_and_line_breaks() {
        assert_eq!(cell(" a|b\r\nc\nd "), "a\\|b<br>c<br>d");
    }

    #[test]
    fn plurals_read_naturally() {
        assert_eq!(plural(1, "rule", "rules"), "1 rule");
        assert_eq!(plural(0, "rule", "rules"), "0 rules");
    }
}
