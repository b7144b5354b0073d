//! The organizations an assembly declares, read from their templates and manifest
//! metadata: OUs, member accounts and service control policies with what they attach to,
//! so rules can ask which SCPs sit above a stack's account.
//!
//! An account is placed in the organization by its `AWS::Organizations::Account`
//! resource (`ParentIds`) or, for an account the app refers to by id, by its
//! `cloudwright:org:account` manifest metadata, whose construct path lies below its OU's
//! (the org constructs mirror the organization in the tree).

use std::collections::HashMap;

use serde_json::Value as Json;

use super::rules::{list, referenced_id, statements};

/// What an organization policy is attached to (`TargetIds`, `ParentId`, `ParentIds`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// The organization root (`r-...`, or the organization resource's `RootId`).
    Root,
    /// An OU resource of the template, by logical id.
    Ou(String),
    /// An account by its 12-digit id.
    Account(String),
    /// An account resource of the template, by logical id.
    AccountResource(String),
    /// Anything else (an OU by literal id, an import): matches nothing the app declares.
    Unknown,
}

/// A service control policy as it reads in its template.
#[derive(Debug)]
struct Policy {
    path: String,
    statements: Vec<Json>,
    targets: Vec<Target>,
}

/// One organization: what a management stack declares.
#[derive(Debug)]
pub(crate) struct OrgPart {
    /// The management account: SCPs never apply to it.
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html>
    management_account: String,
    /// OU logical id to (construct path, parent).
    ous: HashMap<String, (String, Target)>,
    /// Member accounts: (account id, account resource logical id, parent).
    members: Vec<(String, Option<String>, Target)>,
    policies: Vec<Policy>,
}

/// An SCP above a stack's account, as a rule sees it.
#[derive(Debug)]
pub(crate) struct AppliedPolicy<'a> {
    /// The SCP's construct path.
    pub path: &'a str,
    /// Where it is attached on the way to the account ("the root", "OU Org/Dev", ...).
    pub attached_to: String,
    /// The policy's statements.
    pub statements: &'a [Json],
}

/// The SCPs above a stack, with the stack's account and region (for conditions).
pub(crate) struct Guardrails<'a> {
    /// The stack's account id.
    pub account: &'a str,
    /// The stack's region.
    pub region: &'a str,
    /// Every SCP the app attaches above the account, nearest last.
    pub policies: Vec<AppliedPolicy<'a>>,
}

/// The organization a template declares, if it declares any of one.
///
/// `paths` maps logical ids to construct paths; `accounts` are the template's
/// `cloudwright:org:account` entries as (construct path, account id).
pub(crate) fn read(
    template: &Json,
    management_account: &str,
    paths: &HashMap<String, String>,
    accounts: &[(String, String)],
) -> Option<OrgPart> {
    let resources = template.get("Resources").and_then(Json::as_object)?;
    let (mut organizations, mut ou_ids, mut account_ids, mut policy_ids) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (id, resource) in resources {
        match resource.get("Type").and_then(Json::as_str) {
            Some("AWS::Organizations::Organization") => organizations.push(id),
            Some("AWS::Organizations::OrganizationalUnit") => ou_ids.push(id),
            Some("AWS::Organizations::Account") => account_ids.push(id),
            Some("AWS::Organizations::Policy") => policy_ids.push(id),
            _ => {}
        }
    }
    if ou_ids.is_empty() && policy_ids.is_empty() && accounts.is_empty() {
        return None;
    }
    let target = |value: &Json| -> Target {
        if let Some(text) = value.as_str() {
            return if text.starts_with("r-") {
                Target::Root
            } else if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
                Target::Account(text.to_owned())
            } else {
                Target::Unknown
            };
        }
        match referenced_id(value) {
            Some(id) if organizations.iter().any(|o| *o == id) => Target::Root,
            Some(id) if ou_ids.iter().any(|o| *o == id) => Target::Ou(id.to_owned()),
            Some(id) if account_ids.iter().any(|a| *a == id) => Target::AccountResource(id.to_owned()),
            _ => Target::Unknown,
        }
    };
    let props = |id: &str, key: &str| resources.get(id).and_then(|r| r.get("Properties")).and_then(|p| p.get(key));
    let path_of = |id: &str| paths.get(id).cloned().unwrap_or_else(|| id.to_owned());

    let ous: HashMap<String, (String, Target)> = ou_ids
        .iter()
        .map(|id| (id.to_string(), (path_of(id), props(id, "ParentId").map_or(Target::Unknown, &target))))
        .collect();
    let ou_by_path: HashMap<&str, &str> = ous.iter().map(|(id, (path, _))| (path.as_str(), id.as_str())).collect();
    let account_parent = |id: &str| list(props(id, "ParentIds")).first().map_or(Target::Unknown, |v| target(v));

    let mut members = Vec::new();
    for (path, account) in accounts.iter().filter(|(_, a)| !a.is_empty()) {
        let path = path.trim_start_matches('/');
        let resource = account_ids
            .iter()
            .find(|id| paths.get(id.as_str()).is_some_and(|p| p == path || p.strip_suffix("/Resource") == Some(path)));
        let parent = match resource {
            Some(id) => account_parent(id),
            None => parent_ou(path, &ou_by_path).map_or(Target::Root, |id| Target::Ou(id.to_owned())),
        };
        members.push((account.clone(), resource.map(|id| id.to_string()), parent));
    }

    let policies = policy_ids
        .iter()
        .filter(|id| props(id, "Type").and_then(Json::as_str) == Some("SERVICE_CONTROL_POLICY"))
        .map(|id| Policy {
            path: path_of(id),
            statements: statements(props(id, "Content")),
            targets: list(props(id, "TargetIds")).into_iter().map(&target).collect(),
        })
        .collect();
    Some(OrgPart { management_account: management_account.to_owned(), ous, members, policies })
}

/// The OU whose construct path (or its `Resource` child's) is the nearest ancestor of `path`.
fn parent_ou<'a>(path: &str, ou_by_path: &HashMap<&str, &'a str>) -> Option<&'a str> {
    let mut current = path;
    while let Some((parent, _)) = current.rsplit_once('/') {
        if let Some(id) = ou_by_path.get(parent).or_else(|| ou_by_path.get(format!("{parent}/Resource").as_str())) {
            return Some(id);
        }
        current = parent;
    }
    None
}

impl OrgPart {
    /// The SCPs attached to the root, each OU on the path to `account`, and the account
    /// itself: every one of them can deny an action there.
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html>
    fn above(&self, account: &str) -> Vec<AppliedPolicy<'_>> {
        if account == self.management_account {
            return Vec::new();
        }
        let mut levels: Vec<(Target, String)> =
            vec![(Target::Account(account.to_owned()), format!("account {account}"))];
        let mut member = false;
        for (id, resource, parent) in self.members.iter().filter(|(id, ..)| id == account) {
            member = true;
            if let Some(resource) = resource {
                levels.push((Target::AccountResource(resource.clone()), format!("account {id}")));
            }
            let mut next = parent.clone();
            // OUs nest at most five deep; the bound also stops a malformed cycle.
            for _ in 0..8 {
                let Target::Ou(ou) = &next else { break };
                let Some((path, parent)) = self.ous.get(ou) else { break };
                levels.push((next.clone(), format!("OU {path}")));
                next = parent.clone();
            }
        }
        let targeted = |t: &Target| self.policies.iter().any(|p| p.targets.contains(t));
        if member || targeted(&Target::Account(account.to_owned())) {
            levels.push((Target::Root, "the root".to_owned()));
        } else {
            return Vec::new();
        }
        let mut out = Vec::new();
        // Root first, then down to the account, as AWS walks it.
        for (level, attached_to) in levels.iter().rev() {
            for policy in self.policies.iter().filter(|p| p.targets.contains(level)) {
                // A policy attached at two levels denies once.
                if out.iter().any(|a: &AppliedPolicy| a.path == policy.path) {
                    continue;
                }
                out.push(AppliedPolicy {
                    path: &policy.path,
                    attached_to: attached_to.clone(),
                    statements: &policy.statements,
                });
            }
        }
        out
    }
}

/// The SCPs every organization of the app attaches above `account`.
pub(crate) fn guardrails<'a>(orgs: &'a [OrgPart], account: &'a str, region: &'a str) -> Guardrails<'a> {
    Guardrails { account, region, policies: orgs.iter().flat_map(|o| o.above(account)).collect() }
}
