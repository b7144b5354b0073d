//! The cloud assembly's JSON files: `manifest.json` per assembly, `<stack>.assets.json`
//! per stack (the template as a file asset, as the CDK's default stack synthesizer
//! writes it), and `tree.json`.

use indexmap::IndexMap;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::Value as Json;

use crate::element::{Body, ResourceBody};
use crate::env::Environment;
use crate::tree::{Kind, Nodes};

use super::resolve::{LogicalIds, Pass, Resolved, Resolver, Shared};

/// The manifest schema version the pinned aws-cdk CLI reads.
pub const MANIFEST_VERSION: &str = "55.0.0";

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

/// The CDK bootstrap resources a stack's environment has.
struct Bootstrap<'a> {
    qualifier: &'a str,
    account: String,
    region: String,
}

impl<'a> Bootstrap<'a> {
    fn new(qualifier: &'a str, env: &Environment) -> Self {
        Bootstrap {
            qualifier,
            account: env.account.clone().unwrap_or_else(|| "${AWS::AccountId}".into()),
            region: env.region.clone().unwrap_or_else(|| "${AWS::Region}".into()),
        }
    }

    fn role(&self, kind: &str) -> String {
        let Bootstrap { qualifier: q, account: a, region: r } = self;
        format!("arn:${{AWS::Partition}}:iam::{a}:role/cdk-{q}-{kind}-role-{a}-{r}")
    }

    fn bucket(&self) -> String {
        format!("cdk-{}-assets-{}-{}", self.qualifier, self.account, self.region)
    }

    fn version_parameter(&self) -> String {
        format!("/cdk-bootstrap/{}/version", self.qualifier)
    }
}

/// `manifest.json` of one assembly.
#[derive(Serialize)]
pub(crate) struct Manifest<'a> {
    version: &'static str,
    artifacts: IndexMap<String, ArtifactEntry<'a>>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum ArtifactEntry<'a> {
    Stack(Box<StackEntry<'a>>),
    NestedAssembly(Typed<NestedAssembly>),
    AssetManifest(Typed<AssetManifest>),
    Tree(TreeEntry<'a>),
}

/// The `tree.json` artifact; its metadata holds the app's own (the root node's) under `/`,
/// e.g. the context keys the app declared ([`crate::App::context_or_sample`]).
#[derive(Serialize)]
struct TreeEntry<'a> {
    r#type: &'static str,
    properties: TreeFile,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    metadata: IndexMap<&'static str, Vec<MetadataEntry<'a>>>,
}

/// An artifact of a given type and its properties.
#[derive(Serialize)]
struct Typed<P> {
    r#type: &'static str,
    properties: P,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NestedAssembly {
    directory_name: String,
    display_name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AssetManifest {
    file: String,
    requires_bootstrap_stack_version: u32,
    bootstrap_stack_version_ssm_parameter: String,
}

#[derive(Serialize)]
struct TreeFile {
    file: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StackEntry<'a> {
    r#type: &'static str,
    environment: String,
    properties: StackProperties<'a>,
    dependencies: Vec<String>,
    #[serde(skip_serializing_if = "StackMetadata::is_empty")]
    metadata: StackMetadata<'a>,
    display_name: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StackProperties<'a> {
    template_file: String,
    termination_protection: bool,
    validate_on_synth: bool,
    assume_role_arn: String,
    cloud_formation_execution_role_arn: String,
    stack_template_asset_object_url: String,
    requires_bootstrap_stack_version: u32,
    bootstrap_stack_version_ssm_parameter: String,
    additional_dependencies: [String; 1],
    lookup_role: LookupRole,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    tags: IndexMap<&'a str, &'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stack_name: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LookupRole {
    arn: String,
    requires_bootstrap_stack_version: u32,
    bootstrap_stack_version_ssm_parameter: String,
}

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

/// What `cdk deploy` needs of the bootstrap stack: version 6.
const BOOTSTRAP_VERSION: u32 = 6;
/// What the lookup role needs of the bootstrap stack.
const LOOKUP_BOOTSTRAP_VERSION: u32 = 8;

impl<'a> Manifest<'a> {
    /// The manifest of an assembly listing `artifacts` (and `tree.json` for the root).
    pub(crate) fn new(
        arena: &'a Nodes,
        logical_ids: &'a LogicalIds,
        artifacts: &[Artifact<'a>],
        qualifier: &str,
        with_tree: bool,
    ) -> Self {
        let mut entries = IndexMap::new();
        for artifact in artifacts {
            match artifact {
                Artifact::Stage { artifact_id, display_name } => {
                    let properties =
                        NestedAssembly { directory_name: artifact_id.clone(), display_name: display_name.clone() };
                    entries.insert(
                        artifact_id.clone(),
                        ArtifactEntry::NestedAssembly(Typed { r#type: "cdk:cloud-assembly", properties }),
                    );
                }
                Artifact::Stack(stack) => {
                    let b = Bootstrap::new(qualifier, &stack.env);
                    let assets_id = format!("{}.assets", stack.artifact_id);
                    let properties = AssetManifest {
                        file: format!("{}.assets.json", stack.artifact_id),
                        requires_bootstrap_stack_version: BOOTSTRAP_VERSION,
                        bootstrap_stack_version_ssm_parameter: b.version_parameter(),
                    };
                    entries.insert(
                        assets_id.clone(),
                        ArtifactEntry::AssetManifest(Typed { r#type: "cdk:asset-manifest", properties }),
                    );
                    let entry = stack_entry(stack, &b, assets_id, StackMetadata::of(arena, logical_ids, stack.stack));
                    entries.insert(stack.artifact_id.clone(), ArtifactEntry::Stack(Box::new(entry)));
                }
            }
        }
        if with_tree {
            let app: Vec<MetadataEntry<'a>> = arena.nodes[0]
                .metadata()
                .iter()
                .map(|(kind, data)| MetadataEntry { r#type: kind, data: MetadataData::User(data) })
                .collect();
            let metadata = if app.is_empty() { IndexMap::new() } else { IndexMap::from([("/", app)]) };
            let tree = TreeEntry { r#type: "cdk:tree", properties: TreeFile { file: "tree.json" }, metadata };
            entries.insert("Tree".into(), ArtifactEntry::Tree(tree));
        }
        Manifest { version: MANIFEST_VERSION, artifacts: entries }
    }
}

fn stack_entry<'a>(
    s: &'a StackArtifact,
    b: &Bootstrap<'_>,
    assets_id: String,
    metadata: StackMetadata<'a>,
) -> StackEntry<'a> {
    let properties = StackProperties {
        template_file: format!("{}.template.json", s.artifact_id),
        termination_protection: s.termination_protection,
        validate_on_synth: false,
        assume_role_arn: b.role("deploy"),
        cloud_formation_execution_role_arn: b.role("cfn-exec"),
        stack_template_asset_object_url: format!("s3://{}/{}.json", b.bucket(), s.template_hash),
        requires_bootstrap_stack_version: BOOTSTRAP_VERSION,
        bootstrap_stack_version_ssm_parameter: b.version_parameter(),
        additional_dependencies: [assets_id],
        lookup_role: LookupRole {
            arn: b.role("lookup"),
            requires_bootstrap_stack_version: LOOKUP_BOOTSTRAP_VERSION,
            bootstrap_stack_version_ssm_parameter: b.version_parameter(),
        },
        tags: s.tags.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect(),
        stack_name: (s.stack_name != s.artifact_id).then_some(s.stack_name.as_str()),
    };
    StackEntry {
        r#type: "aws:cloudformation:stack",
        environment: s.env.to_string(),
        dependencies: s.dependencies.iter().chain(&properties.additional_dependencies).cloned().collect(),
        properties,
        metadata,
        display_name: &s.display_name,
    }
}

/// A stack's manifest metadata: each element's user metadata and logical id, by path.
/// It holds an entry per element of the stack, as large as the tree, so it is written
/// straight from the tree (as `tree.json` is) rather than built first.
struct StackMetadata<'a> {
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

    fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    fn entries(&self, node: u32) -> impl Iterator<Item = MetadataEntry<'a>> + use<'a> {
        let user = self.arena.nodes[node as usize].metadata().iter();
        let user = user.map(|(kind, data)| MetadataEntry { r#type: kind, data: MetadataData::User(data) });
        let logical_id = self.logical_ids.is_element(node).then(|| MetadataEntry {
            r#type: "aws:cdk:logicalId",
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
    pub(crate) fn new(s: &'a StackArtifact, qualifier: &str, destination_id: &'a str) -> Self {
        let b = Bootstrap::new(qualifier, &s.env);
        let destination = |object_key: String| {
            let destination = Destination {
                bucket_name: b.bucket(),
                object_key,
                region: s.env.region.as_deref(),
                assume_role_arn: b.role("file-publishing"),
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
        AssetsFile { version: MANIFEST_VERSION, files, docker_images: Empty {} }
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
