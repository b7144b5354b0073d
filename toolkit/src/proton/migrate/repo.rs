//! Reading a Proton template-sync repository: the template bundles
//! (`<name>/v<major>/` anywhere below the root, as template sync finds them), the spec files,
//! `migration.yaml` and service sync's `proton-ops.yaml`, into a [`Plan`] of environments and
//! services, each with the template (name and major version) it uses.
//!
//! Neither a spec file nor a sync configuration names the template of an environment or a
//! service (Proton took it from `create-environment --template-name` or the console), so
//! it comes from, in order: `migration.yaml`; the spec's `# template: NAME[:MAJOR]` line
//! (cloudwright writes it); otherwise the only template of the spec's kind.
//! <https://docs.aws.amazon.com/proton/latest/userguide/ag-template-sync-configs.html>
//! <https://docs.aws.amazon.com/proton/latest/userguide/ag-service-sync-configs.html>

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use cloudwright_core::{Error, Result, limits};

use crate::proton::render::{Bundle, Kind};
use serde::Deserialize;
use serde_json::{Value as Json, json};

/// The file, at the repository root, that says what the repository does not.
pub const CONFIG_FILE: &str = "migration.yaml";

/// One template major version found in the repository.
#[derive(Debug, Clone)]
pub struct Template {
    /// The template's name (its directory's name).
    pub name: String,
    /// The major version (`v<major>`).
    pub major: u32,
    /// The bundle directory.
    pub dir: PathBuf,
    /// The bundle, as `proton render` opens and renders it.
    pub bundle: Bundle,
}

impl Template {
    /// Whether the bundle has a service pipeline.
    pub fn has_pipeline(&self) -> bool {
        self.bundle.has_pipeline()
    }
}

/// `migration.yaml`: what the repository does not say.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where service pipelines deploy: the account and region Proton ran in.
    #[serde(default)]
    pub management: Placement,
    /// Environments by name.
    #[serde(default)]
    pub environments: BTreeMap<String, EnvironmentConfig>,
    /// Services by name.
    #[serde(default)]
    pub services: BTreeMap<String, ServiceConfig>,
}

/// An account and region.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Placement {
    /// 12-digit account id.
    pub account: Option<String>,
    /// Region name.
    pub region: Option<String>,
}

/// An environment's entry in `migration.yaml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentConfig {
    /// The spec file, relative to the repository root.
    pub spec: Option<PathBuf>,
    /// The template's name.
    pub template: Option<String>,
    /// The template's major version.
    pub major: Option<u32>,
    /// 12-digit account id of the environment.
    pub account: Option<String>,
    /// Region of the environment.
    pub region: Option<String>,
}

/// A service's entry in `migration.yaml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceConfig {
    /// The spec file, relative to the repository root.
    pub spec: Option<PathBuf>,
    /// The template's name.
    pub template: Option<String>,
    /// The template's major version.
    pub major: Option<u32>,
    /// The source repository of the service's pipeline (`service.repository_id`, ...).
    #[serde(default)]
    pub repository: Repository,
}

/// The `service.*` source parameters Proton gave pipelines.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Repository {
    /// `service.repository_id`, e.g. `my-org/my-repo`.
    pub id: Option<String>,
    /// `service.branch_name`.
    pub branch: Option<String>,
    /// `service.repository_connection_arn`.
    pub connection_arn: Option<String>,
}

/// An environment to render.
#[derive(Debug, Clone)]
pub struct EnvironmentPlan {
    /// The environment's name.
    pub name: String,
    /// Its template.
    pub template: Template,
    /// The spec file.
    pub spec: PathBuf,
    /// `spec:` of the spec file.
    pub inputs: Json,
    /// The account and region `migration.yaml` gives.
    pub placement: Placement,
}

/// A service instance to render.
#[derive(Debug, Clone)]
pub struct InstancePlan {
    /// The instance's name.
    pub name: String,
    /// The environment it runs in.
    pub environment: String,
    /// Its `spec:`.
    pub inputs: Json,
    /// The spec file it comes from.
    pub spec: PathBuf,
}

/// A service to render: its instances and, when the template has one, its pipeline.
#[derive(Debug, Clone)]
pub struct ServicePlan {
    /// The service's name.
    pub name: String,
    /// Its template.
    pub template: Template,
    /// The spec file of the service (its pipeline inputs).
    pub spec: PathBuf,
    /// `pipeline:` of the spec.
    pub pipeline_inputs: Json,
    /// The instances.
    pub instances: Vec<InstancePlan>,
    /// The pipeline's source repository.
    pub repository: Repository,
}

/// Everything the repository declares.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The repository root.
    pub root: PathBuf,
    /// Environments by name.
    pub environments: BTreeMap<String, EnvironmentPlan>,
    /// Services by name.
    pub services: BTreeMap<String, ServicePlan>,
    /// Where pipelines deploy.
    pub management: Placement,
}

/// A spec file found in the repository.
struct SpecFile {
    path: PathBuf,
    doc: Json,
    /// `# template: NAME[:MAJOR]`
    template_line: Option<(String, Option<u32>)>,
}

/// Reads the repository; every problem found is reported at once.
pub fn read(root: &Path) -> Result<Plan> {
    if !root.is_dir() {
        return Err(Error::Input { path: root.display().to_string(), message: "is not a directory".into() });
    }
    let mut files = Vec::new();
    walk(root, &mut files)?;
    let templates = find_templates(root, &files)?;
    let config_path = root.join(CONFIG_FILE);
    let config: Config = if config_path.is_file() { parse_yaml(&config_path)? } else { Config::default() };
    let mut problems = Vec::new();
    let mut specs = BTreeMap::new();
    for f in files.iter().filter(|f| is_yaml(f) && !inside_template(f, &templates)) {
        if let Some(spec) = read_spec(f)? {
            specs.insert(f.clone(), spec);
        }
    }
    let ops = read_proton_ops(&files)?;
    // Spec files named by migration.yaml or proton-ops.yaml are not also taken by their stem.
    let mut claimed: BTreeSet<PathBuf> = BTreeSet::new();
    claimed.extend(config.environments.values().filter_map(|e| e.spec.as_ref()).map(|p| root.join(p)));
    claimed.extend(config.services.values().filter_map(|s| s.spec.as_ref()).map(|p| root.join(p)));
    claimed.extend(ops.values().flat_map(|i| i.values()).map(|p| root.join(p)));

    let mut environments = BTreeMap::new();
    let mut services = BTreeMap::new();
    // Specs named by their file: one file per name.
    let by_stem = |kind: &str, problems: &mut Vec<Error>| -> BTreeMap<String, PathBuf> {
        let mut named: BTreeMap<String, PathBuf> = BTreeMap::new();
        let unclaimed = specs
            .iter()
            .filter(|(p, s)| !claimed.contains(*p) && s.doc.get("proton").and_then(Json::as_str) == Some(kind));
        for (path, _) in unclaimed {
            if let Some(other) = named.insert(spec_stem(path), path.clone()) {
                problems.push(Error::Input {
                    path: path.display().to_string(),
                    message: format!(
                        "names the same {kind} as {} ({:?}, from the file names): give one its name in {CONFIG_FILE}",
                        other.display(),
                        spec_stem(path)
                    ),
                });
            }
        }
        named
    };
    let mut env_specs = by_stem("EnvironmentSpec", &mut problems);
    for (name, e) in &config.environments {
        match &e.spec {
            Some(p) => {
                env_specs.insert(name.clone(), root.join(p));
            }
            None if env_specs.contains_key(name) => {}
            None => problems.push(config_problem(
                root,
                format!("environment {name:?} names no spec and no spec file is named {name}.yaml: add `spec: PATH`"),
            )),
        }
    }
    for (name, path) in &env_specs {
        let entry = config.environments.get(name);
        let Some(spec) = spec_of(&specs, path, "EnvironmentSpec", root, &mut problems) else { continue };
        let choice = entry.and_then(|e| e.template.clone().map(|t| (t, e.major)));
        let Some(template) = choose_template(&templates, spec, choice, Kind::Environment, root, &mut problems) else {
            continue;
        };
        let placement = entry.map(|e| Placement { account: e.account.clone(), region: e.region.clone() });
        environments.insert(
            name.clone(),
            EnvironmentPlan {
                name: name.clone(),
                template,
                spec: path.clone(),
                inputs: spec.doc.get("spec").cloned().unwrap_or_else(|| json!({})),
                placement: placement.unwrap_or_default(),
            },
        );
    }

    let mut svc_specs: BTreeMap<String, Option<PathBuf>> =
        by_stem("ServiceSpec", &mut problems).into_iter().map(|(n, p)| (n, Some(p))).collect();
    for (name, s) in &config.services {
        if let Some(p) = &s.spec {
            svc_specs.insert(name.clone(), Some(root.join(p)));
        } else {
            svc_specs.entry(name.clone()).or_insert(None);
        }
    }
    for name in ops.keys() {
        svc_specs.entry(name.clone()).or_insert(None);
    }
    for (name, path) in &svc_specs {
        let entry = config.services.get(name);
        let instance_specs = ops.get(name);
        // The service's own spec (pipeline inputs, template line): the one named, else the
        // first spec file proton-ops.yaml names for it.
        let main = path.clone().or_else(|| instance_specs.and_then(|i| i.values().next()).map(|p| root.join(p)));
        let Some(main) = main else {
            problems.push(config_problem(root, format!("service {name:?} names no spec: add `spec: PATH`")));
            continue;
        };
        let Some(spec) = spec_of(&specs, &main, "ServiceSpec", root, &mut problems) else { continue };
        let choice = entry.and_then(|e| e.template.clone().map(|t| (t, e.major)));
        let Some(template) = choose_template(&templates, spec, choice, Kind::Service, root, &mut problems) else {
            continue;
        };
        let instances = match instance_specs {
            // proton-ops.yaml: each instance from the spec file it names.
            Some(named) => named
                .iter()
                .filter_map(|(instance, p)| {
                    let file = root.join(p);
                    let spec = spec_of(&specs, &file, "ServiceSpec", root, &mut problems)?;
                    let found = instances_of(&spec.doc, &file).into_iter().find(|i| &i.name == instance);
                    if found.is_none() {
                        problems.push(Error::Input {
                            path: file.display().to_string(),
                            message: format!(
                                "has no instance {instance:?}, which proton-ops.yaml syncs from it for service {name:?}"
                            ),
                        });
                    }
                    found
                })
                .collect(),
            None => instances_of(&spec.doc, &main),
        };
        services.insert(
            name.clone(),
            ServicePlan {
                name: name.clone(),
                template,
                spec: main.clone(),
                pipeline_inputs: spec.doc.get("pipeline").cloned().unwrap_or_else(|| json!({})),
                instances,
                repository: entry.map(|e| e.repository.clone()).unwrap_or_default(),
            },
        );
    }
    // Every instance has a name, once, and runs in one of the repository's environments.
    for s in services.values() {
        let mut seen = BTreeSet::new();
        for i in &s.instances {
            if i.name.is_empty() || i.environment.is_empty() || !seen.insert(i.name.as_str()) {
                problems.push(Error::Input {
                    path: i.spec.display().to_string(),
                    message: format!(
                        "service {:?} has an instance {:?} without a `name` and an `environment`, or twice; each instance needs both, and a name of its own",
                        s.name, i.name
                    ),
                });
                continue;
            }
            if !environments.contains_key(&i.environment) {
                let known: Vec<&str> = environments.keys().map(String::as_str).collect();
                problems.push(Error::Input {
                    path: i.spec.display().to_string(),
                    message: format!(
                        "service {:?} instance {:?} runs in environment {:?}, which is not in the repository (environments: {}); add its EnvironmentSpec or an entry under `environments:` in {CONFIG_FILE}",
                        s.name,
                        i.name,
                        i.environment,
                        if known.is_empty() { "none".to_owned() } else { known.join(", ") }
                    ),
                });
            }
        }
    }
    Error::collect(problems)?;
    Ok(Plan { root: root.to_path_buf(), environments, services, management: config.management })
}

fn config_problem(root: &Path, message: String) -> Error {
    Error::Input { path: root.join(CONFIG_FILE).display().to_string(), message }
}

fn spec_of<'a>(
    specs: &'a BTreeMap<PathBuf, SpecFile>,
    path: &Path,
    kind: &str,
    root: &Path,
    problems: &mut Vec<Error>,
) -> Option<&'a SpecFile> {
    match specs.get(path) {
        Some(s) if s.doc.get("proton").and_then(Json::as_str) == Some(kind) => Some(s),
        Some(_) => {
            problems.push(Error::Input {
                path: path.display().to_string(),
                message: format!("is not a `proton: {kind}` spec"),
            });
            None
        }
        None => {
            problems.push(config_problem(
                root,
                format!("names the spec {}, which is not a spec file in the repository", path.display()),
            ));
            None
        }
    }
}

/// The template a spec uses: the choice of `migration.yaml`, else its `# template:` line,
/// else the only template of its kind.
fn choose_template(
    templates: &BTreeMap<String, BTreeMap<u32, Template>>,
    spec: &SpecFile,
    choice: Option<(String, Option<u32>)>,
    kind: Kind,
    root: &Path,
    problems: &mut Vec<Error>,
) -> Option<Template> {
    let (source, choice) = match choice {
        Some(c) => (root.join(CONFIG_FILE), Some(c)),
        None => (spec.path.clone(), spec.template_line.clone()),
    };
    let problem = |message: String| Error::Input { path: source.display().to_string(), message };
    let of_kind: Vec<&Template> =
        templates.values().flat_map(BTreeMap::values).filter(|t| t.bundle.kind == kind).collect();
    let (name, major) = match choice {
        Some(c) => c,
        None => {
            let names: BTreeSet<&str> = of_kind.iter().map(|t| t.name.as_str()).collect();
            match names.iter().next() {
                Some(only) if names.len() == 1 => ((*only).to_owned(), None),
                _ => {
                    problems.push(problem(format!(
                        "does not say which template it uses ({} templates of its kind in the repository: {}); add a line `# template: NAME` or an entry in {CONFIG_FILE}",
                        names.len(),
                        names.iter().copied().collect::<Vec<_>>().join(", ")
                    )));
                    return None;
                }
            }
        }
    };
    let Some(versions) = templates.get(&name) else {
        problems.push(problem(format!(
            "names template {name:?}, which is not in the repository (templates: {})",
            templates.keys().cloned().collect::<Vec<_>>().join(", ")
        )));
        return None;
    };
    let template = match major {
        Some(m) => versions.get(&m),
        None => versions.values().next_back(),
    };
    let Some(template) = template else {
        let found: Vec<String> = versions.values().map(|t| format!("v{} at {}", t.major, t.dir.display())).collect();
        problems.push(problem(format!(
            "names major version {} of template {name:?}, which the repository lacks (found: {})",
            major.unwrap_or_default(),
            found.join(", ")
        )));
        return None;
    };
    if template.bundle.kind != kind {
        problems.push(problem(format!(
            "names template {name:?}, which is {} template",
            if template.bundle.kind == Kind::Environment { "an environment" } else { "a service" }
        )));
        return None;
    }
    Some(template.clone())
}

fn instances_of(doc: &Json, spec: &Path) -> Vec<InstancePlan> {
    doc.get("instances")
        .and_then(Json::as_array)
        .map(|list| {
            list.iter()
                .map(|i| {
                    let field = |k: &str| i.get(k).and_then(Json::as_str).unwrap_or_default().to_owned();
                    InstancePlan {
                        name: field("name"),
                        environment: field("environment"),
                        inputs: i.get("spec").cloned().unwrap_or_else(|| json!({})),
                        spec: spec.to_path_buf(),
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Every file below `dir`, sorted, skipping hidden directories (`.git`) and `target`. A
/// repository is input a caller may not trust: a link that leads outside `dir` is an error
/// (a pull request's link would otherwise have migrate read, and `--rust` copy, any file of
/// the job), and a link to a directory is not followed (one to an ancestor never ends).
pub fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    walk_below(dir, dir, out)
}

fn walk_below(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let read_error = |source| Error::Read { path: dir.to_path_buf(), source };
    let mut entries: Vec<(PathBuf, fs::FileType)> = fs::read_dir(dir)
        .map_err(read_error)?
        .filter_map(|e| e.ok().and_then(|e| Some((e.path(), e.file_type().ok()?))))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, kind) in entries {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if kind.is_symlink() {
            if !limits::link_target(root, &path, "the repository")?.is_dir() {
                out.push(path);
            }
        } else if kind.is_dir() {
            if !name.starts_with('.') && name != "target" {
                walk_below(root, &path, out)?;
            }
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Bundles: `<name>/v<major>/schema/schema.yaml`, by name then major version.
fn find_templates(root: &Path, files: &[PathBuf]) -> Result<BTreeMap<String, BTreeMap<u32, Template>>> {
    let mut found: BTreeMap<String, BTreeMap<u32, Template>> = BTreeMap::new();
    let mut problems = Vec::new();
    for schema_file in files.iter().filter(|f| f.ends_with("schema/schema.yaml")) {
        let Some(dir) = schema_file.parent().and_then(Path::parent) else { continue };
        let major =
            dir.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_prefix('v')).and_then(|n| n.parse().ok());
        let name = dir.parent().and_then(Path::file_name).map(|n| n.to_string_lossy().into_owned());
        let (Some(major), Some(name)) = (major, name) else { continue };
        if !dir.join("infrastructure").is_dir() && !dir.join("instance_infrastructure").is_dir() {
            continue;
        }
        let bundle = match Bundle::open(dir) {
            Ok(bundle) => bundle,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        let template = Template { name: name.clone(), major, dir: dir.to_path_buf(), bundle };
        if let Some(other) = found.entry(name.clone()).or_default().insert(major, template) {
            problems.push(Error::Input {
                path: dir.display().to_string(),
                message: format!(
                    "template {name:?} v{major} is also at {}: template sync needs one directory per template and major version",
                    other.dir.display()
                ),
            });
        }
    }
    Error::collect(problems)?;
    if found.is_empty() {
        return Err(Error::Input {
            path: root.display().to_string(),
            message: "holds no Proton template (a directory <name>/v<major>/ with schema/schema.yaml)".into(),
        });
    }
    Ok(found)
}

fn inside_template(file: &Path, templates: &BTreeMap<String, BTreeMap<u32, Template>>) -> bool {
    templates.values().flat_map(BTreeMap::values).any(|t| file.starts_with(&t.dir))
}

fn is_yaml(file: &Path) -> bool {
    matches!(file.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

/// A spec file, or `None` when the YAML file is no spec.
fn read_spec(path: &Path) -> Result<Option<SpecFile>> {
    let text = limits::read_text(path, limits::INPUT_BYTES)?;
    let is_spec = text.lines().any(|l| {
        let l = l.trim_end();
        l == "proton: EnvironmentSpec" || l == "proton: ServiceSpec"
    });
    if !is_spec {
        return Ok(None);
    }
    let doc: Json = crate::input::yaml(&text, &path.display().to_string())?;
    let template_line = text.lines().find_map(|l| l.trim().strip_prefix("# template:")).map(|t| {
        let t = t.trim();
        match t.rsplit_once(':') {
            Some((name, major)) if major.parse::<u32>().is_ok() => (name.to_owned(), major.parse().ok()),
            _ => (t.to_owned(), None),
        }
    });
    Ok(Some(SpecFile { path: path.to_path_buf(), doc, template_line }))
}

/// `proton-ops.yaml` (service sync): service -> instance -> spec file (relative to the
/// repository root).
fn read_proton_ops(files: &[PathBuf]) -> Result<BTreeMap<String, BTreeMap<String, PathBuf>>> {
    #[derive(Deserialize)]
    struct Ops {
        #[serde(default)]
        sync: Sync,
    }
    #[derive(Deserialize, Default)]
    struct Sync {
        #[serde(default)]
        services: BTreeMap<String, BTreeMap<String, Instance>>,
    }
    #[derive(Deserialize)]
    struct Instance {
        spec: PathBuf,
    }
    let mut out: BTreeMap<String, BTreeMap<String, PathBuf>> = BTreeMap::new();
    for f in files
        .iter()
        .filter(|f| matches!(f.file_name().and_then(|n| n.to_str()), Some("proton-ops.yaml" | "proton-ops.yml")))
    {
        let ops: Ops = parse_yaml(f)?;
        for (service, instances) in ops.sync.services {
            for (instance, i) in instances {
                let spec = i.spec.strip_prefix("./").map(Path::to_path_buf).unwrap_or(i.spec);
                out.entry(service.clone()).or_default().insert(instance, spec);
            }
        }
    }
    Ok(out)
}

fn parse_yaml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    crate::input::read_yaml(path)
}

/// An environment's or service's name from its spec file: the stem without the
/// `environment-`/`service-` cloudwright writes before it.
fn spec_stem(spec: &Path) -> String {
    let stem = spec.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let name = stem.strip_prefix("environment-").or_else(|| stem.strip_prefix("service-")).unwrap_or(&stem);
    name.to_owned()
}
