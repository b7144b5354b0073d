//! `manifest.json`, typed: what synthesis writes, what tools writing templates outside the
//! construct tree write, and what every reader of an assembly reads (ours or the CDK's).
//!
//! Writing gives the bytes synthesis has always written: fields in the CDK's order, optional
//! ones left out when unset. Reading keeps what the model does not name (an artifact type
//! it does not know, `additionalMetadataFile`, `minimumCliVersion`, a property the schema
//! added) in `extra` fields, so a manifest read and written again is the same JSON value.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::io::Read;
use std::marker::PhantomData;
use std::path::Path;

use indexmap::IndexMap;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use super::bootstrap::{Bootstrap, LOOKUP_ROLE_VERSION, REQUIRED_VERSION, RoleKind};
use crate::env::Environment;
use crate::error::{Error, Result};

/// The manifest schema version the pinned aws-cdk CLI reads.
pub const MANIFEST_VERSION: &str = "55.0.0";

/// The largest manifest read (512 MiB): a larger file is refused, not read into memory.
pub const MAX_MANIFEST_BYTES: u64 = crate::limits::MANIFEST_BYTES;

/// Nested assemblies deeper than this are not a cloud assembly any tool writes.
pub const MAX_NESTING: usize = crate::limits::ASSEMBLY_NESTING;

/// The metadata type of a template element's logical id: `{"type": "aws:cdk:logicalId",
/// "data": "<logical id>"}` under the element's construct path.
pub const LOGICAL_ID_METADATA: &str = "aws:cdk:logicalId";

/// The artifact types the model knows.
pub mod artifact_type {
    /// A CloudFormation stack.
    pub const STACK: &str = "aws:cloudformation:stack";
    /// A stack's asset manifest (`<stack>.assets.json`).
    pub const ASSET_MANIFEST: &str = "cdk:asset-manifest";
    /// A nested cloud assembly (a stage).
    pub const NESTED_ASSEMBLY: &str = "cdk:cloud-assembly";
    /// The construct tree (`tree.json`).
    pub const TREE: &str = "cdk:tree";
}

/// An artifact's metadata: entries by construct path (`/Stack/Queue/Resource`), in the
/// file's order.
pub type Metadata = IndexMap<String, Vec<MetadataEntry>>;

/// What an artifact's `metadata` is: [`Metadata`] held in memory (what reading gives), or
/// entries written from elsewhere as the manifest is serialized (synthesis writes a stack's,
/// one per element, straight from the construct tree rather than building them first).
pub trait MetadataField: Serialize + Default {
    /// True when there is nothing to write: the field is then left out.
    fn is_empty(&self) -> bool;
}

impl MetadataField for Metadata {
    fn is_empty(&self) -> bool {
        IndexMap::is_empty(self)
    }
}

/// `manifest.json` of one (nested) assembly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(serialize = "M: MetadataField", deserialize = "M: MetadataField + Deserialize<'de>"))]
pub struct Manifest<M = Metadata> {
    /// The schema version ([`MANIFEST_VERSION`] when written here).
    #[serde(default)]
    pub version: String,
    /// Every artifact by id, in the order `cdk ls` lists them.
    #[serde(default)]
    pub artifacts: IndexMap<String, Artifact<M>>,
    /// Top-level fields the model does not name (`minimumCliVersion`, `missing`, `runtime`).
    #[serde(flatten)]
    pub extra: IndexMap<String, Json>,
}

impl<M> Default for Manifest<M> {
    fn default() -> Self {
        Manifest { version: MANIFEST_VERSION.to_owned(), artifacts: IndexMap::new(), extra: IndexMap::new() }
    }
}

/// One artifact: its type and that type's properties, and what every type may have.
#[derive(Debug, Clone, PartialEq)]
pub struct Artifact<M = Metadata> {
    /// The type (`type`) and its properties (`properties`).
    pub properties: Properties,
    /// `aws://ACCOUNT/REGION` (stacks).
    pub environment: Option<String>,
    /// Ids of the artifacts of the same manifest this one deploys after.
    pub dependencies: Vec<String>,
    /// Metadata entries by construct path.
    pub metadata: M,
    /// What `cdk ls` shows (a stack's construct path).
    pub display_name: Option<String>,
    /// Fields the model does not name (`additionalMetadataFile`, ...), written before
    /// `displayName`.
    pub extra: IndexMap<String, Json>,
}

/// An artifact's type and its properties.
#[derive(Debug, Clone, PartialEq)]
pub enum Properties {
    /// `aws:cloudformation:stack`.
    Stack(Box<StackProperties>),
    /// `cdk:asset-manifest`.
    AssetManifest(AssetManifestProperties),
    /// `cdk:cloud-assembly`.
    NestedAssembly(NestedAssemblyProperties),
    /// `cdk:tree`.
    Tree(TreeProperties),
    /// Another type (`cdk:feature-flag-report`, ...), or a tree without properties, kept as
    /// read.
    Other {
        /// The type.
        r#type: String,
        /// Its properties, if it has any.
        properties: Option<Json>,
    },
}

impl Properties {
    /// The artifact type.
    pub fn type_name(&self) -> &str {
        match self {
            Properties::Stack(_) => artifact_type::STACK,
            Properties::AssetManifest(_) => artifact_type::ASSET_MANIFEST,
            Properties::NestedAssembly(_) => artifact_type::NESTED_ASSEMBLY,
            Properties::Tree(_) => artifact_type::TREE,
            Properties::Other { r#type, .. } => r#type,
        }
    }
}

/// The properties of a stack artifact, in the order synthesis writes them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StackProperties {
    /// The template, relative to the manifest's directory.
    pub template_file: String,
    /// Whether CloudFormation refuses to delete the stack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_protection: Option<bool>,
    /// Whether the CLI validates the template at synthesis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validate_on_synth: Option<bool>,
    /// The role `cdk deploy` assumes to deploy the stack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assume_role_arn: Option<String>,
    /// The role CloudFormation deploys the stack with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_formation_execution_role_arn: Option<String>,
    /// Where the template is published (`s3://bucket/<sha256>.json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack_template_asset_object_url: Option<String>,
    /// The bootstrap version deploying the stack needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires_bootstrap_stack_version: Option<u32>,
    /// The SSM parameter holding the bootstrap's version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrap_stack_version_ssm_parameter: Option<String>,
    /// Artifacts deployed first that are not stacks (the stack's asset manifest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_dependencies: Option<Vec<String>>,
    /// The role context lookups use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookup_role: Option<BootstrapRole>,
    /// Stack tags, which CloudFormation applies to the stack's resources.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub tags: IndexMap<String, String>,
    /// The CloudFormation stack name, when it is not the artifact id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack_name: Option<String>,
    /// Properties the model does not name (`parameters`, `notificationArns`, ...).
    #[serde(flatten)]
    pub extra: IndexMap<String, Json>,
}

impl StackProperties {
    /// The bootstrap qualifier the stack deploys with: its version parameter's
    /// (`/cdk-bootstrap/Q/version`), else its deploy role's (`cdk-Q-deploy-role-...`).
    pub fn bootstrap_qualifier(&self) -> Option<String> {
        let parameter = self.bootstrap_stack_version_ssm_parameter.as_deref();
        if let Some(q) = parameter.and_then(Bootstrap::qualifier_of_version_parameter) {
            return Some(q.to_owned());
        }
        Bootstrap::parse_role_name(self.assume_role_arn.as_deref()?).map(|r| r.qualifier)
    }
}

/// A bootstrap role the CLI assumes (`lookupRole`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BootstrapRole {
    /// The role's ARN.
    pub arn: String,
    /// The bootstrap version the role needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires_bootstrap_stack_version: Option<u32>,
    /// The SSM parameter holding the bootstrap's version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrap_stack_version_ssm_parameter: Option<String>,
    /// Fields the model does not name (`assumeRoleExternalId`, ...).
    #[serde(flatten)]
    pub extra: IndexMap<String, Json>,
}

/// The properties of an asset manifest artifact.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetManifestProperties {
    /// The asset manifest, relative to the manifest's directory.
    pub file: String,
    /// The bootstrap version publishing needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires_bootstrap_stack_version: Option<u32>,
    /// The SSM parameter holding the bootstrap's version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrap_stack_version_ssm_parameter: Option<String>,
    /// Properties the model does not name.
    #[serde(flatten)]
    pub extra: IndexMap<String, Json>,
}

/// The properties of a nested assembly artifact.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NestedAssemblyProperties {
    /// Its directory, relative to the manifest's.
    pub directory_name: String,
    /// What the CLI shows (the stage's path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Properties the model does not name.
    #[serde(flatten)]
    pub extra: IndexMap<String, Json>,
}

/// The properties of the tree artifact.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TreeProperties {
    /// `tree.json`.
    pub file: String,
    /// Properties the model does not name.
    #[serde(flatten)]
    pub extra: IndexMap<String, Json>,
}

/// One metadata entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetadataEntry {
    /// Its type (`aws:cdk:logicalId`, `cloudwright:rules`, ...).
    #[serde(rename = "type")]
    pub kind: String,
    /// Its data (`null` kept as written).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    pub data: Option<Json>,
    /// Where it was added (the CDK's stack traces).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<Json>,
}

/// A field that is present, even as `null`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Json>, D::Error> {
    Json::deserialize(d).map(Some)
}

/// What a stack artifact is made of ([`Artifact::new_stack`]): the same for synthesis and
/// for templates rendered outside the construct tree.
#[derive(Debug, Clone, Default)]
pub struct StackArtifactProps {
    /// The artifact id (and template file stem).
    pub artifact_id: String,
    /// The CloudFormation stack name.
    pub stack_name: String,
    /// What `cdk ls` shows.
    pub display_name: String,
    /// Where it deploys; an open account or region is resolved at deploy time.
    pub environment: Environment,
    /// The template, relative to the manifest's directory.
    pub template_file: String,
    /// Ids of the stacks of the same manifest it deploys after.
    pub dependencies: Vec<String>,
    /// The bootstrap whose roles deploy it.
    pub bootstrap: Bootstrap,
    /// Whether CloudFormation refuses to delete the stack.
    pub termination_protection: bool,
    /// Stack tags.
    pub tags: IndexMap<String, String>,
    /// The template's SHA-256 when the stack's asset manifest publishes the template
    /// ([`Artifact::asset_manifest`]), as synthesis does: the stack then names the template's
    /// object URL and deploys after its asset manifest.
    pub template_asset: Option<String>,
}

/// Artifact ids for stacks named outside a construct tree (templates rendered from another
/// tool's sources): a name's ASCII letters and digits, numbered (`2`, `3`, ...) when another
/// stack of the same manifest has them.
#[derive(Debug, Clone, Default)]
pub struct ArtifactIds {
    taken: HashSet<String>,
}

impl ArtifactIds {
    /// The id of the stack `name`, unique among those given before.
    pub fn id_for(&mut self, name: &str) -> String {
        let base: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
        let mut id = base.clone();
        let mut n = 1;
        while self.taken.contains(&id) {
            n += 1;
            id = format!("{base}{n}");
        }
        self.taken.insert(id.clone());
        id
    }
}

/// The id of a stack's asset manifest artifact: `<stack artifact id>.assets`.
pub fn assets_artifact_id(stack_artifact_id: &str) -> String {
    format!("{stack_artifact_id}.assets")
}

impl<M: Default> Artifact<M> {
    /// An artifact of `properties` and nothing else.
    pub fn of(properties: Properties) -> Self {
        Artifact {
            properties,
            environment: None,
            dependencies: Vec::new(),
            metadata: M::default(),
            display_name: None,
            extra: IndexMap::new(),
        }
    }

    /// A stack, deployed with the bootstrap's roles (the default stack synthesizer's
    /// properties, as the CDK writes them).
    pub fn new_stack(props: StackArtifactProps) -> Self {
        let StackArtifactProps {
            artifact_id,
            stack_name,
            display_name,
            environment,
            template_file,
            mut dependencies,
            bootstrap: b,
            termination_protection,
            tags,
            template_asset,
        } = props;
        let assets_id = template_asset.as_ref().map(|_| assets_artifact_id(&artifact_id));
        let properties = StackProperties {
            template_file,
            termination_protection: Some(termination_protection),
            validate_on_synth: Some(false),
            assume_role_arn: Some(b.role_arn(RoleKind::Deploy, &environment)),
            cloud_formation_execution_role_arn: Some(b.role_arn(RoleKind::CfnExec, &environment)),
            stack_template_asset_object_url: template_asset
                .map(|hash| format!("s3://{}/{hash}.json", b.assets_bucket(&environment))),
            requires_bootstrap_stack_version: Some(REQUIRED_VERSION),
            bootstrap_stack_version_ssm_parameter: Some(b.version_parameter()),
            additional_dependencies: assets_id.clone().map(|id| vec![id]),
            lookup_role: Some(BootstrapRole {
                arn: b.role_arn(RoleKind::Lookup, &environment),
                requires_bootstrap_stack_version: Some(LOOKUP_ROLE_VERSION),
                bootstrap_stack_version_ssm_parameter: Some(b.version_parameter()),
                extra: IndexMap::new(),
            }),
            tags,
            stack_name: (stack_name != artifact_id).then_some(stack_name),
            extra: IndexMap::new(),
        };
        dependencies.extend(assets_id);
        Artifact {
            environment: Some(environment.to_string()),
            dependencies,
            display_name: Some(display_name),
            ..Artifact::of(Properties::Stack(Box::new(properties)))
        }
    }

    /// The asset manifest of the stack `stack_artifact_id` (`<id>.assets.json`), published
    /// with the bootstrap's roles; its id is [`assets_artifact_id`].
    pub fn asset_manifest(stack_artifact_id: &str, bootstrap: &Bootstrap) -> Self {
        Artifact::of(Properties::AssetManifest(AssetManifestProperties {
            file: format!("{stack_artifact_id}.assets.json"),
            requires_bootstrap_stack_version: Some(REQUIRED_VERSION),
            bootstrap_stack_version_ssm_parameter: Some(bootstrap.version_parameter()),
            extra: IndexMap::new(),
        }))
    }

    /// A nested assembly in `directory_name`, shown as `display_name`.
    pub fn nested_assembly(directory_name: &str, display_name: &str) -> Self {
        Artifact::of(Properties::NestedAssembly(NestedAssemblyProperties {
            directory_name: directory_name.to_owned(),
            display_name: Some(display_name.to_owned()),
            extra: IndexMap::new(),
        }))
    }

    /// The construct tree, `tree.json`.
    pub fn tree() -> Self {
        Artifact::of(Properties::Tree(TreeProperties { file: "tree.json".to_owned(), extra: IndexMap::new() }))
    }
}

impl<M> Artifact<M> {
    /// The artifact type.
    pub fn type_name(&self) -> &str {
        self.properties.type_name()
    }

    /// A stack's properties.
    pub fn as_stack(&self) -> Option<&StackProperties> {
        match &self.properties {
            Properties::Stack(p) => Some(p),
            _ => None,
        }
    }

    /// A nested assembly's properties.
    pub fn as_nested_assembly(&self) -> Option<&NestedAssemblyProperties> {
        match &self.properties {
            Properties::NestedAssembly(p) => Some(p),
            _ => None,
        }
    }

    /// The account and region of `environment` (`aws://ACCOUNT/REGION`), as written
    /// (`unknown-account`, `unknown-region` when the stack leaves them open).
    pub fn account_region(&self) -> Option<(&str, &str)> {
        split_environment(self.environment.as_deref()?)
    }

    /// The CloudFormation stack name of a stack artifact: `stackName`, else the artifact id.
    pub fn stack_name<'a>(&'a self, artifact_id: &'a str) -> &'a str {
        self.as_stack().and_then(|p| p.stack_name.as_deref()).unwrap_or(artifact_id)
    }
}

impl Artifact<Metadata> {
    /// Every metadata entry: (construct path, entry), in the file's order.
    pub fn metadata_entries(&self) -> impl Iterator<Item = (&str, &MetadataEntry)> {
        self.metadata.iter().flat_map(|(path, entries)| entries.iter().map(move |e| (path.as_str(), e)))
    }

    /// The data of the entries of type `kind`: (construct path, data).
    pub fn metadata_of_type<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = (&'a str, &'a Json)> {
        self.metadata_entries()
            .filter(move |(_, e)| e.kind == kind)
            .map(|(p, e)| (p, e.data.as_ref().unwrap_or(&Json::Null)))
    }

    /// Each template element's logical id and its construct path without the leading `/`
    /// (`Stack/Queue/Resource`), from the `aws:cdk:logicalId` entries: the one reader of them.
    pub fn logical_ids(&self) -> impl Iterator<Item = (&str, &str)> {
        self.metadata_of_type(LOGICAL_ID_METADATA)
            .filter_map(|(path, data)| Some((data.as_str()?, path.trim_start_matches('/'))))
    }
}

/// The account and region of an environment string (`aws://ACCOUNT/REGION`).
pub fn split_environment(environment: &str) -> Option<(&str, &str)> {
    environment.strip_prefix("aws://")?.split_once('/')
}

impl<M: MetadataField> Manifest<M> {
    /// A manifest of `artifacts`, at [`MANIFEST_VERSION`].
    pub fn new(artifacts: IndexMap<String, Artifact<M>>) -> Self {
        Manifest { artifacts, ..Manifest::default() }
    }

    /// The stack artifacts: (artifact id, artifact, its properties).
    pub fn stacks(&self) -> impl Iterator<Item = (&str, &Artifact<M>, &StackProperties)> {
        self.artifacts.iter().filter_map(|(id, a)| Some((id.as_str(), a, a.as_stack()?)))
    }

    /// The nested assemblies: (artifact id, their properties).
    pub fn nested_assemblies(&self) -> impl Iterator<Item = (&str, &NestedAssemblyProperties)> {
        self.artifacts.iter().filter_map(|(id, a)| Some((id.as_str(), a.as_nested_assembly()?)))
    }

    /// The stacks `artifact` deploys after: its dependencies that are not asset manifests
    /// (by their type here, else by the `.assets` suffix synthesis gives their ids).
    pub fn stack_dependencies<'a>(&'a self, artifact: &'a Artifact<M>) -> impl Iterator<Item = &'a str> {
        artifact.dependencies.iter().map(String::as_str).filter(|d| match self.artifacts.get(*d) {
            Some(a) => !matches!(a.properties, Properties::AssetManifest(_)),
            None => !d.ends_with(".assets"),
        })
    }

    /// The manifest as synthesis writes it: indented by two spaces, no final line break.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(&mut out, crate::synth::indent::Indented::new(b"  "));
        // Serializing into memory fails only for a map key that is not a string, which
        // these types do not have.
        let _ = self.serialize(&mut ser);
        out
    }
}

impl Manifest {
    /// Parses a manifest; `name` (its path) is named in the error of a malformed or too
    /// large one.
    pub fn from_slice(bytes: &[u8], name: &str) -> Result<Manifest> {
        if bytes.len() as u64 > MAX_MANIFEST_BYTES {
            return Err(too_large(name));
        }
        let manifest: Manifest = serde_json::from_slice(bytes).map_err(|e| Error::Input {
            path: crate::limits::at_line(name, e.line(), e.column()),
            message: match e.classify() {
                serde_json::error::Category::Data => format!("is not a cloud assembly manifest: {e}"),
                _ => format!("is not valid JSON ({e}); it must be a cloud assembly manifest"),
            },
        })?;
        // Every reader joins a template's name to the manifest's directory: one naming a
        // file elsewhere would have them read (and diff print) any file the user can read.
        for (id, artifact) in &manifest.artifacts {
            let Properties::Stack(stack) = &artifact.properties else { continue };
            if !is_plain_relative(&stack.template_file) {
                return Err(Error::Input {
                    path: name.to_owned(),
                    message: format!(
                        "stack {id:?} names the template {:?}, which is not a file inside the assembly: a \
                         templateFile is a path relative to the manifest, without `..`",
                        stack.template_file
                    ),
                });
            }
        }
        Ok(manifest)
    }

    /// Reads the manifest at `path`: `Error::Read` when it cannot be read, `Error::Input`
    /// when it is malformed or larger than [`MAX_MANIFEST_BYTES`].
    pub fn read(path: &Path) -> Result<Manifest> {
        let read_error = |source| Error::Read { path: path.to_path_buf(), source };
        let file = std::fs::File::open(path).map_err(read_error)?;
        let mut bytes = Vec::new();
        file.take(MAX_MANIFEST_BYTES + 1).read_to_end(&mut bytes).map_err(read_error)?;
        Manifest::from_slice(&bytes, &path.display().to_string())
    }

    /// The app's own metadata entries (those of the `cdk:tree` artifact under `/`, where
    /// synthesis writes them) as `(type, data)`: the one reader of them.
    pub fn app_metadata(&self) -> impl Iterator<Item = (&str, &Json)> {
        let tree = self.artifacts.values().filter(|a| a.type_name() == artifact_type::TREE);
        tree.filter_map(|a| a.metadata.get("/"))
            .flatten()
            .map(|e| (e.kind.as_str(), e.data.as_ref().unwrap_or(&Json::Null)))
    }
}

/// A path of the assembly's own (`a/b.json`): relative, `/`-separated, no `.`, `..` or
/// empty part, no backslash (a separator on Windows).
fn is_plain_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && path.split('/').all(|part| !part.is_empty() && part != "." && part != "..")
}

fn too_large(name: &str) -> Error {
    Error::Input {
        path: name.to_owned(),
        message: format!("is larger than {} MiB, more than any cloud assembly manifest", MAX_MANIFEST_BYTES >> 20),
    }
}

/// The `cdk.out` file beside each manifest: the schema version, on one line.
pub fn cdk_out() -> Vec<u8> {
    format!("{{\"version\":\"{MANIFEST_VERSION}\"}}").into_bytes()
}

/// Every manifest of an assembly, the root's first and then nested assemblies' breadth
/// first (the order `cdk ls` lists stacks in), as `(directory, manifest)` where the directory
/// is `""` or `assembly-Dev/` (with its `/`). `read` gives the manifest at a path relative to
/// the root (`assembly-Dev/manifest.json`). Ends after the first error; a nested directory
/// outside the assembly, nesting in a loop or deeper than [`MAX_NESTING`] is an error naming
/// the manifest.
pub fn walk<F: FnMut(&str) -> Result<Manifest>>(read: F) -> Walk<F> {
    Walk { read, todo: VecDeque::from([(String::new(), 0)]), seen: HashSet::new() }
}

/// The iterator of [`walk`].
pub struct Walk<F> {
    read: F,
    todo: VecDeque<(String, usize)>,
    seen: HashSet<String>,
}

impl<F: FnMut(&str) -> Result<Manifest>> Iterator for Walk<F> {
    type Item = Result<(String, Manifest)>;

    fn next(&mut self) -> Option<Self::Item> {
        let (prefix, depth) = self.todo.pop_front()?;
        let path = format!("{prefix}manifest.json");
        let manifest = match (self.read)(&path) {
            Ok(m) => m,
            Err(e) => {
                self.todo.clear();
                return Some(Err(e));
            }
        };
        for (id, nested) in manifest.nested_assemblies() {
            let dir = nested.directory_name.trim_end_matches('/');
            let inside = is_plain_relative(dir);
            let child = format!("{prefix}{dir}/");
            let problem = if !inside {
                Some(format!(
                    "nested assembly {id:?} is in {:?}, which is not a directory inside the assembly",
                    nested.directory_name
                ))
            } else if depth >= MAX_NESTING || !self.seen.insert(child.clone()) {
                Some("nests assemblies in a loop or too deep to be a cloud assembly".to_owned())
            } else {
                None
            };
            if let Some(message) = problem {
                self.todo.clear();
                return Some(Err(Error::Input { path, message }));
            }
            self.todo.push_back((child, depth + 1));
        }
        Some(Ok((prefix, manifest)))
    }
}

impl<M: MetadataField> Serialize for Artifact<M> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("type", self.type_name())?;
        if let Some(environment) = &self.environment {
            map.serialize_entry("environment", environment)?;
        }
        match &self.properties {
            Properties::Stack(p) => map.serialize_entry("properties", p)?,
            Properties::AssetManifest(p) => map.serialize_entry("properties", p)?,
            Properties::NestedAssembly(p) => map.serialize_entry("properties", p)?,
            Properties::Tree(p) => map.serialize_entry("properties", p)?,
            Properties::Other { properties: Some(p), .. } => map.serialize_entry("properties", p)?,
            Properties::Other { properties: None, .. } => {}
        }
        if !self.dependencies.is_empty() {
            map.serialize_entry("dependencies", &self.dependencies)?;
        }
        if !self.metadata.is_empty() {
            map.serialize_entry("metadata", &self.metadata)?;
        }
        for (key, value) in &self.extra {
            map.serialize_entry(key, value)?;
        }
        if let Some(display_name) = &self.display_name {
            map.serialize_entry("displayName", display_name)?;
        }
        map.end()
    }
}

impl<'de, M: MetadataField + Deserialize<'de>> Deserialize<'de> for Artifact<M> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ArtifactVisitor(PhantomData))
    }
}

struct ArtifactVisitor<M>(PhantomData<M>);

impl<'de, M: MetadataField + Deserialize<'de>> Visitor<'de> for ArtifactVisitor<M> {
    type Value = Artifact<M>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a cloud assembly artifact (an object with a \"type\")")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut kind: Option<String> = None;
        let mut properties = None;
        // Properties before the type are read as JSON and typed once the type is known.
        let mut untyped: Option<Json> = None;
        let mut artifact = Artifact::of(Properties::Other { r#type: String::new(), properties: None });
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "type" => kind = Some(map.next_value()?),
                "properties" => match &kind {
                    Some(kind) => properties = Some(map.next_value_seed(PropertiesOf(kind))?),
                    None => untyped = Some(map.next_value()?),
                },
                "environment" => artifact.environment = Some(map.next_value()?),
                "dependencies" => artifact.dependencies = map.next_value()?,
                "metadata" => artifact.metadata = map.next_value()?,
                "displayName" => artifact.display_name = Some(map.next_value()?),
                _ => {
                    let value = map.next_value()?;
                    artifact.extra.insert(key, value);
                }
            }
        }
        let kind = kind.ok_or_else(|| de::Error::missing_field("type"))?;
        artifact.properties = match (properties, untyped) {
            (Some(p), _) => p,
            (None, Some(json)) => PropertiesOf(&kind).deserialize(json).map_err(de::Error::custom)?,
            // Stacks, asset manifests and nested assemblies are nothing without their files;
            // a tree without its file keeps its metadata.
            (None, None) => match kind.as_str() {
                artifact_type::STACK | artifact_type::ASSET_MANIFEST | artifact_type::NESTED_ASSEMBLY => {
                    return Err(de::Error::missing_field("properties"));
                }
                _ => Properties::Other { r#type: kind, properties: None },
            },
        };
        Ok(artifact)
    }
}

/// Reads the properties of an artifact of the given type.
struct PropertiesOf<'k>(&'k str);

impl<'de> DeserializeSeed<'de> for PropertiesOf<'_> {
    type Value = Properties;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Properties, D::Error> {
        Ok(match self.0 {
            artifact_type::STACK => Properties::Stack(Box::new(StackProperties::deserialize(d)?)),
            artifact_type::ASSET_MANIFEST => Properties::AssetManifest(AssetManifestProperties::deserialize(d)?),
            artifact_type::NESTED_ASSEMBLY => Properties::NestedAssembly(NestedAssemblyProperties::deserialize(d)?),
            artifact_type::TREE => Properties::Tree(TreeProperties::deserialize(d)?),
            other => Properties::Other { r#type: other.to_owned(), properties: Some(Json::deserialize(d)?) },
        })
    }
}
