//! The cloud assembly's JSON files: `manifest.json` per assembly, `<stack>.assets.json`
//! per stack (the template as a file asset, as the CDK's default stack synthesizer
//! writes it), and `tree.json`.

use std::collections::HashMap;

use indexmap::IndexMap;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value as Json, json};

use crate::element::Body;
use crate::env::Environment;
use crate::tree::{Arena, Kind};

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
    pub metadata: IndexMap<String, Vec<Json>>,
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

/// `manifest.json` of one assembly.
pub(crate) fn manifest(artifacts: &[Artifact<'_>], qualifier: &str, with_tree: bool) -> Json {
    let mut out = Map::new();
    for artifact in artifacts {
        match artifact {
            Artifact::Stage { artifact_id, display_name } => {
                out.insert(
                    artifact_id.clone(),
                    json!({
                        "type": "cdk:cloud-assembly",
                        "properties": {"directoryName": artifact_id, "displayName": display_name}
                    }),
                );
            }
            Artifact::Stack(s) => {
                let b = Bootstrap::new(qualifier, &s.env);
                let assets_id = format!("{}.assets", s.artifact_id);
                out.insert(
                    assets_id.clone(),
                    json!({
                        "type": "cdk:asset-manifest",
                        "properties": {
                            "file": format!("{}.assets.json", s.artifact_id),
                            "requiresBootstrapStackVersion": 6,
                            "bootstrapStackVersionSsmParameter": b.version_parameter()
                        }
                    }),
                );
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
                deps.push(assets_id);
                let mut artifact = json!({
                    "type": "aws:cloudformation:stack",
                    "environment": s.env.to_string(),
                    "properties": props,
                    "dependencies": deps,
                });
                if let Some(a) = artifact.as_object_mut() {
                    if !s.metadata.is_empty() {
                        a.insert("metadata".into(), json!(s.metadata));
                    }
                    a.insert("displayName".into(), json!(s.display_name));
                }
                out.insert(s.artifact_id.clone(), artifact);
            }
        }
    }
    if with_tree {
        out.insert("Tree".into(), json!({"type": "cdk:tree", "properties": {"file": "tree.json"}}));
    }
    json!({"version": MANIFEST_VERSION, "artifacts": out})
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
/// properties, serialized straight from the tree and the rendered templates (no copies).
pub(crate) struct Tree<'a> {
    pub arena: &'a Arena,
    /// Rendered templates by stack.
    pub templates: &'a HashMap<u32, Json>,
    pub logical_ids: &'a HashMap<u32, String>,
}

impl Tree<'_> {
    fn props(&self, index: u32) -> Option<&Json> {
        let stack = self.arena.stack_of(index)?;
        self.templates.get(&stack)?.get("Resources")?.get(self.logical_ids.get(&index)?)?.get("Properties")
    }
}

impl Serialize for Tree<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("version", "tree-0.1")?;
        map.serialize_entry("tree", &TreeNode { tree: self, index: 0 })?;
        map.end()
    }
}

struct TreeNode<'a> {
    tree: &'a Tree<'a>,
    index: u32,
}

struct Children<'a>(&'a Tree<'a>, &'a [u32]);

impl Serialize for Children<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.1.len()))?;
        for child in self.1 {
            map.serialize_entry(&self.0.arena.nodes[*child as usize].id, &TreeNode { tree: self.0, index: *child })?;
        }
        map.end()
    }
}

impl Serialize for TreeNode<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let arena = self.tree.arena;
        let data = &arena.nodes[self.index as usize];
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("id", &data.id)?;
        map.serialize_entry("path", &arena.path(self.index))?;
        map.serialize_entry("constructInfo", &json!({"fqn": data.fqn, "version": env!("CARGO_PKG_VERSION")}))?;
        if let Kind::Element(e) = &data.kind {
            if let Body::Resource(r) = &e.body {
                let mut attributes = Map::new();
                attributes.insert("aws:cdk:cloudformation:type".into(), json!(r.resource_type));
                attributes
                    .insert("aws:cdk:cloudformation:logicalId".into(), json!(self.tree.logical_ids.get(&self.index)));
                map.serialize_entry(
                    "attributes",
                    &Attributes { head: attributes, props: self.tree.props(self.index) },
                )?;
            }
        }
        if !data.children.is_empty() {
            map.serialize_entry("children", &Children(self.tree, &data.children))?;
        }
        map.end()
    }
}

/// Resource attributes, with the properties borrowed from the template.
struct Attributes<'a> {
    head: Map<String, Json>,
    props: Option<&'a Json>,
}

impl Serialize for Attributes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for (k, v) in &self.head {
            map.serialize_entry(k, v)?;
        }
        if let Some(p) = self.props {
            map.serialize_entry("aws:cdk:cloudformation:props", p)?;
        }
        map.end()
    }
}
