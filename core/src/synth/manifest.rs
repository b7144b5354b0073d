//! The cloud assembly's JSON files: `manifest.json` per assembly, `<stack>.assets.json`
//! per stack (the template as a file asset, as the CDK's default stack synthesizer
//! writes it), and `tree.json`.

use indexmap::IndexMap;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::Value as Json;

use crate::assembly::{self, Bootstrap, MetadataField, RoleKind, StackArtifactProps};
use crate::element::{Body, ResourceBody};
use crate::env::Environment;
use crate::tree::{Kind, Nodes};

use super::resolve::{LogicalIds, Pass, Resolved, Resolver, Shared};

/// Everything the manifest says of one stack.
pub(crate) struct StackArtifact {
    pub artifact_id: String,
    pub display_name: String,
    pub stack_name: String,
    pub env: Environment,
    pub template_hash: String,
    pub termination_protection: bool,
    pub tags: Vec<(String, String)>,
    pub dependencies: Vec<String>,
    /// The stack's node, whose subtree gives the manifest metadata.
    pub stack: u32,
    /// The file assets the stack's template uses.
    pub assets: Vec<AssetSource>,
}

/// A file asset as a stack's asset manifest lists it.
pub(crate) struct AssetSource {
    /// The content hash: the asset's id.
    pub hash: String,
    pub object_key: String,
    /// `zip` (a directory) or `file`.
    pub packaging: &'static str,
    /// The staged copy, relative to the stack's assembly.
    pub path: String,
    pub display_name: String,
}

/// One entry of an assembly's manifest.
pub(crate) enum Artifact<'a> {
    Stack(&'a StackArtifact),
    Stage { artifact_id: String, display_name: String },
}

/// `manifest.json` of one assembly: the model's, with each artifact's metadata written from
/// the tree as it is serialized.
pub(crate) type Manifest<'a> = assembly::Manifest<TreeMetadata<'a>>;

/// The manifest of an assembly listing `artifacts` (and `tree.json` for the root).
pub(crate) fn manifest<'a>(
    arena: &'a Nodes,
    logical_ids: &'a LogicalIds,
    artifacts: &[Artifact<'a>],
    bootstrap: &Bootstrap,
    with_tree: bool,
) -> Manifest<'a> {
    let mut entries = IndexMap::new();
    for artifact in artifacts {
        match artifact {
            Artifact::Stage { artifact_id, display_name } => {
                entries.insert(artifact_id.clone(), assembly::Artifact::nested_assembly(artifact_id, display_name));
            }
            Artifact::Stack(stack) => {
                let id = &stack.artifact_id;
                entries.insert(assembly::assets_artifact_id(id), assembly::Artifact::asset_manifest(id, bootstrap));
                let mut entry = assembly::Artifact::new_stack(StackArtifactProps {
                    artifact_id: id.clone(),
                    stack_name: stack.stack_name.clone(),
                    display_name: stack.display_name.clone(),
                    environment: stack.env.clone(),
                    template_file: format!("{id}.template.json"),
                    dependencies: stack.dependencies.clone(),
                    bootstrap: bootstrap.clone(),
                    termination_protection: stack.termination_protection,
                    tags: stack.tags.iter().cloned().collect(),
                    template_asset: Some(stack.template_hash.clone()),
                });
                entry.metadata = TreeMetadata::Stack(StackMetadata::of(arena, logical_ids, stack.stack));
                entries.insert(id.clone(), entry);
            }
        }
    }
    if with_tree {
        let mut tree = assembly::Artifact::tree();
        let app = &arena.nodes[0];
        if !app.metadata().is_empty() {
            tree.metadata = TreeMetadata::App(app.metadata());
        }
        entries.insert("Tree".into(), tree);
    }
    Manifest::new(entries)
}

/// An artifact's metadata as synthesis writes it, straight from the tree: a stack's (an
/// entry per element, as large as the tree, so never built first), or the app's own (the
/// root node's, on the `Tree` artifact under `/`, e.g. the context keys the app declared,
/// [`crate::App::context_or_sample`]).
#[derive(Default)]
pub(crate) enum TreeMetadata<'a> {
    #[default]
    None,
    Stack(StackMetadata<'a>),
    App(&'a [(String, Json)]),
}

impl MetadataField for TreeMetadata<'_> {
    fn is_empty(&self) -> bool {
        match self {
            TreeMetadata::None => true,
            TreeMetadata::Stack(m) => m.nodes.is_empty(),
            TreeMetadata::App(entries) => entries.is_empty(),
        }
    }
}

impl Serialize for TreeMetadata<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            TreeMetadata::None => s.serialize_map(Some(0))?.end(),
            TreeMetadata::Stack(m) => m.serialize(s),
            TreeMetadata::App(entries) => {
                let entries: Vec<MetadataEntry<'_>> = entries
                    .iter()
                    .map(|(kind, data)| MetadataEntry { r#type: kind, data: MetadataData::User(data) })
                    .collect();
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("/", &entries)?;
                map.end()
            }
        }
    }
}

/// A metadata entry borrowed from the tree: [`assembly::MetadataEntry`]'s shape.
#[derive(Serialize)]
struct MetadataEntry<'a> {
    r#type: &'a str,
    data: MetadataData<'a>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum MetadataData<'a> {
    User(&'a Json),
    LogicalId(&'a str),
}

/// A stack's manifest metadata: each element's user metadata and logical id, by path.
pub(crate) struct StackMetadata<'a> {
    arena: &'a Nodes,
    logical_ids: &'a LogicalIds,
    /// The nodes below the stack that have entries, depth first.
    nodes: Vec<u32>,
}

impl<'a> StackMetadata<'a> {
    fn of(arena: &'a Nodes, logical_ids: &'a LogicalIds, stack: u32) -> Self {
        let nodes = arena
            .preorder_from(stack)
            .into_iter()
            .filter(|i| logical_ids.is_element(*i) || !arena.nodes[*i as usize].metadata().is_empty())
            .collect();
        StackMetadata { arena, logical_ids, nodes }
    }

    fn entries(&self, node: u32) -> impl Iterator<Item = MetadataEntry<'a>> + use<'a> {
        let user = self.arena.nodes[node as usize].metadata().iter();
        let user = user.map(|(kind, data)| MetadataEntry { r#type: kind, data: MetadataData::User(data) });
        let logical_id = self.logical_ids.is_element(node).then(|| MetadataEntry {
            r#type: assembly::LOGICAL_ID_METADATA,
            data: MetadataData::LogicalId(self.logical_ids.get(node)),
        });
        user.chain(logical_id)
    }
}

impl Serialize for StackMetadata<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Entries<'m>(&'m StackMetadata<'m>, u32);
        impl Serialize for Entries<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.entries(self.1))
            }
        }
        let mut map = s.serialize_map(Some(self.nodes.len()))?;
        for &i in &self.nodes {
            map.serialize_entry(&format!("/{}", self.arena.path(i)), &Entries(self, i))?;
        }
        map.end()
    }
}

/// `<stack>.assets.json`: the template itself as a file asset, so `cdk deploy` uploads
/// it, after the stack's other assets.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AssetsFile<'a> {
    version: &'static str,
    files: IndexMap<&'a str, FileAsset<'a>>,
    docker_images: Empty,
}

#[derive(Serialize)]
struct Empty {}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FileAsset<'a> {
    display_name: String,
    source: FileSource<'a>,
    destinations: IndexMap<&'a str, Destination<'a>>,
}

#[derive(Serialize)]
struct FileSource<'a> {
    path: String,
    packaging: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Destination<'a> {
    bucket_name: String,
    object_key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'a str>,
    assume_role_arn: String,
}

impl<'a> AssetsFile<'a> {
    pub(crate) fn new(s: &'a StackArtifact, b: &Bootstrap, destination_id: &'a str) -> Self {
        let destination = |object_key: String| {
            let destination = Destination {
                bucket_name: b.assets_bucket(&s.env),
                object_key,
                region: s.env.region.as_deref(),
                assume_role_arn: b.role_arn(RoleKind::FilePublishing, &s.env),
            };
            IndexMap::from([(destination_id, destination)])
        };
        let mut files = IndexMap::new();
        for a in &s.assets {
            let asset = FileAsset {
                display_name: a.display_name.clone(),
                source: FileSource { path: a.path.clone(), packaging: a.packaging },
                destinations: destination(a.object_key.clone()),
            };
            files.insert(a.hash.as_str(), asset);
        }
        let template = FileAsset {
            display_name: format!("{} Template", s.stack_name),
            source: FileSource { path: format!("{}.template.json", s.artifact_id), packaging: "file" },
            destinations: destination(format!("{}.json", s.template_hash)),
        };
        files.insert(s.template_hash.as_str(), template);
        AssetsFile { version: assembly::MANIFEST_VERSION, files, docker_images: Empty {} }
    }
}

/// The id of a stack's publishing destination: `<account>-<region>` (the CDK appends a
/// hash; the id is only a key).
pub(crate) fn destination_id(env: &Environment) -> String {
    format!(
        "{}-{}",
        env.account.as_deref().unwrap_or("current_account"),
        env.region.as_deref().unwrap_or("current_region")
    )
}

/// `tree.json`: every construct with its type, and each resource's type, logical id and
/// properties (resolved as they are written, as the template has them).
pub(crate) struct Tree<'a> {
    pub shared: &'a Shared<'a>,
}

impl Serialize for Tree<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("version", "tree-0.1")?;
        map.serialize_entry("tree", &TreeNode { shared: self.shared, index: 0, path: "", stack: None })?;
        map.end()
    }
}

/// One construct; its path and stack come from its parent's instead of walking up the
/// tree.
struct TreeNode<'a> {
    shared: &'a Shared<'a>,
    index: u32,
    path: &'a str,
    /// The stack the construct is in (itself, for a stack).
    stack: Option<u32>,
}

struct Children<'a>(&'a TreeNode<'a>);

impl Serialize for Children<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let parent = self.0;
        let arena = parent.shared.arena;
        // Only nodes with children list them, so the map is never empty.
        let mut map = s.serialize_map(None)?;
        let mut path = String::new();
        for child in arena.children(parent.index) {
            let child_data = &arena.nodes[child as usize];
            let id = &child_data.id;
            path.clear();
            if !parent.path.is_empty() {
                path.push_str(parent.path);
                path.push('/');
            }
            path.push_str(id);
            let stack = if matches!(child_data.kind, Kind::Stack(_)) { Some(child) } else { parent.stack };
            map.serialize_entry(&**id, &TreeNode { shared: parent.shared, index: child, path: &path, stack })?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct ConstructInfo<'a> {
    fqn: &'a str,
    version: &'static str,
}

impl Serialize for TreeNode<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let shared = self.shared;
        let arena = shared.arena;
        let data = &arena.nodes[self.index as usize];
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("id", &*data.id)?;
        map.serialize_entry("path", self.path)?;
        map.serialize_entry("constructInfo", &ConstructInfo { fqn: data.fqn(), version: env!("CARGO_PKG_VERSION") })?;
        if let Kind::Element(e) = &data.kind {
            if let Body::Resource(r) = &e.body {
                let resolver = Resolver::new(shared, Pass::Write, self.stack.unwrap_or(0), self.index);
                map.serialize_entry("attributes", &Attributes { r, resolver })?;
            }
        }
        if data.has_children() {
            map.serialize_entry("children", &Children(self))?;
        }
        map.end()
    }
}

/// A resource's attributes: type, logical id and properties, resolved as they are written.
struct Attributes<'a> {
    r: &'a ResourceBody,
    resolver: Resolver<'a>,
}

impl Serialize for Attributes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("aws:cdk:cloudformation:type", &self.r.resource_type)?;
        map.serialize_entry(
            "aws:cdk:cloudformation:logicalId",
            self.resolver.shared.logical_ids.get(self.resolver.element),
        )?;
        if !self.r.properties.is_empty() {
            map.serialize_entry(
                "aws:cdk:cloudformation:props",
                &Resolved { value: &self.r.properties, resolver: self.resolver },
            )?;
        }
        map.end()
    }
}
