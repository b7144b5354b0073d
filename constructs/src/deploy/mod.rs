//! What a first deployment of an app needs beyond `cdk deploy`: the manual steps constructs
//! know of (a connection to activate in the console, a landing zone to import), recorded in
//! the cloud assembly, where `cloudwright_toolkit::plan` reads them into the ordered plan
//! that `cloudwright plan` prints.
//!
//! ```
//! use cloudwright_constructs::deploy::{self, ManualStep};
//! use cloudwright_constructs::{App, CfnResource, Environment, Stack, StackProps};
//!
//! let app = App::new();
//! let stack = Stack::new(&app, "Mgmt", StackProps { env: Environment::new("111111111111", "us-east-1"), ..Default::default() })?;
//! let topic = CfnResource::new(&stack, "Topic", "AWS::SNS::Topic", serde_json::Map::new())?;
//! deploy::manual_step(&topic, ManualStep::new("Subscribe the on-call address to the topic and confirm the email"));
//! let assembly = app.assembly()?;
//! let manifest = String::from_utf8_lossy(assembly.file("manifest.json").unwrap_or_default());
//! assert!(manifest.contains(deploy::MANUAL_STEP_METADATA));
//! # Ok::<(), cloudwright_constructs::Error>(())
//! ```

use cloudwright_core::Construct;
use serde_json::{Map, Value as Json};

/// Metadata type of a manual step, on the construct it must precede (written to the stack's
/// manifest metadata under that construct's path): `{"step", "command"?, "docs"?,
/// "afterDeploy"?}`.
pub const MANUAL_STEP_METADATA: &str = "cloudwright:deploy:manualStep";

/// Something a person does by hand before a construct first deploys, which no template can
/// do (activate a connection in the console, import an existing resource).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManualStep {
    /// What to do and why, in a sentence or two.
    pub step: String,
    /// The console action or CLI command that does it, if there is one to copy.
    pub command: Option<String>,
    /// Where AWS documents it.
    pub docs: Option<String>,
    /// Done once the construct is deployed (moving an account into the OU the stack
    /// creates), not before.
    pub after_deploy: bool,
}

impl ManualStep {
    /// A step with no command or documentation link.
    pub fn new(step: impl Into<String>) -> Self {
        ManualStep { step: step.into(), command: None, docs: None, after_deploy: false }
    }

    /// The command (or console action) that does it.
    pub fn command(mut self, command: impl Into<String>) -> Self {
        self.command = Some(command.into());
        self
    }

    /// Where AWS documents it.
    pub fn docs(mut self, url: impl Into<String>) -> Self {
        self.docs = Some(url.into());
        self
    }

    /// Done once the construct is deployed rather than before.
    pub fn after_deploy(mut self) -> Self {
        self.after_deploy = true;
        self
    }

    /// The metadata entry's data.
    fn to_json(&self) -> Json {
        let mut data = Map::new();
        data.insert("step".into(), Json::String(self.step.clone()));
        if let Some(command) = &self.command {
            data.insert("command".into(), Json::String(command.clone()));
        }
        if let Some(docs) = &self.docs {
            data.insert("docs".into(), Json::String(docs.clone()));
        }
        if self.after_deploy {
            data.insert("afterDeploy".into(), Json::Bool(true));
        }
        Json::Object(data)
    }

    /// Reads a manual step's metadata data back.
    pub fn from_metadata(data: &Json) -> Option<ManualStep> {
        let text = |k: &str| data.get(k).and_then(Json::as_str).map(str::to_owned);
        let after_deploy = data.get("afterDeploy").and_then(Json::as_bool).unwrap_or(false);
        Some(ManualStep { step: text("step")?, command: text("command"), docs: text("docs"), after_deploy })
    }
}

/// The step that activates a CodeStar connection (`connection_arn`, a literal ARN when the
/// app knows it) before a pipeline whose source uses it first runs: a connection is created
/// `PENDING` and becomes `AVAILABLE` only once someone authorizes it in the console.
pub fn activate_connection(connection_arn: Option<&str>) -> ManualStep {
    let (which, arn) = match connection_arn {
        Some(arn) => (format!("the CodeStar connection {arn}"), arn.to_owned()),
        None => ("the CodeStar connection the pipeline's source uses".to_owned(), "CONNECTION_ARN".to_owned()),
    };
    ManualStep::new(format!(
        "Activate {which}: a connection is created PENDING and must be AVAILABLE before the pipeline's first run, \
         or that run fails at its source. In the console (Developer Tools > Settings > Connections) choose it, \
         Update pending connection, and install or choose the GitHub app"
    ))
    .command(format!(
        "aws codestar-connections get-connection --connection-arn {arn} --query Connection.ConnectionStatus \
         # AVAILABLE when done"
    ))
    .docs("https://docs.aws.amazon.com/dtconsole/latest/userguide/connections-update.html")
}

/// The step that brings Control Tower's landing zone under the stack `stack` before it first
/// deploys: imported (`cdk import`) when the app declares it, otherwise set up in Control
/// Tower. Either way it must exist before OUs are registered and controls enabled on them.
pub fn landing_zone(stack: &str, region: Option<&str>, imported: bool) -> ManualStep {
    let region = region.map_or_else(|| format!("{stack}'s region"), |r| format!("{r}, {stack}'s region"));
    if imported {
        ManualStep::new(format!(
            "Import the existing Control Tower landing zone into {stack} before its first deploy: Control Tower \
             set it up, a stack cannot create a second one, and the OU registrations and controls of {stack} need \
             it. Give its identifier (the last part of the ARN `aws controltower list-landing-zones` prints) when \
             asked; `cdk import` adds only the landing zone, the wave's deploy the rest"
        ))
        .command(format!("cdk import --app cloudwright.out {stack}"))
        .docs("https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resource-import-existing-stack.html")
    } else {
        ManualStep::new(format!(
            "Make sure AWS Control Tower's landing zone is set up in the management account, in {region} (its \
             home region): the OU registrations and controls of {stack} fail without one. Set it up from the \
             Control Tower console if `aws controltower list-landing-zones` lists none"
        ))
        .command("aws controltower list-landing-zones")
        .docs("https://docs.aws.amazon.com/controltower/latest/userguide/getting-started-with-control-tower.html")
    }
}

/// Records that `step` must be done before `scope` first deploys; the deploy plan lists it
/// before the wave that deploys `scope`'s stack. The same step recorded twice on one
/// construct is kept once.
pub fn manual_step(scope: &impl Construct, step: ManualStep) {
    let node = scope.node();
    let data = step.to_json();
    if !node.metadata().iter().any(|(kind, d)| kind == MANUAL_STEP_METADATA && *d == data) {
        node.add_metadata(MANUAL_STEP_METADATA, data);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use cloudwright_core::{App, Stack, StackProps};

    #[test]
    #[cfg(feature = "sns")]
    fn a_step_is_recorded_once_in_the_stack_manifest_under_its_construct() {
        let app = App::new();
        let stack = Stack::new(&app, "S", StackProps::default()).unwrap();
        let topic = crate::cfn::sns::CfnTopic::new(&stack, "Topic", Default::default()).unwrap();
        let step = ManualStep::new("confirm").command("aws sns confirm-subscription").docs("https://example.invalid");
        manual_step(&topic, step.clone());
        manual_step(&topic, step.clone());
        let manifest: Json = serde_json::from_slice(app.assembly().unwrap().file("manifest.json").unwrap()).unwrap();
        let entries = manifest.pointer("/artifacts/S/metadata/~1S~1Topic").unwrap().as_array().unwrap();
        let steps: Vec<_> = entries.iter().filter(|e| e["type"] == MANUAL_STEP_METADATA).collect();
        assert_eq!(steps.len(), 1);
        assert_eq!(ManualStep::from_metadata(&steps[0]["data"]), Some(step));
    }
}
