//! The cloud assembly's JSON files: `manifest.json` per assembly, `<stack>.assets.json`
//! per stack (the template as a file asset, as the CDK's default stack synthesizer
//! writes it), and `tree.json`.

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value as Json, json};

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
    /// (hash, object key, packaging, path relative to the stack's assembly, display name).
    pub assets: Vec<(String, String, &'static str, String, String)>,
}

/// One entry of an assembly's manifest.
pub(crate) enum Artifact<'a> {
    Stack(&'a StackArtifact),
    Stage { artifact_id: String, display_name: String },
}

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

/// `manifest.json` of one assembly; stack metadata (an entry per element) is written
/// straight from the tree.
pub(crate) struct Manifest<'a> {
    pub arena: &'a Nodes,
    pub logical_ids: &'a LogicalIds,
    pub artifacts: Vec<Artifact<'a>>,
    pub qualifier: &'a str,
    /// Whether the assembly lists `tree.json` (the root assembly does).
    pub with_tree: bool,
}

impl Serialize for Manifest<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("version", MANIFEST_VERSION)?;
        map.serialize_entry("artifacts", &Artifacts(self))?;
        map.end()
    }
}

struct Artifacts<'a>(&'a Manifest<'a>);

impl Serialize for Artifacts<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let m = self.0;
        let mut out = s.serialize_map(None)?;
        for artifact in &m.artifacts {
            match artifact {
                Artifact::Stage { artifact_id, display_name } => out.serialize_entry(
                    artifact_id,
                    &json!({
                        "type": "cdk:cloud-assembly",
                        "properties": {"directoryName": artifact_id, "displayName": display_name}
                    }),
                )?,
                Artifact::Stack(stack) => {
                    let (assets_id, assets, artifact) = stack_entries(stack, m.qualifier);
                    out.serialize_entry(&assets_id, &assets)?;
                    out.serialize_entry(&stack.artifact_id, &StackEntry { manifest: m, stack, artifact })?;
                }
            }
        }
        if m.with_tree {
            out.serialize_entry("Tree", &json!({"type": "cdk:tree", "properties": {"file": "tree.json"}}))?;
        }
        out.end()
    }
}

/// A stack's artifact: its small fields as built, then the metadata, then its name.
struct StackEntry<'a> {
    manifest: &'a Manifest<'a>,
    stack: &'a StackArtifact,
    artifact: Map<String, Json>,
}

impl Serialize for StackEntry<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for (k, v) in &self.artifact {
            map.serialize_entry(k, v)?;
        }
        let metadata = StackMetadata::of(self.manifest, self.stack.stack);
        if !metadata.nodes.is_empty() {
            map.serialize_entry("metadata", &metadata)?;
        }
        map.serialize_entry("displayName", &self.stack.display_name)?;
        map.end()
    }
}

/// Manifest metadata of a stack: each element's user metadata and logical id, by path.
struct StackMetadata<'a> {
    arena: &'a Nodes,
    logical_ids: &'a LogicalIds,
    /// The nodes below the stack that have entries, depth first.
    nodes: Vec<u32>,
}

impl<'a> StackMetadata<'a> {
    fn of(manifest: &Manifest<'a>, stack: u32) -> Self {
        let (arena, logical_ids) = (manifest.arena, manifest.logical_ids);
        let nodes = arena
            .preorder_from(stack)
            .into_iter()
            .filter(|i| logical_ids.is_element(*i) || !arena.nodes[*i as usize].metadata().is_empty())
            .collect();
        StackMetadata { arena, logical_ids, nodes }
    }
}

impl Serialize for StackMetadata<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Entry<'a, T: Serialize> {
            r#type: &'a str,
            data: T,
        }
        struct Entries<'a>(&'a StackMetadata<'a>, u32);
        impl Serialize for Entries<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let (m, i) = (self.0, self.1);
                let mut seq = s.serialize_seq(None)?;
                for (kind, value) in m.arena.nodes[i as usize].metadata() {
                    seq.serialize_element(&Entry { r#type: kind, data: value })?;
                }
                if m.logical_ids.is_element(i) {
                    seq.serialize_element(&Entry { r#type: "aws:cdk:logicalId", data: m.logical_ids.get(i) })?;
                }
                seq.end()
            }
        }
        let mut map = s.serialize_map(None)?;
        for &i in &self.nodes {
            map.serialize_entry(&format!("/{}", self.arena.path(i)), &Entries(self, i))?;
        }
        map.end()
    }
}

/// The asset manifest's artifact (id and value) and the stack artifact's fields but
/// its metadata and display name.
fn stack_entries(s: &StackArtifact, qualifier: &str) -> (String, Json, Map<String, Json>) {
    let b = Bootstrap::new(qualifier, &s.env);
    let assets_id = format!("{}.assets", s.artifact_id);
    let assets = json!({
        "type": "cdk:asset-manifest",
        "properties": {
            "file": format!("{}.assets.json", s.artifact_id),
            "requiresBootstrapStackVersion": 6,
            "bootstrapStackVersionSsmParameter": b.version_parameter()
        }
    });
    let mut props = json!({
        "templateFile": format!("{}.template.json", s.artifact_id),
        "terminationProtection": s.termination_protection,
        "validateOnSynth": false,
        "assumeRoleArn": b.role("deploy"),
        "cloudFormationExecutionRoleArn": b.role("cfn-exec"),
        "stackTemplateAssetObjectUrl": format!("s3://{}/{}.json", b.bucket(), s.template_hash),
        "requiresBootstrapStackVersion": 6,
        "bootstrapStackVersionSsmParameter": b.version_parameter(),
        "additionalDependencies": [assets_id],
        "lookupRole": {
            "arn": b.role("lookup"),
            "requiresBootstrapStackVersion": 8,
            "bootstrapStackVersionSsmParameter": b.version_parameter()
        }
    });
    if let Some(p) = props.as_object_mut() {
        if !s.tags.is_empty() {
            let tags: Map<String, Json> = s.tags.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
            p.insert("tags".into(), Json::Object(tags));
        }
        if s.stack_name != s.artifact_id {
            p.insert("stackName".into(), json!(s.stack_name));
        }
    }
    let mut deps = s.dependencies.clone();
    deps.push(assets_id.clone());
    let mut artifact = Map::new();
    artifact.insert("type".into(), json!("aws:cloudformation:stack"));
    artifact.insert("environment".into(), json!(s.env.to_string()));
    artifact.insert("properties".into(), props);
    artifact.insert("dependencies".into(), json!(deps));
    (assets_id, assets, artifact)
}

/// `<stack>.assets.json`: the template itself as a file asset, so `cdk deploy` uploads it.
pub(crate) fn assets(s: &StackArtifact, qualifier: &str) -> Json {
    let b = Bootstrap::new(qualifier, &s.env);
    let destination_id = match (&s.env.account, &s.env.region) {
        (Some(a), Some(r)) => format!("{a}-{r}"),
        (a, r) => format!("{}-{}", a.as_deref().unwrap_or("current_account"), r.as_deref().unwrap_or("current_region")),
    };
    let mut destination = json!({
        "bucketName": b.bucket(),
        "objectKey": format!("{}.json", s.template_hash),
    });
    if let Some(d) = destination.as_object_mut() {
        if let Some(region) = &s.env.region {
            d.insert("region".into(), json!(region));
        }
        d.insert("assumeRoleArn".into(), json!(b.role("file-publishing")));
    }
    let mut files = Map::new();
    for (hash, key, packaging, path, display_name) in &s.assets {
        let mut dest = destination.clone();
        if let Some(d) = dest.as_object_mut() {
            d.insert("objectKey".into(), json!(key));
        }
        files.insert(
            hash.clone(),
            json!({
                "displayName": display_name,
                "source": {"path": path, "packaging": packaging},
                "destinations": {destination_id.clone(): dest}
            }),
        );
    }
    files.insert(
        s.template_hash.clone(),
        json!({
            "displayName": format!("{} Template", s.stack_name),
            "source": {"path": format!("{}.template.json", s.artifact_id), "packaging": "file"},
            "destinations": {destination_id: destination}
        }),
    );
    json!({"version": MANIFEST_VERSION, "files": files, "dockerImages": {}})
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
                let resolver = Resolver { shared, pass: Pass::Write, stack: self.stack.unwrap_or(0), element: self.index };
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
