//! Proton input schema changes per template, classified by the schema lock's rules.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value as Json, json};

use super::{InputChange, ProtonDiff};
use cloudwright_constructs::proton::lock::input_changes;

/// The input types of a Proton schema, and how changes name them.
const INPUT_TYPES: [(&str, &str); 3] =
    [("environment_input_type", "environment"), ("service_input_type", "service"), ("pipeline_input_type", "pipeline")];

/// The schema of one input type of a `schema.yaml`, if it has that input type.
fn input_schema<'a>(doc: &'a Json, key: &str) -> Option<&'a Json> {
    let schema = doc.get("schema")?;
    let name = schema.get(key)?.as_str()?;
    schema.get("types")?.get(name)
}

/// The templates whose schema differs, by name.
pub(crate) fn templates(old: &BTreeMap<String, (u32, Json)>, new: &BTreeMap<String, (u32, Json)>) -> Vec<ProtonDiff> {
    let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let mut out = Vec::new();
    for name in names {
        let (o, n) = (old.get(name), new.get(name));
        if o == n {
            continue;
        }
        let mut changes = Vec::new();
        if let (Some((_, o)), Some((_, n))) = (o, n) {
            let empty = json!({});
            for (key, label) in INPUT_TYPES {
                let (a, b) = (input_schema(o, key), input_schema(n, key));
                if a.is_none() && b.is_none() {
                    continue;
                }
                for c in input_changes(a.unwrap_or(&empty), b.unwrap_or(&empty), "") {
                    changes.push(InputChange {
                        input_type: label.to_owned(),
                        input: c.input,
                        what: c.what,
                        breaking: c.breaking,
                    });
                }
            }
            if changes.is_empty() && o != n {
                changes.push(InputChange {
                    input_type: String::new(),
                    input: String::new(),
                    what: "schema.yaml changed outside the input definitions".to_owned(),
                    breaking: false,
                });
            }
        }
        out.push(ProtonDiff {
            template: name.clone(),
            old_major: o.map(|(m, _)| *m),
            new_major: n.map(|(m, _)| *m),
            changes,
        });
    }
    out
}
