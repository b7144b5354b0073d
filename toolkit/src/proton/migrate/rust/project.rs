//! `proton migrate --rust DIR`: a Cargo project in which each template of the repository is
//! a typed `EnvironmentTemplate`/`ServiceTemplate` (inputs as a Rust struct from its
//! schema, infrastructure as typed L1s: [`super::translate`]) and each environment and
//! service is declared with typed inputs from its spec. Its synth writes the
//! template-sync repository again (bundles, specs, `migration.yaml`); `proton migrate` of
//! that gives the same stacks as of the original.
//!
//! A template the translation cannot express is kept as its Jinja bundle (under
//! `proton-kept/`, written by the app as it is), with the environments and services that
//! use it; the README lists each with the reason.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::proton::migrate::repo::{Plan, ServicePlan, Template, walk};
use cloudwright_cfn_model::names;
use cloudwright_constructs::proton::spec::{environment_spec, service_spec};
use cloudwright_core::{Error, Result};
use serde_json::{Map, Value as Json, json};

use super::inputs::InputStruct;
use super::translate::{Translated, Translation, translate};
use crate::import::{plain_ident, use_lines};

/// Where kept bundles, their specs and `migration.yaml` sit in the project.
const KEPT: &str = "proton-kept";

/// The project's files, and what was translated.
#[derive(Debug, Clone)]
pub struct Project {
    /// Relative path -> bytes.
    pub files: BTreeMap<String, Vec<u8>>,
    /// `name vMAJOR` of each template written as Rust.
    pub typed: Vec<String>,
    /// `name vMAJOR` of each template kept as Jinja, and why.
    pub kept: Vec<(String, String)>,
}

/// One template of the plan and its translation.
struct Entry<'p> {
    template: &'p Template,
    /// The Rust module, `lambda_env_v1`.
    module: String,
    translation: Translation,
}

fn key(t: &Template) -> (String, u32) {
    (t.name.clone(), t.major)
}

fn label(t: &Template) -> String {
    format!("{} v{}", t.name, t.major)
}

/// The project for `plan`, named `crate_name`.
pub fn project(plan: &Plan, crate_name: &str) -> Result<Project> {
    let mut entries: BTreeMap<(String, u32), Entry> = BTreeMap::new();
    let templates = plan.environments.values().map(|e| &e.template).chain(plan.services.values().map(|s| &s.template));
    for t in templates {
        if let std::collections::btree_map::Entry::Vacant(slot) = entries.entry(key(t)) {
            let module = plain_ident(&format!("{}_v{}", t.name, t.major));
            slot.insert(Entry { template: t, module, translation: translate(t)? });
        }
    }
    // A service is typed only when the environments its instances run in are: a typed
    // instance is declared in a typed environment.
    for s in plan.services.values() {
        let kept_env = s.instances.iter().find_map(|i| {
            let env = plan.environments.get(&i.environment)?;
            matches!(entries.get(&key(&env.template))?.translation, Translation::Kept(_)).then(|| {
                format!("its instance {:?} runs in environment {:?}, whose template is kept", i.name, env.name)
            })
        });
        if let (Some(reason), Some(e)) = (kept_env, entries.get_mut(&key(&s.template))) {
            if matches!(e.translation, Translation::Typed(..)) {
                e.translation = Translation::Kept(reason);
            }
        }
    }
    let mut files = BTreeMap::new();
    let mut typed = Vec::new();
    let mut kept = Vec::new();
    let mut features: BTreeSet<String> = ["proton", "iam"].map(str::to_owned).into();
    let mut modules = Vec::new();
    for e in entries.values() {
        match &e.translation {
            Translation::Typed(main, pipeline) => {
                typed.push(label(e.template));
                features.extend(main.body.features.iter().cloned());
                if let Some(p) = pipeline {
                    features.extend(p.body.features.iter().cloned());
                }
                files.insert(format!("src/templates/{}.rs", e.module), template_module(e, main, pipeline.as_deref())?);
                modules.push(e.module.clone());
            }
            Translation::Kept(reason) => {
                kept.push((label(e.template), reason.clone()));
                copy_bundle(&e.template.dir, &format!("{}/v{}", e.template.name, e.template.major), &mut files)?;
            }
        }
    }
    let is_typed = |t: &Template| entries.get(&key(t)).is_some_and(|e| matches!(e.translation, Translation::Typed(..)));
    // Specs of what is kept: written by the app as they are.
    for env in plan.environments.values().filter(|e| !is_typed(&e.template)) {
        files.insert(
            format!("{KEPT}/specs/environment-{}.yaml", env.name),
            environment_spec(&env.template.name, &env.inputs),
        );
    }
    for s in plan.services.values().filter(|s| !is_typed(&s.template)) {
        files.insert(format!("{KEPT}/specs/service-{}.yaml", s.name), kept_service_spec(s));
    }
    files.insert(format!("{KEPT}/migration.yaml"), migration_yaml(plan).into_bytes());
    let kept_files: Vec<String> = files.keys().filter(|p| p.starts_with(&format!("{KEPT}/"))).cloned().collect();
    files.insert("src/kept.rs".into(), kept_module(&kept_files).into_bytes());
    modules.sort();
    let mut mod_rs = String::from("//! The templates written as Rust, one module per template and major version.\n\n");
    for m in &modules {
        mod_rs.push_str(&format!("pub mod {m};\n"));
    }
    files.insert("src/templates/mod.rs".into(), mod_rs.into_bytes());
    files.insert("src/lib.rs".into(), lib_rs(plan, &entries, &is_typed)?.into_bytes());
    files.extend(
        crate::project::runner_files(&crate_name.replace('-', "_")).into_iter().map(|(p, text)| (p, text.into_bytes())),
    );
    files.insert("Cargo.toml".into(), cargo_toml(crate_name, &features).into_bytes());
    files.insert(".gitignore".into(), b"/target\n/cloudwright.out\n/deploy.out\n".to_vec());
    files.insert("README.md".into(), readme(crate_name, &typed, &kept).into_bytes());
    Ok(Project { files, typed, kept })
}

/// The Rust module of a translated template: its input structs, its constructor and its
/// closures.
fn template_module(e: &Entry, main: &Translated, pipeline: Option<&Translated>) -> Result<Vec<u8>> {
    let t = e.template;
    let id = names::type_name(&format!("{}_v{}", t.name, t.major));
    let mut uses: BTreeSet<String> = main.body.uses.clone();
    if let Some(p) = pipeline {
        uses.extend(p.body.uses.iter().cloned());
    }
    uses.extend(
        ["cloudwright_constructs::App", "cloudwright_constructs::Result", "schemars::JsonSchema", "serde::Serialize"]
            .map(str::to_owned),
    );
    let mut code = String::new();
    let description = |d: &Option<String>| d.as_ref().map_or("None".to_owned(), |d| format!("Some({d:?}.into())"));
    let (structs, constructor) = if t.bundle.kind == crate::proton::render::Kind::Environment {
        let input = input_struct(t, "environment_input_type", &id)?;
        uses.extend(
            ["EnvironmentContext", "EnvironmentTemplate", "EnvironmentTemplateProps"]
                .map(|i| format!("cloudwright_constructs::proton::{i}")),
        );
        let constructor = format!(
            "/// The `{name}` environment template, v{major}.\npub fn template(app: &App) -> Result<EnvironmentTemplate<{input}>> {{\n    EnvironmentTemplate::new(app, {id:?}, EnvironmentTemplateProps {{ name: {name:?}.into(), description: {desc}, major: {major}, ..Default::default() }}, infrastructure)\n}}\n\n/// `infrastructure/`, as typed resources.\nfn infrastructure(ctx: &EnvironmentContext) -> Result<()> {{\n{body}}}\n",
            name = t.name,
            major = t.major,
            input = input.name,
            desc = description(&main.description),
            body = closure_body(main),
        );
        (input.code(), constructor)
    } else {
        let input = input_struct(t, "service_input_type", &id)?;
        uses.extend(
            ["Compatible", "InstanceContext", "ServiceTemplate", "ServiceTemplateProps"]
                .map(|i| format!("cloudwright_constructs::proton::{i}")),
        );
        let mut structs = input.code();
        let props = format!(
            "ServiceTemplateProps {{ name: {name:?}.into(), description: {desc}, pipeline_description: {pdesc}, major: {major}, compatible_environments: compatible, components: {components}, ..Default::default() }}",
            name = t.name,
            major = t.major,
            desc = description(&main.description),
            pdesc = pipeline.map_or("None".to_owned(), |p| {
                if p.description == main.description { "None".to_owned() } else { description(&p.description) }
            }),
            components = main.components,
        );
        let instance_fn = format!(
            "/// `instance_infrastructure/`, as typed resources.\nfn instance(ctx: &InstanceContext) -> Result<()> {{\n{}}}\n",
            closure_body(main)
        );
        let constructor = match pipeline {
            Some(p) => {
                uses.insert("cloudwright_constructs::proton::PipelineContext".into());
                let pipeline_input = if t.bundle.names_input_type("pipeline_input_type") {
                    let s = input_struct(t, "pipeline_input_type", &format!("{id}Pipeline"))?;
                    structs.push('\n');
                    structs.push_str(&s.code());
                    s.name
                } else {
                    uses.insert("cloudwright_constructs::proton::NoPipeline".into());
                    "NoPipeline".to_owned()
                };
                format!(
                    "/// The `{name}` service template, v{major}, with its pipeline.\npub fn template(app: &App, compatible: Vec<Compatible>) -> Result<ServiceTemplate<{input}, {pipeline_input}>> {{\n    ServiceTemplate::with_pipeline(app, {id:?}, {props}, instance, pipeline)\n}}\n\n{instance_fn}\n/// `pipeline_infrastructure/`, as typed resources.\nfn pipeline(ctx: &PipelineContext) -> Result<()> {{\n{}}}\n",
                    closure_body(p),
                    name = t.name,
                    major = t.major,
                    input = input.name,
                )
            }
            None => format!(
                "/// The `{name}` service template, v{major}.\npub fn template(app: &App, compatible: Vec<Compatible>) -> Result<ServiceTemplate<{input}>> {{\n    ServiceTemplate::new(app, {id:?}, {props}, instance)\n}}\n\n{instance_fn}",
                name = t.name,
                major = t.major,
                input = input.name,
            ),
        };
        (structs, constructor)
    };
    code.push_str(&format!(
        "//! The `{}` template, v{}: translated from its Jinja bundle by `cloudwright proton migrate --rust`.\n\n",
        t.name, t.major
    ));
    code.push_str(&use_lines(&uses));
    code.push('\n');
    code.push_str(&structs);
    code.push('\n');
    code.push_str(&constructor);
    Ok(code.into_bytes())
}

/// The statements of a closure: the stack, the imported body, `Ok(())`.
fn closure_body(t: &Translated) -> String {
    format!("    let stack = ctx.stack().clone();\n{}    Ok(())\n", t.body.body)
}

/// The input struct of the schema's type under `key` (an empty one, named after the
/// template, when the schema names none).
fn input_struct(t: &Template, key: &str, fallback: &str) -> Result<InputStruct> {
    let schema = if t.bundle.names_input_type(key) {
        t.bundle.input_type(key)?
    } else {
        cloudwright_constructs::proton::InputSchema {
            type_name: format!("{fallback}Input"),
            schema: json!({"type": "object", "properties": {}}),
        }
    };
    Ok(InputStruct::new(&schema))
}

/// `lib.rs`: the templates, environments and services, and the kept files.
fn lib_rs(
    plan: &Plan,
    entries: &BTreeMap<(String, u32), Entry>,
    is_typed: &dyn Fn(&Template) -> bool,
) -> Result<String> {
    let mut body = String::new();
    let template_var = |t: &Template| entries.get(&key(t)).map_or_else(String::new, |e| e.module.clone());
    let mut declared = BTreeSet::new();
    let mut uses: BTreeSet<String> =
        ["App", "Result", "proton::DeployMode"].map(|i| format!("cloudwright_constructs::{i}")).into();
    for env in plan.environments.values().filter(|e| is_typed(&e.template)) {
        let var = template_var(&env.template);
        if declared.insert(var.clone()) {
            body.push_str(&format!("    let {var} = templates::{var}::template(app)?;\n"));
        }
    }
    // The environments typed services run in: their handles are kept for the instances.
    let referenced: BTreeSet<&str> = plan
        .services
        .values()
        .filter(|s| is_typed(&s.template))
        .flat_map(|s| s.instances.iter().map(|i| i.environment.as_str()))
        .collect();
    let mut env_vars = BTreeMap::new();
    for env in plan.environments.values().filter(|e| is_typed(&e.template)) {
        uses.extend(["Environment", "proton::EnvironmentProps"].map(|i| format!("cloudwright_constructs::{i}")));
        let var = format!("env_{}", plain_ident(&env.name).trim_start_matches("r#"));
        let module = template_var(&env.template);
        let input = input_struct(&env.template, "environment_input_type", &names::type_name(&module))?
            .literal(&format!("templates::{module}"), &env.inputs);
        let binding = if referenced.contains(env.name.as_str()) { format!("let {var} = ") } else { String::new() };
        body.push_str(&format!(
            "    {binding}{module}.deploy(app, {id:?}, EnvironmentProps {{ name: {name:?}.into(), inputs: {input}, env: Environment::default(), stack_name: None }})?;\n",
            id = format!("{}Environment", names::type_name(&env.name)),
            name = env.name,
        ));
        env_vars.insert(env.name.clone(), var);
    }
    for s in plan.services.values().filter(|s| is_typed(&s.template)) {
        uses.extend(
            ["Environment", "proton::ServiceProps", "proton::ServiceInstanceProps"]
                .map(|i| format!("cloudwright_constructs::{i}")),
        );
        let module = template_var(&s.template);
        let compatible: BTreeSet<String> = s
            .instances
            .iter()
            .filter_map(|i| plan.environments.get(&i.environment))
            .map(|e| format!("{}.compatible()", template_var(&e.template)))
            .collect();
        if declared.insert(module.clone()) {
            body.push_str(&format!(
                "    let {module} = templates::{module}::template(app, vec![{}])?;\n",
                compatible.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
        let fallback = names::type_name(&module);
        let instance_input = input_struct(&s.template, "service_input_type", &fallback)?;
        let instances: Vec<String> = s
            .instances
            .iter()
            .map(|i| {
                format!(
                    "ServiceInstanceProps {{ name: {name:?}.into(), environment: {env}.clone(), inputs: {inputs}, component_outputs: Vec::new() }}",
                    name = i.name,
                    env = env_vars.get(&i.environment).cloned().unwrap_or_default(),
                    inputs = instance_input.literal(&format!("templates::{module}"), &i.inputs),
                )
            })
            .collect();
        let pipeline = if !s.template.has_pipeline() {
            "None".to_owned()
        } else if s.template.bundle.names_input_type("pipeline_input_type") {
            let p = input_struct(&s.template, "pipeline_input_type", &format!("{fallback}Pipeline"))?;
            format!("Some({})", p.literal(&format!("templates::{module}"), &s.pipeline_inputs))
        } else {
            uses.insert("cloudwright_constructs::proton::NoPipeline".into());
            "Some(NoPipeline {})".to_owned()
        };
        let r = &s.repository;
        body.push_str(&format!(
            "    {module}.deploy(app, {id:?}, ServiceProps {{ name: {name:?}.into(), repository_id: {rid:?}.into(), repository_connection_arn: {arn:?}.into(), branch_name: {branch:?}.into(), pipeline: {pipeline}, pipeline_env: Environment::default(), instances: vec![{instances}] }})?;\n",
            id = format!("{}Service", names::type_name(&s.name)),
            name = s.name,
            rid = r.id.clone().unwrap_or_default(),
            arn = r.connection_arn.clone().unwrap_or_default(),
            branch = r.branch.clone().unwrap_or_else(|| "main".into()),
            instances = instances.join(", "),
        ));
    }
    Ok(format!(
        "//! The Proton templates of a template-sync repository, migrated by `cloudwright proton migrate --rust`:\n//! each template a typed `EnvironmentTemplate`/`ServiceTemplate` (`templates/`), each environment and\n//! service declared with typed inputs from its spec. Templates the translation could not express are\n//! kept as Jinja bundles (`proton-kept/`, see README.md).\n\npub mod templates;\nmod kept;\n\n{uses}\n/// Declares the templates, environments and services; synth writes them as a template-sync\n/// repository (`proton/`), which `cloudwright proton migrate` deploys.\npub fn build(app: &App) -> Result<()> {{\n    // The stacks are `cloudwright proton migrate`'s, which also takes over the deployed\n    // Proton stacks: this app writes the bundles, specs and migration.yaml it reads.\n    DeployMode::Proton.set(app);\n{body}    app.add_file_generator(kept::files);\n    Ok(())\n}}\n",
        uses = use_lines(&uses)
    ))
}

/// A kept service's spec: its pipeline inputs and every instance, as `proton migrate` read them.
fn kept_service_spec(s: &ServicePlan) -> Vec<u8> {
    let instances: Vec<(String, String, Json)> =
        s.instances.iter().map(|i| (i.name.clone(), i.environment.clone(), i.inputs.clone())).collect();
    let pipeline = (s.template.has_pipeline() && !s.pipeline_inputs.is_null()).then_some(&s.pipeline_inputs);
    service_spec(&s.template.name, pipeline, &instances)
}

/// `migration.yaml` for the repository the app writes: what the original said, with the
/// specs where the app writes them.
fn migration_yaml(plan: &Plan) -> String {
    let placement = |account: &Option<String>, region: &Option<String>| {
        let mut m = Map::new();
        if let Some(a) = account {
            m.insert("account".into(), json!(a));
        }
        if let Some(r) = region {
            m.insert("region".into(), json!(r));
        }
        m
    };
    let mut envs = Map::new();
    for e in plan.environments.values() {
        let mut m = placement(&e.placement.account, &e.placement.region);
        m.insert("spec".into(), json!(format!("specs/environment-{}.yaml", e.name)));
        m.insert("template".into(), json!(e.template.name));
        m.insert("major".into(), json!(e.template.major));
        envs.insert(e.name.clone(), Json::Object(m));
    }
    let mut services = Map::new();
    for s in plan.services.values() {
        let mut repository = Map::new();
        for (k, v) in [
            ("id", &s.repository.id),
            ("branch", &s.repository.branch),
            ("connection_arn", &s.repository.connection_arn),
        ] {
            if let Some(v) = v {
                repository.insert(k.into(), json!(v));
            }
        }
        let mut m = Map::new();
        m.insert("spec".into(), json!(format!("specs/service-{}.yaml", s.name)));
        m.insert("template".into(), json!(s.template.name));
        m.insert("major".into(), json!(s.template.major));
        if !repository.is_empty() {
            m.insert("repository".into(), Json::Object(repository));
        }
        services.insert(s.name.clone(), Json::Object(m));
    }
    let doc = json!({
        "management": placement(&plan.management.account, &plan.management.region),
        "environments": envs,
        "services": services,
    });
    format!(
        "# Written by `cloudwright proton migrate --rust`: accounts, regions and sources of the migrated repository.\n{}",
        serde_yaml::to_string(&doc).unwrap_or_default()
    )
}

/// `kept.rs`: the files under `proton-kept/`, written under `proton/` as they are.
fn kept_module(paths: &[String]) -> String {
    let mut out = String::from(
        "//! What the app writes as it is: templates kept as Jinja, the specs of the environments and services\n//! that use them, and `migration.yaml` (accounts, regions and sources for `proton migrate`).\n\n/// The files, under `proton/`.\npub fn files() -> cloudwright_constructs::Result<Vec<(String, Vec<u8>)>> {\n    Ok(vec![\n",
    );
    for p in paths {
        let rel = p.strip_prefix(&format!("{KEPT}/")).unwrap_or(p);
        out.push_str(&format!("        (\"proton/{rel}\".to_owned(), include_bytes!(\"../{p}\").to_vec()),\n"));
    }
    out.push_str("    ])\n}\n");
    out
}

/// Copies a bundle directory under `proton-kept/<to>/`.
fn copy_bundle(dir: &Path, to: &str, files: &mut BTreeMap<String, Vec<u8>>) -> Result<()> {
    let mut found = Vec::new();
    walk(dir, &mut found)?;
    for path in found {
        let rel = path.strip_prefix(dir).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        let bytes = std::fs::read(&path).map_err(|e| Error::Read { path: path.clone(), source: e })?;
        files.insert(format!("{KEPT}/{to}/{rel}"), bytes);
    }
    Ok(())
}

fn cargo_toml(name: &str, features: &BTreeSet<String>) -> String {
    let features = features.iter().map(|f| format!("{f:?}")).collect::<Vec<_>>().join(", ");
    crate::project::manifest(
        name,
        &(crate::project::cloudwright_dependencies(&features)
            + "serde = { version = \"1\", features = [\"derive\"] }\nserde_json = \"1\"\nschemars = \"0.8\"\n"),
    )
}

fn readme(name: &str, typed: &[String], kept: &[(String, String)]) -> String {
    let mut out = format!(
        "# {name}\n\nThe Proton templates of a template-sync repository as a cloudwright project, written by\n`cloudwright proton migrate --rust`. Each template is a typed `EnvironmentTemplate` or\n`ServiceTemplate` in `src/templates/`: its inputs a Rust struct from its schema, its\ninfrastructure typed L1 resources whose Proton parameters are the context's accessors\n(`ctx.input(\"vpc_cidr\")`). `src/lib.rs` declares each environment and service with the inputs\nof its spec.\n\n```sh\ncargo run -- synth -o cloudwright.out    # the bundles, specs and migration.yaml under cloudwright.out/proton/\ncloudwright proton migrate cloudwright.out/proton -o deploy.out --deployed describe-stacks.json\ncdk deploy --app deploy.out --all\n```\n\n`proton migrate` renders the bundles into plain stacks and takes over the stacks Proton\ndeployed (see its `MIGRATION.md`). Before the first change, check that the translation kept\nthe stacks: migrate the original repository the same way and compare,\n`cloudwright diff migrated deploy.out` (no differences, exit 0; resources may be listed in\nanother order, which CloudFormation does not read).\n\n## Templates\n\n"
    );
    for t in typed {
        out.push_str(&format!("- `{t}`: Rust.\n"));
    }
    for (t, why) in kept {
        out.push_str(&format!("- `{t}`: kept as Jinja (`proton-kept/`): {why}.\n"));
    }
    if !kept.is_empty() {
        out.push_str("\nA kept template is written as it is; port it by hand (Jinja conditions become Rust\n`if`s over typed inputs in plain mode, CloudFormation `Conditions` in a bundle), then move its\nenvironments and services into `src/lib.rs`.\n");
    }
    out
}
