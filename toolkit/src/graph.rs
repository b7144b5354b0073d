//! `cloudwright graph`: the app as a Mermaid flowchart or a DOT graph, drawn from its
//! synthesized cloud assembly, in the shape of the seed design's two diagrams: the
//! organization (OUs, accounts, and what runs in each account) and the delivery pipeline.

use std::collections::BTreeMap;
use std::fmt::Write;

use cloudwright_core::assembly::{Manifest, split_environment, walk};
use cloudwright_core::{Assembly, Error};
use serde_json::Value as Json;

/// A cluster of nodes (a subgraph), possibly nested.
#[derive(Debug, Default)]
struct Cluster {
    id: String,
    label: String,
    nodes: Vec<(String, String)>,
    clusters: Vec<Cluster>,
}

/// The whole picture.
#[derive(Debug, Default)]
pub struct Graph {
    clusters: Vec<Cluster>,
    edges: Vec<(String, String, String)>,
}

/// Resource types worth a box of their own in an account.
const NOTABLE: &[(&str, &str)] = &[
    ("AWS::Lambda::Function", "Lambda function"),
    ("AWS::CodePipeline::Pipeline", "CodePipeline"),
    ("AWS::CodeBuild::Project", "CodeBuild"),
    ("AWS::Events::EventBus", "Policy control bus"),
    ("AWS::ControlTower::LandingZone", "Control Tower"),
    ("AWS::ControlTower::EnabledBaseline", "Control Tower OU registration"),
    ("AWS::Proton::EnvironmentTemplate", "Proton environment template"),
    ("AWS::Proton::ServiceTemplate", "Proton service template"),
    ("AWS::CloudFormation::StackSet", "StackSet"),
    ("AWS::EC2::VPC", "VPC"),
    ("AWS::ECS::Cluster", "ECS cluster"),
    ("AWS::IAM::Role", "IAM role"),
];

fn ident(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect()
}

fn json_file(assembly: &Assembly, path: &str) -> Json {
    assembly.file(path).and_then(|b| serde_json::from_slice(b).ok()).unwrap_or(Json::Null)
}

/// Accounts declared by the organization constructs: path -> (name, account id).
fn declared_accounts(assembly: &Assembly) -> BTreeMap<String, (String, String)> {
    let mut out = BTreeMap::new();
    let read = |path: &str| {
        let bytes =
            assembly.file(path).ok_or_else(|| Error::Input { path: path.to_owned(), message: "is missing".into() })?;
        Manifest::from_slice(bytes, path)
    };
    // The assembly was read whole already: a manifest that does not read draws nothing.
    for (_, manifest) in walk(read).map_while(Result::ok) {
        for artifact in manifest.artifacts.values() {
            for (path, data) in artifact.metadata_of_type(cloudwright_constructs::governance::ACCOUNT_METADATA) {
                let field = |k: &str| data.get(k).and_then(Json::as_str).unwrap_or_default().to_owned();
                out.insert(path.trim_start_matches('/').to_owned(), (field("name"), field("accountId")));
            }
        }
    }
    out
}

/// The organization's OUs and accounts, from `tree.json`.
fn organization(assembly: &Assembly, accounts: &BTreeMap<String, (String, String)>) -> Option<Cluster> {
    let tree = json_file(assembly, "tree.json");
    fn find<'a>(node: &'a Json, fqn: &str) -> Option<&'a Json> {
        if node["constructInfo"]["fqn"] == fqn {
            return Some(node);
        }
        node["children"].as_object()?.values().find_map(|c| find(c, fqn))
    }
    fn walk(node: &Json, into: &mut Cluster, accounts: &BTreeMap<String, (String, String)>) {
        for child in node["children"].as_object().into_iter().flat_map(|c| c.values()) {
            let path = child["path"].as_str().unwrap_or_default();
            match child["constructInfo"]["fqn"].as_str() {
                Some("cloudwright.org.OrganizationalUnit") => {
                    let name = child["attributes"]["aws:cdk:cloudformation:props"]["Name"].as_str().unwrap_or_default();
                    let mut ou = Cluster { id: ident(path), label: format!("{name} OU"), ..Default::default() };
                    walk(child, &mut ou, accounts);
                    into.clusters.push(ou);
                }
                Some("cloudwright.org.Account") => {
                    if let Some((name, id)) = accounts.get(path) {
                        let id = if id.is_empty() { "new account".to_owned() } else { id.clone() };
                        into.nodes.push((format!("acct_{id}"), format!("{name} account<br/>{id}")));
                    }
                }
                _ => {}
            }
        }
    }
    let org = find(&tree["tree"], "cloudwright.org.Organization")?;
    let mut cluster = Cluster { id: "organization".into(), label: "AWS Organization".into(), ..Default::default() };
    walk(org, &mut cluster, accounts);
    Some(cluster)
}

/// Builds the picture of an assembly.
pub fn graph(assembly: &Assembly) -> Graph {
    let mut g = Graph::default();
    let accounts = declared_accounts(assembly);
    let management = assembly
        .stacks()
        .iter()
        .find(|s| assembly.template(&s.display_name).is_some_and(|t| t.to_string().contains("AWS::Organizations::")));
    let management_account = management.map(|s| account_of(&s.environment));
    if let Some(org) = organization(assembly, &accounts) {
        if let Some(m) = &management_account {
            let mut members: Vec<&String> =
                accounts.values().map(|(_, id)| id).filter(|id| !id.is_empty() && *id != m).collect();
            members.sort();
            g.edges.extend(
                members.into_iter().map(|id| (format!("acct_{m}"), format!("acct_{id}"), "manages".to_owned())),
            );
            let mut org = org;
            org.nodes.insert(0, (format!("acct_{m}"), format!("Management account<br/>{m}")));
            g.clusters.push(org);
        } else {
            g.clusters.push(org);
        }
    }

    // What runs in each account: its stacks and their notable resources.
    let mut by_account: BTreeMap<String, Cluster> = BTreeMap::new();
    for s in assembly.stacks() {
        let account = account_of(&s.environment);
        let cluster = by_account.entry(account.clone()).or_insert_with(|| Cluster {
            id: format!("in_{}", ident(&account)),
            label: format!("Account {account}"),
            ..Default::default()
        });
        let mut stack = Cluster {
            id: format!("stack_{}", ident(&s.display_name)),
            label: format!("{} ({} resources)", s.display_name, s.resources),
            ..Default::default()
        };
        let template = assembly.template(&s.display_name).unwrap_or(Json::Null);
        for (kind, label) in NOTABLE {
            let count =
                template["Resources"].as_object().map_or(0, |r| r.values().filter(|v| v["Type"] == *kind).count());
            if count > 0 {
                let label = if count > 1 { format!("{label}s x{count}") } else { (*label).to_owned() };
                stack.nodes.push((format!("{}_{}", stack.id, ident(kind)), label));
            }
        }
        if stack.nodes.is_empty() {
            stack.nodes.push((format!("{}_stack", stack.id), "stack".into()));
        }
        cluster.clusters.push(stack);
    }

    // The delivery pipeline: its stages, and the stacks each deploys.
    for s in assembly.stacks() {
        let template = assembly.template(&s.display_name).unwrap_or(Json::Null);
        for (logical_id, r) in template["Resources"].as_object().into_iter().flatten() {
            if r["Type"] != "AWS::CodePipeline::Pipeline" {
                continue;
            }
            let mut pipeline = Cluster {
                id: format!("pipeline_{}", ident(logical_id)),
                label: "Delivery pipeline".into(),
                ..Default::default()
            };
            let mut previous: Option<String> = None;
            for stage in r["Properties"]["Stages"].as_array().into_iter().flatten() {
                let name = stage["Name"].as_str().unwrap_or_default();
                let node = format!("{}_{}", pipeline.id, ident(name));
                let providers: Vec<&str> = stage["Actions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|a| a["ActionTypeId"]["Provider"].as_str())
                    .collect();
                pipeline.nodes.push((node.clone(), format!("{name}<br/>{}", providers.join(", "))));
                if let Some(p) = previous.replace(node.clone()) {
                    g.edges.push((p, node.clone(), String::new()));
                }
                for action in stage["Actions"].as_array().into_iter().flatten() {
                    let path = action["Configuration"]["TemplatePath"].as_str().unwrap_or_default();
                    if let Some(target) = assembly.stacks().iter().find(|t| path.ends_with(&t.template_file)) {
                        g.edges.push((
                            node.clone(),
                            format!("stack_{}_stack", ident(&target.display_name)),
                            "deploys".into(),
                        ));
                    }
                }
            }
            g.clusters.push(pipeline);
        }
    }
    // Deploy edges point at a stack's first box.
    for (_, to, _) in &mut g.edges {
        if let Some(first) = by_account.values().flat_map(|c| &c.clusters).find(|c| format!("{}_stack", c.id) == *to) {
            if let Some((id, _)) = first.nodes.first() {
                to.clone_from(id);
            }
        }
    }
    g.clusters.extend(by_account.into_values());
    g
}

fn account_of(environment: &str) -> String {
    split_environment(environment).map_or("unknown-account", |(account, _)| account).to_owned()
}

impl Graph {
    /// A Mermaid flowchart.
    pub fn mermaid(&self) -> String {
        fn cluster(out: &mut String, c: &Cluster, depth: usize) {
            let pad = "    ".repeat(depth);
            let _ = writeln!(out, "{pad}subgraph {}[\"{}\"]", c.id, c.label);
            for (id, label) in &c.nodes {
                let _ = writeln!(out, "{pad}    {id}[\"{label}\"]");
            }
            for inner in &c.clusters {
                cluster(out, inner, depth + 1);
            }
            let _ = writeln!(out, "{pad}end");
        }
        let mut out = String::from("flowchart TB\n");
        for c in &self.clusters {
            cluster(&mut out, c, 1);
        }
        for (from, to, label) in &self.edges {
            if label.is_empty() {
                let _ = writeln!(out, "    {from} --> {to}");
            } else {
                let _ = writeln!(out, "    {from} -->|{label}| {to}");
            }
        }
        out
    }

    /// A Graphviz DOT digraph.
    pub fn dot(&self) -> String {
        fn cluster(out: &mut String, c: &Cluster, depth: usize) {
            let pad = "  ".repeat(depth);
            let _ = writeln!(out, "{pad}subgraph cluster_{} {{", c.id);
            let _ = writeln!(out, "{pad}  label=\"{}\";", c.label);
            for (id, label) in &c.nodes {
                let _ = writeln!(out, "{pad}  {id} [label=\"{}\"];", label.replace("<br/>", "\\n"));
            }
            for inner in &c.clusters {
                cluster(out, inner, depth + 1);
            }
            let _ = writeln!(out, "{pad}}}");
        }
        let mut out = String::from(
            "digraph cloudwright {\n  rankdir=LR;\n  compound=true;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n  graph [fontname=\"Helvetica\"];\n",
        );
        for c in &self.clusters {
            cluster(&mut out, c, 1);
        }
        for (from, to, label) in &self.edges {
            let _ = writeln!(out, "  {from} -> {to} [label=\"{label}\"];");
        }
        out.push_str("}\n");
        out
    }
}
