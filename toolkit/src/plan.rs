//! The plan of a first deployment, read from a finished cloud assembly: the context it was
//! synthesized with (refused while any declared key holds its sample), the `cdk bootstrap`
//! of every environment (trusting the accounts that deploy into it), the manual steps
//! constructs recorded, and the stacks in waves that `cdk deploy` can run one after the
//! other.
//!
//! It reads only the assembly (manifests and templates), so it plans a CDK app's assembly
//! as well as ours; an assembly that does not say what a plan needs (a stack without an
//! account or region, a dependency on a missing artifact) is an [`Error::Input`].

use std::collections::{BTreeMap, BTreeSet, HashMap};

use cloudwright_core::assembly::{self, Artifact, Manifest, split_environment, walk};
use cloudwright_core::context::{CONTEXT_METADATA, Declared};
use cloudwright_core::{Assembly, Error, Result};
use serde::Serialize;
use serde_json::Value as Json;

use cloudwright_constructs::deploy::{MANUAL_STEP_METADATA, ManualStep};

/// The version of the plan document's shape (`--format json`); raised when a field changes
/// meaning or goes away, not when one is added.
pub const PLAN_VERSION: u32 = 1;

pub use cloudwright_core::assembly::DEFAULT_QUALIFIER;

/// Where AWS says a pipeline starts a run when it is created.
const PIPELINE_STARTS_DOCS: &str =
    "https://docs.aws.amazon.com/codepipeline/latest/userguide/pipelines-about-starting.html";

/// Everything a first deployment needs, in the order it is done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    /// [`PLAN_VERSION`].
    pub version: u32,
    /// The assembly directory the `cdk` commands name with `--app`.
    pub assembly_dir: String,
    /// The context keys the app declared, each with the live value it was synthesized with.
    pub context: Vec<ContextValue>,
    /// One `cdk bootstrap` per environment, in the order their stacks first appear.
    pub bootstrap: Vec<Bootstrap>,
    /// What people do by hand, each before the wave that deploys its construct.
    pub manual_steps: Vec<PlannedStep>,
    /// The stacks, in waves: every stack's dependencies are in earlier waves.
    pub waves: Vec<Wave>,
    /// What else happens on its own during the deployment (a pipeline's first run).
    pub notes: Vec<Note>,
}

/// A declared context key and its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContextValue {
    /// The key.
    pub key: String,
    /// The value the assembly was synthesized with.
    pub value: String,
}

/// The bootstrap of one environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bootstrap {
    /// `aws://ACCOUNT/REGION`.
    pub environment: String,
    /// The account.
    pub account: String,
    /// The region.
    pub region: String,
    /// The bootstrap qualifier the stacks' roles name.
    pub qualifier: String,
    /// Accounts that deploy into this environment, which its bootstrap roles must trust.
    pub trust: Vec<String>,
    /// Why each trusted account is trusted.
    pub trust_reasons: Vec<TrustReason>,
    /// The command, run with credentials of this account.
    pub command: String,
}

/// What says that another account deploys into an environment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustReason {
    /// The deploying account.
    pub account: String,
    /// The stack (as `cdk` names it) holding the construct that deploys.
    pub stack: String,
    /// The construct's path.
    pub path: String,
    /// How it deploys: `pipelineAction` (a CodePipeline action runs with a role of this
    /// account) or `assumesBootstrapRole` (a policy lets it assume a bootstrap role here).
    pub kind: String,
    /// The role of this account it uses.
    pub role: String,
}

/// A manual step, placed before the wave that deploys its construct (after it, for a step
/// done once the construct is deployed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedStep {
    /// The wave it must precede (1-based; one past the last wave: after every wave).
    pub before_wave: usize,
    /// The stack (as `cdk` names it) holding the construct.
    pub stack: String,
    /// The construct it must precede.
    pub before: String,
    /// What to do.
    pub step: String,
    /// The command or console action, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// Where AWS documents it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub docs: Option<String>,
}

/// Stacks that deploy together, after every earlier wave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Wave {
    /// 1-based.
    pub number: usize,
    /// Its stacks, in manifest order.
    pub stacks: Vec<WaveStack>,
    /// The accounts it deploys into, sorted.
    pub accounts: Vec<String>,
    /// The `cdk deploy` commands: one, run with credentials of an account every environment
    /// of the wave trusts (or is), else one per account.
    pub commands: Vec<WaveCommand>,
}

/// One `cdk deploy` of a wave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WaveCommand {
    /// The account whose credentials run it.
    pub credentials: String,
    /// The ids of the stacks it deploys.
    pub stacks: Vec<String>,
    /// The command.
    pub command: String,
}

/// One stack of a wave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WaveStack {
    /// The id `cdk` selects it by (`Stage/Stack` for a stage's stack).
    pub id: String,
    /// The CloudFormation stack name.
    pub stack_name: String,
    /// Its account.
    pub account: String,
    /// Its region.
    pub region: String,
}

/// Something that happens on its own during the deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    /// The construct it concerns.
    pub path: String,
    /// The wave that creates it.
    pub wave: usize,
    /// What happens and what to do.
    pub message: String,
    /// The command that does it, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
}

/// One stack as the manifests describe it.
struct StackInfo {
    /// `""` or `assembly-Stage/` (nested assemblies).
    prefix: String,
    artifact_id: String,
    id: String,
    stack_name: String,
    account: String,
    region: String,
    qualifier: String,
    template: Json,
    dependencies: Vec<String>,
    /// The stack's artifact (its metadata).
    artifact: Artifact,
}

impl StackInfo {
    /// Construct paths by logical id.
    fn paths(&self) -> HashMap<&str, String> {
        self.artifact.logical_ids().map(|(id, path)| (id, display_path(path))).collect()
    }
}

/// A construct path as a manifest key (`/Stack/Child/Resource`) shown as the construct a
/// person wrote: no leading `/`, no L1 `Resource` child.
fn display_path(path: &str) -> String {
    let path = path.trim_start_matches('/');
    path.strip_suffix("/Resource").unwrap_or(path).to_owned()
}

fn input(path: &str, message: impl Into<String>) -> Error {
    Error::Input { path: path.to_owned(), message: message.into() }
}

/// Plans the first deployment of `assembly`, whose directory the `cdk` commands name as
/// `assembly_dir`. Refuses ([`Error::SampleContext`]) while any declared context key holds
/// its sample value.
pub fn plan(assembly: &Assembly, assembly_dir: &str) -> Result<Plan> {
    let context = declared_context(assembly)?;
    let samples: Vec<Declared> = context.iter().filter(|d| d.sample).cloned().collect();
    if !samples.is_empty() {
        return Err(Error::SampleContext(samples));
    }
    let (stacks, app_steps) = read_stacks(assembly)?;
    let waves_of = layers(&stacks)?;
    let wave_count = waves_of.iter().copied().max().unwrap_or(0);

    let bootstrap = bootstraps(&stacks);
    let mut waves: Vec<Wave> = (1..=wave_count)
        .map(|number| Wave { number, stacks: Vec::new(), accounts: Vec::new(), commands: Vec::new() })
        .collect();
    for (stack, &wave) in stacks.iter().zip(&waves_of) {
        if let Some(w) = waves.get_mut(wave - 1) {
            w.stacks.push(WaveStack {
                id: stack.id.clone(),
                stack_name: stack.stack_name.clone(),
                account: stack.account.clone(),
                region: stack.region.clone(),
            });
        }
    }
    for wave in &mut waves {
        let accounts: BTreeSet<String> = wave.stacks.iter().map(|s| s.account.clone()).collect();
        wave.accounts = accounts.into_iter().collect();
        wave.commands = wave_commands(assembly_dir, &wave.stacks, &wave.accounts, &bootstrap);
    }

    let mut manual_steps = Vec::new();
    for (stack, &wave) in stacks.iter().zip(&waves_of) {
        for (path, data) in stack.artifact.metadata_of_type(MANUAL_STEP_METADATA) {
            let step = ManualStep::from_metadata(data).ok_or_else(|| {
                input(
                    &format!("{}manifest.json", stack.prefix),
                    format!(
                        "the {MANUAL_STEP_METADATA} entry of {path} has no \"step\" text; it must be \
                         {{\"step\": \"...\", \"command\"?: \"...\", \"docs\"?: \"...\"}}"
                    ),
                )
            })?;
            manual_steps.push(planned(step, wave, &stack.id, &display_path(path)));
        }
    }
    // Steps on the app itself precede everything.
    let app_steps: Vec<PlannedStep> = app_steps.into_iter().map(|s| planned(s, 1, "", "the app")).collect();
    manual_steps.splice(0..0, app_steps);
    manual_steps.sort_by_key(|s| s.before_wave);

    Ok(Plan {
        version: PLAN_VERSION,
        assembly_dir: assembly_dir.to_owned(),
        context: context.into_iter().map(|d| ContextValue { key: d.key, value: d.value }).collect(),
        bootstrap,
        manual_steps,
        notes: pipeline_notes(&stacks, &waves_of),
        waves,
    })
}

fn planned(step: ManualStep, wave: usize, stack: &str, before: &str) -> PlannedStep {
    PlannedStep {
        before_wave: if step.after_deploy { wave + 1 } else { wave },
        stack: stack.to_owned(),
        before: before.to_owned(),
        step: step.step,
        command: step.command,
        docs: step.docs,
    }
}

/// The context keys the root manifest's `Tree` artifact declares (none for an assembly
/// that declares none, e.g. the CDK's).
pub fn declared_context(assembly: &Assembly) -> Result<Vec<Declared>> {
    let manifest = manifest(assembly, "manifest.json")?;
    let mut declared = Vec::new();
    for (_, data) in manifest.app_metadata().filter(|(kind, _)| *kind == CONTEXT_METADATA) {
        declared.push(Declared::from_metadata(data).ok_or_else(|| {
            input(
                "manifest.json",
                format!(
                    "a {CONTEXT_METADATA} entry is {data}, not {{\"key\", \"value\", \"sample\"}}; \
                     synthesize the app again with this version of cloudwright"
                ),
            )
        })?);
    }
    Ok(declared)
}

fn manifest(assembly: &Assembly, path: &str) -> Result<Manifest> {
    let bytes = assembly.file(path).ok_or_else(|| {
        input(path, "is missing, so this is not a cloud assembly; give the directory that holds manifest.json")
    })?;
    Manifest::from_slice(bytes, path)
}

/// Every stack of every (nested) manifest, in the order `cdk ls` lists them (an assembly's
/// own stacks, then its nested assemblies', breadth first), and the manual steps recorded on
/// the app itself.
fn read_stacks(assembly: &Assembly) -> Result<(Vec<StackInfo>, Vec<ManualStep>)> {
    let mut stacks = Vec::new();
    let mut app_steps = Vec::new();
    for next in walk(|path| manifest(assembly, path)) {
        let (prefix, manifest) = next?;
        let manifest_path = format!("{prefix}manifest.json");
        if prefix.is_empty() {
            let steps = manifest.app_metadata().filter(|(kind, _)| *kind == MANUAL_STEP_METADATA);
            app_steps.extend(steps.filter_map(|(_, data)| ManualStep::from_metadata(data)));
        }
        let stack_ids: BTreeSet<String> = manifest.stacks().map(|(id, _, _)| id.to_owned()).collect();
        let artifact_ids: BTreeSet<String> = manifest.artifacts.keys().cloned().collect();
        for (artifact_id, artifact) in manifest.artifacts {
            if artifact.as_stack().is_some() {
                let known = Known { stacks: &stack_ids, artifacts: &artifact_ids };
                stacks.push(stack_info(assembly, &prefix, &manifest_path, known, artifact_id, artifact)?);
            }
        }
    }
    Ok((stacks, app_steps))
}

/// The artifact ids of one manifest: its stacks', and all.
#[derive(Clone, Copy)]
struct Known<'a> {
    stacks: &'a BTreeSet<String>,
    artifacts: &'a BTreeSet<String>,
}

fn stack_info(
    assembly: &Assembly,
    prefix: &str,
    manifest_path: &str,
    known: Known<'_>,
    artifact_id: String,
    artifact: Artifact,
) -> Result<StackInfo> {
    let properties = artifact.as_stack().cloned().unwrap_or_default();
    let id = artifact.display_name.clone().unwrap_or_else(|| artifact_id.clone());
    let environment = artifact.environment.as_deref().unwrap_or_default();
    let (account, region) = split_environment(environment).unwrap_or_default();
    if !cloudwright_core::env::is_account_id(account) || region.is_empty() || region.starts_with("unknown-") {
        return Err(input(
            manifest_path,
            format!(
                "stack {id} has environment {environment:?}, not aws://ACCOUNT/REGION; bootstrapping and deploying \
                 need its account and region: give the stack (or its stage) an Environment"
            ),
        ));
    }
    let template_file = format!("{prefix}{}", properties.template_file);
    let template = assembly
        .file(&template_file)
        .ok_or_else(|| input(manifest_path, format!("stack {id} names template {template_file}, which is missing")))?;
    let template: Json = serde_json::from_slice(template)
        .map_err(|e| input(&template_file, format!("is not valid JSON ({e}); it must be a CloudFormation template")))?;
    let mut dependencies = Vec::new();
    for dep in &artifact.dependencies {
        if known.stacks.contains(dep) {
            dependencies.push(dep.clone());
        } else if !dep.ends_with(".assets") && !known.artifacts.contains(dep) {
            return Err(input(
                manifest_path,
                format!("stack {id} depends on {dep}, which this assembly does not have; synthesize the app again"),
            ));
        }
    }
    Ok(StackInfo {
        prefix: prefix.to_owned(),
        stack_name: artifact.stack_name(&artifact_id).to_owned(),
        qualifier: properties.bootstrap_qualifier().unwrap_or_else(|| DEFAULT_QUALIFIER.to_owned()),
        account: account.to_owned(),
        region: region.to_owned(),
        artifact_id,
        id,
        template,
        dependencies,
        artifact,
    })
}

/// Each stack's wave (1-based): one more than the latest wave among its dependencies.
fn layers(stacks: &[StackInfo]) -> Result<Vec<usize>> {
    let index: HashMap<(&str, &str), usize> =
        stacks.iter().enumerate().map(|(i, s)| ((s.prefix.as_str(), s.artifact_id.as_str()), i)).collect();
    let mut wave = vec![0usize; stacks.len()];
    // A stack's wave is known once all its dependencies' are: at most one round per stack.
    for _ in 0..=stacks.len() {
        let mut changed = false;
        for (i, s) in stacks.iter().enumerate() {
            if wave[i] != 0 {
                continue;
            }
            let deps: Option<Vec<usize>> = s
                .dependencies
                .iter()
                .map(|d| index.get(&(s.prefix.as_str(), d.as_str())).map(|&j| wave[j]).filter(|&w| w > 0))
                .collect();
            if let Some(deps) = deps {
                wave[i] = deps.into_iter().max().unwrap_or(0) + 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let cyclic: Vec<&str> = stacks.iter().zip(&wave).filter(|(_, w)| **w == 0).map(|(s, _)| s.id.as_str()).collect();
    if !cyclic.is_empty() {
        return Err(input(
            "manifest.json",
            format!("the dependencies of {} form a cycle, so no order deploys them", cyclic.join(", ")),
        ));
    }
    Ok(wave)
}

/// A wave's `cdk deploy`s: one when credentials of one account reach every stack (its own
/// account, or one its bootstrap trusts), else one per account.
fn wave_commands(
    assembly_dir: &str,
    stacks: &[WaveStack],
    accounts: &[String],
    bootstrap: &[Bootstrap],
) -> Vec<WaveCommand> {
    let reaches = |from: &str, s: &WaveStack| {
        s.account == from
            || bootstrap
                .iter()
                .any(|b| b.account == s.account && b.region == s.region && b.trust.iter().any(|t| t == from))
    };
    let mut candidates: BTreeSet<&str> = accounts.iter().map(String::as_str).collect();
    candidates.extend(bootstrap.iter().flat_map(|b| b.trust.iter().map(String::as_str)));
    let groups: Vec<(String, Vec<&WaveStack>)> =
        match candidates.into_iter().find(|c| stacks.iter().all(|s| reaches(c, s))) {
            Some(one) => vec![(one.to_owned(), stacks.iter().collect())],
            None => accounts.iter().map(|a| (a.clone(), stacks.iter().filter(|s| s.account == *a).collect())).collect(),
        };
    groups
        .into_iter()
        .map(|(credentials, stacks)| {
            // Earlier waves are deployed, so only these (cdk would otherwise redeploy dependencies).
            let mut command =
                format!("cdk deploy --app {} --exclusively --require-approval never", shell_word(assembly_dir));
            if stacks.len() > 1 {
                command.push_str(&format!(" --concurrency {}", stacks.len()));
            }
            for s in &stacks {
                command.push(' ');
                command.push_str(&shell_word(&s.id));
            }
            WaveCommand { credentials, stacks: stacks.iter().map(|s| s.id.clone()).collect(), command }
        })
        .collect()
}

/// `word` as one shell word.
fn shell_word(word: &str) -> String {
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+".contains(c)) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The text a value spells out: literal strings, `Fn::Sub` patterns, `Fn::Join`s (parts
/// that are not literal as `${?}`), both branches of an `Fn::If`.
fn texts(value: &Json, out: &mut Vec<String>) {
    match value {
        Json::String(s) => out.push(s.clone()),
        Json::Array(items) => items.iter().for_each(|v| texts(v, out)),
        Json::Object(map) => {
            if let Some(sub) = map.get("Fn::Sub") {
                match sub {
                    Json::String(s) => out.push(s.clone()),
                    Json::Array(a) => out.extend(a.first().and_then(Json::as_str).map(str::to_owned)),
                    _ => {}
                }
            } else if let Some(Json::Array(join)) = map.get("Fn::Join") {
                if let (Some(sep), Some(Json::Array(parts))) = (join.first().and_then(Json::as_str), join.get(1)) {
                    let parts: Vec<&str> = parts.iter().map(|p| p.as_str().unwrap_or("${?}")).collect();
                    out.push(parts.join(sep));
                }
            } else if let Some(Json::Array(branches)) = map.get("Fn::If") {
                branches.iter().skip(1).for_each(|v| texts(v, out));
            }
        }
        _ => {}
    }
}

/// The IAM role ARNs a value names: `(account, role name without its path)`.
fn role_arns(value: &Json) -> Vec<(String, String)> {
    let mut strings = Vec::new();
    texts(value, &mut strings);
    let mut out = Vec::new();
    for s in &strings {
        for (at, _) in s.match_indices(":iam::") {
            let rest = &s[at + ":iam::".len()..];
            let Some((account, rest)) = rest.split_once(":role/") else { continue };
            if !cloudwright_core::env::is_account_id(account) {
                continue;
            }
            let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || "+=,.@-_/".contains(c))).unwrap_or(rest.len());
            let name = rest[..end].rsplit('/').next().unwrap_or_default();
            if !name.is_empty() {
                out.push((account.to_owned(), name.to_owned()));
            }
        }
    }
    out
}

/// Whether a policy statement's actions include `sts:AssumeRole`.
fn assumes_roles(statement: &Json) -> bool {
    let mut actions = Vec::new();
    texts(statement.get("Action").unwrap_or(&Json::Null), &mut actions);
    actions.iter().any(|a| matches!(a.to_ascii_lowercase().as_str(), "sts:assumerole" | "sts:*" | "*"))
}

/// The identity policies of a resource (never a role's trust policy, which says who may
/// assume it, the other direction).
fn identity_policies(resource: &Json) -> Vec<&Json> {
    let props = resource.get("Properties");
    match resource.get("Type").and_then(Json::as_str) {
        Some("AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy") => {
            props.and_then(|p| p.get("PolicyDocument")).into_iter().collect()
        }
        Some("AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group") => props
            .and_then(|p| p.get("Policies"))
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(|p| p.get("PolicyDocument"))
            .collect(),
        _ => Vec::new(),
    }
}

/// A pipeline's actions: `(stage/action, action)` (also read by the deploy rules).
pub(crate) fn pipeline_actions(resource: &Json) -> Vec<(String, &Json)> {
    let stages = resource.pointer("/Properties/Stages").and_then(Json::as_array);
    stages
        .into_iter()
        .flatten()
        .flat_map(|stage| {
            let stage_name = stage.get("Name").and_then(Json::as_str).unwrap_or_default();
            stage
                .get("Actions")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .map(move |a| (format!("{stage_name}/{}", a.get("Name").and_then(Json::as_str).unwrap_or_default()), a))
        })
        .collect()
}

/// Adds an environment unless it is there.
fn add_env(account: &str, region: &str, qualifier: &str, envs: &mut Vec<((String, String), String)>) {
    if !envs.iter().any(|((a, r), _)| a == account && r == region) {
        envs.push(((account.to_owned(), region.to_owned()), qualifier.to_owned()));
    }
}

/// Every environment's bootstrap, trusting the accounts that deploy into it.
fn bootstraps(stacks: &[StackInfo]) -> Vec<Bootstrap> {
    // (account, region) -> qualifier, in order of first appearance.
    let mut envs: Vec<((String, String), String)> = Vec::new();
    for s in stacks {
        add_env(&s.account, &s.region, &s.qualifier, &mut envs);
    }
    let mut reasons: BTreeMap<(String, String), BTreeSet<TrustReason>> = BTreeMap::new();
    for s in stacks {
        let paths = s.paths();
        let path_of =
            |logical_id: &str| paths.get(logical_id).cloned().unwrap_or_else(|| format!("{}/{logical_id}", s.id));
        for (logical_id, resource) in s.template.get("Resources").and_then(Json::as_object).into_iter().flatten() {
            if resource.get("Type").and_then(Json::as_str) == Some("AWS::CodePipeline::Pipeline") {
                for (_, action) in pipeline_actions(resource) {
                    let region = action.get("Region").and_then(Json::as_str).unwrap_or(&s.region);
                    let roles = [action.get("RoleArn"), action.pointer("/Configuration/RoleArn")];
                    for (account, role) in roles.into_iter().flatten().flat_map(role_arns) {
                        if account != s.account {
                            add_env(&account, region, &s.qualifier, &mut envs);
                            reasons.entry((account, region.to_owned())).or_default().insert(TrustReason {
                                account: s.account.clone(),
                                stack: s.id.clone(),
                                path: path_of(logical_id),
                                kind: "pipelineAction".into(),
                                role,
                            });
                        }
                    }
                }
            }
            for policy in identity_policies(resource) {
                let mut statements = Vec::new();
                match policy.get("Statement") {
                    Some(Json::Array(all)) => statements.extend(all),
                    Some(one) => statements.push(one),
                    None => {}
                }
                for statement in statements {
                    if statement.get("Effect").and_then(Json::as_str) != Some("Allow") || !assumes_roles(statement) {
                        continue;
                    }
                    for (account, role) in role_arns(statement.get("Resource").unwrap_or(&Json::Null)) {
                        let Some(bootstrap) =
                            assembly::Bootstrap::parse_role_name(&role).filter(|b| b.account == account)
                        else {
                            continue;
                        };
                        if account == s.account {
                            continue;
                        }
                        let region = if bootstrap.region.contains("${") { s.region.clone() } else { bootstrap.region };
                        add_env(&account, &region, &bootstrap.qualifier, &mut envs);
                        reasons.entry((account, region)).or_default().insert(TrustReason {
                            account: s.account.clone(),
                            stack: s.id.clone(),
                            path: path_of(logical_id),
                            kind: "assumesBootstrapRole".into(),
                            role,
                        });
                    }
                }
            }
        }
    }
    envs.into_iter()
        .map(|((account, region), qualifier)| {
            let trust_reasons: Vec<TrustReason> =
                reasons.remove(&(account.clone(), region.clone())).unwrap_or_default().into_iter().collect();
            let trust: Vec<String> =
                trust_reasons.iter().map(|r| r.account.clone()).collect::<BTreeSet<_>>().into_iter().collect();
            let environment = format!("aws://{account}/{region}");
            let mut command = format!("cdk bootstrap {environment}");
            if qualifier != DEFAULT_QUALIFIER {
                command.push_str(&format!(" --qualifier {}", shell_word(&qualifier)));
            }
            for t in &trust {
                command.push_str(&format!(" --trust {t}"));
            }
            if !trust.is_empty() {
                // The cdk CLI refuses --trust without execution policies; this is the policy an
                // untrusted bootstrap gets by default.
                let partition = cloudwright_core::env::partition(&region);
                command.push_str(&format!(
                    " --cloudformation-execution-policies arn:{partition}:iam::aws:policy/AdministratorAccess"
                ));
            }
            Bootstrap { environment, account, region, qualifier, trust, trust_reasons, command }
        })
        .collect()
}

/// A note for every pipeline: it starts a run as soon as it is created, which may be
/// before the roles its actions use, and the stacks it deploys, exist.
fn pipeline_notes(stacks: &[StackInfo], waves_of: &[usize]) -> Vec<Note> {
    // (account, role name) -> index of the stack that creates the role.
    let mut role_stacks: HashMap<(String, String), usize> = HashMap::new();
    // (account, region, stack name) -> index.
    let mut by_name: HashMap<(&str, &str, &str), usize> = HashMap::new();
    for (i, s) in stacks.iter().enumerate() {
        by_name.insert((&s.account, &s.region, &s.stack_name), i);
        for resource in s.template.get("Resources").and_then(Json::as_object).into_iter().flat_map(|r| r.values()) {
            if resource.get("Type").and_then(Json::as_str) != Some("AWS::IAM::Role") {
                continue;
            }
            let mut names = Vec::new();
            texts(resource.pointer("/Properties/RoleName").unwrap_or(&Json::Null), &mut names);
            for name in names.into_iter().filter(|n| !n.contains("${")) {
                role_stacks.insert((s.account.clone(), name), i);
            }
        }
    }
    let mut notes = Vec::new();
    for (s, &wave) in stacks.iter().zip(waves_of) {
        let paths = s.paths();
        for (logical_id, resource) in s.template.get("Resources").and_then(Json::as_object).into_iter().flatten() {
            if resource.get("Type").and_then(Json::as_str) != Some("AWS::CodePipeline::Pipeline") {
                continue;
            }
            let path = paths.get(logical_id.as_str()).cloned().unwrap_or_else(|| format!("{}/{logical_id}", s.id));
            let (mut needs, mut deploys) = (BTreeSet::new(), BTreeSet::new());
            for (_, action) in pipeline_actions(resource) {
                let roles = [action.get("RoleArn"), action.pointer("/Configuration/RoleArn")];
                for key in roles.into_iter().flatten().flat_map(role_arns) {
                    if let Some(&i) = role_stacks.get(&key).filter(|&&i| waves_of[i] > wave) {
                        needs.insert(i);
                    }
                }
                let cloudformation =
                    action.pointer("/ActionTypeId/Provider").and_then(Json::as_str) == Some("CloudFormation");
                let target = action.pointer("/Configuration/StackName").and_then(Json::as_str);
                if let (true, Some(name)) = (cloudformation, target) {
                    let account = action_account(action).unwrap_or_else(|| s.account.clone());
                    let region = action.get("Region").and_then(Json::as_str).unwrap_or(&s.region);
                    if let Some(&i) = by_name.get(&(account.as_str(), region, name)) {
                        deploys.insert(i);
                    }
                }
            }
            let mut message = format!("starts a run as soon as wave {wave} creates it ({PIPELINE_STARTS_DOCS})");
            let command = resource.pointer("/Properties/Name").and_then(Json::as_str).map_or_else(
                || {
                    format!(
                        "aws codepipeline start-pipeline-execution --name \"$(aws cloudformation describe-stack-resource \
                         --stack-name {} --logical-resource-id {logical_id} --query \
                         StackResourceDetail.PhysicalResourceId --output text)\"",
                        shell_word(&s.stack_name)
                    )
                },
                |name| format!("aws codepipeline start-pipeline-execution --name {}", shell_word(name)),
            );
            let names =
                |set: &BTreeSet<usize>| set.iter().map(|&i| stacks[i].id.as_str()).collect::<Vec<_>>().join(", ");
            if !needs.is_empty() {
                let waves: BTreeSet<usize> = needs.iter().map(|&i| waves_of[i]).collect();
                let waves: Vec<String> = waves.iter().map(usize::to_string).collect();
                message.push_str(&format!(
                    ". Its actions need roles that later waves create ({}: wave {})",
                    names(&needs),
                    waves.join(", ")
                ));
            }
            if !deploys.is_empty() {
                message.push_str(&format!(". It deploys stacks the waves deploy too ({})", names(&deploys)));
            }
            if needs.is_empty() && deploys.is_empty() {
                message.push('.');
            } else {
                message.push_str(
                    ": that first run fails or races the waves, so let it fail (or stop it) and start it again once \
                     the last wave is done",
                );
            }
            notes.push(Note { path, wave, message, command: Some(command) });
        }
    }
    notes
}

/// The account of the role an action runs with, if it names one.
fn action_account(action: &Json) -> Option<String> {
    role_arns(action.get("RoleArn")?).into_iter().next().map(|(account, _)| account)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

    use super::*;

    #[test]
    fn role_arns_are_read_from_subs_joins_and_strings() {
        let value = serde_json::json!([
            {"Fn::Sub": "arn:${AWS::Partition}:iam::200000000000:role/a-role"},
            {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::200000000001:role/path/b"]]},
            "arn:aws:iam::200000000002:role/c",
            {"Fn::GetAtt": ["R", "Arn"]}
        ]);
        let arns = role_arns(&value);
        assert_eq!(
            arns,
            [("200000000000", "a-role"), ("200000000001", "b"), ("200000000002", "c")]
                .map(|(a, n)| (a.to_owned(), n.to_owned()))
        );
    }

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(shell_word("Dev/Queues"), "Dev/Queues");
        assert_eq!(shell_word("a b"), "'a b'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
    }
}
