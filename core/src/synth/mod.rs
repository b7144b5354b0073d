//! Synthesis: aspects, validation, reference resolution, then the cloud assembly files,
//! written into memory ([`Assembly`]) or straight into a staging
//! directory that replaces the output directory ([`StagedAssembly`]).

mod discard;
pub mod exports_lock;
pub(crate) mod indent;
pub(crate) mod manifest;
pub(crate) mod names;
mod output;
mod read;
mod resolve;
mod template;
mod weak;
mod write;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde::Serialize;
use serde_json::Value as Json;

use crate::app::resolved_env;
use crate::assembly::{self, Section};
use crate::element::Body;
use crate::env::Environment;
use crate::error::{Error, Result};
use crate::logical_id::is_valid_logical_id;
use crate::tree::{Kind, Node, Nodes, Settings, Validator, display_path};

pub use crate::assembly::MANIFEST_VERSION;
use exports_lock::LockUpdate;
pub use exports_lock::Warning;
use manifest::{Artifact, AssetSource, AssetsFile, StackArtifact};
use output::Sink;
pub use output::write_files;
use resolve::{Export, Findings, LogicalIds, Pass, Shared};
use template::{CrossStack, Template};
pub use weak::READER_ROLE_PREFIX;

/// Weak references for callers that write CloudFormation templates themselves, outside the
/// construct tree (templates rendered from another tool's sources): the same reader role,
/// role name and `Fn::GetStackOutput` that synth writes for `Strength::Weak`, so both trust
/// and read alike.
pub mod weak_reference {
    pub use super::weak::{READER_ROLE_PREFIX, Source, reader_logical_id, reader_role, reader_role_name};
}

/// What the assembly holds of one stack.
#[derive(Debug, Clone, Serialize)]
pub struct StackSummary {
    /// Artifact id in the manifest (and template file stem).
    pub artifact_id: String,
    /// Construct path, shown by `cdk ls`.
    pub display_name: String,
    /// CloudFormation stack name.
    pub stack_name: String,
    /// `aws://ACCOUNT/REGION`.
    pub environment: String,
    /// Template path relative to the assembly root.
    pub template_file: String,
    /// Number of resources in the template.
    pub resources: usize,
    /// Size of the template in bytes.
    pub bytes: usize,
    /// Artifact ids of the stacks this one deploys after.
    pub dependencies: Vec<String>,
}

/// A synthesized cloud assembly, held in memory.
#[derive(Debug, Clone)]
pub struct Assembly {
    files: BTreeMap<String, Vec<u8>>,
    stacks: Vec<StackSummary>,
    warnings: Vec<Warning>,
}

/// What [`Assembly::write`] wrote.
#[derive(Debug, Clone, Serialize)]
pub struct SynthReport {
    /// The output directory.
    pub outdir: PathBuf,
    /// Every stack, in tree order.
    pub stacks: Vec<StackSummary>,
    /// Number of files written.
    pub files: usize,
    /// Total bytes written.
    pub bytes: usize,
    /// What synthesis reports without failing (exports kept by the export lock).
    pub warnings: Vec<Warning>,
}

impl Assembly {
    /// Every file, keyed by its path relative to the assembly root (`/`-separated).
    pub fn files(&self) -> &BTreeMap<String, Vec<u8>> {
        &self.files
    }

    /// One file's bytes.
    pub fn file(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    /// Every stack, in tree order.
    pub fn stacks(&self) -> &[StackSummary] {
        &self.stacks
    }

    /// What synthesis reports without failing (exports kept by the export lock).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// The parsed template of the stack with this display name (construct path).
    pub fn template(&self, display_name: &str) -> Option<Json> {
        let s = self.stacks.iter().find(|s| s.display_name == display_name)?;
        serde_json::from_slice(self.file(&s.template_file)?).ok()
    }

    /// Adds a file (for outputs beside the cloud assembly, such as template bundles).
    pub fn add_file(&mut self, path: impl Into<String>, bytes: Vec<u8>) {
        self.files.insert(path.into(), bytes);
    }

    /// Writes the assembly as the whole content of `outdir`, atomically.
    pub fn write(&self, outdir: &Path) -> Result<SynthReport> {
        write_files(outdir, &self.files)?;
        Ok(SynthReport {
            outdir: outdir.to_path_buf(),
            stacks: self.stacks.clone(),
            files: self.files.len(),
            bytes: self.files.values().map(Vec::len).sum(),
            warnings: self.warnings.clone(),
        })
    }
}

/// Runs validators and the node problems recorded while building; validators may read
/// the tree, so no borrow is held while they run.
fn node_problems(root: &Node) -> Vec<Error> {
    let checks: Vec<(u32, Vec<String>, Vec<Validator>)> = {
        let arena = root.borrow();
        let mut by_node: HashMap<u32, Vec<Validator>> = HashMap::new();
        for (i, v) in &arena.hooks.validators {
            by_node.entry(*i).or_default().push(Rc::clone(v));
        }
        let tree = &arena.tree;
        tree.preorder()
            .into_iter()
            .map(|i| {
                let d = &tree.nodes[i as usize];
                let validators = by_node.remove(&i).unwrap_or_default();
                (i, d.errors().to_vec(), validators)
            })
            .filter(|(_, e, v)| !e.is_empty() || !v.is_empty())
            .collect()
    };
    let mut problems = Vec::new();
    for (index, errors, validators) in checks {
        let node = root.at(index);
        let messages: Vec<String> = errors.into_iter().chain(validators.iter().flat_map(|v| v(&node))).collect();
        // Most nodes pass, and a path costs a walk to the root.
        if !messages.is_empty() {
            let path = display_path(&node.path());
            problems.extend(messages.into_iter().map(|message| Error::Validation { path: path.clone(), message }));
        }
    }
    problems
}

/// Checks of stages and stacks: environments, stack names, empty stacks, dependencies
/// across stages.
fn stack_problems(arena: &Nodes, order: &[u32], stacks: &[u32], stack_names: &HashMap<u32, String>) -> Vec<Error> {
    let mut problems = Vec::new();
    for &index in order {
        match &arena.nodes[index as usize].kind {
            Kind::Stage(s) => problems.extend(s.env.validate(&arena.path(index))),
            Kind::Stack(s) => {
                let path = arena.path(index);
                problems.extend(s.env.validate(&path));
                for dep in &s.dependencies {
                    if arena.stage_of(*dep) != arena.stage_of(index) {
                        problems.push(Error::Validation {
                            path: path.clone(),
                            message: format!(
                                "depends on {}, a stack of another stage; stages deploy independently, \
                                 so order them in the pipeline instead",
                                arena.path(*dep)
                            ),
                        });
                    }
                }
            }
            _ => {}
        }
    }
    for stack in stacks {
        let path = arena.path(*stack);
        let name = &stack_names[stack];
        if !names::is_valid_stack_name(name) {
            problems.push(Error::Validation {
                path: path.clone(),
                message: format!(
                    "stack name {name:?} must start with a letter and hold only letters, digits and '-' \
                     (at most 128); set StackProps::stack_name or rename the stack"
                ),
            });
        }
        let has_resource = arena
            .preorder_from(*stack)
            .into_iter()
            .any(|i| matches!(arena.element(i).map(|e| &e.body), Some(Body::Resource(_))));
        if !has_resource {
            problems.push(Error::Validation {
                path,
                message: "the stack has no resources and CloudFormation requires at least one; \
                          add a resource or remove the stack"
                    .into(),
            });
        }
    }
    problems
}

/// Logical ids of every element, checking their grammar and uniqueness per stack.
fn logical_ids(arena: &Nodes, order: &[u32], reserved: &[(&str, &str)]) -> (LogicalIds, Vec<Error>) {
    let mut ids = LogicalIds::with_nodes(arena.nodes.len());
    for &index in order {
        if arena.element(index).is_some() {
            ids.insert(index, arena.logical_id(index));
        }
    }
    // Stacks do not nest, so in depth-first order each stack's elements follow it, and
    // uniqueness is checked one stack at a time. Resources and parameters share one
    // namespace: both are targets of `Ref`.
    let namespace = |section: Section| match section {
        Section::Resources | Section::Parameters => "Ref",
        other => other.key(),
    };
    let mut problems = Vec::new();
    let mut seen: hashbrown::HashMap<(&str, &str), u32> = hashbrown::HashMap::new();
    for &index in order {
        if arena.stack(index).is_some() {
            seen.clear();
        }
        let Some(element) = arena.element(index) else { continue };
        let (id, namespace) = (ids.get(index), namespace(element.section()));
        let path = || arena.path(index);
        if !is_valid_logical_id(id) {
            problems.push(Error::InvalidLogicalId { path: path(), logical_id: id.to_owned() });
        } else if reserved.iter().any(|(ns, r)| *ns == namespace && *r == id) {
            problems.push(Error::LogicalIdConflict {
                path: path(),
                logical_id: id.to_owned(),
                other: "the CDK bootstrap version check".into(),
            });
        } else if let Some(other) = seen.insert((namespace, id), index) {
            problems.push(Error::LogicalIdConflict {
                path: path(),
                logical_id: id.to_owned(),
                other: arena.path(other),
            });
        }
    }
    drop(seen);
    (ids, problems)
}

/// The problem a dependency cycle among stacks is: when a reference across accounts makes
/// one of its dependencies, naming that reference's two constructs and the remedy
/// (Decision 4 of the design: a deterministic physical name, referred to by name).
fn cycle_problem(arena: &Nodes, cycle: &[u32], account_edges: &BTreeMap<(u32, u32), (u32, u32)>) -> Error {
    let paths: Vec<String> = cycle.iter().map(|i| arena.path(*i)).collect();
    let across = cycle.windows(2).find_map(|pair| account_edges.get(&(pair[0], pair[1])));
    match across {
        None => Error::DependencyCycle { cycle: paths },
        Some((consumer, producer)) => Error::Validation {
            path: arena.path(*consumer),
            message: format!(
                "refers to {} in another account, and the stacks' references form a cycle ({}): each \
                 stack would wait for the other to deploy first. Break the cycle in one direction with a \
                 name instead of a deploy-time value: give the referenced resource a deterministic \
                 physical name (`logical_id::physical_name` of its path, as the CDK's \
                 `PhysicalName.GENERATE_IF_NEEDED`) and build its ARN or name from that in the other \
                 stack",
                arena.path(*producer),
                paths.join(" -> ")
            ),
        },
    }
}

/// The first dependency cycle among stacks, as stack nodes with the first repeated at the end.
fn find_cycle(stacks: &[u32], deps: &BTreeSet<(u32, u32)>) -> Option<Vec<u32>> {
    let mut edges: HashMap<u32, Vec<u32>> = HashMap::new();
    for (from, to) in deps {
        edges.entry(*from).or_default().push(*to);
    }
    // 0 = unvisited, 1 = on the current path, 2 = done.
    let mut state: HashMap<u32, u8> = HashMap::new();
    fn visit(
        n: u32,
        edges: &HashMap<u32, Vec<u32>>,
        state: &mut HashMap<u32, u8>,
        path: &mut Vec<u32>,
    ) -> Option<Vec<u32>> {
        state.insert(n, 1);
        path.push(n);
        for next in edges.get(&n).into_iter().flatten() {
            match state.get(next).copied().unwrap_or(0) {
                1 => {
                    let start = path.iter().position(|p| p == next).unwrap_or(0);
                    let mut cycle = path[start..].to_vec();
                    cycle.push(*next);
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(*next, edges, state, path) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        path.pop();
        state.insert(n, 2);
        None
    }
    for s in stacks {
        if state.get(s).copied().unwrap_or(0) == 0 {
            if let Some(cycle) = visit(*s, &edges, &mut state, &mut Vec::new()) {
                return Some(cycle);
            }
        }
    }
    None
}

/// Builds the app's cloud assembly in memory.
pub(crate) fn assembly(root: &Node) -> Result<Assembly> {
    let mut sink = Sink::Memory(BTreeMap::new());
    // In memory nothing is written, the export lock neither.
    let Built { stacks, warnings, lock: _ } = build(root, &mut sink)?;
    let files = match sink {
        Sink::Memory(files) => files,
        Sink::Directory { .. } => BTreeMap::new(),
    };
    Ok(Assembly { files, stacks, warnings })
}

/// Builds the app's cloud assembly straight into `outdir`, atomically.
pub(crate) fn synth(root: &Node, outdir: &Path) -> Result<SynthReport> {
    synth_staged(root, outdir)?.commit()
}

/// Builds the app's cloud assembly into a staging directory beside `outdir`.
pub(crate) fn synth_staged(root: &Node, outdir: &Path) -> Result<StagedAssembly> {
    let mut sink = Sink::directory(outdir);
    let Built { stacks, warnings, lock } = build(root, &mut sink)?;
    let dir = sink.staging_dir()?;
    let (files, bytes) = match &sink {
        Sink::Directory { files, bytes, .. } => (*files, *bytes),
        Sink::Memory(_) => (0, 0),
    };
    let report = SynthReport { outdir: outdir.to_path_buf(), stacks, files, bytes, warnings };
    Ok(StagedAssembly { sink, dir, report, lock })
}

/// A cloud assembly written whole to a staging directory beside its output directory, for
/// checks that read it from disk before it takes the output's place (`cloudwright synth`
/// runs the rules there). Dropped without [`StagedAssembly::commit`], it is removed and
/// the output directory is left as it was.
pub struct StagedAssembly {
    sink: Sink,
    dir: PathBuf,
    report: SynthReport,
    /// The export lock as this synthesis updated it, written on commit.
    lock: Option<LockUpdate>,
}

impl StagedAssembly {
    /// The staging directory, holding every file of the assembly.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What was written; `outdir` is where it goes on commit.
    pub fn report(&self) -> &SynthReport {
        &self.report
    }

    /// Puts the assembly in place of the output directory, then writes the export lock
    /// (only once the assembly is in place: a lock naming exports of an assembly that was
    /// never written would keep them for nothing).
    pub fn commit(self) -> Result<SynthReport> {
        self.sink.commit()?;
        if let Some(lock) = &self.lock {
            lock.write()?;
        }
        Ok(self.report)
    }
}

/// What [`build`] wrote, and what it learned for after.
struct Built {
    stacks: Vec<StackSummary>,
    warnings: Vec<Warning>,
    /// The export lock to write when the assembly is committed.
    lock: Option<LockUpdate>,
}

/// Applies aspects, validates and resolves the whole app, then writes its files to `sink`;
/// nothing is written unless every check passes.
fn build(root: &Node, sink: &mut Sink) -> Result<Built> {
    crate::aspects::apply(root);
    crate::resource::produce_lazy_properties(root);
    let mut problems = node_problems(root);
    // Generators read the tree, so they run before it is borrowed for rendering.
    let generators = root.borrow().settings.generators.clone();
    let mut extra_files = Vec::new();
    for generate in generators {
        match generate() {
            Ok(files) => extra_files.extend(files),
            Err(e) => problems.extend(match e {
                Error::Invalid(all) => all,
                one => vec![one],
            }),
        }
    }

    let guard = root.borrow();
    let arena = &guard.tree;
    let order = arena.preorder();
    let stacks: Vec<u32> = order.iter().copied().filter(|i| arena.stack(*i).is_some()).collect();
    let envs: HashMap<u32, Environment> = stacks.iter().map(|s| (*s, resolved_env(&root.at(*s)))).collect();
    let stack_names: HashMap<u32, String> = stacks.iter().map(|s| (*s, names::stack_name(arena, *s))).collect();
    problems.extend(stack_problems(arena, &order, &stacks, &stack_names));

    let settings = &guard.settings;
    let reserved: &[(&str, &str)] = if settings.bootstrap_rule {
        &[("Ref", assembly::VERSION_PARAMETER_ID), ("Rules", assembly::VERSION_RULE_ID)]
    } else {
        &[]
    };
    let (logical_ids, id_problems) = logical_ids(arena, &order, reserved);
    problems.extend(id_problems);

    let shared = Shared {
        arena,
        logical_ids: &logical_ids,
        envs: &envs,
        stack_names: &stack_names,
        strength: settings.reference_strength,
        qualifier: settings.bootstrap_qualifier.as_str(),
    };
    // Each stack's elements in tree order.
    let mut elements: HashMap<u32, Vec<u32>> = stacks.iter().map(|s| (*s, Vec::new())).collect();
    for &index in &order {
        let (Some(_), Some(stack)) = (arena.element(index), arena.stack_of(index)) else { continue };
        if let Some(members) = elements.get_mut(&stack) {
            members.push(index);
        }
    }
    // The checking pass: every template is walked as it will be written, to learn every
    // export, dependency and problem before anything is.
    let findings = RefCell::new(Findings::default());
    for &s in &stacks {
        let members = elements.get(&s).map_or(&[][..], Vec::as_slice);
        let Some(template) = template(&shared, Pass::Check(&findings), settings, s, members, CrossStack::NONE) else {
            continue;
        };
        if let Err(e) = template.serialize(discard::Discard) {
            problems.push(Error::Validation { path: arena.path(s), message: format!("cannot be rendered: {e}") });
        }
    }
    let Findings { mut exports, published, mut stack_deps, account_edges, errors } = findings.into_inner();
    let locked = match &settings.exports_lock {
        Some(path) => {
            let synthesis = exports_lock::Synthesis { shared: &shared, stacks: &stacks, elements: &elements };
            exports_lock::apply(path, &synthesis, &mut exports)
        }
        None => exports_lock::Applied::default(),
    };
    problems.extend(locked.errors);
    for s in &stacks {
        for dep in arena.stack(*s).map(|d| d.dependencies.as_slice()).unwrap_or_default() {
            stack_deps.insert((*s, *dep));
        }
    }
    problems.extend(errors);
    if let Some(cycle) = find_cycle(&stacks, &stack_deps) {
        problems.push(cycle_problem(arena, &cycle, &account_edges));
    }
    Error::collect(problems)?;

    let plan = Plan { order, stacks, elements, exports, kept: locked.kept, published, stack_deps };
    let summaries = render(&shared, settings, plan, sink)?;
    for (path, bytes) in extra_files {
        sink.bytes(&path, &bytes)?;
    }
    let mut warnings = context_warnings(root.metadata().iter().map(|(kind, data)| (kind.as_str(), data)));
    warnings.extend(locked.warnings);
    Ok(Built { stacks: summaries, warnings, lock: locked.update })
}

/// The warnings of context keys left at their sample values, from the app's metadata.
pub(crate) fn context_warnings<'a>(metadata: impl Iterator<Item = (&'a str, &'a Json)>) -> Vec<Warning> {
    metadata
        .filter(|(kind, _)| *kind == crate::context::CONTEXT_METADATA)
        .filter_map(|(_, data)| crate::context::Declared::from_metadata(data)?.warning())
        .collect()
}

/// The template of `stack` for one pass, `None` if the node is no stack.
fn template<'a>(
    shared: &'a Shared<'a>,
    pass: Pass<'a>,
    settings: &'a Settings,
    stack: u32,
    elements: &'a [u32],
    cross: CrossStack<'a>,
) -> Option<Template<'a>> {
    Some(Template {
        shared,
        pass,
        stack,
        data: shared.arena.stack(stack)?,
        elements,
        exports: cross.exports,
        kept: cross.kept,
        published: cross.published,
        bootstrap_qualifier: settings.bootstrap_rule.then_some(settings.bootstrap_qualifier.as_str()),
    })
}

/// What validation worked out, for rendering.
struct Plan {
    /// Every node, depth first.
    order: Vec<u32>,
    stacks: Vec<u32>,
    /// Each stack's elements, in tree order.
    elements: HashMap<u32, Vec<u32>>,
    exports: resolve::Exports,
    /// The export names each stack keeps only for the export lock.
    kept: HashMap<u32, Vec<String>>,
    published: weak::PublishedByStack,
    stack_deps: BTreeSet<(u32, u32)>,
}

/// Writes every file of the assembly: per stack its template, assets and asset manifest,
/// then each assembly's manifest, then `tree.json`.
fn render(shared: &Shared<'_>, settings: &Settings, plan: Plan, sink: &mut Sink) -> Result<Vec<StackSummary>> {
    // tree.json, the largest file, is written on a second thread while this one writes
    // the rest; both only read the tree.
    let mut tree_out = sink.open("tree.json")?;
    std::thread::scope(|scope| {
        let tree = scope.spawn(move || {
            // On one line, as the CDK writes it: indentation would make it larger still.
            let written = tree_out.json(&manifest::Tree { shared }, b"");
            (tree_out, written)
        });
        let rest = render_all_but_tree(shared, settings, plan, sink);
        let (tree_out, written) = tree.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        let summaries = rest?;
        written.map_err(|e| sink.error("tree.json", e))?;
        sink.close("tree.json", tree_out)?;
        Ok(summaries)
    })
}

/// Every file but `tree.json`.
fn render_all_but_tree(
    shared: &Shared<'_>,
    settings: &Settings,
    plan: Plan,
    sink: &mut Sink,
) -> Result<Vec<StackSummary>> {
    let Plan { order, stacks, elements, mut exports, kept, mut published, stack_deps } = plan;
    let arena = shared.arena;
    let bootstrap = assembly::Bootstrap::new(settings.bootstrap_qualifier.as_str());
    let mut artifacts: HashMap<u32, StackArtifact> = HashMap::new();
    let mut summaries = Vec::new();
    let mut staged_assets = std::collections::HashSet::new();
    for &s in &stacks {
        let Some(data) = arena.stack(s) else { continue };
        let members = elements.get(&s).map_or(&[][..], Vec::as_slice);
        let mut stack_exports: Vec<(String, Export)> = exports.remove(&s).into_iter().flatten().collect();
        stack_exports.sort_by(|a, b| a.0.cmp(&b.0));
        let kept = kept.get(&s).map_or(&[][..], Vec::as_slice);
        let stack_published = published.remove(&s).map(|mut p| {
            p.outputs.sort_keys();
            p
        });
        let cross = CrossStack { exports: &stack_exports, kept, published: stack_published.as_ref() };
        let Some(template) = template(shared, Pass::Write, settings, s, members, cross) else {
            continue;
        };
        let artifact_id = names::artifact_id(arena, s);
        let dir = assembly_dir(arena, arena.stage_of(s));
        let template_file = format!("{dir}{artifact_id}.template.json");
        let written = sink.json(&template_file, &template, b" ", true)?;
        let resources =
            members.iter().filter(|i| matches!(arena.element(**i).map(|e| &e.body), Some(Body::Resource(_)))).count();

        let mut dependencies: Vec<String> =
            stack_deps.range((s, 0)..=(s, u32::MAX)).map(|(_, to)| names::artifact_id(arena, *to)).collect();
        dependencies.sort();
        summaries.push(StackSummary {
            artifact_id: artifact_id.clone(),
            display_name: arena.path(s),
            stack_name: shared.stack_names[&s].clone(),
            environment: shared.envs[&s].to_string(),
            template_file,
            resources,
            bytes: written.bytes,
            dependencies: dependencies.clone(),
        });
        // Assets are staged once, at the root, as the CDK stages them; nested assemblies
        // refer to them with `../`.
        let up = "../".repeat(dir.matches('/').count());
        let mut assets = Vec::new();
        for a in &data.assets {
            // The same content staged by several stacks is one directory.
            if staged_assets.insert(a.dir_name()) {
                for (rel, bytes) in &a.files {
                    let path = match a.packaging {
                        crate::asset::Packaging::Zip => format!("{}/{rel}", a.dir_name()),
                        crate::asset::Packaging::File => a.dir_name(),
                    };
                    sink.bytes(&path, bytes)?;
                }
            }
            let packaging = match a.packaging {
                crate::asset::Packaging::Zip => "zip",
                crate::asset::Packaging::File => "file",
            };
            assets.push(AssetSource {
                hash: a.hash.clone(),
                object_key: a.object_key(),
                packaging,
                path: format!("{up}{}", a.dir_name()),
                display_name: a.display_name.clone(),
            });
        }
        let artifact = StackArtifact {
            assets,
            artifact_id,
            display_name: arena.path(s),
            stack_name: shared.stack_names[&s].clone(),
            env: shared.envs[&s].clone(),
            template_hash: written.sha256.unwrap_or_default(),
            termination_protection: data.termination_protection,
            tags: data.tags.clone(),
            dependencies,
            stack: s,
        };
        let destination_id = manifest::destination_id(&artifact.env);
        sink.json(
            &format!("{dir}{}.assets.json", artifact.artifact_id),
            &AssetsFile::new(&artifact, &bootstrap, &destination_id),
            b"  ",
            false,
        )?;
        artifacts.insert(s, artifact);
    }

    // One manifest per assembly: the app's, and each stage's nested one. Manifests list
    // stacks and stages in tree order, but for a stack that depends on a later one, which
    // comes after it: `cdk ls` lists stacks in manifest order.
    let mut listed: Vec<u32> = order
        .into_iter()
        .filter(|i| matches!(arena.nodes[*i as usize].kind, Kind::Stack(_) | Kind::Stage(_)))
        .collect();
    let slots: Vec<usize> = (0..listed.len()).filter(|i| arena.stack(listed[*i]).is_some()).collect();
    for (slot, stack) in slots.into_iter().zip(deploy_order(&stacks, &stack_deps)) {
        listed[slot] = stack;
    }
    let mut assemblies: Vec<Option<u32>> = vec![None];
    assemblies
        .extend(listed.iter().filter(|i| matches!(arena.nodes[**i as usize].kind, Kind::Stage(_))).map(|i| Some(*i)));
    for assembly in assemblies {
        let mut entries = Vec::new();
        for &i in &listed {
            let here = arena.stage_of(i) == assembly;
            match &arena.nodes[i as usize].kind {
                Kind::Stack(_) if here => {
                    if let Some(a) = artifacts.get(&i) {
                        entries.push(Artifact::Stack(a));
                    }
                }
                Kind::Stage(_) if here => entries.push(Artifact::Stage {
                    artifact_id: names::stage_artifact_id(arena, i),
                    display_name: arena.path(i),
                }),
                _ => {}
            }
        }
        let dir = assembly_dir(arena, assembly);
        let manifest = manifest::manifest(arena, shared.logical_ids, &entries, &bootstrap, assembly.is_none());
        sink.json(&format!("{dir}manifest.json"), &manifest, b"  ", false)?;
        sink.bytes(&format!("{dir}cdk.out"), &assembly::cdk_out())?;
    }
    Ok(summaries)
}

/// Every stack after the stacks it depends on, otherwise in tree order (`stacks`): a
/// depth-first walk placing each stack's dependencies before it. Dependencies form no
/// cycle here (synthesis stops at one before rendering).
fn deploy_order(stacks: &[u32], deps: &BTreeSet<(u32, u32)>) -> Vec<u32> {
    fn place(s: u32, deps: &BTreeSet<(u32, u32)>, placed: &mut std::collections::HashSet<u32>, out: &mut Vec<u32>) {
        if !placed.insert(s) {
            return;
        }
        for (_, d) in deps.range((s, 0)..=(s, u32::MAX)) {
            place(*d, deps, placed, out);
        }
        out.push(s);
    }
    let mut placed = std::collections::HashSet::with_capacity(stacks.len());
    let mut out = Vec::with_capacity(stacks.len());
    for s in stacks {
        place(*s, deps, &mut placed, &mut out);
    }
    out
}

/// The directory of a stage's assembly relative to the root, with a trailing `/`
/// (`""` for the app's own assembly).
pub(crate) fn assembly_dir(arena: &Nodes, stage: Option<u32>) -> String {
    let mut dirs = Vec::new();
    let mut cur = stage;
    while let Some(s) = cur {
        dirs.push(names::stage_artifact_id(arena, s));
        cur = arena.stage_of(s);
    }
    dirs.reverse();
    dirs.iter().map(|d| format!("{d}/")).collect()
}
