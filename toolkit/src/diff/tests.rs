//! Unit tests of the diff logic on small templates.

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use super::*;

fn side(label: &str, template: Json) -> Side {
    Side {
        label: label.to_owned(),
        stacks: vec![StackTemplate {
            artifact_id: "S".into(),
            display_name: "S".into(),
            template,
            ..Default::default()
        }],
        proton: BTreeMap::new(),
    }
}

fn resources(resources: Json) -> Json {
    json!({ "Resources": resources })
}

fn one(old: Json, new: Json) -> ResourceDiff {
    let d = diff(&side("old", resources(json!({ "R": old }))), &side("new", resources(json!({ "R": new }))));
    assert_eq!(d.stacks.len(), 1, "{d:?}");
    assert_eq!(d.stacks[0].resources.len(), 1, "{d:?}");
    d.stacks[0].resources[0].clone()
}

#[test]
fn identical_sides_have_no_difference() {
    let t = resources(json!({"Q": {"Type": "AWS::SQS::Queue"}}));
    let d = diff(&side("a", t.clone()), &side("b", t));
    assert!(d.is_empty());
    assert!(d.to_text(false).starts_with("no differences"));
}

#[test]
fn property_change_has_a_path_and_both_values() {
    let r = one(
        json!({"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 30, "Tags": [{"Key": "a", "Value": "1"}]}}),
        json!({"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 60, "Tags": [{"Key": "a", "Value": "2"}]}}),
    );
    assert_eq!(r.change, Change::Modified);
    assert!(!r.replacement);
    let paths: Vec<&str> = r.properties.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["Properties.VisibilityTimeout", "Properties.Tags[0].Value"]);
    assert_eq!(r.properties[0].old, Some(json!(30)));
    assert_eq!(r.properties[0].new, Some(json!(60)));
}

#[test]
fn create_only_properties_and_type_changes_replace() {
    let r = one(
        json!({"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "a"}}),
        json!({"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "b"}}),
    );
    assert!(r.replacement);
    assert!(r.properties[0].replaces);
    // A nested create-only pointer: /properties/Tags is not create-only, /properties/QueueName is.
    let r = one(
        json!({"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "a", "DelaySeconds": 1}}),
        json!({"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "a", "DelaySeconds": 2}}),
    );
    assert!(!r.replacement);
    let r = one(json!({"Type": "AWS::SQS::Queue"}), json!({"Type": "AWS::SNS::Topic"}));
    assert!(r.replacement);
    assert_eq!(r.old_type.as_deref(), Some("AWS::SQS::Queue"));
    let text = diff(
        &side("old", resources(json!({"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "a"}}}))),
        &side("new", resources(json!({"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "b"}}}))),
    )
    .to_text(false);
    assert!(text.contains("~ AWS::S3::Bucket B (will be replaced)"), "{text}");
    assert!(text.contains("~ Properties.BucketName: \"a\" -> \"b\" (requires replacement)"), "{text}");
}

#[test]
fn nested_create_only_pointer_with_wildcard() {
    let segs: Vec<String> = vec!["A".into(), "*".into(), "B".into()];
    let v = json!({"A": [{"B": 1}, {"B": 2}]});
    assert_eq!(template::resolve_for_test(&v, &segs), vec![json!(1), json!(2)]);
}

#[test]
fn statement_changes_are_security_relevant() {
    let doc = |actions: Json| {
        json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"},
            {"Sid": "Read", "Effect": "Allow", "Action": actions, "Resource": "*"}
        ]})
    };
    let r = one(
        json!({"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": doc(json!("s3:GetObject"))}}),
        json!({"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": doc(json!(["s3:GetObject", "s3:PutObject"])),
            "Policies": [{"PolicyName": "Extra", "PolicyDocument": {"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}}}],
            "ManagedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"]}}),
    );
    assert_eq!(r.security.len(), 2, "{r:?}");
    assert_eq!(r.security[0].document, "AssumeRolePolicyDocument");
    assert_eq!(r.security[0].change, Change::Modified);
    assert_eq!(r.security[1].document, "Policies[Extra]");
    assert_eq!(r.security[1].change, Change::Added);
    // The documents are shown as statements, not as property paths; attachments are flagged.
    assert_eq!(r.properties.len(), 1, "{r:?}");
    assert!(r.properties[0].security);
    assert_eq!(r.security_changes(), 3);
    let text = diff(
        &side("o", resources(json!({"R": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": doc(json!("s3:GetObject"))}}}))),
        &side("n", resources(json!({"R": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": doc(json!("s3:*"))}}}))),
    )
    .to_text(false);
    assert!(text.contains("~ statement in AssumeRolePolicyDocument [security]:"), "{text}");
    assert!(text.contains("- Allow s3:GetObject on * (Sid Read)"), "{text}");
    assert!(text.contains("+ Allow s3:* on * (Sid Read)"), "{text}");
}

#[test]
fn organizations_content_may_be_a_json_string() {
    let scp = |action: &str| {
        let content =
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": action, "Resource": "*"}]});
        json!({"Type": "AWS::Organizations::Policy", "Properties": {"Name": "p", "Type": "SERVICE_CONTROL_POLICY", "Content": content.to_string()}})
    };
    let r = one(scp("proton:*"), scp("proton:Create*"));
    assert_eq!(r.security.len(), 1, "{r:?}");
    assert_eq!(r.security[0].document, "Content");
    assert_eq!(r.security[0].old.as_ref().and_then(|s| s["Action"].as_str()), Some("proton:*"));
    assert!(r.properties.is_empty(), "{r:?}");
}

#[test]
fn security_group_rules_lambda_permissions_and_new_resources() {
    let sg = |cidr: &str| {
        json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "d",
        "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": cidr}]}})
    };
    let r = one(sg("10.0.0.0/8"), sg("0.0.0.0/0"));
    assert_eq!(r.security.len(), 2, "{r:?}");
    assert_eq!(
        policy::describe(SecurityKind::Ingress, r.security[0].new.as_ref().unwrap_or(&Json::Null)),
        "tcp 443 from 0.0.0.0/0"
    );
    let d = diff(
        &side("o", resources(json!({}))),
        &side(
            "n",
            resources(json!({"P": {"Type": "AWS::Lambda::Permission", "Properties": {
            "Action": "lambda:InvokeFunction", "FunctionName": {"Ref": "F"}, "Principal": "events.amazonaws.com",
            "SourceArn": {"Fn::GetAtt": ["Rule", "Arn"]}}}})),
        ),
    );
    let r = &d.stacks[0].resources[0];
    assert_eq!(r.change, Change::Added);
    let text = policy::describe(SecurityKind::Statement, r.security[0].new.as_ref().unwrap_or(&Json::Null));
    assert_eq!(
        text,
        "Allow lambda:InvokeFunction on Ref(F) for events.amazonaws.com when {ArnLike: {AWS:SourceArn: Rule.Arn}}"
    );
}

#[test]
fn stacks_and_sections() {
    let old = Side {
        label: "o".into(),
        stacks: vec![
            StackTemplate {
                artifact_id: "A".into(),
                display_name: "A".into(),
                template: json!({"Resources": {}, "Outputs": {"X": {"Value": 1}}}),
                ..Default::default()
            },
            StackTemplate {
                artifact_id: "Gone".into(),
                display_name: "Gone".into(),
                template: json!({"Resources": {}}),
                ..Default::default()
            },
        ],
        proton: BTreeMap::new(),
    };
    let new = Side {
        label: "n".into(),
        stacks: vec![
            StackTemplate {
                artifact_id: "A".into(),
                display_name: "A".into(),
                template: json!({"Resources": {}, "Outputs": {"X": {"Value": 2}}, "Parameters": {"P": {"Type": "String"}}}),
                ..Default::default()
            },
            StackTemplate {
                artifact_id: "New".into(),
                display_name: "New".into(),
                template: json!({"Resources": {}}),
                ..Default::default()
            },
        ],
        proton: BTreeMap::new(),
    };
    let d = diff(&old, &new);
    let kinds: Vec<(&str, Change)> = d.stacks.iter().map(|s| (s.stack.as_str(), s.change)).collect();
    assert_eq!(kinds, [("A", Change::Modified), ("New", Change::Added), ("Gone", Change::Removed)]);
    let elements: Vec<String> =
        d.stacks[0].elements.iter().map(|e| format!("{}.{} {:?}", e.section, e.logical_id, e.change)).collect();
    assert_eq!(elements, ["Parameters.P Added", "Outputs.X Modified"]);
    let md = d.to_markdown();
    assert!(md.contains("| `A` | 0 | 0 | 0 | 0 | 0 |"), "{md}");
}

#[test]
fn proton_breaking_changes_follow_the_lock() {
    let schema = |props: Json, required: Json| {
        json!({"schema": {"format": {"openapi": "3.0.0"},
        "environment_input_type": "In", "types": {"In": {"type": "object", "properties": props, "required": required}}}})
    };
    let old = schema(json!({"a": {"type": "string"}, "b": {"type": "string"}}), json!([]));
    let new = schema(json!({"a": {"type": "integer"}, "c": {"type": "string"}, "d": {"type": "string"}}), json!(["d"]));
    let sides = |major: u32| {
        let mk = |doc: &Json, m: u32| Side {
            label: String::new(),
            stacks: Vec::new(),
            proton: BTreeMap::from([("env".to_owned(), (m, doc.clone()))]),
        };
        (mk(&old, 1), mk(&new, major))
    };
    let (o, n) = sides(1);
    let d = diff(&o, &n);
    let changes: Vec<String> =
        d.proton[0].changes.iter().map(|c| format!("{} {} {}", c.input, c.what, c.breaking)).collect();
    assert_eq!(
        changes,
        [
            "a changed type from \"string\" to \"integer\" true",
            "b was removed true",
            "c was added false",
            "d became required without a default true"
        ]
    );
    assert!(!d.proton[0].major_changed());
    let (o, n) = sides(2);
    let text = diff(&o, &n).to_text(false);
    assert!(text.contains("Proton template env v1 -> v2 (major version changed"), "{text}");
    assert!(text.contains("! environment input `b` was removed [breaking]"), "{text}");
}

#[test]
fn reordered_statements_still_show_and_colour_is_optional() {
    let doc = |order: [&str; 2]| {
        json!({"Statement": [
        {"Effect": "Allow", "Action": order[0], "Resource": "*"},
        {"Effect": "Allow", "Action": order[1], "Resource": "*"}]})
    };
    let r = one(
        json!({"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": doc(["a:A", "b:B"])}}),
        json!({"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": doc(["b:B", "a:A"])}}),
    );
    assert!(r.security.is_empty());
    assert!(!r.properties.is_empty(), "{r:?}");
    let d = diff(&side("o", resources(json!({"B": {"Type": "AWS::SNS::Topic"}}))), &side("n", resources(json!({}))));
    assert!(d.to_text(true).contains("\x1b[31m- AWS::SNS::Topic B"), "{:?}", d.to_text(true));
    assert!(!d.to_text(false).contains('\x1b'));
}

#[test]
fn a_removed_export_an_old_consumer_imports_is_a_deploy_time_failure() {
    let stack = |id: &str, template: Json| StackTemplate {
        artifact_id: id.into(),
        display_name: id.into(),
        template,
        ..Default::default()
    };
    let two = |label: &str, producer: Json, consumer: Json| Side {
        label: label.to_owned(),
        stacks: vec![stack("Producer", producer), stack("Consumer", consumer)],
        proton: BTreeMap::new(),
    };
    let bucket = json!({"Bucket": {"Type": "AWS::S3::Bucket"}});
    let exporting = json!({"Resources": bucket, "Outputs": {"ExportsOutputRefBucket": {
        "Value": {"Ref": "Bucket"}, "Export": {"Name": "Producer:ExportsOutputRefBucket"}}}});
    let importing = json!({"Resources": {"User": {"Type": "Custom::User",
        "Properties": {"Bucket": {"Fn::ImportValue": "Producer:ExportsOutputRefBucket"}}}}});
    let plain = json!({"Resources": {"User": {"Type": "Custom::User"}}});
    let old = two("old", exporting.clone(), importing.clone());
    let new = two("new", json!({"Resources": bucket}), plain.clone());

    let d = diff(&old, &new);
    assert_eq!(d.deploy_failures.len(), 1, "{d:?}");
    let f = &d.deploy_failures[0];
    assert_eq!((f.producer.as_str(), f.export.as_str()), ("Producer", "Producer:ExportsOutputRefBucket"));
    assert_eq!(f.consumers, ["Consumer (User)"]);
    assert!(
        f.reason.contains("cannot delete an export") && f.reason.contains("unless Consumer is deployed"),
        "{}",
        f.reason
    );
    let text = d.to_text(false);
    assert!(text.contains("Deploy-time failures (1):"), "{text}");
    assert!(text.contains("! deploy-time failure: a stack of the old output imports this export"), "{text}");
    assert!(d.to_markdown().contains("**Deploy-time failures**"));

    // Kept (as the export lock does), or never imported: no failure.
    assert!(diff(&old, &two("new", exporting, plain.clone())).deploy_failures.is_empty());
    let unimported =
        two("old", json!({"Resources": bucket, "Outputs": {"O": {"Value": "x", "Export": {"Name": "N"}}}}), plain);
    assert!(diff(&unimported, &new).deploy_failures.is_empty());
}

#[test]
fn every_type_of_the_policy_table_shows_its_statements() {
    // Users' and groups' inline policies, Secrets Manager and table resource policies: read
    // from the one table the governance rules read (`iam::documents`).
    let statement = |action: &str| json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]});
    let cases = [
        (
            "AWS::IAM::User",
            "Policies",
            json!([{"PolicyName": "P", "PolicyDocument": statement("s3:GetObject")}]),
            json!([{"PolicyName": "P", "PolicyDocument": statement("s3:*")}]),
            "Policies[P]",
        ),
        ("AWS::IAM::GroupPolicy", "PolicyDocument", statement("s3:GetObject"), statement("s3:*"), "PolicyDocument"),
        (
            "AWS::SecretsManager::ResourcePolicy",
            "ResourcePolicy",
            statement("secretsmanager:GetSecretValue"),
            statement("secretsmanager:*"),
            "ResourcePolicy",
        ),
        (
            "AWS::DynamoDB::Table",
            "ResourcePolicy",
            json!({"PolicyDocument": statement("dynamodb:GetItem")}),
            json!({"PolicyDocument": statement("dynamodb:*")}),
            "ResourcePolicy.PolicyDocument",
        ),
    ];
    for (kind, property, old, new, document) in cases {
        let r = one(
            json!({"Type": kind, "Properties": {property: old}}),
            json!({"Type": kind, "Properties": {property: new}}),
        );
        assert_eq!(r.security.len(), 1, "{kind}: {r:?}");
        assert_eq!(r.security[0].document, document, "{kind}");
        assert_eq!(r.security[0].change, Change::Modified, "{kind}");
    }
}

/// A side of stacks `(name, environment, resources)`.
fn stacks_side(label: &str, stacks: &[(&str, &str, Json)]) -> Side {
    Side {
        label: label.to_owned(),
        stacks: stacks
            .iter()
            .map(|(name, env, res)| StackTemplate {
                artifact_id: (*name).into(),
                display_name: (*name).into(),
                environment: (*env).into(),
                template: resources(res.clone()),
                // As the manifest's `aws:cdk:logicalId` metadata gives them.
                paths: res
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter_map(|(id, r)| Some((id.clone(), r.pointer("/Metadata/path")?.as_str()?.to_owned())))
                    .collect(),
                ..Default::default()
            })
            .collect(),
        proton: BTreeMap::new(),
    }
}

const ENV: &str = "aws://111111111111/us-east-1";

fn bucket_and_policy(id: &str) -> Json {
    json!({
        id: {"Type": "AWS::S3::Bucket", "Properties": {"VersioningConfiguration": {"Status": "Enabled"}},
             "Metadata": {"path": format!("Storage/{id}/Resource")}},
        format!("{id}Policy"): {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": {"Ref": id},
            "PolicyDocument": {"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
              "Resource": {"Fn::Sub": format!("${{{id}.Arn}}/*")}}]}}}
    })
}

#[test]
fn a_rename_is_a_move_with_its_references_and_a_hint() {
    let old = stacks_side("old", &[("Storage", ENV, bucket_and_policy("Archive"))]);
    let new = stacks_side("new", &[("Storage", ENV, bucket_and_policy("ArchiveV2"))]);
    let d = diff(&old, &new);
    let r = &d.stacks[0].resources;
    assert_eq!(r.len(), 2, "{r:#?}");
    assert!(r.iter().all(|r| r.change == Change::Moved && !r.replacement), "{r:#?}");
    assert_eq!(r[0].moved_from.as_ref().unwrap().to_string(), "Storage.Archive");
    assert_eq!(r[1].moved_from.as_ref().unwrap().logical_id, "ArchivePolicy");
    let hint = r[0].hint.as_deref().unwrap();
    assert!(hint.contains("cloudwright refactor") && hint.contains("keep_former_id(\"Archive\")"), "{hint}");
    assert!(hint.contains("the construct `Storage/ArchiveV2`"), "{hint}");
    // Moved without a refactor, the bucket's objects go: flagged and counted.
    assert!(r[0].data_loss.as_deref().unwrap().contains("AWS::S3::Bucket holds data"));
    assert_eq!(d.data_losses(), 1);
    let text = d.to_text(false);
    assert!(text.contains("0 removed, 2 moved; 1 resource with data loss;"), "{text}");
    assert!(text.contains("> AWS::S3::Bucket ArchiveV2 (moved from Storage.Archive)"), "{text}");
    assert!(d.to_markdown().contains("(moved from `Storage.Archive`)"));
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["stacks"][0]["resources"][0]["change"], "moved");
    assert_eq!(json["stacks"][0]["resources"][0]["moved_from"]["logical_id"], "Archive");
    // Kept: no data loss once DeletionPolicy is Retain.
    let mut kept = bucket_and_policy("Archive");
    kept["Archive"]["DeletionPolicy"] = json!("Retain");
    let d = diff(&stacks_side("old", &[("Storage", ENV, kept)]), &new);
    assert_eq!(d.data_losses(), 0);
}

#[test]
fn a_move_to_a_sibling_stack_follows_its_exports() {
    let queue = json!({"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 60}});
    let function = |role: Json| json!({"Type": "AWS::Lambda::Function", "Properties": {"Role": "r", "Environment": {"Variables": {"QUEUE": role}}}});
    let old = stacks_side(
        "old",
        &[
            ("Web", ENV, json!({"Jobs": queue, "Fn": function(json!({"Ref": "Jobs"}))})),
            ("Work", ENV, json!({"Other": {"Type": "AWS::SNS::Topic"}})),
        ],
    );
    let mut new = stacks_side(
        "new",
        &[
            ("Web", ENV, json!({"Fn": function(json!({"Fn::ImportValue": "Work:Jobs"}))})),
            ("Work", ENV, json!({"Other": {"Type": "AWS::SNS::Topic"}, "Jobs": queue})),
        ],
    );
    new.stacks[1].template["Outputs"] = json!({"JobsOut": {"Value": {"Ref": "Jobs"}, "Export": {"Name": "Work:Jobs"}}});
    let d = diff(&old, &new);
    let work = d.stacks.iter().find(|s| s.stack == "Work").unwrap();
    let jobs = work.resources.iter().find(|r| r.logical_id == "Jobs").unwrap();
    assert_eq!(jobs.change, Change::Moved);
    assert_eq!(jobs.moved_from.as_ref().unwrap().to_string(), "Web.Jobs");
    assert!(jobs.hint.as_deref().unwrap().starts_with("moved to another stack"));
    let web = d.stacks.iter().find(|s| s.stack == "Web").unwrap();
    assert!(web.resources.iter().all(|r| r.logical_id != "Jobs"), "the source lists no removal");
}

#[test]
fn a_move_that_changes_a_create_only_property_is_a_replacement() {
    let q = |name: &str| json!({"Type": "AWS::SQS::Queue", "Properties": {"QueueName": name}});
    let old = stacks_side("old", &[("A", ENV, json!({"Jobs": q("a")})), ("B", ENV, json!({}))]);
    let new = stacks_side("new", &[("A", ENV, json!({})), ("B", ENV, json!({"Jobs": q("b")}))]);
    let d = diff(&old, &new);
    let jobs = &d.stacks.iter().find(|s| s.stack == "B").unwrap().resources[0];
    assert_eq!((jobs.change, jobs.replacement), (Change::Moved, true));
    assert!(jobs.properties[0].replaces);
    assert!(jobs.data_loss.as_deref().unwrap().contains("UpdateReplacePolicy"), "{jobs:?}");
    assert!(jobs.hint.as_deref().unwrap().contains("only set on creation"));
}

#[test]
fn ambiguous_moves_are_listed_until_a_mapping_settles_them() {
    let topic = json!({"Type": "AWS::SNS::Topic"});
    let old = stacks_side("old", &[("A", ENV, json!({"One": topic, "Two": topic}))]);
    let new = stacks_side("new", &[("A", ENV, json!({"Uno": topic, "Dos": topic}))]);
    let d = diff(&old, &new);
    assert_eq!(d.ambiguous.len(), 1);
    assert_eq!(d.ambiguous[0].from.len(), 2);
    assert!(d.to_text(false).contains("? AWS::SNS::Topic: A.One, A.Two removed and A.Uno, A.Dos added are alike"));
    let mapping = Mapping::parse(
        r#"{"environments": [{"account": "111111111111", "region": "us-east-1",
            "resources": {"A.One": "A.Uno", "A.Two": "A.Dos"}}]}"#,
        "m.json",
    )
    .unwrap();
    let d = diff_with(&old, &new, &mapping).unwrap();
    assert!(d.ambiguous.is_empty());
    let moved: Vec<String> = d.stacks[0]
        .resources
        .iter()
        .map(|r| format!("{} <- {}", r.logical_id, r.moved_from.as_ref().unwrap().logical_id))
        .collect();
    assert_eq!(moved, ["Uno <- One", "Dos <- Two"]);
}

#[test]
fn bad_mapping_files_name_the_file_and_line() {
    let err = |text: &str| Mapping::parse(text, "m.json").unwrap_err().to_string();
    assert!(err("{").starts_with("m.json:1: is not a mapping file"), "{}", err("{"));
    let e = err(r#"{"environments": [{"account": "1234", "region": "us-east-1",
        "resources": {"NoDot": "A.B"}}]}"#);
    assert!(e.contains("m.json:1: account \"1234\" is not a 12-digit"), "{e}");
    assert!(e.contains("m.json:2: \"NoDot\" -> \"A.B\": each side is STACK_NAME.LOGICAL_ID"), "{e}");
    let e = err(r#"{"environments": [], "extra": 1}"#);
    assert!(e.contains("unknown field `extra`"), "{e}");
    // Well formed, but not fitting the sides.
    let topic = json!({"Type": "AWS::SNS::Topic"});
    let old = stacks_side("old", &[("A", ENV, json!({"One": topic}))]);
    let new = stacks_side("new", &[("A", ENV, json!({"Uno": {"Type": "AWS::SQS::Queue"}}))]);
    let mapping = |resources: &str| {
        Mapping::parse(
            &format!("{{\"environments\": [{{\"account\": \"111111111111\", \"region\": \"us-east-1\",\n \"resources\": {resources}}}]}}"),
            "m.json",
        )
        .unwrap()
    };
    let e = diff_with(&old, &new, &mapping(r#"{"A.Nope": "A.Uno"}"#)).unwrap_err().to_string();
    assert!(e.contains("m.json:2: the old side has no resource A.Nope"), "{e}");
    let e = diff_with(&old, &new, &mapping(r#"{"A.One": "A.Uno"}"#)).unwrap_err().to_string();
    assert!(e.contains("m.json:2: A.One is a AWS::SNS::Topic and A.Uno a AWS::SQS::Queue"), "{e}");
}

#[test]
fn identical_resources_across_accounts_are_no_move() {
    let topic = json!({"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "t"}});
    let old = stacks_side("old", &[("A", ENV, json!({"T": topic})), ("B", "aws://222222222222/us-east-1", json!({}))]);
    let new = stacks_side("new", &[("A", ENV, json!({})), ("B", "aws://222222222222/us-east-1", json!({"T": topic}))]);
    let d = diff(&old, &new);
    assert_eq!(d.across_environments.len(), 1);
    let changes: Vec<Change> = d.stacks.iter().flat_map(|s| &s.resources).map(|r| r.change).collect();
    assert_eq!(changes, [Change::Removed, Change::Added]);
    assert!(d.to_text(false).contains("CloudFormation cannot move it there"));
}

#[test]
fn changed_text_shows_its_lines() {
    let project =
        |spec: &str| json!({"Type": "AWS::CodeBuild::Project", "Properties": {"Source": {"BuildSpec": spec}}});
    let r = one(
        project("version: 0.2\nphases:\n  build:\n    commands:\n      - make\n"),
        project("version: 0.2\nphases:\n  build:\n    commands:\n      - make test\n"),
    );
    let lines = r.properties[0].lines.as_deref().unwrap();
    assert!(lines.contains("-      - make\n+      - make test\n"), "{lines}");
}

#[test]
fn one_type_removed_and_added_in_a_stack_is_a_replacement_until_declared_a_move() {
    let vpc = |cidr: &str| json!({"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": cidr}});
    let old = stacks_side("old", &[("Net", ENV, json!({"VPC": vpc("10.0.0.0/16")}))]);
    let new = stacks_side("new", &[("Net", ENV, json!({"Vpc8378EB38": vpc("10.1.0.0/16")}))]);
    let d = diff(&old, &new);
    assert_eq!((d.ambiguous.len(), d.ambiguous[0].identical), (1, false));
    assert!(
        d.to_text(false)
            .contains("? AWS::EC2::VPC: Net.VPC removed and Net.Vpc8378EB38 added in the same stack: a replacement")
    );
    let mapping = Mapping::parse(
        r#"{"environments": [{"account": "111111111111", "region": "us-east-1", "resources": {"Net.VPC": "Net.Vpc8378EB38"}}]}"#,
        "m.json",
    )
    .unwrap();
    let d = diff_with(&old, &new, &mapping).unwrap();
    let r = &d.stacks[0].resources[0];
    assert_eq!((r.change, r.replacement), (Change::Moved, true), "{r:?}");
    assert_eq!(r.properties[0].path, "Properties.CidrBlock");
}
