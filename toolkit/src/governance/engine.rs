//! Runs the rules over an assembly: every stack template, with what the manifests say
//! of each stack (construct paths, rule pack, suppressions), and every Proton schema.

use std::collections::{BTreeSet, HashMap};

use cloudwright_core::assembly::{Artifact, Manifest, split_environment};
use serde_json::Value as Json;

use super::files::AssemblyFiles;
use super::model::{Finding, Report};
use super::organization::{self, OrgPart};
use super::rules::{self, Check, Resource, Rule, StackFacts};
use cloudwright_constructs::governance::ACCOUNT_METADATA;
use cloudwright_constructs::governance::{
    PACK_METADATA_TYPE, RulePack, STACK_METADATA_TYPE, Severity, Suppression, suppressions_from_list,
    suppressions_of_resource,
};
use cloudwright_core::{Error, Result, StackSummary};

/// What the manifest says of one stack.
struct StackMeta {
    /// Logical id to construct path.
    paths: HashMap<String, String>,
    pack: RulePack,
    termination_protection: bool,
    suppressions: Vec<Suppression>,
    /// Organization accounts declared in the stack: (construct path, name, id).
    accounts: Vec<(String, String, String)>,
}

/// What checking one stack found.
struct Checked {
    findings: Vec<Finding>,
    resources: usize,
    /// The organization the stack declares, if any.
    org: Option<OrgPart>,
    /// What the rules over the whole deployment read of the template.
    deploy_view: Json,
}

/// Runs every rule over `assembly`, under each stack's rule pack.
///
/// Fails only when a template or manifest cannot be read; rule violations are findings.
pub fn check(assembly: &impl AssemblyFiles) -> Result<Report> {
    let stacks = read_stacks(assembly)?;
    let production_accounts = production_accounts(&stacks);
    let by_type = rules_by_type();
    // Stacks are independent: check them on every core, then keep the assembly's order.
    let threads = std::thread::available_parallelism().map_or(1, usize::from).min(stacks.len().max(1));
    let chunk = stacks.len().div_ceil(threads).max(1);
    let results: Vec<Result<Vec<Checked>>> = std::thread::scope(|scope| {
        let workers: Vec<_> = stacks
            .chunks(chunk)
            .map(|part| {
                let (by_type, production_accounts) = (&by_type, &production_accounts);
                scope.spawn(move || {
                    part.iter()
                        .map(|(summary, meta)| check_stack(assembly, summary, meta, by_type, production_accounts))
                        .collect()
                })
            })
            .collect();
        // A panicking check is a bug in a rule: let it surface as the panic it is.
        workers.into_iter().map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    });
    let mut checked = Vec::with_capacity(stacks.len());
    for result in results {
        checked.extend(result?);
    }
    // The organizations are known once every stack is read: then each stack is checked
    // against the SCPs above its account.
    let orgs: Vec<OrgPart> = checked.iter_mut().filter_map(|c| c.org.take()).collect();
    let mut per_stack = Vec::with_capacity(stacks.len());
    let mut templates = Vec::with_capacity(stacks.len());
    let mut resources = 0;
    for ((summary, meta), mut stack) in stacks.iter().zip(checked) {
        if !orgs.is_empty() {
            org_findings(assembly, summary, meta, &orgs, &production_accounts, &mut stack.findings)?;
        }
        per_stack.push(stack.findings);
        templates.push(stack.deploy_view);
        resources += stack.resources;
    }
    deployment_findings(assembly, &stacks, &templates, &mut per_stack)?;
    let mut findings: Vec<Finding> = per_stack.into_iter().flatten().collect();
    findings.extend(proton_findings(assembly)?);
    Ok(Report { findings, rules: super::rule_list(), stacks: stacks.len(), resources })
}

/// Each stack of the assembly with what its manifest says of it.
fn read_stacks(assembly: &impl AssemblyFiles) -> Result<Vec<(&StackSummary, StackMeta)>> {
    let mut manifests: HashMap<String, Manifest> = HashMap::new();
    let mut stacks = Vec::new();
    for summary in assembly.stacks() {
        let manifest_file = match summary.template_file.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/manifest.json"),
            None => "manifest.json".to_owned(),
        };
        if !manifests.contains_key(&manifest_file) {
            let manifest = Manifest::from_slice(&read(assembly, &manifest_file)?, &manifest_file)?;
            manifests.insert(manifest_file.clone(), manifest);
        }
        let artifact = manifests.get(&manifest_file).and_then(|m| m.artifacts.get(&summary.artifact_id));
        stacks.push((summary, stack_meta(summary, artifact)));
    }
    Ok(stacks)
}

/// Each stack of the assembly with its rule pack and its template, parsed (for the exports).
pub(crate) fn stack_templates(assembly: &impl AssemblyFiles) -> Result<Vec<(&StackSummary, RulePack, Json)>> {
    read_stacks(assembly)?
        .into_iter()
        .map(|(summary, meta)| {
            let template = parse_json(&read(assembly, &summary.template_file)?, &summary.template_file)?;
            Ok((summary, meta.pack, template))
        })
        .collect()
}

/// What the rules know of a stack besides its template.
fn stack_facts<'a>(template: &'a Json, meta: &StackMeta, production_accounts: &'a BTreeSet<String>) -> StackFacts<'a> {
    StackFacts {
        template,
        production: meta.pack.is_production(),
        termination_protection: meta.termination_protection,
        production_accounts,
    }
}

/// Checks one stack: its findings, its number of resources, and the organization it declares.
fn check_stack(
    assembly: &impl AssemblyFiles,
    summary: &StackSummary,
    meta: &StackMeta,
    by_type: &HashMap<&'static str, Vec<&'static Rule>>,
    production_accounts: &BTreeSet<String>,
) -> Result<Checked> {
    let bytes = read(assembly, &summary.template_file)?;
    let template = parse_json(&bytes, &summary.template_file)?;
    let facts = stack_facts(&template, meta, production_accounts);
    let mut findings = Vec::new();
    let mut resources = 0;
    for (id, body) in facts.resources() {
        resources += 1;
        let kind = body.get("Type").and_then(Json::as_str).unwrap_or_default();
        let resource = Resource { id, body, stack: &facts };
        // Read only for resources with findings: most have none.
        let mut suppressions = None;
        for rule in by_type.get(kind).into_iter().flatten() {
            let Check::Resource(check) = rule.check else { continue };
            let Some(severity) = meta.pack.severity_of(rule.info) else { continue };
            let messages = check(&resource);
            if messages.is_empty() {
                continue;
            }
            let path = resource_path(meta, summary, id, body);
            let suppressions = suppressions.get_or_insert_with(|| suppressions_of_resource(body));
            for message in messages {
                findings.push(finding(rule, severity, message, summary, &path, Some(id), suppressions));
            }
        }
    }
    for rule in rules::all() {
        let Check::Stack(check) = rule.check else { continue };
        let Some(severity) = meta.pack.severity_of(rule.info) else { continue };
        for message in check(&facts) {
            findings.push(finding(rule, severity, message, summary, &summary.display_name, None, &meta.suppressions));
        }
    }
    if !findings.is_empty() {
        add_lines(&bytes, &mut findings);
    }
    let accounts: Vec<(String, String)> =
        meta.accounts.iter().map(|(path, _, id)| (path.clone(), id.clone())).collect();
    let org = organization::read(&template, environment(summary).0, &meta.paths, &accounts);
    let deploy_view = rules::deploy::view(&template);
    Ok(Checked { findings, resources, org, deploy_view })
}

/// The findings of the organization rules on one stack: each resource against the SCPs
/// the app attaches above the stack's account. Reads the template again, only for
/// stacks such policies govern.
fn org_findings(
    assembly: &impl AssemblyFiles,
    summary: &StackSummary,
    meta: &StackMeta,
    orgs: &[OrgPart],
    production_accounts: &BTreeSet<String>,
    findings: &mut Vec<Finding>,
) -> Result<()> {
    let (account, region) = environment(summary);
    let guardrails = organization::guardrails(orgs, account, region);
    let rules: Vec<_> = rules::all()
        .filter_map(|rule| match rule.check {
            Check::Organization(check) => meta.pack.severity_of(rule.info).map(|severity| (rule, severity, check)),
            _ => None,
        })
        .collect();
    if guardrails.policies.is_empty() || rules.is_empty() {
        return Ok(());
    }
    let bytes = read(assembly, &summary.template_file)?;
    let template = parse_json(&bytes, &summary.template_file)?;
    let facts = stack_facts(&template, meta, production_accounts);
    let mut found = Vec::new();
    for (id, body) in facts.resources() {
        let resource = Resource { id, body, stack: &facts };
        for (rule, severity, check) in &rules {
            let messages = check(&resource, &guardrails);
            if messages.is_empty() {
                continue;
            }
            let path = resource_path(meta, summary, id, body);
            let suppressions = suppressions_of_resource(body);
            for message in messages {
                found.push(finding(rule, *severity, message, summary, &path, Some(id), &suppressions));
            }
        }
    }
    add_lines(&bytes, &mut found);
    findings.extend(found);
    Ok(())
}

/// The findings of the rules over the whole deployment, added to each stack's.
fn deployment_findings(
    assembly: &impl AssemblyFiles,
    stacks: &[(&StackSummary, StackMeta)],
    templates: &[Json],
    per_stack: &mut [Vec<Finding>],
) -> Result<()> {
    // Artifacts are named per assembly directory: dependencies name artifacts of their own.
    let key = |s: &StackSummary| {
        let dir = s.template_file.rsplit_once('/').map_or("", |(d, _)| d);
        format!("{dir}/{}", s.artifact_id)
    };
    let index: HashMap<String, usize> = stacks.iter().enumerate().map(|(i, (s, _))| (key(s), i)).collect();
    let direct: Vec<Vec<usize>> = stacks
        .iter()
        .map(|(s, _)| {
            let dir = s.template_file.rsplit_once('/').map_or("", |(d, _)| d);
            s.dependencies.iter().filter_map(|d| index.get(&format!("{dir}/{d}")).copied()).collect()
        })
        .collect();
    // Stacks are read whole again only where a rule needs more than the views.
    let full_template = |i: usize| -> Option<Json> {
        let (summary, _) = stacks.get(i)?;
        serde_json::from_slice(&read(assembly, &summary.template_file).ok()?).ok()
    };
    let deployment = rules::Deployment {
        full_template: &full_template,
        stacks: stacks
            .iter()
            .zip(templates)
            .enumerate()
            .map(|(i, ((summary, meta), template))| {
                let (account, region) = environment(summary);
                let mut after = BTreeSet::new();
                let mut todo = direct[i].clone();
                while let Some(d) = todo.pop() {
                    if after.insert(d) {
                        todo.extend(&direct[d]);
                    }
                }
                rules::DeployedStack {
                    name: &summary.display_name,
                    account,
                    region,
                    stack_name: &summary.stack_name,
                    template,
                    paths: &meta.paths,
                    after,
                    accounts: meta.accounts.iter().map(|(path, _, id)| (path.as_str(), id.as_str())).collect(),
                }
            })
            .collect(),
    };
    let mut located: Vec<(&Rule, Severity, rules::Located)> = Vec::new();
    for rule in rules::all() {
        let Check::Deployment(check) = rule.check else { continue };
        for l in check(&deployment) {
            if let Some(severity) = stacks.get(l.stack).and_then(|(_, meta)| meta.pack.severity_of(rule.info)) {
                located.push((rule, severity, l));
            }
        }
    }
    // Each stack with findings is read once more: its resources' suppressions and lines.
    located.sort_by_key(|(_, _, l)| l.stack);
    for group in located.chunk_by(|a, b| a.2.stack == b.2.stack) {
        let index = group[0].2.stack;
        let Some((summary, meta)) = stacks.get(index) else { continue };
        let bytes = read(assembly, &summary.template_file)?;
        let template = parse_json(&bytes, &summary.template_file)?;
        let mut found = Vec::new();
        for (rule, severity, l) in group {
            let body = template.get("Resources").and_then(|r| r.get(&l.logical_id)).unwrap_or(&Json::Null);
            let path = resource_path(meta, summary, &l.logical_id, body);
            let suppressions = suppressions_of_resource(body);
            found.push(finding(rule, *severity, l.message.clone(), summary, &path, Some(&l.logical_id), &suppressions));
        }
        add_lines(&bytes, &mut found);
        per_stack[index].extend(found);
    }
    Ok(())
}

/// A resource's construct path: the manifest's, else the one CDK-written templates
/// carry, else the stack's path and the logical id.
fn resource_path(meta: &StackMeta, summary: &StackSummary, id: &str, body: &Json) -> String {
    meta.paths.get(id).cloned().unwrap_or_else(|| {
        let cdk_path = body.pointer("/Metadata/aws:cdk:path").and_then(Json::as_str);
        cdk_path.map_or_else(|| format!("{}/{id}", summary.display_name), str::to_owned)
    })
}

/// A stack's (account, region) from its `aws://ACCOUNT/REGION` environment.
fn environment(summary: &StackSummary) -> (&str, &str) {
    split_environment(&summary.environment).unwrap_or_default()
}

fn finding(
    rule: &Rule,
    severity: Severity,
    message: String,
    stack: &StackSummary,
    path: &str,
    logical_id: Option<&str>,
    suppressions: &[Suppression],
) -> Finding {
    // Findings of the suppression rule itself cannot be suppressed.
    let suppressed = (rule.info.id != "CW-META-1")
        .then(|| suppressions.iter().find(|s| s.id == rule.info.id && !s.reason.trim().is_empty()))
        .flatten()
        .map(|s| s.reason.clone());
    Finding {
        rule_id: rule.info.id.to_owned(),
        severity,
        message,
        fix: rule.info.fix.to_owned(),
        stack: stack.display_name.clone(),
        path: path.to_owned(),
        logical_id: logical_id.map(str::to_owned),
        file: stack.template_file.clone(),
        line: None,
        suppressed,
    }
}

fn read<'a>(assembly: &'a impl AssemblyFiles, file: &str) -> Result<std::borrow::Cow<'a, [u8]>> {
    assembly.read(file).ok_or_else(|| Error::Input {
        path: file.to_owned(),
        message: "is missing from the assembly; synthesize it again".into(),
    })
}

fn parse_json(bytes: &[u8], file: &str) -> Result<Json> {
    serde_json::from_slice(bytes)
        .map_err(|e| Error::Input { path: file.to_owned(), message: format!("is not valid JSON: {e}") })
}

/// Reads a stack artifact's metadata and properties.
fn stack_meta(summary: &StackSummary, artifact: Option<&Artifact>) -> StackMeta {
    let stack_path = format!("/{}", summary.display_name);
    let mut meta = StackMeta {
        paths: HashMap::new(),
        pack: RulePack::standard(),
        termination_protection: artifact.and_then(|a| a.as_stack()?.termination_protection).unwrap_or(false),
        suppressions: Vec::new(),
        accounts: Vec::new(),
    };
    let Some(artifact) = artifact else { return meta };
    meta.paths = artifact.logical_ids().map(|(id, path)| (id.to_owned(), path.to_owned())).collect();
    for (path, entry) in artifact.metadata_entries() {
        let data = entry.data.as_ref().unwrap_or(&Json::Null);
        match entry.kind.as_str() {
            PACK_METADATA_TYPE if path == stack_path => meta.pack = RulePack::from_json(data),
            STACK_METADATA_TYPE if path == stack_path => meta.suppressions = suppressions_from_list(Some(data)),
            ACCOUNT_METADATA => {
                let field = |k: &str| data.get(k).and_then(Json::as_str).unwrap_or_default().to_owned();
                meta.accounts.push((path.to_owned(), field("name"), field("accountId")));
            }
            _ => {}
        }
    }
    meta
}

/// Accounts of stacks under the production pack, and organization accounts whose name
/// says production.
fn production_accounts(stacks: &[(&StackSummary, StackMeta)]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (summary, meta) in stacks {
        let account = environment(summary).0;
        if meta.pack.is_production() && account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) {
            out.insert(account.to_owned());
        }
        for (_, name, id) in &meta.accounts {
            if name.to_ascii_lowercase().contains("prod") && !id.is_empty() {
                out.insert(id.clone());
            }
        }
    }
    out
}

/// Resource rules by the types they look at.
fn rules_by_type() -> HashMap<&'static str, Vec<&'static Rule>> {
    let mut out: HashMap<&str, Vec<&Rule>> = HashMap::new();
    for rule in rules::all() {
        if let Check::Resource(_) = rule.check {
            for t in rules::types(rule) {
                out.entry(*t).or_default().push(rule);
            }
        }
    }
    out
}

/// Sets each finding's line: where its resource's key is in the (pretty-printed) template.
fn add_lines(template: &[u8], findings: &mut [Finding]) {
    let Ok(text) = std::str::from_utf8(template) else { return };
    let mut lines = HashMap::new();
    let mut in_resources = false;
    for (n, line) in text.lines().enumerate() {
        let depth = line.len() - line.trim_start().len();
        if depth == 1 {
            in_resources = line.trim_start().starts_with("\"Resources\"");
        } else if in_resources && depth == 2 {
            if let Some(key) = line.trim_start().strip_prefix('"').and_then(|l| l.split_once('"')).map(|(k, _)| k) {
                lines.insert(key, n + 1);
            }
        }
    }
    for f in findings {
        f.line = f.logical_id.as_deref().and_then(|id| lines.get(id).copied());
    }
}

/// Findings of the Proton-schema rules over every bundle's `schema/schema.yaml`.
fn proton_findings(assembly: &impl AssemblyFiles) -> Result<Vec<Finding>> {
    let pack = RulePack::standard();
    let mut out = Vec::new();
    for file in assembly.paths() {
        if !(file.starts_with("proton/") && file.ends_with("/schema/schema.yaml")) {
            continue;
        }
        let bytes = read(assembly, &file)?;
        let schema: Json = crate::input::yaml(&String::from_utf8_lossy(&bytes), &file)?;
        let template = file.trim_start_matches("proton/").split('/').next().unwrap_or_default();
        for rule in rules::all() {
            let Check::ProtonSchema(check) = rule.check else { continue };
            let Some(severity) = pack.severity_of(rule.info) else { continue };
            for message in check(&schema) {
                out.push(Finding {
                    rule_id: rule.info.id.to_owned(),
                    severity,
                    message,
                    fix: rule.info.fix.to_owned(),
                    stack: format!("proton/{template}"),
                    path: file.clone(),
                    logical_id: None,
                    file: file.clone(),
                    line: None,
                    suppressed: None,
                });
            }
        }
    }
    Ok(out)
}
