//! Synthesis: aspects, validation, reference resolution, then the cloud assembly files,
//! all in memory; [`Assembly::write`] puts them on disk atomically.

pub(crate) mod manifest;
pub(crate) mod names;
mod read;
mod resolve;
mod template;
mod write;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::{Value as Json, json};
use sha2::{Digest, Sha256};

use crate::app::resolved_env;
use crate::element::Body;
use crate::env::Environment;
use crate::error::{Error, Result};
use crate::logical_id::is_valid_logical_id;
use crate::tree::{Arena, Kind, Node, Validator, display_path};

pub use manifest::MANIFEST_VERSION;
use manifest::{Artifact, StackArtifact};
pub use read::write_files;
use resolve::{Resolver, Shared};
use template::TemplateBuilder;

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

    /// The parsed template of the stack with this display name (construct path).
    pub fn template(&self, display_name: &str) -> Option<Json> {
        let s = self.stacks.iter().find(|s| s.display_name == display_name)?;
        serde_json::from_slice(self.file(&s.template_file)?).ok()
    }

    /// Adds a file (for outputs beside the cloud assembly, such as Proton bundles).
    pub fn add_file(&mut self, path: impl Into<String>, bytes: Vec<u8>) {
        self.files.insert(path.into(), bytes);
    }

    /// Writes the assembly as the whole content of `outdir`, atomically.
    pub fn write(&self, outdir: &Path) -> Result<SynthReport> {
        write::write_atomically(outdir, &self.files)?;
        Ok(SynthReport {
            outdir: outdir.to_path_buf(),
            stacks: self.stacks.clone(),
            files: self.files.len(),
            bytes: self.files.values().map(Vec::len).sum(),
        })
    }
}

/// Serializes as the CDK does: templates with one-space indentation, other files two.
fn to_bytes(value: &impl Serialize, indent: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4096);
    let formatter = serde_json::ser::PrettyFormatter::with_indent(indent);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    // Serializing a `Value` into memory cannot fail.
    let _ = value.serialize(&mut ser);
    out
}

/// Runs validators and the node problems recorded while building; validators may read
/// the tree, so no borrow is held while they run.
fn node_problems(root: &Node) -> Vec<Error> {
    let checks: Vec<(u32, Vec<String>, Vec<Validator>)> = {
        let arena = root.borrow();
        arena
            .preorder()
            .into_iter()
            .map(|i| {
                let d = &arena.nodes[i as usize];
                (i, d.errors.clone(), d.validators.clone())
            })
            .filter(|(_, e, v)| !e.is_empty() || !v.is_empty())
            .collect()
    };
    let mut problems = Vec::new();
    for (index, errors, validators) in checks {
        let node = root.at(index);
        let path = display_path(&node.path());
        let messages = errors.into_iter().chain(validators.iter().flat_map(|v| v(&node)));
        problems.extend(messages.map(|message| Error::Validation { path: path.clone(), message }));
    }
    problems
}

/// Checks of stages and stacks: environments, stack names, empty stacks, dependencies
/// across stages.
fn stack_problems(arena: &Arena, stacks: &[u32], stack_names: &HashMap<u32, String>) -> Vec<Error> {
    let mut problems = Vec::new();
    for index in arena.preorder() {
        let path = arena.path(index);
        match &arena.nodes[index as usize].kind {
            Kind::Stage(s) => problems.extend(s.env.validate(&path)),
            Kind::Stack(s) => {
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
fn logical_ids(arena: &Arena, reserved: &[(&str, &str)]) -> (HashMap<u32, String>, Vec<Error>) {
    let mut ids = HashMap::new();
    let mut seen: HashMap<(u32, &str, String), u32> = HashMap::new();
    let mut problems = Vec::new();
    for index in arena.preorder() {
        let Some(element) = arena.element(index) else { continue };
        let Some(stack) = arena.stack_of(index) else { continue };
        let id = arena.logical_id(index);
        let path = arena.path(index);
        // Resources and parameters share one namespace: both are targets of `Ref`.
        let namespace = match element.section() {
            "Resources" | "Parameters" => "Ref",
            other => other,
        };
        if !is_valid_logical_id(&id) {
            problems.push(Error::InvalidLogicalId { path: path.clone(), logical_id: id.clone() });
        } else if reserved.iter().any(|(ns, r)| *ns == namespace && *r == id) {
            problems.push(Error::LogicalIdConflict {
                path: path.clone(),
                logical_id: id.clone(),
                other: "the CDK bootstrap version check".into(),
            });
        } else if let Some(other) = seen.insert((stack, namespace, id.clone()), index) {
            problems.push(Error::LogicalIdConflict { path, logical_id: id.clone(), other: arena.path(other) });
        }
        ids.insert(index, id);
    }
    (ids, problems)
}

/// The first dependency cycle among stacks, as paths with the first repeated at the end.
fn find_cycle(arena: &Arena, stacks: &[u32], deps: &BTreeSet<(u32, u32)>) -> Option<Vec<String>> {
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
                return Some(cycle.into_iter().map(|i| arena.path(i)).collect());
            }
        }
    }
    None
}

impl Arena {
    /// Every node below `index` (itself included), depth first.
    pub(crate) fn preorder_from(&self, index: u32) -> Vec<u32> {
        let mut out = Vec::new();
        let mut todo = vec![index];
        while let Some(i) = todo.pop() {
            out.push(i);
            todo.extend(self.nodes[i as usize].children.iter().rev());
        }
        out
    }
}

/// Applies aspects, validates, resolves and renders the whole app.
pub(crate) fn build(root: &Node) -> Result<Assembly> {
    crate::aspects::apply(root);
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

    let arena = root.borrow();
    let order = arena.preorder();
    let stacks: Vec<u32> = order.iter().copied().filter(|i| arena.stack(*i).is_some()).collect();
    let envs: HashMap<u32, Environment> = stacks.iter().map(|s| (*s, resolved_env(&root.at(*s)))).collect();
    let stack_names: HashMap<u32, String> = stacks.iter().map(|s| (*s, names::stack_name(&arena, *s))).collect();
    problems.extend(stack_problems(&arena, &stacks, &stack_names));

    let bootstrap = arena.settings.bootstrap_rule;
    let reserved: &[(&str, &str)] =
        if bootstrap { &[("Ref", "BootstrapVersion"), ("Rules", "CheckBootstrapVersion")] } else { &[] };
    let (logical_ids, id_problems) = logical_ids(&arena, reserved);
    problems.extend(id_problems);

    let mut shared = Shared {
        arena: &arena,
        logical_ids: &logical_ids,
        envs: &envs,
        stack_names: &stack_names,
        exports: HashMap::new(),
        stack_deps: BTreeSet::new(),
        errors: Vec::new(),
    };
    let mut builders: HashMap<u32, TemplateBuilder> = stacks.iter().map(|s| (*s, TemplateBuilder::new())).collect();
    for &index in &order {
        let (Some(element), Some(stack)) = (arena.element(index), arena.stack_of(index)) else { continue };
        let Some(builder) = builders.get_mut(&stack) else { continue };
        let mut resolver = Resolver { shared: &mut shared, stack, element: index };
        builder.add(&mut resolver, &logical_ids[&index], element);
    }
    for s in &stacks {
        for dep in arena.stack(*s).map(|d| d.dependencies.clone()).unwrap_or_default() {
            shared.stack_deps.insert((*s, dep));
        }
    }
    let Shared { exports, stack_deps, errors, .. } = shared;
    problems.extend(errors);
    if let Some(cycle) = find_cycle(&arena, &stacks, &stack_deps) {
        problems.push(Error::DependencyCycle { cycle });
    }
    Error::collect(problems)?;

    let mut assembly = render(&arena, &stacks, &envs, &stack_names, &logical_ids, builders, exports, &stack_deps)?;
    for (path, bytes) in extra_files {
        assembly.add_file(path, bytes);
    }
    Ok(assembly)
}

#[allow(clippy::too_many_arguments)] // the products of the validation pass, in one place
fn render(
    arena: &Arena,
    stacks: &[u32],
    envs: &HashMap<u32, Environment>,
    stack_names: &HashMap<u32, String>,
    logical_ids: &HashMap<u32, String>,
    mut builders: HashMap<u32, TemplateBuilder>,
    mut exports: resolve::Exports,
    stack_deps: &BTreeSet<(u32, u32)>,
) -> Result<Assembly> {
    let qualifier = arena.settings.bootstrap_qualifier.clone();
    let mut files = BTreeMap::new();
    let mut artifacts: HashMap<u32, StackArtifact> = HashMap::new();
    let mut summaries = Vec::new();
    // Rendered templates stay until tree.json, which borrows their properties, is written.
    let mut templates: HashMap<u32, Json> = HashMap::new();

    let mut resource_counts: HashMap<u32, usize> = HashMap::new();
    for &s in stacks {
        let Some(mut builder) = builders.remove(&s) else { continue };
        let mut stack_exports: Vec<(String, (Json, String))> = exports.remove(&s).into_iter().flatten().collect();
        stack_exports.sort_by(|a, b| a.0.cmp(&b.0));
        for (logical_id, (value, name)) in &stack_exports {
            builder.add_export(logical_id, value, name);
        }
        if arena.settings.bootstrap_rule {
            builder.add_bootstrap_check(&qualifier);
        }
        resource_counts.insert(s, builder.resource_count);
        let Some(data) = arena.stack(s) else { continue };
        templates.insert(s, builder.finish(data));
    }
    // Templates are serialized and hashed on a second thread while this one writes
    // tree.json (which needs the tree, and the tree stays on this thread).
    let (mut serialized, tree_bytes) = serialize_in_parallel(arena, &templates, logical_ids);

    for &s in stacks {
        let Some((bytes, template_hash)) = serialized.remove(&s) else { continue };
        let Some(data) = arena.stack(s) else { continue };
        let resources = resource_counts.get(&s).copied().unwrap_or(0);

        let artifact_id = names::artifact_id(arena, s);
        let dir = assembly_dir(arena, arena.stage_of(s));
        let template_file = format!("{dir}{artifact_id}.template.json");
        let mut dependencies: Vec<String> =
            stack_deps.iter().filter(|(from, _)| *from == s).map(|(_, to)| names::artifact_id(arena, *to)).collect();
        dependencies.sort();
        summaries.push(StackSummary {
            artifact_id: artifact_id.clone(),
            display_name: arena.path(s),
            stack_name: stack_names[&s].clone(),
            environment: envs[&s].to_string(),
            template_file: template_file.clone(),
            resources,
            bytes: bytes.len(),
            dependencies: dependencies.clone(),
        });
        files.insert(template_file, bytes);
        // Assets are staged once, at the root, as the CDK stages them; nested assemblies
        // refer to them with `../`.
        let up = "../".repeat(dir.matches('/').count());
        let mut assets = Vec::new();
        for a in &data.assets {
            for (rel, bytes) in &a.files {
                let path = match a.packaging {
                    crate::asset::Packaging::Zip => format!("{}/{rel}", a.dir_name()),
                    crate::asset::Packaging::File => a.dir_name(),
                };
                files.insert(path, bytes.clone());
            }
            let packaging = match a.packaging {
                crate::asset::Packaging::Zip => "zip",
                crate::asset::Packaging::File => "file",
            };
            assets.push((
                a.hash.clone(),
                a.object_key(),
                packaging,
                format!("{up}{}", a.dir_name()),
                a.display_name.clone(),
            ));
        }
        let artifact = StackArtifact {
            assets,
            artifact_id,
            display_name: arena.path(s),
            stack_name: stack_names[&s].clone(),
            env: envs[&s].clone(),
            template_hash,
            termination_protection: data.termination_protection,
            tags: data.tags.clone(),
            dependencies,
            metadata: stack_metadata(arena, s, logical_ids),
        };
        files.insert(
            format!("{dir}{}.assets.json", artifact.artifact_id),
            to_bytes(&manifest::assets(&artifact, &qualifier), b"  "),
        );
        artifacts.insert(s, artifact);
    }

    // One manifest per assembly: the app's, and each stage's nested one.
    let mut assemblies: Vec<Option<u32>> = vec![None];
    assemblies.extend(
        arena.preorder().into_iter().filter(|i| matches!(arena.nodes[*i as usize].kind, Kind::Stage(_))).map(Some),
    );
    for assembly in assemblies {
        let mut entries = Vec::new();
        for i in arena.preorder() {
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
        let manifest = manifest::manifest(&entries, &qualifier, assembly.is_none());
        files.insert(format!("{}manifest.json", assembly_dir(arena, assembly)), to_bytes(&manifest, b"  "));
        files.insert(
            format!("{}cdk.out", assembly_dir(arena, assembly)),
            serde_json::to_vec(&json!({"version": MANIFEST_VERSION})).unwrap_or_default(),
        );
    }
    files.insert("tree.json".into(), tree_bytes);
    Ok(Assembly { files, stacks: summaries })
}

/// Each template's bytes and SHA-256, and `tree.json`'s bytes; the templates on a second
/// thread when there is one to spare.
#[allow(clippy::type_complexity)] // a pair of results, named at the call
fn serialize_in_parallel(
    arena: &Arena,
    templates: &HashMap<u32, Json>,
    logical_ids: &HashMap<u32, String>,
) -> (HashMap<u32, (Vec<u8>, String)>, Vec<u8>) {
    let serialize_templates = || -> HashMap<u32, (Vec<u8>, String)> {
        templates
            .iter()
            .map(|(s, t)| {
                let bytes = to_bytes(t, b" ");
                let hash = format!("{:x}", Sha256::digest(&bytes));
                (*s, (bytes, hash))
            })
            .collect()
    };
    // On one line, as the CDK writes it: indentation would make it the largest file by far.
    let tree = || {
        let mut out = Vec::with_capacity(1 << 16);
        // Serializing into memory cannot fail.
        let _ = serde_json::to_writer(&mut out, &manifest::Tree { arena, templates, logical_ids });
        out
    };
    let parallel = std::thread::available_parallelism().is_ok_and(|n| n.get() > 1) && templates.len() > 1;
    if !parallel {
        return (serialize_templates(), tree());
    }
    std::thread::scope(|scope| {
        let worker = scope.spawn(serialize_templates);
        let tree_bytes = tree();
        // A worker that failed (it cannot panic short of running out of memory) is redone here.
        let serialized = worker.join().unwrap_or_else(|_| serialize_templates());
        (serialized, tree_bytes)
    })
}

/// The directory of a stage's assembly relative to the root, with a trailing `/`
/// (`""` for the app's own assembly).
pub(crate) fn assembly_dir(arena: &Arena, stage: Option<u32>) -> String {
    let mut dirs = Vec::new();
    let mut cur = stage;
    while let Some(s) = cur {
        dirs.push(names::stage_artifact_id(arena, s));
        cur = arena.stage_of(s);
    }
    dirs.reverse();
    dirs.iter().map(|d| format!("{d}/")).collect()
}

/// Manifest metadata of a stack: each element's logical id and user metadata, by path.
fn stack_metadata(arena: &Arena, stack: u32, logical_ids: &HashMap<u32, String>) -> IndexMap<String, Vec<Json>> {
    let mut out = IndexMap::new();
    for i in arena.preorder_from(stack) {
        let data = &arena.nodes[i as usize];
        let mut entries: Vec<Json> =
            data.metadata.iter().map(|(kind, value)| json!({"type": kind, "data": value})).collect();
        if let Some(id) = logical_ids.get(&i) {
            entries.push(json!({"type": "aws:cdk:logicalId", "data": id}));
        }
        if !entries.is_empty() {
            out.insert(format!("/{}", arena.path(i)), entries);
        }
    }
    out
}
