//! A Proton template bundle on disk: its schema and its infrastructure directories, each
//! rendered with a context to one CloudFormation template (JSON).

use std::path::{Path, PathBuf};

use cloudwright_core::{Error, Result};
use serde_json::Value as Json;

use super::{cfn_yaml_to_json, filters, jinja2, merge, read_text, read_yaml};
use cloudwright_constructs::proton::InputSchema;

/// Which template a bundle holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An environment template (`infrastructure/`).
    Environment,
    /// A service template (`instance_infrastructure/`, perhaps `pipeline_infrastructure/`).
    Service,
}

/// Which infrastructure directory of the bundle to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// `infrastructure/` or `instance_infrastructure/`.
    Main,
    /// `pipeline_infrastructure/` of a service template.
    Pipeline,
}

/// A bundle directory and its parsed schema file.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// Which template the bundle holds.
    pub kind: Kind,
    infrastructure: PathBuf,
    /// `pipeline_infrastructure/`, when the service template has one.
    pipeline: Option<PathBuf>,
    schema_path: PathBuf,
    schema: Json,
}

impl Bundle {
    /// Opens the bundle directory (holding `schema/` and `infrastructure/` or `instance_infrastructure/`).
    pub fn open(dir: &Path) -> Result<Bundle> {
        let not_a_bundle = |why: &str| Error::Input {
            path: dir.display().to_string(),
            message: format!(
                "is not a Proton bundle: it has {why} (a bundle holds schema/ and infrastructure/ or instance_infrastructure/)"
            ),
        };
        let schema_path = dir.join("schema/schema.yaml");
        if !schema_path.is_file() {
            return Err(not_a_bundle("no schema/schema.yaml"));
        }
        let (kind, infrastructure) = if dir.join("infrastructure").is_dir() {
            (Kind::Environment, dir.join("infrastructure"))
        } else if dir.join("instance_infrastructure").is_dir() {
            (Kind::Service, dir.join("instance_infrastructure"))
        } else {
            return Err(not_a_bundle("neither infrastructure/ nor instance_infrastructure/"));
        };
        let doc: Json = read_yaml(&schema_path)?;
        let schema = doc.get("schema").cloned().ok_or_else(|| Error::Input {
            path: schema_path.display().to_string(),
            message: "has no top-level `schema:`; a Proton schema file starts with `schema:`".into(),
        })?;
        let pipeline = Some(dir.join("pipeline_infrastructure")).filter(|p| kind == Kind::Service && p.is_dir());
        Ok(Bundle { kind, infrastructure, pipeline, schema_path, schema })
    }

    /// True when the service template has a `pipeline_infrastructure/`.
    pub fn has_pipeline(&self) -> bool {
        self.pipeline.is_some()
    }

    /// Whether the schema names an input type under `key` (`pipeline_input_type` is optional).
    pub fn names_input_type(&self, key: &str) -> bool {
        self.schema.get(key).is_some()
    }

    /// The input type the schema names under `key`.
    pub fn input_type(&self, key: &str) -> Result<InputSchema> {
        let problem = |message: String| Error::Input { path: self.schema_path.display().to_string(), message };
        let name = self.schema.get(key).and_then(Json::as_str).ok_or_else(|| problem(format!("has no {key}")))?;
        let schema = self
            .schema
            .get("types")
            .and_then(|t| t.get(name))
            .ok_or_else(|| problem(format!("{key} {name:?} is not in types")))?;
        Ok(InputSchema { type_name: name.to_owned(), schema: schema.clone() })
    }

    /// The Jinja source files of an infrastructure directory, with their text.
    pub fn sources(&self, part: Part) -> Result<Vec<(PathBuf, String)>> {
        template_files(self.dir(part), "")?.into_iter().map(|f| read_text(&f).map(|text| (f, text))).collect()
    }

    fn dir(&self, part: Part) -> &Path {
        match part {
            Part::Main => &self.infrastructure,
            Part::Pipeline => self.pipeline.as_ref().unwrap_or(&self.infrastructure),
        }
    }

    /// Renders the templates of the infrastructure directory (merged when several) to JSON;
    /// `context` begins each message (which instance).
    pub fn render(&self, part: Part, ctx: &Json, context: &str) -> Result<Json> {
        render_dir(self.dir(part), ctx, context)
    }
}

/// The Jinja CloudFormation files a directory's `manifest.yaml` lists, in order;
/// `context` begins each message.
fn template_files(dir: &Path, context: &str) -> Result<Vec<PathBuf>> {
    let manifest_path = dir.join("manifest.yaml");
    let problem = |message: String| Error::Input {
        path: manifest_path.display().to_string(),
        message: format!("{context}{message}"),
    };
    let manifest: Json = read_yaml(&manifest_path)?;
    let templates = manifest.pointer("/infrastructure/templates").and_then(Json::as_array).cloned().unwrap_or_default();
    if templates.is_empty() {
        return Err(problem("lists no infrastructure.templates".into()));
    }
    let mut files = Vec::new();
    for t in templates {
        let engine = t.get("rendering_engine").and_then(Json::as_str);
        let language = t.get("template_language").and_then(Json::as_str);
        if engine != Some("jinja") || language != Some("cloudformation") {
            return Err(problem(format!(
                "only Jinja CloudFormation templates render; this one has rendering_engine {} and template_language {} (Terraform and CodeBuild provisioning are not rendered: deploy them with their own tools)",
                engine.unwrap_or("(none)"),
                language.unwrap_or("(none)")
            )));
        }
        let name = t.get("file").and_then(Json::as_str).unwrap_or("cloudformation.yaml");
        files.push(inside(dir, name).ok_or_else(|| {
            problem(format!(
                "names the template file {name:?}, which is not a file of this directory; a manifest names \
                 templates beside it (`file: cloudformation.yaml`), never `..`, an absolute path or a link out"
            ))
        })?);
    }
    Ok(files)
}

/// `name` in `dir` when it is a plain relative path that stays there, links resolved (a
/// bundle is input a caller may not trust: a pull request's bundle must not read the files
/// of the job that renders it).
fn inside(dir: &Path, name: &str) -> Option<PathBuf> {
    let relative = Path::new(name);
    if name.is_empty() || !relative.components().all(|c| matches!(c, std::path::Component::Normal(_))) {
        return None;
    }
    let path = dir.join(relative);
    match (path.canonicalize(), dir.canonicalize()) {
        (Ok(real), Ok(root)) => real.starts_with(&root).then_some(path),
        // A file that does not exist stays inside; reading it reports it missing.
        (Err(_), _) => Some(path),
        (Ok(_), Err(_)) => None,
    }
}

/// Renders the templates a directory's `manifest.yaml` lists (merged when several) to JSON;
/// `context` begins each message.
pub(super) fn render_dir(dir: &Path, ctx: &Json, context: &str) -> Result<Json> {
    let problem = |path: String, message: String| Error::Input { path, message: format!("{context}{message}") };
    let mut merged = Json::Null;
    for file in template_files(dir, context)? {
        let source = read_text(&file)?;
        if let Some(line) = jinja2::prefix_chain_line(&source) {
            return Err(problem(
                format!("{}:{line}", file.display()),
                "Jinja rendering failed: an expression chains too many `-` or `not` one after another; write the \
                 value it means"
                    .into(),
            ));
        }
        let mut env = jinja2::environment();
        filters::add_to(&mut env);
        let rendered = jinja2::render_bounded(&env, &source, ctx).map(|r| filters::layout(&r)).map_err(|e| {
            let path = e.line().map_or_else(|| file.display().to_string(), |l| format!("{}:{l}", file.display()));
            problem(path, format!("Jinja rendering failed: {e:#}"))
        })?;
        // Lines of YAML problems are those of the rendered text.
        let json = cfn_yaml_to_json(&rendered, &file.display().to_string()).map_err(|e| match e {
            Error::Input { path, message } => problem(path, message),
            other => other,
        })?;
        merged = if merged.is_null() { json } else { merge(merged, json) };
    }
    Ok(merged)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn bundle_dir(name: &str, file: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("cw-bundle-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("infrastructure")).unwrap();
        let manifest = format!(
            "infrastructure:\n  templates:\n    - file: {file:?}\n      rendering_engine: jinja\n      template_language: cloudformation\n"
        );
        std::fs::write(dir.join("infrastructure/manifest.yaml"), manifest).unwrap();
        std::fs::write(dir.join("secret.yaml"), "Resources: {}\n").unwrap();
        dir
    }

    #[test]
    fn a_manifest_cannot_name_a_file_outside_its_directory() {
        for (case, file) in
            [("parent", "../secret.yaml"), ("absolute", "/etc/passwd"), ("nested", "a/../../secret.yaml")]
        {
            let dir = bundle_dir(case, file);
            let err = template_files(&dir.join("infrastructure"), "").expect_err(file);
            let text = err.to_string();
            assert!(matches!(err, Error::Input { .. }), "{text}");
            assert!(text.contains("manifest.yaml") && text.contains(file), "{text}");
            std::fs::remove_dir_all(&dir).unwrap();
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_link_out_of_the_directory_is_refused() {
        let dir = bundle_dir("link", "cloudformation.yaml");
        std::os::unix::fs::symlink(dir.join("secret.yaml"), dir.join("infrastructure/cloudformation.yaml")).unwrap();
        let err = template_files(&dir.join("infrastructure"), "").expect_err("a link out");
        assert!(err.to_string().contains("not a file of this directory"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_file_beside_the_manifest_is_read() {
        let dir = bundle_dir("plain", "cloudformation.yaml");
        let files = template_files(&dir.join("infrastructure"), "").unwrap();
        assert_eq!(files, [dir.join("infrastructure/cloudformation.yaml")]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
