//! The data of CloudFormation template elements as the tree stores them. The public
//! handles are in [`crate::resource`] and [`crate::sections`].

use crate::assembly::Section;
use crate::stored::{Object, Stored};

/// One element of a template, with its optional logical id override.
pub(crate) struct Element {
    pub logical_id_override: Option<Box<str>>,
    pub body: Body,
}

/// The element's data, every value in its stored form (typed references, see
/// [`crate::stored`]); all but resources (by far the most numerous) are boxed, so an
/// element is as large as a resource.
pub(crate) enum Body {
    Resource(ResourceBody),
    Parameter(Box<Object>),
    Output(Box<OutputBody>),
    Condition(Box<Stored>),
    Mapping(Box<Stored>),
    Rule(Box<RuleBody>),
}

impl Element {
    pub(crate) fn new(body: Body) -> Self {
        Element { logical_id_override: None, body }
    }

    pub(crate) fn kind_name(&self) -> &'static str {
        match self.body {
            Body::Resource(_) => "CfnResource",
            Body::Parameter(_) => "CfnParameter",
            Body::Output(_) => "CfnOutput",
            Body::Condition(_) => "CfnCondition",
            Body::Mapping(_) => "CfnMapping",
            Body::Rule(_) => "CfnRule",
        }
    }

    /// The template section the element is written to.
    pub(crate) fn section(&self) -> Section {
        match self.body {
            Body::Resource(_) => Section::Resources,
            Body::Parameter(_) => Section::Parameters,
            Body::Output(_) => Section::Outputs,
            Body::Condition(_) => Section::Conditions,
            Body::Mapping(_) => Section::Mappings,
            Body::Rule(_) => Section::Rules,
        }
    }
}

/// How a resource type carries tags, so the tag aspect can add them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TagFormat {
    /// The resource takes no tags.
    #[default]
    NotTaggable,
    /// `Tags: [{Key, Value}]`
    Standard,
    /// `Tags: {key: value}`
    Map,
}

/// What happens to a resource when it is removed from the template or replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemovalPolicy {
    /// Delete the physical resource.
    Delete,
    /// Keep the physical resource, orphaned from the stack.
    Retain,
    /// Keep a snapshot, then delete (for resources that support snapshots).
    Snapshot,
    /// Retain the resource, except when the stack's creation is rolled back.
    RetainExceptOnCreate,
}

impl RemovalPolicy {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            RemovalPolicy::Delete => "Delete",
            RemovalPolicy::Retain => "Retain",
            RemovalPolicy::Snapshot => "Snapshot",
            RemovalPolicy::RetainExceptOnCreate => "RetainExceptOnCreate",
        }
    }
}

pub(crate) struct ResourceBody {
    pub resource_type: Box<str>,
    pub properties: Object,
    pub depends_on: Box<[u32]>,
    pub condition: Option<u32>,
    pub deletion_policy: Option<RemovalPolicy>,
    pub update_replace_policy: Option<RemovalPolicy>,
    /// `CreationPolicy` and `UpdatePolicy`, which few resources have.
    pub policies: Option<Box<ResourcePolicies>>,
    pub metadata: Object,
    pub tag_format: TagFormat,
}

/// A resource's `CreationPolicy` and `UpdatePolicy` attributes.
#[derive(Default)]
pub(crate) struct ResourcePolicies {
    pub creation: Option<Stored>,
    pub update: Option<Stored>,
}

impl ResourceBody {
    pub(crate) fn creation_policy(&self) -> Option<&Stored> {
        self.policies.as_ref().and_then(|p| p.creation.as_ref())
    }

    pub(crate) fn update_policy(&self) -> Option<&Stored> {
        self.policies.as_ref().and_then(|p| p.update.as_ref())
    }

    pub(crate) fn policies_mut(&mut self) -> &mut ResourcePolicies {
        self.policies.get_or_insert_with(Box::default)
    }
}

pub(crate) struct OutputBody {
    pub value: Stored,
    pub description: Option<String>,
    pub export_name: Option<Stored>,
    pub condition: Option<u32>,
}

pub(crate) struct RuleBody {
    pub rule_condition: Option<Stored>,
    pub assertions: Vec<(Stored, Option<String>)>,
}
