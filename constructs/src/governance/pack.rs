//! Rule packs: which rules run, at which severity, chosen per stage or stack.

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use super::catalog::{
    self, RuleInfo,
    Severity::{self, Error, Info, Warning},
};
use crate::{Aspect, Construct, Node, Stack};

/// Manifest metadata type recording a stack's rule pack.
pub const PACK_METADATA_TYPE: &str = "cloudwright:rules";

/// A rule pack: the default rules with some severities changed or rules turned off.
///
/// Apply one to a stage or stack (the innermost wins), e.g. production stricter than
/// development:
///
/// ```
/// use cloudwright_constructs::governance::{RulePack, Severity};
/// use cloudwright_constructs::{App, Stage, StageProps};
///
/// let app = App::new();
/// let prod = Stage::new(&app, "Prod", StageProps::default())?;
/// RulePack::production().with_severity("CW-SNS-1", Severity::Error).apply_to(&prod);
/// let dev = Stage::new(&app, "Dev", StageProps::default())?;
/// RulePack::development().apply_to(&dev);
/// # Ok::<(), cloudwright_constructs::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulePack {
    name: String,
    /// Rule id to its severity here; `None` turns the rule off.
    overrides: BTreeMap<String, Option<Severity>>,
}

impl Default for RulePack {
    fn default() -> Self {
        RulePack::standard()
    }
}

fn pack(name: &str, overrides: &[(&str, Option<Severity>)]) -> RulePack {
    RulePack { name: name.to_owned(), overrides: overrides.iter().map(|(id, s)| ((*id).to_owned(), *s)).collect() }
}

impl RulePack {
    /// Every rule at its default severity; production-only rules off. Stacks without a
    /// pack get this one.
    pub fn standard() -> RulePack {
        pack("standard", &[("CW-STACK-1", None)])
    }

    /// Stricter: what is a warning elsewhere blocks a production deployment.
    pub fn production() -> RulePack {
        pack(
            "production",
            &[
                ("CW-LAMBDA-1", Some(Error)),
                ("CW-LAMBDA-2", Some(Error)),
                ("CW-LOGS-1", Some(Error)),
                ("CW-S3-1", Some(Error)),
                ("CW-S3-4", Some(Error)),
                ("CW-CODEBUILD-1", Some(Error)),
                ("CW-ALARM-1", Some(Error)),
                ("CW-STACK-2", Some(Error)),
                ("CW-IAM-6", Some(Error)),
                ("CW-LOGS-2", Some(Warning)),
                ("CW-SNS-1", Some(Warning)),
                ("CW-EC2-3", Some(Warning)),
            ],
        )
    }

    /// Relaxed for development accounts: hygiene findings become notes.
    pub fn development() -> RulePack {
        pack(
            "development",
            &[
                ("CW-STACK-1", None),
                ("CW-LAMBDA-1", Some(Info)),
                ("CW-LAMBDA-3", Some(Info)),
                ("CW-S3-4", Some(Info)),
                ("CW-ALARM-1", Some(Info)),
                ("CW-STACK-2", Some(Info)),
                ("CW-CODEBUILD-2", Some(Info)),
                ("CW-LOGS-2", None),
                ("CW-SNS-1", None),
                ("CW-EC2-3", None),
                ("CW-EC2-4", None),
            ],
        )
    }

    /// The pack's name (`standard`, `production`, `development`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs `rule_id` at `severity` under this pack.
    pub fn with_severity(mut self, rule_id: &str, severity: Severity) -> RulePack {
        self.overrides.insert(rule_id.to_owned(), Some(severity));
        self
    }

    /// Turns `rule_id` off under this pack.
    pub fn without(mut self, rule_id: &str) -> RulePack {
        self.overrides.insert(rule_id.to_owned(), None);
        self
    }

    /// Uses this pack for every stack below `scope`; an inner scope's pack wins. An
    /// unknown rule id is a synth error naming `scope`.
    pub fn apply_to(&self, scope: &impl Construct) {
        let node = scope.node();
        let unknown: Vec<&str> =
            self.overrides.keys().map(String::as_str).filter(|id| catalog::find(id).is_none()).collect();
        if !unknown.is_empty() {
            node.add_error(format!(
                "rule pack {:?} names unknown rule(s) {}; `cloudwright validate --list-rules` lists the rule ids",
                self.name,
                unknown.join(", ")
            ));
            return;
        }
        node.add_aspect(ApplyPack(self.to_json()));
    }

    /// The severity of `rule` under this pack, `None` when it is off.
    pub fn severity_of(&self, rule: &RuleInfo) -> Option<Severity> {
        self.overrides.get(rule.id).copied().unwrap_or(Some(rule.severity))
    }

    /// Whether stacks under this pack count as production.
    pub fn is_production(&self) -> bool {
        self.name == "production"
    }

    /// The form recorded in the assembly manifest.
    fn to_json(&self) -> Json {
        let overrides: BTreeMap<&str, &str> =
            self.overrides.iter().map(|(id, s)| (id.as_str(), s.map_or("off", Severity::as_str))).collect();
        json!({"pack": self.name, "severities": overrides})
    }

    /// Reads the form recorded in the manifest; unreadable parts fall back to the defaults.
    pub fn from_json(value: &Json) -> RulePack {
        let name = value.get("pack").and_then(Json::as_str).unwrap_or("standard").to_owned();
        let overrides = value
            .get("severities")
            .and_then(Json::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(id, s)| {
                let severity = match s.as_str()? {
                    "off" => None,
                    other => Some(serde_json::from_value(Json::from(other)).ok()?),
                };
                Some((id.clone(), severity))
            })
            .collect();
        RulePack { name, overrides }
    }
}

/// Records the pack on each stack it reaches; visited after outer scopes' packs, so the
/// innermost pack is the one left.
struct ApplyPack(Json);

impl Aspect for ApplyPack {
    fn visit(&self, node: &Node) {
        if Stack::from_node(node).is_some() {
            node.set_metadata(PACK_METADATA_TYPE, self.0.clone());
        }
    }
}
