//! The cloud assembly's JSON files: `manifest.json` per assembly, `<stack>.assets.json`
//! per stack (the template as a file asset, as the CDK's default stack synthesizer
//! writes it), and `tree.json`.

use std::collections::HashMap;

use indexmap::IndexMap;
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

/// `tree.json`: every construct with its type, and each resource's type and properties.
pub(crate) fn tree(arena: &Arena, resolved_props: &HashMap<u32, Json>) -> Json {
    fn node(arena: &Arena, index: u32, props: &HashMap<u32, Json>) -> Json {
        let data = &arena.nodes[index as usize];
        let mut out = Map::new();
        out.insert("id".into(), json!(data.id));
        out.insert("path".into(), json!(arena.path(index)));
        out.insert("constructInfo".into(), json!({"fqn": data.fqn, "version": env!("CARGO_PKG_VERSION")}));
        if let Kind::Element(e) = &data.kind {
            if let Body::Resource(r) = &e.body {
                let mut attributes = Map::new();
                attributes.insert("aws:cdk:cloudformation:type".into(), json!(r.resource_type));
                attributes.insert("aws:cdk:cloudformation:logicalId".into(), json!(arena.logical_id(index)));
                if let Some(p) = props.get(&index) {
                    attributes.insert("aws:cdk:cloudformation:props".into(), p.clone());
                }
                out.insert("attributes".into(), Json::Object(attributes));
            }
        }
        if !data.children.is_empty() {
            let children: Map<String, Json> =
                data.children.iter().map(|c| (arena.nodes[*c as usize].id.clone(), node(arena, *c, props))).collect();
            out.insert("children".into(), Json::Object(children));
        }
        Json::Object(out)
    }
    json!({"version": "tree-0.1", "tree": node(arena, 0, resolved_props)})
}
