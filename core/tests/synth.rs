//! What synthesis writes for well-formed apps.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use cloudwright_core::{
    App, AppProps, CfnCondition, CfnMapping, CfnOutput, CfnParameter, CfnResource, CfnRule, Cond, Construct,
    Environment, Expr, Group, OutputProps, ParameterProps, RemovalPolicy, RuleProps, Stack, StackProps, StackValues,
    Stage, StageProps, TagFormat, Tags,
};
use indexmap::IndexMap;
use serde_json::{Map, Value, json};
use std::borrow::Cow;
use std::sync::Arc;

fn env() -> StackProps {
    StackProps { env: Environment::new("111111111111", "us-east-1"), ..Default::default() }
}

fn no_bootstrap() -> App {
    App::with_props(AppProps { bootstrap_version_rule: false, ..Default::default() })
}

fn json_file(assembly: &cloudwright_core::Assembly, path: &str) -> Value {
    serde_json::from_slice(assembly.file(path).unwrap_or_else(|| panic!("{path} missing"))).unwrap()
}

#[test]
fn cross_stack_reference_becomes_export_import_and_dependency() {
    let app = no_bootstrap();
    let producer = Stack::new(&app, "Producer", env()).unwrap();
    let bucket = CfnResource::new(&producer, "Bucket", "AWS::S3::Bucket", Map::new()).unwrap();
    let consumer = Stack::new(&app, "Consumer", env()).unwrap();
    let mut props = Map::new();
    props.insert("Name".into(), bucket.get_att("Arn").into());
    props.insert("Again".into(), bucket.get_att("Arn").into());
    props.insert("Bucket".into(), bucket.reference().into());
    CfnResource::new(&consumer, "User", "Custom::User", props).unwrap();

    let assembly = app.assembly().unwrap();
    let producer_t = json_file(&assembly, "Producer.template.json");
    // The CDK's names for these exports: makeUniqueId of Exports/Output<json>, checked
    // against an independent implementation of the algorithm.
    assert_eq!(
        producer_t["Outputs"],
        json!({
            "ExportsOutputFnGetAttBucketArn436138FE": {
                "Value": {"Fn::GetAtt": ["Bucket", "Arn"]},
                "Export": {"Name": "Producer:ExportsOutputFnGetAttBucketArn436138FE"}
            },
            "ExportsOutputRefBucket239F7DF2": {
                "Value": {"Ref": "Bucket"},
                "Export": {"Name": "Producer:ExportsOutputRefBucket239F7DF2"}
            }
        })
    );
    let consumer_t = json_file(&assembly, "Consumer.template.json");
    assert_eq!(
        consumer_t["Resources"]["User"]["Properties"],
        json!({
            "Name": {"Fn::ImportValue": "Producer:ExportsOutputFnGetAttBucketArn436138FE"},
            "Again": {"Fn::ImportValue": "Producer:ExportsOutputFnGetAttBucketArn436138FE"},
            "Bucket": {"Fn::ImportValue": "Producer:ExportsOutputRefBucket239F7DF2"}
        })
    );
    let manifest = json_file(&assembly, "manifest.json");
    assert_eq!(manifest["artifacts"]["Consumer"]["dependencies"], json!(["Producer", "Consumer.assets"]));
    assert_eq!(manifest["artifacts"]["Producer"]["dependencies"], json!(["Producer.assets"]));
}

#[test]
fn synthesis_is_deterministic() {
    let build = || {
        let app = App::new();
        for name in ["B", "A", "C"] {
            let stack = Stack::new(&app, name, env()).unwrap();
            let q = CfnResource::new(&stack, "Q", "AWS::SQS::Queue", Map::new()).unwrap();
            q.set_property("Tags", json!([{"Key": "k", "Value": name}]));
        }
        app.assembly().unwrap()
    };
    let (one, two) = (build(), build());
    assert_eq!(one.files(), two.files());
    let dir_a = std::env::temp_dir().join(format!("cw-det-a-{}", std::process::id()));
    let dir_b = std::env::temp_dir().join(format!("cw-det-b-{}", std::process::id()));
    one.write(&dir_a).unwrap();
    two.write(&dir_b).unwrap();
    for name in one.files().keys() {
        assert_eq!(std::fs::read(dir_a.join(name)).unwrap(), std::fs::read(dir_b.join(name)).unwrap(), "{name}");
    }
    std::fs::remove_dir_all(dir_a).unwrap();
    std::fs::remove_dir_all(dir_b).unwrap();
}

#[test]
fn every_template_section_and_resource_attribute() {
    let app = no_bootstrap();
    let stack = Stack::new(
        &app,
        "Full",
        StackProps {
            description: Some("All sections".into()),
            template_format_version: Some("2010-09-09".into()),
            transforms: vec!["AWS::LanguageExtensions".into()],
            ..env()
        },
    )
    .unwrap();
    let stage_param = CfnParameter::new(
        &stack,
        "Stage",
        ParameterProps { allowed_values: vec!["dev".into(), "prod".into()], ..Default::default() },
    )
    .unwrap();
    let is_prod = CfnCondition::new(&stack, "IsProd", Cond::equals(stage_param.value(), "prod")).unwrap();
    let mut regions = IndexMap::new();
    regions.insert("us-east-1".to_owned(), IndexMap::from([("Ami".to_owned(), json!("ami-123"))]));
    let map = CfnMapping::new(&stack, "Regions", regions).unwrap();
    CfnRule::new(
        &stack,
        "ProdOnlyInUsEast1",
        RuleProps {
            rule_condition: Some(Cond::equals(stage_param.value(), "prod")),
            assertions: vec![(Cond::equals(Expr::region(), "us-east-1"), Some("prod runs in us-east-1".into()))],
        },
    )
    .unwrap();
    let group = Group::new(&stack, "Storage").unwrap();
    let log = CfnResource::new(&group, "Log", "AWS::S3::Bucket", Map::new()).unwrap();
    let data = CfnResource::new(&group, "Data", "AWS::S3::Bucket", Map::new()).unwrap();
    data.set_property("BucketName", is_prod.if_then(Expr::sub("data-${AWS::AccountId}"), Expr::no_value()));
    data.add_property_override("LoggingConfiguration.DestinationBucketName", log.reference());
    data.set_property("Ami", map.find_in_map(Expr::region(), "Ami"));
    data.add_depends_on(&log);
    data.apply_removal_policy(RemovalPolicy::Retain);
    data.set_condition(&is_prod);
    data.add_cfn_metadata("cfn_nag", json!({"rules_to_suppress": []}));
    data.set_update_policy(json!({"AutoScalingReplacingUpdate": {"WillReplace": true}}));
    CfnOutput::new(
        &stack,
        "DataArn",
        OutputProps {
            value: data.get_att("Arn"),
            description: Some("The data bucket".into()),
            export_name: Some("data-arn".into()),
            condition: Some(is_prod.clone()),
        },
    )
    .unwrap();

    let template = app.assembly().unwrap().template("Full").unwrap();
    let keys: Vec<&str> = template.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "AWSTemplateFormatVersion",
            "Description",
            "Transform",
            "Parameters",
            "Mappings",
            "Conditions",
            "Rules",
            "Resources",
            "Outputs"
        ]
    );
    assert_eq!(template["Parameters"]["Stage"], json!({"Type": "String", "AllowedValues": ["dev", "prod"]}));
    assert_eq!(template["Conditions"]["IsProd"], json!({"Fn::Equals": [{"Ref": "Stage"}, "prod"]}));
    assert_eq!(template["Mappings"]["Regions"], json!({"us-east-1": {"Ami": "ami-123"}}));
    assert_eq!(
        template["Rules"]["ProdOnlyInUsEast1"],
        json!({
            "RuleCondition": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
            "Assertions": [{"Assert": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}, "AssertDescription": "prod runs in us-east-1"}]
        })
    );
    assert_eq!(
        template["Resources"]["StorageData8B3B206A"],
        json!({
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "BucketName": {"Fn::If": ["IsProd", {"Fn::Sub": "data-${AWS::AccountId}"}, {"Ref": "AWS::NoValue"}]},
                "LoggingConfiguration": {"DestinationBucketName": {"Ref": "StorageLogB86E045B"}},
                "Ami": {"Fn::FindInMap": ["Regions", {"Ref": "AWS::Region"}, "Ami"]}
            },
            "DependsOn": ["StorageLogB86E045B"],
            "Condition": "IsProd",
            "UpdatePolicy": {"AutoScalingReplacingUpdate": {"WillReplace": true}},
            "UpdateReplacePolicy": "Retain",
            "DeletionPolicy": "Retain",
            "Metadata": {"cfn_nag": {"rules_to_suppress": []}}
        })
    );
    assert_eq!(
        template["Outputs"]["DataArn"],
        json!({
            "Description": "The data bucket",
            "Value": {"Fn::GetAtt": ["StorageData8B3B206A", "Arn"]},
            "Export": {"Name": "data-arn"},
            "Condition": "IsProd"
        })
    );
}

#[test]
fn logical_ids_follow_the_cdk_and_can_be_overridden() {
    let app = no_bootstrap();
    let stack = Stack::new(&app, "Env0", env()).unwrap();
    let function = Group::new(&stack, "Fn0").unwrap();
    let role = Group::new(&function, "ServiceRole").unwrap();
    let role_res = CfnResource::new(&role, "Resource", "AWS::IAM::Role", Map::new()).unwrap();
    let policy = Group::new(&role, "DefaultPolicy").unwrap();
    let policy_res = CfnResource::new(&policy, "Resource", "AWS::IAM::Policy", Map::new()).unwrap();
    let wrapped = Group::new(&stack, "Default").unwrap();
    let plain = CfnResource::new(&wrapped, "Plain", "AWS::SNS::Topic", Map::new()).unwrap();
    // The ids the CDK gave the same paths in ../shared/reference/cdk-multi-account.
    assert_eq!(role_res.logical_id(), "Fn0ServiceRoleC2B4902A");
    assert_eq!(policy_res.logical_id(), "Fn0ServiceRoleDefaultPolicy94D1FB9D");
    assert_eq!(plain.logical_id(), "Plain");
    plain.override_logical_id("Renamed");
    let template = app.assembly().unwrap().template("Env0").unwrap();
    assert!(template["Resources"].get("Renamed").is_some());
    assert!(template["Resources"].get("Plain").is_none());
}

#[test]
fn a_renamed_construct_keeps_the_logical_ids_of_its_former_id() {
    let build = |id: &str, former: Option<&str>| {
        let app = no_bootstrap();
        let stack = Stack::new(&app, "S", env()).unwrap();
        let archive = Group::new(&stack, id).unwrap();
        if let Some(former) = former {
            archive.node().keep_former_id(former);
        }
        let bucket = CfnResource::new(&archive, "Resource", "AWS::S3::Bucket", Map::new()).unwrap();
        let policy = Group::new(&archive, "Policy").unwrap();
        let p = CfnResource::new(&policy, "Resource", "AWS::S3::BucketPolicy", Map::new()).unwrap();
        p.set_property("Bucket", Expr::Ref(bucket.element()));
        let t = json_file(&app.assembly().unwrap(), "S.template.json");
        let ids: Vec<String> = t["Resources"].as_object().unwrap().keys().cloned().collect();
        (ids, t)
    };
    let (before, _) = build("Archive", None);
    let (renamed, _) = build("ArchiveV2", None);
    assert_ne!(before, renamed);
    let (kept, template) = build("ArchiveV2", Some("Archive"));
    assert_eq!(kept, before);
    assert_eq!(template["Resources"][&kept[1]]["Properties"]["Bucket"], json!({"Ref": kept[0]}));

    let app = no_bootstrap();
    let stack = Stack::new(&app, "S", env()).unwrap();
    let group = Group::new(&stack, "G").unwrap();
    group.node().keep_former_id("a/b");
    let err = app.assembly().unwrap_err().to_string();
    assert!(err.contains("S/G") && err.contains("keep_former_id(\"a/b\")"), "{err}");
}

#[test]
fn tags_reach_taggable_resources_and_stacks_carry_theirs() {
    let app = no_bootstrap();
    Tags::add(&app, "team", "platform");
    let stack = Stack::new(&app, "S", StackProps { tags: vec![("cost-center".into(), "42".into())], ..env() }).unwrap();
    let listed = CfnResource::new(&stack, "Listed", "AWS::SQS::Queue", Map::new()).unwrap();
    listed.set_tag_format(TagFormat::Standard);
    let mapped = CfnResource::new(&stack, "Mapped", "AWS::SSM::Parameter", Map::new()).unwrap();
    mapped.set_tag_format(TagFormat::Map);
    mapped.set_property("Tags", json!({"team": "explicit wins"}));
    CfnResource::new(&stack, "Untaggable", "AWS::SNS::Subscription", Map::new()).unwrap();
    let assembly = app.assembly().unwrap();
    let t = assembly.template("S").unwrap();
    assert_eq!(t["Resources"]["Listed"]["Properties"]["Tags"], json!([{"Key": "team", "Value": "platform"}]));
    assert_eq!(t["Resources"]["Mapped"]["Properties"]["Tags"], json!({"team": "explicit wins"}));
    assert!(t["Resources"]["Untaggable"].get("Properties").is_none());
    let manifest = json_file(&assembly, "manifest.json");
    assert_eq!(manifest["artifacts"]["S"]["properties"]["tags"], json!({"cost-center": "42"}));
}

/// Stages Dev and Prod, each with a `Queues` stack holding queue `Q` and a `Consumers`
/// stack holding `Q2`, whose properties refer to `Q`; returns the `Consumers` stacks.
fn dev_and_prod_stages(app: &App, consumer_props: impl Fn(&CfnResource) -> Map<String, Value>) -> Vec<Stack> {
    let mut consumers = Vec::new();
    for (name, account) in [("Dev", "222222222222"), ("Prod", "333333333333")] {
        let stage = Stage::new(app, name, StageProps { env: Environment::new(account, "us-east-1") }).unwrap();
        let queues = Stack::new(&stage, "Queues", StackProps::default()).unwrap();
        let q = CfnResource::new(&queues, "Q", "AWS::SQS::Queue", Map::new()).unwrap();
        let stack = Stack::new(&stage, "Consumers", StackProps::default()).unwrap();
        CfnResource::new(&stack, "Q2", "AWS::SQS::Queue", consumer_props(&q)).unwrap();
        consumers.push(stack);
    }
    consumers
}

#[test]
fn stages_become_nested_assemblies_like_the_cdk() {
    let app = App::new();
    dev_and_prod_stages(&app, |q| {
        let mut props = Map::new();
        props.insert("RedrivePolicy".into(), json!({"deadLetterTargetArn": q.get_att("Arn"), "maxReceiveCount": 3}));
        props
    });
    let top = Stack::new(&app, "Top", StackProps::default()).unwrap();
    CfnResource::new(&top, "T", "AWS::SQS::Queue", Map::new()).unwrap();
    let assembly = app.assembly().unwrap();
    let root = json_file(&assembly, "manifest.json");
    assert_eq!(
        root["artifacts"]["assembly-Dev"],
        json!({"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-Dev", "displayName": "Dev"}})
    );
    assert_eq!(root["artifacts"]["Top"]["environment"], "aws://unknown-account/unknown-region");
    assert_eq!(
        root["artifacts"]["Top"]["properties"]["assumeRoleArn"],
        "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-hnb659fds-deploy-role-${AWS::AccountId}-${AWS::Region}"
    );
    let dev = json_file(&assembly, "assembly-Dev/manifest.json");
    // Artifact ids and stack names as the CDK wrote them in ../shared/reference/cdk-stages.
    let stack = &dev["artifacts"]["DevQueuesC4D90994"];
    assert_eq!(stack["environment"], "aws://222222222222/us-east-1");
    assert_eq!(stack["properties"]["stackName"], "Dev-Queues");
    assert_eq!(stack["displayName"], "Dev/Queues");
    assert_eq!(
        dev["artifacts"]["DevConsumers64CD4CCA"]["dependencies"],
        json!(["DevQueuesC4D90994", "DevConsumers64CD4CCA.assets"])
    );
    let consumers = json_file(&assembly, "assembly-Dev/DevConsumers64CD4CCA.template.json");
    assert_eq!(
        consumers["Resources"]["Q2"]["Properties"]["RedrivePolicy"]["deadLetterTargetArn"],
        json!({"Fn::ImportValue": "Dev-Queues:ExportsOutputFnGetAttQArn699449FF"})
    );
    assert!(assembly.file("assembly-Prod/ProdQueues890F56DA.template.json").is_some());
    // The template is published as a file asset, hashed by its bytes.
    let assets = json_file(&assembly, "assembly-Dev/DevQueuesC4D90994.assets.json");
    let (hash, file) = assets["files"].as_object().unwrap().iter().next().unwrap();
    assert_eq!(file["source"], json!({"path": "DevQueuesC4D90994.template.json", "packaging": "file"}));
    assert_eq!(file["destinations"]["222222222222-us-east-1"]["objectKey"], format!("{hash}.json"));
    assert!(stack["properties"]["stackTemplateAssetObjectUrl"].as_str().unwrap().ends_with(&format!("/{hash}.json")));
}

#[test]
fn tree_json_records_constructs_and_resource_props() {
    let app = no_bootstrap();
    let stack = Stack::new(&app, "S", env()).unwrap();
    let group = Group::with_fqn(&stack, "Fn", "cloudwright.lambda.Function").unwrap();
    let q = CfnResource::new(&group, "Resource", "AWS::SQS::Queue", Map::new()).unwrap();
    q.set_property("DelaySeconds", 5);
    q.node().add_metadata("cloudwright:owner", "platform");
    let assembly = app.assembly().unwrap();
    let tree = json_file(&assembly, "tree.json");
    assert_eq!(tree["version"], "tree-0.1");
    assert_eq!(tree["tree"]["id"], "App");
    assert_eq!(tree["tree"]["path"], "");
    let fn_node = &tree["tree"]["children"]["S"]["children"]["Fn"];
    assert_eq!(fn_node["constructInfo"]["fqn"], "cloudwright.lambda.Function");
    let res = &fn_node["children"]["Resource"]["attributes"];
    assert_eq!(res["aws:cdk:cloudformation:type"], "AWS::SQS::Queue");
    assert_eq!(res["aws:cdk:cloudformation:logicalId"], "Fn9270CBC0");
    assert_eq!(res["aws:cdk:cloudformation:props"], json!({"DelaySeconds": 5}));
    let manifest = json_file(&assembly, "manifest.json");
    assert_eq!(
        manifest["artifacts"]["S"]["metadata"]["/S/Fn/Resource"],
        json!([{"type": "cloudwright:owner", "data": "platform"}, {"type": "aws:cdk:logicalId", "data": "Fn9270CBC0"}])
    );
}

/// Stack values as a template language of angle brackets would write them: `<name>`, or
/// the value given by name; literal `<` is escaped as `<<`.
#[derive(Debug)]
struct Angles(Option<IndexMap<String, Value>>);

impl StackValues for Angles {
    fn value(&self, name: &str) -> Result<Value, String> {
        match &self.0 {
            None => Ok(json!(format!("<{name}>"))),
            Some(values) => values.get(name).cloned().ok_or_else(|| format!("has no value for `{name}`")),
        }
    }

    fn literal<'s>(&self, text: &'s str) -> Cow<'s, str> {
        if self.0.is_none() && text.contains('<') { Cow::Owned(text.replace('<', "<<")) } else { Cow::Borrowed(text) }
    }
}

#[test]
fn stack_values_resolve_through_the_stack_and_its_literal_hook_writes_every_string() {
    let build = |values: Option<Angles>| {
        let app = no_bootstrap();
        let props = StackProps {
            values: values.map(|v| Arc::new(v) as Arc<dyn StackValues>),
            description: Some("stack <x>".into()),
            ..env()
        };
        let stack = Stack::new(&app, "Env", props).unwrap();
        let vpc = CfnResource::new(&stack, "Vpc", "AWS::EC2::VPC", Map::new()).unwrap();
        vpc.set_property("CidrBlock", Expr::stack_value("inputs.cidr"));
        vpc.set_property(
            "Tags",
            json!([{"Key": "name", "Value": Expr::concat([Expr::str("env-<"), Expr::stack_value("name")])}]),
        );
        vpc.add_cfn_metadata("Note", "metadata <v>");
        // Metadata resolves references as properties do.
        vpc.add_cfn_metadata("Itself", vpc.reference());
        let output =
            OutputProps { value: Expr::str("v"), description: Some("output <y>".into()), ..Default::default() };
        CfnOutput::new(&stack, "Out", output).unwrap();
        let assertion = (Cond::equals(Expr::region(), "us-east-1"), Some("rule <z>".to_owned()));
        CfnRule::new(&stack, "Region", RuleProps { rule_condition: None, assertions: vec![assertion] }).unwrap();
        let row = IndexMap::from([("Name".to_owned(), json!("map <w>"))]);
        CfnMapping::new(&stack, "Names", IndexMap::from([("Row".to_owned(), row)])).unwrap();
        app.assembly().map(|a| a.template("Env").unwrap())
    };
    let t = build(Some(Angles(None))).unwrap();
    let vpc = &t["Resources"]["Vpc"];
    // A value is written as the stack gives it, not passed through the literal hook.
    assert_eq!(vpc["Properties"]["CidrBlock"], "<inputs.cidr>");
    assert_eq!(vpc["Properties"]["Tags"][0]["Value"], json!({"Fn::Join": ["", ["env-<<", "<name>"]]}));
    assert_eq!(t["Description"], "stack <<x>");
    assert_eq!(t["Outputs"]["Out"]["Description"], "output <<y>");
    assert_eq!(t["Rules"]["Region"]["Assertions"][0]["AssertDescription"], "rule <<z>");
    assert_eq!(t["Mappings"]["Names"]["Row"]["Name"], "map <<w>");
    assert_eq!(vpc["Metadata"], json!({"Note": "metadata <<v>", "Itself": {"Ref": "Vpc"}}));

    let values = IndexMap::from([("inputs.cidr".to_owned(), json!("10.0.0.0/16")), ("name".to_owned(), json!("dev"))]);
    let t = build(Some(Angles(Some(values.clone())))).unwrap();
    assert_eq!(t["Resources"]["Vpc"]["Properties"]["CidrBlock"], "10.0.0.0/16");
    assert_eq!(t["Resources"]["Vpc"]["Properties"]["Tags"][0]["Value"], json!({"Fn::Join": ["", ["env-<", "dev"]]}));
    assert_eq!(t["Description"], "stack <x>");

    let mut missing = values;
    missing.shift_remove("name");
    let err = build(Some(Angles(Some(missing)))).unwrap_err();
    assert_eq!(err.to_string(), "Env/Vpc: has no value for `name`");

    // A stack that resolves no values writes its strings as they are and refuses a value.
    let err = build(None).unwrap_err().to_string();
    assert!(
        err.contains("Env/Vpc: uses the stack value `inputs.cidr` in a stack that resolves no stack values"),
        "{err}"
    );
}

#[test]
fn file_generators_add_outputs_and_their_errors_stop_synthesis() {
    use cloudwright_core::Error;
    let context = IndexMap::from([("team:mode".to_owned(), "bundles".to_owned())]);
    let app = App::with_props(AppProps { context, ..Default::default() });
    assert_eq!(app.context("team:mode").as_deref(), Some("bundles"));
    app.set_context("team:owner", "platform");
    assert_eq!(app.context("team:owner").as_deref(), Some("platform"));
    assert_eq!(app.context("team:other"), None);
    let stack = Stack::new(&app, "S", env()).unwrap();
    CfnResource::new(&stack, "Q", "AWS::SQS::Queue", Map::new()).unwrap();
    let seen = App::of(&stack);
    app.add_file_generator(move || {
        Ok(vec![("proton/readme.txt".into(), format!("{} stacks", seen.stacks().len()).into_bytes())])
    });
    let assembly = app.assembly().unwrap();
    assert_eq!(assembly.file("proton/readme.txt"), Some(&b"1 stacks"[..]));

    app.add_file_generator(|| Err(Error::Validation { path: "S/Bundle".into(), message: "bad bundle".into() }));
    let err = app.assembly().unwrap_err();
    assert_eq!(err.to_string(), "S/Bundle: bad bundle");
}

#[test]
fn assets_are_staged_hashed_by_content_and_listed_for_publishing() {
    use cloudwright_core::asset::{Packaging, stage_asset};
    let dir = std::env::temp_dir().join(format!("cw-asset-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("lib")).unwrap();
    std::fs::write(dir.join("index.py"), "def handler(e, c):\n    return 1\n").unwrap();
    std::fs::write(dir.join("lib/util.py"), "X = 1\n").unwrap();

    let app = App::new();
    let stage = Stage::new(&app, "Dev", StageProps { env: Environment::new("222222222222", "us-east-1") }).unwrap();
    let stack = Stack::new(&stage, "Fn", StackProps::default()).unwrap();
    let asset = stage_asset(&stack, &dir).unwrap();
    assert_eq!(asset.packaging, Packaging::Zip);
    assert_eq!(asset.key, format!("{}.zip", asset.hash));
    assert_eq!(asset.bucket.to_json(), json!({"Fn::Sub": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"}));
    CfnResource::new(&stack, "Q", "AWS::SQS::Queue", Map::new()).unwrap();
    let assembly = app.assembly().unwrap();
    let staged = format!("asset.{}", asset.hash);
    assert_eq!(assembly.file(&format!("{staged}/lib/util.py")), Some(&b"X = 1\n"[..]));
    let manifest = json_file(&assembly, "assembly-Dev/DevFn8C9DA0BA.assets.json");
    let entry = &manifest["files"][&asset.hash];
    assert_eq!(entry["source"], json!({"path": format!("../{staged}"), "packaging": "zip"}));
    assert_eq!(entry["destinations"]["222222222222-us-east-1"]["objectKey"], asset.key);

    // The hash follows the content, not timestamps: touching a file changes nothing,
    // changing a byte changes it.
    let again = stage_asset(&stack, &dir).unwrap();
    assert_eq!(again.hash, asset.hash);
    std::fs::write(dir.join("lib/util.py"), "X = 2\n").unwrap();
    assert_ne!(stage_asset(&stack, &dir).unwrap().hash, asset.hash);

    let missing = stage_asset(&stack, &dir.join("nope")).unwrap_err();
    // An unreadable path is a read error naming the file.
    assert!(matches!(&missing, cloudwright_core::Error::Read { path, .. } if path.ends_with("nope")), "{missing}");
    assert!(missing.to_string().starts_with(&format!("cannot read {}", dir.join("nope").display())), "{missing}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Every file under `dir`, by path relative to it with `/`.
fn read_tree(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    fn walk(root: &std::path::Path, dir: &std::path::Path, out: &mut std::collections::BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn synth_streams_to_disk_exactly_what_the_in_memory_assembly_holds() {
    use cloudwright_core::asset::stage_asset;
    let code = std::env::temp_dir().join(format!("cw-stream-code-{}", std::process::id()));
    std::fs::create_dir_all(&code).unwrap();
    std::fs::write(code.join("index.py"), "def handler(e, c):\n    return 1\n").unwrap();
    // Stages, cross-stack exports, assets and a file generator: every kind of file.
    let app = App::new();
    let consumers = dev_and_prod_stages(&app, |q| {
        let mut props = Map::new();
        props.insert("Target".into(), q.get_att("Arn").into());
        props
    });
    for stack in &consumers {
        stage_asset(stack, &code).unwrap();
    }
    app.add_file_generator(|| Ok(vec![("extra/notes.txt".into(), b"beside the assembly\n".to_vec())]));

    let assembly = app.assembly().unwrap();
    let out = std::env::temp_dir().join(format!("cw-stream-out-{}", std::process::id()));
    std::fs::create_dir_all(out.join("stale")).unwrap();
    let report = app.synth(&out).unwrap();
    let on_disk = read_tree(&out);
    assert_eq!(on_disk.keys().collect::<Vec<_>>(), assembly.files().keys().collect::<Vec<_>>());
    for (path, bytes) in assembly.files() {
        assert!(on_disk[path] == *bytes, "{path} differs between synth and assembly");
    }
    assert_eq!(report.files, assembly.files().len());
    assert_eq!(report.bytes, assembly.files().values().map(Vec::len).sum::<usize>());
    assert_eq!(report.stacks.len(), 4);
    // The staging directory is gone and nothing else was left beside the output.
    let leftovers: Vec<_> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.starts_with(&format!(".cw-stream-out-{}", std::process::id())))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    std::fs::remove_dir_all(&out).unwrap();
    std::fs::remove_dir_all(&code).unwrap();
}

#[test]
fn lazy_properties_are_produced_once_after_aspects_in_their_place() {
    use std::cell::Cell;
    use std::rc::Rc;
    let app = no_bootstrap();
    let stack = Stack::new(&app, "S", env()).unwrap();
    let q = CfnResource::new(&stack, "Q", "AWS::SQS::Queue", Map::new()).unwrap();
    q.set_property("DelaySeconds", 1);
    let calls = Rc::new(Cell::new(0));
    let counter = Rc::clone(&calls);
    let name = Rc::new(std::cell::RefCell::new(String::from("first")));
    let produced = Rc::clone(&name);
    q.set_lazy_property("QueueName", move || {
        counter.set(counter.get() + 1);
        json!(produced.borrow().clone())
    });
    q.set_property("VisibilityTimeout", 30);
    // Until synthesis the property holds its place, empty.
    assert_eq!(q.property("QueueName"), Some(Value::Null));
    // Changes after the producer was set still count: it runs at synthesis.
    *name.borrow_mut() = "late".into();
    struct Rename(Rc<std::cell::RefCell<String>>);
    impl cloudwright_core::Aspect for Rename {
        fn visit(&self, _: &cloudwright_core::Node) {
            *self.0.borrow_mut() = "from-aspect".into();
        }
    }
    stack.node().add_aspect(Rename(Rc::clone(&name)));
    let assembly = app.assembly().unwrap();
    let t = json_file(&assembly, "S.template.json");
    let props = t["Resources"]["Q"]["Properties"].as_object().unwrap();
    assert_eq!(props.keys().collect::<Vec<_>>(), ["DelaySeconds", "QueueName", "VisibilityTimeout"]);
    assert_eq!(props["QueueName"], "from-aspect");
    assert_eq!(calls.get(), 1);
    // Setting it again replaces the producer.
    q.set_lazy_property("QueueName", || json!("second"));
    let t = json_file(&app.assembly().unwrap(), "S.template.json");
    assert_eq!(t["Resources"]["Q"]["Properties"]["QueueName"], "second");
    assert_eq!(calls.get(), 1);
    // A plain value set afterwards wins over the producer.
    q.set_property("QueueName", "plain");
    let t = json_file(&app.assembly().unwrap(), "S.template.json");
    assert_eq!(t["Resources"]["Q"]["Properties"]["QueueName"], "plain");
}

#[test]
fn serialized_properties_are_stored_as_props_are_and_a_failure_is_an_error_of_the_resource() {
    use cloudwright_core::Value as Typed;
    /// A value whose serialization fails, as a custom `Serialize` may.
    struct Unwritable;
    impl serde::Serialize for Unwritable {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("no way"))
        }
    }
    let app = no_bootstrap();
    let stack = Stack::new(&app, "S", env()).unwrap();
    let q = CfnResource::new(&stack, "Q", "AWS::SQS::Queue", Map::new()).unwrap();
    q.set_serialized_property("DelaySeconds", Typed::Literal(5_i64));
    q.set_serialized_property("RedrivePolicy", json!({"maxReceiveCount": 3}));
    q.set_lazy_serialized_property("QueueName", || Typed::<String>::Expr(Expr::region()));
    assert_eq!(q.property("QueueName"), Some(Value::Null));
    let t = json_file(&app.assembly().unwrap(), "S.template.json");
    assert_eq!(
        t["Resources"]["Q"]["Properties"],
        json!({"DelaySeconds": 5, "RedrivePolicy": {"maxReceiveCount": 3}, "QueueName": {"Ref": "AWS::Region"}})
    );

    q.set_serialized_property("Tags", Unwritable);
    q.set_lazy_serialized_property("Policy", || Unwritable);
    let err = app.assembly().unwrap_err().to_string();
    assert!(err.contains("the property `Tags` does not serialize: no way"), "{err}");
    assert!(err.contains("the lazy property `Policy` does not serialize: no way"), "{err}");
}

#[test]
fn logical_id_expressions_resolve_in_their_stack_and_follow_overrides() {
    let app = no_bootstrap();
    let stack = Stack::new(&app, "S", env()).unwrap();
    let group = Group::new(&stack, "Jobs").unwrap();
    let q = CfnResource::new(&group, "Queue", "AWS::SQS::Queue", Map::new()).unwrap();
    q.set_property("QueueName", Expr::LogicalId(q.element()));
    let t = json_file(&app.assembly().unwrap(), "S.template.json");
    let id = q.logical_id();
    assert_eq!(t["Resources"][&id]["Properties"]["QueueName"], json!(id));
    q.override_logical_id("JobsQueue");
    let t = json_file(&app.assembly().unwrap(), "S.template.json");
    assert_eq!(t["Resources"]["JobsQueue"]["Properties"]["QueueName"], "JobsQueue");

    let other = Stack::new(&app, "Other", env()).unwrap();
    let r = CfnResource::new(&other, "R", "AWS::SQS::Queue", Map::new()).unwrap();
    r.set_property("QueueName", Expr::LogicalId(q.element()));
    let err = app.assembly().unwrap_err().to_string();
    assert!(
        err.contains("Other/R") && err.contains("the logical id of S/Jobs/Queue, an element of another stack"),
        "{err}"
    );
}

#[test]
fn transforms_added_after_construction_follow_the_props_ones_once() {
    let app = no_bootstrap();
    let stack =
        Stack::new(&app, "Sam", StackProps { transforms: vec!["AWS::LanguageExtensions".into()], ..env() }).unwrap();
    stack.add_transform("AWS::Serverless-2016-10-31");
    stack.add_transform("AWS::Serverless-2016-10-31");
    CfnResource::new(&stack, "Bucket", "AWS::S3::Bucket", Map::new()).unwrap();
    let template = app.assembly().unwrap().template("Sam").unwrap();
    assert_eq!(template["Transform"], json!(["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"]));
}
