//! Tests of the generator on tricky schema shapes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use serde_json::{Value as Json, json};

use cloudwright_cfn_model::model::{self, Resource, StructDef, TagFormat, Ty, TypeDef};

fn schema(properties: Json, definitions: Json) -> Json {
    json!({
        "typeName": "AWS::Test::Thing",
        "description": "A thing.",
        "properties": properties,
        "definitions": definitions,
        "primaryIdentifier": ["/properties/Id"],
        "readOnlyProperties": ["/properties/Id"],
        "additionalProperties": false
    })
}

fn resource(properties: Json, definitions: Json) -> Resource {
    model::resource(&schema(properties, definitions)).unwrap()
}

fn field_ty(s: &StructDef, json_name: &str) -> Ty {
    s.fields.iter().find(|f| f.json_name == json_name).unwrap_or_else(|| panic!("no field {json_name}")).ty.clone()
}

fn struct_named<'r>(r: &'r Resource, name: &str) -> &'r StructDef {
    r.types
        .iter()
        .find_map(|t| match t {
            TypeDef::Struct(s) if s.name == name => Some(s),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no struct {name} in {:#?}", r.types))
}

#[test]
fn scalars_required_and_optional() {
    let r = resource(
        json!({"Name": {"type": "string"}, "Count": {"type": "integer"}, "Ratio": {"type": "number"},
               "On": {"type": "boolean"}, "Id": {"type": "string"}}),
        json!({}),
    );
    let mut s = schema(json!({"Name": {"type": "string"}}), json!({}));
    s["required"] = json!(["Name"]);
    let required = model::resource(&s).unwrap();
    assert!(required.props.fields[0].required);
    assert_eq!(r.props.name, "CfnThingProps");
    assert_eq!(r.handle, "CfnThing");
    assert_eq!(field_ty(&r.props, "Count"), Ty::Int);
    assert_eq!(field_ty(&r.props, "Ratio"), Ty::Num);
    assert_eq!(field_ty(&r.props, "On"), Ty::Bool);
    // Read-only properties are attributes, not props.
    assert!(r.props.fields.iter().all(|f| f.json_name != "Id"));
    assert_eq!(r.attributes.len(), 1);
    assert_eq!((r.attributes[0].name.as_str(), r.attributes[0].method.as_str()), ("Id", "attr_id"));
    assert!(!r.props.fields[0].required);
}

#[test]
fn one_of_and_any_of() {
    let r = resource(
        json!({
            // Same type in every branch: that type.
            "Key": {"anyOf": [{"type": "string", "format": "arn"}, {"type": "string"}]},
            // Object branches: one struct of optional fields.
            "Format": {"oneOf": [
                {"type": "object", "properties": {"Simple": {"type": "string"}}, "required": ["Simple"]},
                {"type": "object", "properties": {"Partitioned": {"$ref": "#/definitions/Part"}}}
            ]},
            // A typed object whose oneOf only says which properties go together.
            "Auth": {"type": "object", "properties": {"A": {"type": "string"}, "B": {"type": "string"}},
                     "required": ["A"], "oneOf": [{"required": ["A"]}, {"required": ["B"]}]},
            // Different types: untyped.
            "Params": {"oneOf": [{"$ref": "#/definitions/Part"}, {"type": "array", "items": {"$ref": "#/definitions/Part"}}]},
            // Format hints next to a type are constraints only.
            "KmsKeyId": {"type": "string", "anyOf": [{"format": "AWS::KMS::Key.Arn"}, {"format": "AWS::KMS::Key.Id"}]}
        }),
        json!({"Part": {"type": "object", "properties": {"Source": {"type": "string"}}}}),
    );
    assert_eq!(field_ty(&r.props, "Key"), Ty::Str);
    assert_eq!(field_ty(&r.props, "Format"), Ty::Struct("Format".into()));
    let format = struct_named(&r, "Format");
    assert_eq!(format.fields.len(), 2);
    assert!(format.fields.iter().all(|f| !f.required), "oneOf branches make every field optional");
    assert_eq!(field_ty(format, "Partitioned"), Ty::Struct("Part".into()));
    let auth = struct_named(&r, "Auth");
    assert!(auth.fields.iter().find(|f| f.json_name == "A").unwrap().required);
    assert_eq!(field_ty(&r.props, "Params"), Ty::Json);
    assert_eq!(field_ty(&r.props, "KmsKeyId"), Ty::Str);
}

#[test]
fn ref_cycles_are_boxed_only_where_needed() {
    let r = resource(
        json!({"Root": {"$ref": "#/definitions/Node"}, "A": {"$ref": "#/definitions/A"}}),
        json!({
            "Node": {"type": "object", "properties": {
                "Name": {"type": "string"},
                "Next": {"$ref": "#/definitions/Node"},
                "Children": {"type": "array", "items": {"$ref": "#/definitions/Node"}}
            }},
            "A": {"type": "object", "properties": {"B": {"$ref": "#/definitions/B"}}},
            "B": {"type": "object", "properties": {"A": {"$ref": "#/definitions/A"}, "Leaf": {"$ref": "#/definitions/Leaf"}}},
            "Leaf": {"type": "object", "properties": {"X": {"type": "string"}}}
        }),
    );
    let node = struct_named(&r, "Node");
    assert_eq!(field_ty(node, "Next"), Ty::Boxed(Box::new(Ty::Struct("Node".into()))));
    assert_eq!(field_ty(node, "Children"), Ty::Vec(Box::new(Ty::Struct("Node".into()))), "a Vec is indirection enough");
    assert_eq!(field_ty(struct_named(&r, "A"), "B"), Ty::Boxed(Box::new(Ty::Struct("B".into()))));
    assert_eq!(field_ty(struct_named(&r, "B"), "A"), Ty::Boxed(Box::new(Ty::Struct("A".into()))));
    assert_eq!(field_ty(struct_named(&r, "B"), "Leaf"), Ty::Struct("Leaf".into()));
    // The generated code compiles only if the cycle is boxed; at least check it renders.
    let code = render(&r);
    assert!(code.contains("pub next: Option<Box<Node>>"), "{code}");
}

#[test]
fn a_ref_cycle_through_non_objects_is_an_error() {
    let err = model::resource(&schema(
        json!({"L": {"$ref": "#/definitions/List"}}),
        json!({"List": {"type": "array", "items": {"$ref": "#/definitions/List"}}}),
    ))
    .unwrap_err();
    assert_eq!(
        err,
        "AWS::Test::Thing at /definitions/List/items/$ref: $ref cycle through List, which is not an object"
    );
}

#[test]
fn maps_from_pattern_and_additional_properties() {
    let r = resource(
        json!({
            "Vars": {"type": "object", "patternProperties": {"[a-z]+": {"type": "string"}}, "additionalProperties": false},
            "Mixed": {"type": "object", "patternProperties": {"a": {"type": "string"}, "b": {"type": "integer"}}},
            "Limits": {"type": "object", "additionalProperties": {"$ref": "#/definitions/Limit"}},
            "Tags": {"type": "object", "patternProperties": {".*": {"type": "string"}}}
        }),
        json!({"Limit": {"type": "object", "properties": {"Max": {"type": "integer"}}}}),
    );
    assert_eq!(field_ty(&r.props, "Vars"), Ty::Map(Box::new(Ty::Str)));
    assert_eq!(field_ty(&r.props, "Mixed"), Ty::Map(Box::new(Ty::Json)));
    assert_eq!(field_ty(&r.props, "Limits"), Ty::Map(Box::new(Ty::Struct("Limit".into()))));
    assert_eq!(r.tag_format, TagFormat::Map);
    assert!(render(&r).contains("pub vars: Option<indexmap::IndexMap<String, Value<String>>>"));
}

#[test]
fn rust_keywords_and_reserved_type_names() {
    let r = resource(
        json!({"Type": {"type": "string"}, "Self": {"type": "string"}, "Match": {"$ref": "#/definitions/Value"},
               "Kind": {"$ref": "#/definitions/Self"}}),
        json!({"Value": {"type": "object", "properties": {"Async": {"type": "boolean"}}},
               "Self": {"type": "string", "enum": ["self", "Other", "1.0"]}}),
    );
    let names: Vec<&str> = r.props.fields.iter().map(|f| f.rust_name.as_str()).collect();
    assert_eq!(names, ["r#type", "self_", "r#match", "kind"]);
    assert_eq!(field_ty(&r.props, "Match"), Ty::Struct("ValueProperty".into()));
    assert_eq!(field_ty(&r.props, "Kind"), Ty::Enum("SelfValue".into()));
    let TypeDef::Enum(e) = r.types.iter().find(|t| matches!(t, TypeDef::Enum(_))).unwrap() else { unreachable!() };
    let variants: Vec<&str> = e.variants.iter().map(|(v, _)| v.as_str()).collect();
    assert_eq!(variants, ["SelfValue", "OtherValue", "V1_0"], "Other is the escape variant");
    let code = render(&r);
    assert!(code.contains("pub r#type: Option<Value<String>>"), "{code}");
    assert!(code.contains("pub r#async: Option<Value<bool>>"), "{code}");
    assert!(code.contains("Self::Other(value) => value"), "{code}");
}

#[test]
fn json_type_arrays_and_untyped_objects() {
    let r = resource(
        json!({
            "Policy": {"type": ["object", "string"]},
            "Single": {"type": ["string"]},
            "Any": {"type": ["string", "number", "integer", "object", "array", "boolean"]},
            "Blob": {"type": "object"},
            "Empty": {},
            "List": {"type": "array"}
        }),
        json!({}),
    );
    assert_eq!(field_ty(&r.props, "Policy"), Ty::Json);
    assert_eq!(field_ty(&r.props, "Single"), Ty::Str);
    assert_eq!(field_ty(&r.props, "Any"), Ty::Json);
    assert_eq!(field_ty(&r.props, "Blob"), Ty::Json);
    assert_eq!(field_ty(&r.props, "Empty"), Ty::Json);
    assert_eq!(field_ty(&r.props, "List"), Ty::Vec(Box::new(Ty::Json)));
    let doc = |n: &str| r.props.fields.iter().find(|f| f.json_name == n).unwrap().doc.clone();
    assert!(doc("Policy").contains("One of `object`, `string` in the schema"), "{}", doc("Policy"));
    assert!(doc("Blob").contains("Untyped in the schema"), "{}", doc("Blob"));
}

#[test]
fn insertion_order_does_not_change_the_type() {
    let r = resource(
        json!({
            "Ordered": {"type": "array", "insertionOrder": true, "items": {"type": "string"}},
            "Set": {"type": "array", "insertionOrder": false, "uniqueItems": true, "items": {"type": "string"}},
            "Rules": {"type": "array", "items": {"type": "object", "properties": {"Id": {"type": "string"}}}}
        }),
        json!({}),
    );
    assert_eq!(field_ty(&r.props, "Ordered"), Ty::Vec(Box::new(Ty::Str)));
    assert_eq!(field_ty(&r.props, "Set"), Ty::Vec(Box::new(Ty::Str)));
    assert_eq!(field_ty(&r.props, "Rules"), Ty::Vec(Box::new(Ty::Struct("RulesItem".into()))));
}

#[test]
fn enums_and_name_clashes() {
    let r = resource(
        json!({
            "Status": {"type": "string", "enum": ["Enabled", "Disabled"]},
            "Config": {"$ref": "#/definitions/Config"},
            "Retention": {"type": "integer", "enum": [1, 3, 5]}
        }),
        json!({"Config": {"type": "object", "properties": {"Status": {"type": "string", "enum": ["On", "Off"]}}}}),
    );
    assert_eq!(field_ty(&r.props, "Status"), Ty::Enum("Status".into()));
    assert_eq!(field_ty(struct_named(&r, "Config"), "Status"), Ty::Enum("ConfigStatus".into()));
    assert_eq!(field_ty(&r.props, "Retention"), Ty::Int, "integer enums stay numbers");
}

#[test]
fn shared_tags_and_tag_formats() {
    let tag = json!({"Tag": {"type": "object", "properties": {"Key": {"type": "string"}, "Value": {"type": "string"}},
                             "required": ["Key", "Value"]}});
    let r = resource(json!({"Tags": {"type": "array", "items": {"$ref": "#/definitions/Tag"}}}), tag.clone());
    assert_eq!(field_ty(&r.props, "Tags"), Ty::Vec(Box::new(Ty::Tag)));
    assert_eq!(r.tag_format, TagFormat::Standard);
    let mut s = schema(json!({"Tags": {"type": "array", "items": {"$ref": "#/definitions/Tag"}}}), tag);
    s["tagging"] = json!({"taggable": false});
    assert_eq!(model::resource(&s).unwrap().tag_format, TagFormat::NotTaggable);
    s["tagging"] = json!({"taggable": true, "tagProperty": "/properties/TagSpecifications/*/Tags"});
    assert_eq!(model::resource(&s).unwrap().tag_format, TagFormat::NotTaggable);
}

#[test]
fn nested_read_only_attributes() {
    let mut s = schema(
        json!({"Endpoint": {"$ref": "#/definitions/Endpoint"}, "Id": {"type": "string"}}),
        json!({"Endpoint": {"type": "object", "properties": {
            "Address": {"type": "string", "description": "The address."}, "Port": {"type": "integer"}},
            "required": ["Address", "Port"]}}),
    );
    s["readOnlyProperties"] = json!(["/properties/Id", "/properties/Endpoint/Address", "/properties/Rules/*/Arn"]);
    let r = model::resource(&s).unwrap();
    let attrs: Vec<(&str, &str)> = r.attributes.iter().map(|a| (a.name.as_str(), a.method.as_str())).collect();
    assert_eq!(attrs, [("Id", "attr_id"), ("Endpoint.Address", "attr_endpoint_address")]);
    assert_eq!(r.attributes[1].doc, "The address.");
    let endpoint = struct_named(&r, "Endpoint");
    assert!(!endpoint.fields[0].required, "a read-only field is never required");
    assert!(endpoint.fields[1].required);
}

#[test]
fn refs_to_top_level_properties_take_their_type() {
    // AWS::OpenSearchService::Application: `DataSourceArn: {$ref: #/properties/Arn}`.
    let r = resource(
        json!({
            "Arn": {"type": "string"},
            "Mode": {"type": "string", "enum": ["a", "b"]},
            "Source": {"$ref": "#/definitions/Source"}
        }),
        json!({"Source": {"type": "object", "properties": {
            "SourceArn": {"$ref": "#/properties/Arn"},
            "SourceMode": {"$ref": "#/properties/Mode"},
            "Again": {"$ref": "#/properties/Mode"}
        }}}),
    );
    let source = struct_named(&r, "Source");
    assert_eq!(field_ty(source, "SourceArn"), Ty::Str);
    assert_eq!(field_ty(source, "SourceMode"), field_ty(source, "Again"), "mapped once");
    assert!(matches!(field_ty(source, "SourceMode"), Ty::Enum(_)));
    let err = model::resource(&schema(json!({"X": {"$ref": "#/properties/Nope"}}), json!({}))).unwrap_err();
    assert!(err.contains("/properties/X/$ref: unsupported $ref #/properties/Nope"), "{err}");
}

#[test]
fn unmappable_schemas_name_the_type_and_pointer() {
    let cases = [
        (json!({"X": {"$ref": "https://example.com/other.json"}}), "/properties/X/$ref: unsupported $ref"),
        (json!({"X": {"$ref": "#/definitions/Missing"}}), "/properties/X/$ref: no definition Missing"),
        (json!({"X": {"type": "array", "items": [{"type": "string"}]}}), "/properties/X/items: tuple-typed arrays"),
        (json!({"X": {"type": "null"}}), "/properties/X/type: unsupported type \"null\""),
        (json!({"X": {"type": ["string", "null"]}}), "/properties/X/type: unsupported type \"null\""),
        (json!({"X": {"type": "string", "enum": ["a", 2]}}), "/properties/X/enum/1: 2 is not a string"),
        (json!({"X": 42}), "/properties/X: schema is neither an object nor `true`"),
    ];
    for (properties, expected) in cases {
        let err = model::resource(&schema(properties, json!({}))).unwrap_err();
        assert!(err.starts_with("AWS::Test::Thing at "), "{err}");
        assert!(err.contains(expected), "{err}\nshould contain {expected}");
    }
}

#[test]
fn docs_come_from_descriptions() {
    let r = resource(
        json!({"Name": {"type": "string", "description": "The ``name``.\n More detail [here](https://x.y)."}}),
        json!({}),
    );
    assert_eq!(r.props.fields[0].doc, "The `name`.");
    assert_eq!(r.doc, "A thing.");
}

/// The emitted code of one resource, as a service file.
fn render(r: &Resource) -> String {
    let service =
        super::emit::Service { module: "test".into(), prefix: "AWS::Test".into(), resources: vec![r.clone()] };
    super::emit::service_file(&service).unwrap()
}

#[test]
fn emitted_code_has_the_header_handle_and_serialized_names() {
    let mut s = schema(
        json!({"BucketName": {"type": "string"}, "Mode": {"type": "string", "enum": ["aws:kms", "AES256"]},
               "Id": {"type": "string"}}),
        json!({}),
    );
    s["required"] = json!(["Mode"]);
    s["createOnlyProperties"] = json!(["/properties/BucketName"]);
    let code = render(&model::resource(&s).unwrap());
    assert!(code.starts_with("// @generated by `cargo xtask codegen`"), "{code}");
    for expected in [
        "pub use thing::{CfnThing, CfnThingProps};",
        "pub const TYPE: &'static str = \"AWS::Test::Thing\";",
        "\"/properties/BucketName\",",
        ".set_fqn(\"cloudwright.cfn.test.CfnThing\")",
        "crate::entry(&mut map, \"BucketName\", &self.bucket_name)?;",
        "map.serialize_entry(\"Mode\", &self.mode)?;",
        "pub mode: Value<Mode>,",
        "AwsKms,",
        "Self::Aes256 => \"AES256\",",
        "pub fn attr_id(&self) -> cloudwright_core::Expr",
        "impl From<Mode> for Value<Mode>",
        "setters!(CfnThingProps);",
        "pub const BUCKET_NAME: crate::Property<CfnThing, Value<String>>",
        "pub const MODE: crate::Property<CfnThing, Value<Mode>> = crate::Property::new(",
    ] {
        assert!(code.contains(expected), "missing {expected:?} in\n{code}");
    }
    assert!(!code.contains("Default,"), "a required property rules out Default");
}

#[test]
fn features_block_is_replaced() {
    let manifest = "[features]\n# BEGIN features generated by `cargo xtask codegen`\nold = []\n# END features generated by `cargo xtask codegen`\ntesting = []\n";
    let services = [super::emit::Service { module: "s3".into(), prefix: "AWS::S3".into(), resources: vec![] }];
    let out = super::with_features("Cargo.toml", manifest, &services, None).unwrap();
    assert!(out.contains("full = [\"s3\"]\n## `AWS::S3::*` L1 resources (0 types).\ns3 = []\n# END"), "{out}");
    assert!(!out.contains("old = []"));
    assert!(out.ends_with("testing = []\n"));
    assert!(super::with_features("Cargo.toml", "[features]\n", &services, None).is_err());
}

#[test]
fn a_dependent_crate_forwards_every_feature() {
    let manifest = "[features]\n# BEGIN features generated by `cargo xtask codegen`\n# END features generated by `cargo xtask codegen`\n";
    let services = [super::emit::Service { module: "s3".into(), prefix: "AWS::S3".into(), resources: vec![] }];
    let out = super::with_features("Cargo.toml", manifest, &services, Some("l1")).unwrap();
    assert!(out.contains(&format!("default = [\"l1/default\", \"{}\"", super::DEFAULT_SERVICES[0])), "{out}");
    assert!(out.contains("full = [\"l1/full\", \"s3\"]\n"), "{out}");
    assert!(out.contains("\ns3 = [\"l1/s3\"]\n"), "{out}");
}

fn named(type_name: &str, properties: Json, definitions: Json) -> Resource {
    let mut s = schema(properties, definitions);
    s["typeName"] = json!(type_name);
    model::resource(&s).unwrap()
}

#[test]
fn identical_property_types_are_shared_by_the_service() {
    let shared_defs = json!({
        "Outer": {"type": "object", "properties": {"Inner": {"$ref": "#/definitions/Inner"}, "Mode": {"type": "string", "enum": ["A", "B"]}}},
        "Inner": {"type": "object", "properties": {"Name": {"type": "string"}}}
    });
    let a = named("AWS::Test::A", json!({"Outer": {"$ref": "#/definitions/Outer"}}), shared_defs.clone());
    let b = named("AWS::Test::B", json!({"Outer": {"$ref": "#/definitions/Outer"}}), shared_defs);
    // Same name, but `Inner` differs: `Outer` refers to it, so neither can be shared.
    let c = named(
        "AWS::Test::C",
        json!({"Outer": {"$ref": "#/definitions/Outer"}}),
        json!({
            "Outer": {"type": "object", "properties": {"Inner": {"$ref": "#/definitions/Inner"}}},
            "Inner": {"type": "object", "properties": {"Name": {"type": "integer"}}}
        }),
    );
    let shared = super::share::share(&[a.clone(), b.clone(), c.clone()]);
    let names: Vec<String> = shared
        .types
        .iter()
        .map(|t| match t {
            TypeDef::Struct(s) => s.name.clone(),
            TypeDef::Enum(e) => e.name.clone(),
        })
        .collect();
    assert_eq!(names, ["Outer", "Inner", "Mode"]);
    assert!(shared.taken_by[0].contains("Outer") && shared.taken_by[1].contains("Inner"));
    assert!(shared.taken_by[2].is_empty(), "{:?}", shared.taken_by[2]);

    let service = super::emit::Service { module: "test".into(), prefix: "AWS::Test".into(), resources: vec![a, b, c] };
    let code = super::emit::service_file(&service).unwrap();
    assert_eq!(code.matches("pub struct Outer {").count(), 2, "one shared, one of C's own:\n{code}");
    assert!(code.contains("pub use super::{Inner, Mode, Outer};"), "{code}");
    syn::parse_file(&code).unwrap();
}

#[test]
fn services_modules_and_reference_pages() {
    use super::vendor::{file_name, module_of, service_of};
    assert_eq!(service_of("AWS::S3::Bucket"), "AWS::S3");
    assert_eq!(module_of("AWS::CodeStarConnections"), "codestarconnections");
    assert_eq!(module_of("Alexa::ASK"), "alexa_ask");
    assert_eq!(file_name("AWS::EC2"), "ec2.json.gz");
    assert_eq!(
        super::emit::reference_url("Alexa::ASK::Skill"),
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/alexa-resource-ask-skill.html"
    );
}

#[test]
fn the_default_features_are_generated_services() {
    let manifest = "[features]\n# BEGIN features generated by `cargo xtask codegen`\n# END features generated by `cargo xtask codegen`\n";
    let services = [super::emit::Service { module: "s3".into(), prefix: "AWS::S3".into(), resources: vec![] }];
    let out = super::with_features("Cargo.toml", manifest, &services, None).unwrap();
    assert!(out.contains(&format!("default = [\"{}\"", super::DEFAULT_SERVICES[0])), "{out}");
}

#[test]
fn the_setters_macro_parses_and_says_it_is_generated() {
    let code = super::emit::setters_file().unwrap();
    assert!(code.starts_with(super::emit::HEADER), "{code}");
    assert!(code.contains("macro_rules! setters {"), "{code}");
    let mod_file = super::emit::mod_file(&[]).unwrap();
    assert!(mod_file.contains("#[macro_use]\nmod setters;"), "{mod_file}");
    assert!(mod_file.contains("pub struct Property<H, T> {"), "{mod_file}");
}
