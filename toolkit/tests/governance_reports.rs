//! The governance report formats, pinned, and the SARIF output checked against the official
//! SARIF 2.1.0 schema vendored in `tests/fixtures` (see `tests/fixtures/README.md`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use cloudwright_constructs::governance::Target;
use cloudwright_toolkit::governance::{
    FINGERPRINT_KEY, Finding, Report, RuleInfo, Severity, fingerprint, to_json, to_markdown, to_sarif, to_text,
};
use serde_json::{Value, json};

const RULES: [RuleInfo; 4] = [
    RuleInfo {
        id: "CW-IAM-1",
        title: "IAM policies grant no wildcard actions",
        severity: Severity::Error,
        fix: "Name the actions the role needs, e.g. `s3:GetObject`.",
        rationale: "Wildcard actions grant every present and future permission of a service.",
        target: Target::Stack,
    },
    RuleInfo {
        id: "CW-LOG-1",
        title: "Log groups set a retention period",
        severity: Severity::Warning,
        fix: "Set `retention` on the log group.",
        rationale: "Logs kept forever cost money and hold data longer than policy allows.",
        target: Target::Stack,
    },
    RuleInfo {
        id: "CW-S3-1",
        title: "Buckets block public access",
        severity: Severity::Error,
        fix: "Enable all four public access block settings.",
        rationale: "A public bucket leaks data.",
        target: Target::Stack,
    },
    RuleInfo {
        id: "CW-TAG-1",
        title: "Resources carry a cost-centre tag",
        severity: Severity::Info,
        fix: "Tag the stack with `CostCentre`.",
        rationale: "Untagged resources cannot be charged back.",
        target: Target::Stack,
    },
];

fn finding(rule: &str, severity: Severity, stack: &str, path: &str, id: Option<&str>, line: Option<usize>) -> Finding {
    let file = match id {
        Some(_) => format!("{}.template.json", stack.replace('/', "")),
        None => format!("proton/{stack}/instance_infrastructure/cloudformation.yaml"),
    };
    let rule_info = RULES.iter().find(|r| r.id == rule).unwrap();
    Finding {
        rule_id: rule.into(),
        severity,
        message: format!("{} is violated", rule_info.title),
        fix: rule_info.fix.into(),
        stack: stack.into(),
        path: path.into(),
        logical_id: id.map(Into::into),
        file,
        line,
        suppressed: None,
    }
}

/// One finding of each severity over two stacks and a Proton bundle, one with a `|` and a
/// line break in its message, and one suppressed with a reason.
fn sample() -> Report {
    let mut wildcard = finding(
        "CW-IAM-1",
        Severity::Error,
        "Prod/Service",
        "Prod/Service/FunctionRole/Resource",
        Some("FunctionRole1234ABCD"),
        Some(12),
    );
    wildcard.message = "Policy grants `s3:*` | `sqs:*`\non Resource `*`".into();
    let mut bucket =
        finding("CW-S3-1", Severity::Error, "Prod/Data", "Prod/Data/Assets/Resource", Some("Assets5678EF90"), Some(4));
    bucket.suppressed = Some("Public website assets, reviewed in SEC-42.".into());
    Report {
        findings: vec![
            finding("CW-TAG-1", Severity::Info, "Prod/Service", "Prod/Service", None, None),
            wildcard,
            finding(
                "CW-LOG-1",
                Severity::Warning,
                "Prod/Service",
                "Prod/Service/Function/LogGroup/Resource",
                Some("FunctionLogGroupAB12CD34"),
                Some(40),
            ),
            bucket,
            finding(
                "CW-LOG-1",
                Severity::Warning,
                "Prod/Data",
                "Prod/Data/Audit/Resource",
                Some("Audit0A1B2C3D"),
                None,
            ),
        ],
        rules: RULES.to_vec(),
        stacks: 2,
        resources: 17,
    }
}

fn empty() -> Report {
    Report { findings: vec![], rules: RULES.to_vec(), stacks: 1, resources: 3 }
}

fn snapshot(name: &str, content: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots/governance");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!(name, content));
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn sarif_validator() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(include_str!("fixtures/sarif-schema-2.1.0.json")).expect("vendored schema parses");
    jsonschema::validator_for(&schema).expect("vendored schema compiles")
}

fn schema_errors(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator.iter_errors(doc).map(|e| format!("{}: {e}", e.instance_path())).collect()
}

#[test]
fn text_is_grouped_by_stack_and_path() {
    let text = to_text(&sample(), false);
    snapshot("report.txt", &text);
    assert!(!text.contains('\x1b'), "no colour when off:\n{text}");
    assert!(text.contains("  error   CW-IAM-1  Prod/Service/FunctionRole/Resource (FunctionRole1234ABCD): "), "{text}");
    let data = text.find("Prod/Data\n").unwrap();
    let service = text.find("Prod/Service\n").unwrap();
    assert!(data < service, "stacks in order:\n{text}");
    assert!(
        text.ends_with("\n1 error, 2 warnings, 1 info, 1 suppressed; 4 rules over 2 stacks and 17 resources\n"),
        "{text}"
    );
}

#[test]
fn text_colours_severities_only_when_asked() {
    let plain = to_text(&sample(), false);
    let coloured = to_text(&sample(), true);
    assert!(coloured.contains("\x1b[1;31merror  \x1b[0m"), "{coloured:?}");
    assert!(coloured.contains("\x1b[33mwarning\x1b[0m"), "{coloured:?}");
    assert!(coloured.contains("\x1b[34minfo   \x1b[0m"), "{coloured:?}");
    assert_eq!(strip_ansi(&coloured), plain, "colour changes nothing but the escape codes");
}

#[test]
fn text_of_an_empty_report() {
    let text = to_text(&empty(), true);
    assert_eq!(
        text,
        "No findings.\n\n0 errors, 0 warnings, 0 info, 0 suppressed; 4 rules over 1 stack and 3 resources\n"
    );
}

#[test]
fn json_is_the_report_with_a_summary() {
    let text = to_json(&sample());
    snapshot("report.json", &text);
    let value: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value.as_object().unwrap().keys().next().map(String::as_str), Some("summary"));
    assert_eq!(
        value["summary"],
        json!({"errors": 1, "warnings": 2, "info": 1, "suppressed": 1, "findings": 5, "rules": 4, "stacks": 2, "resources": 17})
    );
    assert_eq!(value["findings"].as_array().unwrap().len(), 5);
    assert_eq!(value["rules"][0]["id"], "CW-IAM-1");
}

#[test]
fn markdown_for_a_pull_request() {
    let text = to_markdown(&sample());
    snapshot("report.md", &text);
    let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("| ")).skip(2).collect();
    let severities: Vec<&str> = rows.iter().map(|r| r.split(" | ").next().unwrap().trim_start_matches("| ")).collect();
    assert_eq!(severities, ["error", "warning", "warning", "info"], "{text}");
    assert!(rows[0].contains(r"`s3:*` \| `sqs:*`<br>on Resource"), "{text}");
    for row in &rows {
        assert_eq!(row.matches(" | ").count(), 4, "five cells in {row}");
    }
    assert!(text.contains("<details>\n<summary>1 suppressed finding</summary>"), "{text}");
    assert!(text.contains("Public website assets, reviewed in SEC-42."), "{text}");
}

#[test]
fn markdown_of_an_empty_report() {
    let text = to_markdown(&empty());
    assert!(text.contains("**Passed:**"), "{text}");
    assert!(text.ends_with("No findings.\n"), "{text}");
    assert!(!text.contains("| Severity"), "{text}");
}

#[test]
fn sarif_snapshot() {
    snapshot("report.sarif", &to_sarif(&sample(), "0.1.0"));
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let validator = sarif_validator();
    for report in [sample(), empty()] {
        let doc: Value = serde_json::from_str(&to_sarif(&report, "0.1.0")).unwrap();
        assert_eq!(schema_errors(&validator, &doc), Vec::<String>::new());
    }
}

/// A change that makes a SARIF document invalid.
type Breakage = fn(&mut Value);

#[test]
fn the_schema_check_rejects_broken_sarif() {
    let validator = sarif_validator();
    let good: Value = serde_json::from_str(&to_sarif(&sample(), "0.1.0")).unwrap();
    let breakages: [(&str, Breakage); 4] = [
        ("no version", |d| {
            d.as_object_mut().unwrap().remove("version");
        }),
        ("unknown level", |d| d["runs"][0]["results"][0]["level"] = json!("fatal")),
        ("result without message", |d| {
            d["runs"][0]["results"][0].as_object_mut().unwrap().remove("message");
        }),
        ("unknown suppression kind", |d| {
            let results = d["runs"][0]["results"].as_array_mut().unwrap();
            let suppressed = results.iter_mut().find(|r| r.get("suppressions").is_some()).unwrap();
            suppressed["suppressions"][0]["kind"] = json!("inline");
        }),
    ];
    for (what, breakage) in breakages {
        let mut broken = good.clone();
        breakage(&mut broken);
        assert!(!validator.is_valid(&broken), "the schema accepts SARIF with {what}");
    }
}

#[test]
fn sarif_results_point_at_their_rules_and_locations() {
    let doc: Value = serde_json::from_str(&to_sarif(&sample(), "1.2.3")).unwrap();
    let run = &doc["runs"][0];
    assert_eq!(doc["$schema"], "https://json.schemastore.org/sarif-2.1.0.json");
    assert_eq!(run["tool"]["driver"]["name"], "cloudwright");
    assert_eq!(run["tool"]["driver"]["version"], "1.2.3");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 4);
    assert_eq!(rules[3]["defaultConfiguration"]["level"], "note");
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert!(result["message"]["text"].as_str().unwrap().contains("\nFix: "));
        assert_eq!(result["locations"][0]["logicalLocations"][0]["kind"], "resource");
    }
    let wildcard = results.iter().find(|r| r["ruleId"] == "CW-IAM-1").unwrap();
    assert_eq!(wildcard["level"], "error");
    let location = &wildcard["locations"][0];
    assert_eq!(location["physicalLocation"]["artifactLocation"]["uri"], "ProdService.template.json");
    assert_eq!(location["physicalLocation"]["region"]["startLine"], 12);
    assert_eq!(location["logicalLocations"][0]["name"], "FunctionRole1234ABCD");
    assert_eq!(location["logicalLocations"][0]["fullyQualifiedName"], "Prod/Service/FunctionRole/Resource");
    let tag = results.iter().find(|r| r["ruleId"] == "CW-TAG-1").unwrap();
    assert_eq!(tag["level"], "note");
    assert!(tag["locations"][0]["physicalLocation"].get("region").is_none());
    assert!(tag["locations"][0]["logicalLocations"][0].get("name").is_none());
    let suppressed: Vec<&Value> = results.iter().filter(|r| r.get("suppressions").is_some()).collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(
        suppressed[0]["suppressions"],
        json!([{"kind": "inSource", "justification": "Public website assets, reviewed in SEC-42."}])
    );
}

#[test]
fn fingerprints_follow_the_finding_not_its_line_or_wording() {
    let report = sample();
    let original = &report.findings[1];
    let mut moved = original.clone();
    moved.line = Some(99);
    moved.message = "reworded".into();
    assert_eq!(fingerprint(&moved), fingerprint(original));
    let mut elsewhere = original.clone();
    elsewhere.path = "Prod/Service/OtherRole/Resource".into();
    assert_ne!(fingerprint(&elsewhere), fingerprint(original));
    let all: std::collections::BTreeSet<String> = report.findings.iter().map(fingerprint).collect();
    assert_eq!(all.len(), report.findings.len(), "distinct findings, distinct fingerprints");
    let doc: Value = serde_json::from_str(&to_sarif(&report, "0.1.0")).unwrap();
    let printed = &doc["runs"][0]["results"][0]["partialFingerprints"][FINGERPRINT_KEY];
    assert!(printed.as_str().is_some_and(|p| p.len() == 16), "{printed}");
}

#[test]
fn every_format_ignores_the_order_findings_arrive_in() {
    let report = sample();
    let mut reversed = report.clone();
    reversed.findings.reverse();
    assert_eq!(to_text(&report, true), to_text(&reversed, true));
    assert_eq!(to_json(&report), to_json(&reversed));
    assert_eq!(to_sarif(&report, "0.1.0"), to_sarif(&reversed, "0.1.0"));
    assert_eq!(to_markdown(&report), to_markdown(&reversed));
}
