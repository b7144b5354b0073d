//! StackSets for organization-wide baselines: a stack built with the same constructs,
//! deployed to every account of some OUs through `AWS::CloudFormation::StackSet` with
//! service-managed permissions and automatic deployment to accounts that join later.
//!
//! ```
//! use cloudwright_constructs::stackset::{StackSet, StackSetProps};
//! use cloudwright_constructs::cfn::sns::{CfnTopic, CfnTopicProps};
//! use cloudwright_constructs::{App, Expr, Stack, StackProps, Environment};
//!
//! let app = App::new();
//! let mgmt = Stack::new(&app, "Mgmt", StackProps { env: Environment::new("111111111111", "us-east-1"), ..Default::default() })?;
//! StackSet::new(&mgmt, "Baseline", StackSetProps {
//!     target_ous: vec![Expr::str("ou-ab12-34cd56ef")],
//!     regions: vec!["us-east-1".into()],
//!     ..Default::default()
//! }, |template| {
//!     CfnTopic::new(template, "Trail", CfnTopicProps::default())?;
//!     Ok(())
//! })?;
//! let t = app.assembly()?.template("Mgmt").unwrap();
//! let body = t["Resources"]["Baseline"]["Properties"]["TemplateBody"].as_str().unwrap();
//! assert!(body.contains("AWS::SNS::Topic"));
//! # Ok::<(), cloudwright_constructs::Error>(())
//! ```

use cloudwright_core::{App, AppProps, Construct, Error, Expr, Node, Result, Stack, StackProps, Value};
use serde_json::Value as Json;

use crate::cfn::cloudformation::stack_set::{
    AutoDeployment, Capability, DeploymentTargets, ManagedExecution, OperationPreferences, PermissionModel,
    RegionConcurrencyType, StackInstances,
};
use crate::cfn::cloudformation::{CfnStackSet, CfnStackSetProps};

/// The largest template CloudFormation accepts inline (`TemplateBody`), in bytes.
pub const TEMPLATE_BODY_MAX_BYTES: usize = 51_200;

/// Properties of a [`StackSet`].
#[derive(Debug, Clone)]
pub struct StackSetProps {
    /// The stack set's name; the construct id when `None`.
    pub stack_set_name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// The OUs (ids) whose accounts get a stack instance.
    pub target_ous: Vec<Expr>,
    /// The regions of each stack instance.
    pub regions: Vec<String>,
    /// Deploy to accounts that join the OUs later, remove from accounts that leave.
    pub auto_deployment: bool,
    /// Keep the stacks of accounts that leave the OUs.
    pub retain_stacks_on_account_removal: bool,
    /// Capabilities the template needs (IAM resources need `CAPABILITY_NAMED_IAM`).
    pub capabilities: Vec<Capability>,
    /// Percentage of accounts deployed at once.
    pub max_concurrent_percentage: u32,
    /// Percentage of accounts that may fail before the operation stops.
    pub failure_tolerance_percentage: u32,
}

impl Default for StackSetProps {
    fn default() -> Self {
        StackSetProps {
            stack_set_name: None,
            description: None,
            target_ous: Vec::new(),
            regions: Vec::new(),
            auto_deployment: true,
            retain_stacks_on_account_removal: false,
            capabilities: vec![Capability::CapabilityNamedIam],
            max_concurrent_percentage: 25,
            failure_tolerance_percentage: 0,
        }
    }
}

/// A service-managed stack set deploying one template to OUs.
#[derive(Clone)]
pub struct StackSet {
    resource: CfnStackSet,
}

impl Construct for StackSet {
    fn node(&self) -> &Node {
        self.resource.node()
    }
}

impl StackSet {
    /// Defines a stack set whose template `build` writes into an environment-agnostic
    /// stack. That stack deploys into other accounts, so it cannot refer to constructs of
    /// this app: such a reference is an error.
    pub fn new(
        scope: &impl Construct,
        id: &str,
        props: StackSetProps,
        build: impl FnOnce(&Stack) -> Result<()>,
    ) -> Result<Self> {
        let path = format!("{}/{id}", scope.node().path());
        let template = render_template(&path, build)?;
        let name = props.stack_set_name.clone().unwrap_or_else(|| id.to_owned());
        let template_bytes = template.len();
        let percentage = |p: u32| Some(Value::Literal(i64::from(p)));
        let resource = CfnStackSet::new(
            scope,
            id,
            CfnStackSetProps {
                auto_deployment: Some(AutoDeployment {
                    enabled: Some(props.auto_deployment.into()),
                    retain_stacks_on_account_removal: Some(props.retain_stacks_on_account_removal.into()),
                    ..Default::default()
                }),
                capabilities: Some(props.capabilities.iter().cloned().map(Value::Literal).collect()),
                description: props.description.as_deref().map(Into::into),
                managed_execution: Some(ManagedExecution { active: Some(true.into()) }),
                operation_preferences: Some(OperationPreferences {
                    max_concurrent_percentage: percentage(props.max_concurrent_percentage),
                    failure_tolerance_percentage: percentage(props.failure_tolerance_percentage),
                    region_concurrency_type: Some(RegionConcurrencyType::Parallel.into()),
                    ..Default::default()
                }),
                stack_instances_group: Some(vec![StackInstances::new(
                    DeploymentTargets {
                        organizational_unit_ids: Some(props.target_ous.iter().cloned().map(Value::Expr).collect()),
                        ..Default::default()
                    },
                    props.regions.iter().map(Value::from).collect::<Vec<_>>(),
                )]),
                template_body: Some(template.into()),
                ..CfnStackSetProps::new(PermissionModel::ServiceManaged, name.as_str())
            },
        )?;
        resource.node().set_fqn("cloudwright.stackset.StackSet");
        let node = resource.node();
        // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
        if template_bytes > TEMPLATE_BODY_MAX_BYTES {
            node.add_error(format!(
                "the stack set template is {template_bytes} bytes, over the {TEMPLATE_BODY_MAX_BYTES} a TemplateBody \
                 may hold: move resources into another stack set"
            ));
        }
        if props.target_ous.is_empty() {
            node.add_error("a stack set needs at least one target OU (StackSetProps::target_ous)");
        }
        if props.regions.is_empty() {
            node.add_error("a stack set needs at least one region (StackSetProps::regions)");
        }
        for region in &props.regions {
            if !cloudwright_core::env::is_region(region) {
                node.add_error(format!("region {region:?} is not an AWS region"));
            }
        }
        Ok(StackSet { resource })
    }

    /// The `AWS::CloudFormation::StackSet` it wraps.
    pub fn resource(&self) -> &CfnStackSet {
        &self.resource
    }
}

/// Builds and synthesizes the stack set's template in an app of its own.
fn render_template(path: &str, build: impl FnOnce(&Stack) -> Result<()>) -> Result<String> {
    let inner = App::with_props(AppProps { bootstrap_version_rule: false, ..Default::default() });
    let wrap =
        |e: Error| Error::Validation { path: path.to_owned(), message: format!("in the stack set template: {e}") };
    let stack = Stack::new(&inner, "Template", StackProps::default()).map_err(wrap)?;
    build(&stack).map_err(wrap)?;
    let assembly = inner.assembly().map_err(wrap)?;
    let template: Json = assembly.template("Template").unwrap_or(Json::Null);
    // Compact JSON: TemplateBody is limited to TEMPLATE_BODY_MAX_BYTES.
    Ok(template.to_string())
}
