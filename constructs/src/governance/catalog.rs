//! The rule catalog: every rule of the default pack, its severity, what it looks at and
//! how to fix what it finds. Builders need it (a [`suppress`](super::suppress) attaches to
//! what a rule looks at, a [`RulePack`](super::RulePack) names rules and changes their
//! severities); the checks themselves live with the reading tools (`cloudwright-toolkit`'s
//! `governance`), keyed by the ids here.

use serde::{Deserialize, Serialize};

/// How bad a finding is; `Error` findings stop `synth` and make `validate` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Must be fixed (or suppressed with a reason) before the app is deployed.
    Error,
    /// Should be fixed; reported but not blocking.
    Warning,
    /// Worth knowing; reported only.
    Info,
}

impl Severity {
    /// The lower-case name used in reports and rule-pack metadata.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// What a rule looks at, and so what a suppression of it attaches to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Each resource of these types (suppressed in the resource's template `Metadata`).
    Resources(&'static [&'static str]),
    /// The stack as a whole (suppressed in the stack's manifest metadata).
    Stack,
    /// Each resource of a stack whose account the app's own service control policies govern.
    Organization,
    /// The assembly as one deployment; findings are placed on resources.
    Deployment,
    /// Each Proton input schema (not suppressible on a construct).
    ProtonSchema,
}

impl Target {
    /// Whether a suppression of the rule is recorded on a resource of this type.
    pub fn reaches_resource(&self, resource_type: &str) -> bool {
        match self {
            Target::Resources(types) => types.contains(&resource_type),
            Target::Organization | Target::Deployment => true,
            Target::Stack | Target::ProtonSchema => false,
        }
    }
}

/// A rule's description, as reports list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleInfo {
    /// `CW-IAM-1`.
    pub id: &'static str,
    /// One-line summary.
    pub title: &'static str,
    /// Severity in the standard pack.
    pub severity: Severity,
    /// How to fix a violation.
    pub fix: &'static str,
    /// Why the rule exists (shown in SARIF help and the docs).
    pub rationale: &'static str,
    /// What the rule looks at.
    #[serde(skip)]
    pub target: Target,
}

/// Every rule, in report order.
pub fn rules() -> impl Iterator<Item = &'static RuleInfo> {
    [IAM, COMPUTE, STORAGE, NETWORK, ORG, DEPLOY].into_iter().flatten()
}

/// The rule with this id.
pub fn find(id: &str) -> Option<&'static RuleInfo> {
    rules().find(|r| r.id == id)
}

/// Builds a catalog entry (keeps the tables short).
const fn rule(
    id: &'static str,
    severity: Severity,
    title: &'static str,
    fix: &'static str,
    rationale: &'static str,
    target: Target,
) -> RuleInfo {
    RuleInfo { id, title, severity, fix, rationale, target }
}

use Severity::{Error, Info, Warning};

/// Lambda functions.
pub const FUNCTION: &[&str] = &["AWS::Lambda::Function"];
/// Types whose `Policies` hold inline identity policies.
pub const INLINE: &[&str] = &["AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"];
/// Types that hold identity policies (inline `Policies` or one `PolicyDocument`).
pub const IDENTITY: &[&str] = &[
    "AWS::IAM::Role",
    "AWS::IAM::User",
    "AWS::IAM::Group",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::RolePolicy",
    "AWS::IAM::UserPolicy",
    "AWS::IAM::GroupPolicy",
];
/// Security groups and their separate ingress rules.
pub const INGRESS: &[&str] = &["AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress"];
/// Organizations policies (SCPs).
pub const SCP: &[&str] = &["AWS::Organizations::Policy"];
/// S3 buckets.
pub const BUCKET: &[&str] = &["AWS::S3::Bucket"];

/// The IAM rules: identity, trust and resource policies.
const IAM: &[RuleInfo] = &[
    rule(
        "CW-IAM-1",
        Error,
        "IAM policy allows every action",
        "List the actions the principal needs instead of \"*\" (grants such as `grant_read` do this for you)",
        "A policy allowing \"*\" makes its principal an administrator of the account.",
        Target::Resources(IDENTITY),
    ),
    rule(
        "CW-IAM-2",
        Warning,
        "IAM policy allows every action of a service",
        "Replace `service:*` with the actions used, e.g. `s3:GetObject`",
        "Service-wide wildcards grant actions added by AWS in the future, including destructive ones.",
        Target::Resources(IDENTITY),
    ),
    rule(
        "CW-IAM-3",
        Warning,
        "IAM policy allows actions on every resource",
        "Scope `Resource` to the ARNs used (a grant on the construct does it), or suppress with the reason the action needs \"*\"",
        "Resource \"*\" reaches every resource of the account, not only the ones the workload owns.",
        Target::Resources(IDENTITY),
    ),
    rule(
        "CW-IAM-4",
        Error,
        "iam:PassRole on every role",
        "Scope `iam:PassRole` to the role ARNs passed, and add an `iam:PassedToService` condition",
        "Passing any role lets the principal escalate to the most privileged role in the account.",
        Target::Resources(IDENTITY),
    ),
    rule(
        "CW-IAM-5",
        Warning,
        "IAM policy allows with NotAction or NotResource",
        "Write the allowed actions and resources out; use NotAction only in Deny statements",
        "An Allow with NotAction grants everything not listed, including actions added later.",
        Target::Resources(IDENTITY),
    ),
    rule(
        "CW-IAM-6",
        Warning,
        "Service trust without a confused-deputy condition",
        "Add `aws:SourceAccount` (or `aws:SourceArn`/`aws:SourceOrgID`) to the trust statement",
        "Without it, the service can be made to assume the role on behalf of another account (the confused deputy).",
        Target::Resources(&["AWS::IAM::Role"]),
    ),
    rule(
        "CW-IAM-7",
        Error,
        "Role trusts every principal",
        "Name the trusted accounts or services in `Principal`, or add a condition such as `aws:PrincipalOrgID`",
        "A role anyone can assume is public.",
        Target::Resources(&["AWS::IAM::Role"]),
    ),
    rule(
        "CW-IAM-8",
        Error,
        "AdministratorAccess attached",
        "Attach a policy with the permissions the principal needs",
        "The AWS managed AdministratorAccess policy grants everything in the account.",
        Target::Resources(INLINE),
    ),
    rule(
        "CW-IAM-9",
        Warning,
        "IAM user defined",
        "Use roles: IAM Identity Center for people, roles for workloads",
        "IAM users have long-lived credentials; the organization's accounts should have none.",
        Target::Resources(&["AWS::IAM::User"]),
    ),
    rule(
        "CW-IAM-10",
        Error,
        "Resource policy open to everyone",
        "Name the principals, or add a condition such as `aws:PrincipalOrgID` or `aws:SourceAccount`",
        "A bucket, key, topic, queue or event bus policy allowing `*` without a condition is public.",
        Target::Resources(&[
            "AWS::S3::BucketPolicy",
            "AWS::KMS::Key",
            "AWS::SNS::TopicPolicy",
            "AWS::SQS::QueuePolicy",
            "AWS::Logs::ResourcePolicy",
            "AWS::SecretsManager::ResourcePolicy",
            "AWS::Events::EventBusPolicy",
            "AWS::Lambda::Permission",
        ]),
    ),
];

/// The compute rules.
const COMPUTE: &[RuleInfo] = &[
    rule(
        "CW-LAMBDA-1",
        Warning,
        "Lambda function without active X-Ray tracing",
        "Set `tracing: Tracing::Active` (TracingConfig.Mode = Active)",
        "The environment runs X-Ray; untraced functions leave gaps in every request's trace.",
        Target::Resources(FUNCTION),
    ),
    rule(
        "CW-LAMBDA-2",
        Warning,
        "Lambda function without a log group with retention",
        "Give the function its own log group with a retention (LoggingConfig.LogGroup)",
        "The log group Lambda creates on first invocation keeps logs forever and is not in the stack.",
        Target::Resources(FUNCTION),
    ),
    rule(
        "CW-LAMBDA-3",
        Warning,
        "Lambda function without a dead-letter queue",
        "Set DeadLetterConfig.TargetArn to an SQS queue or SNS topic",
        "Asynchronous invocations that fail all retries are dropped without one.",
        Target::Resources(FUNCTION),
    ),
    rule(
        "CW-LAMBDA-4",
        Error,
        "Lambda function on a deprecated runtime",
        "Move to a supported runtime, e.g. python3.12 or nodejs20.x",
        "Deprecated runtimes get no security patches, and AWS blocks updates to functions using them.",
        Target::Resources(FUNCTION),
    ),
    rule(
        "CW-LAMBDA-5",
        Error,
        "Secret value in a Lambda environment variable",
        "Store the secret in Secrets Manager, pass its ARN in the variable and grant read access",
        "Environment variables are visible to anyone who can read the function's configuration.",
        Target::Resources(FUNCTION),
    ),
    rule(
        "CW-LAMBDA-6",
        Error,
        "Lambda function URL without authentication",
        "Set AuthType to AWS_IAM, or put the function behind API Gateway with an authorizer",
        "A function URL with AuthType NONE can be invoked by anyone on the internet.",
        Target::Resources(&["AWS::Lambda::Url"]),
    ),
    rule(
        "CW-CODEBUILD-1",
        Warning,
        "CodeBuild project in privileged mode",
        "Turn PrivilegedMode off unless the build runs Docker; then suppress with that reason",
        "Privileged builds run with root on the build host's Docker daemon.",
        Target::Resources(&["AWS::CodeBuild::Project"]),
    ),
    rule(
        "CW-CODEBUILD-2",
        Warning,
        "CodeBuild project without a customer-managed key",
        "Set EncryptionKey to the pipeline's artifact key",
        "Build artifacts hold deployable code; a customer-managed key controls who can read them across accounts.",
        Target::Resources(&["AWS::CodeBuild::Project"]),
    ),
    rule(
        "CW-CODEBUILD-3",
        Error,
        "Plaintext secret in a CodeBuild environment variable",
        "Use Type SECRETS_MANAGER or PARAMETER_STORE for the variable",
        "Plaintext variables show in the console, the API and build logs.",
        Target::Resources(&["AWS::CodeBuild::Project"]),
    ),
    rule(
        "CW-PIPELINE-1",
        Error,
        "Pipeline deploys to a production account without a manual approval",
        "Add a manual approval action in a stage before the production deployment",
        "Production changes need a person's sign-off (the seed design approves before Production).",
        Target::Resources(&["AWS::CodePipeline::Pipeline"]),
    ),
    rule(
        "CW-PIPELINE-2",
        Warning,
        "Pipeline artifact store without a customer-managed key",
        "Give the artifact store an EncryptionKey (a KMS key the deploy accounts may use)",
        "Cross-account deployments need a key the target accounts can decrypt with; the default S3 key cannot be shared.",
        Target::Resources(&["AWS::CodePipeline::Pipeline"]),
    ),
    rule(
        "CW-ALARM-1",
        Warning,
        "Alarm with no actions",
        "Give the alarm an AlarmActions target (an SNS topic the team reads)",
        "An alarm nobody is told about only shows in the console.",
        Target::Resources(&["AWS::CloudWatch::Alarm"]),
    ),
];

/// The storage rules.
const STORAGE: &[RuleInfo] = &[
    rule(
        "CW-S3-1",
        Warning,
        "S3 bucket without declared default encryption",
        "Set BucketEncryption (SSE-KMS with a customer-managed key for sensitive data)",
        "An explicit encryption configuration documents the key and survives account-level default changes.",
        Target::Resources(BUCKET),
    ),
    rule(
        "CW-S3-2",
        Error,
        "S3 bucket without a full public access block",
        "Set all four PublicAccessBlockConfiguration flags to true",
        "Without it, one ACL or policy change makes objects public.",
        Target::Resources(BUCKET),
    ),
    rule(
        "CW-S3-3",
        Error,
        "S3 bucket accepts requests without TLS",
        "Add a bucket policy statement denying s3:* when aws:SecureTransport is false",
        "Only a policy can refuse plain-HTTP requests to a bucket.",
        Target::Resources(BUCKET),
    ),
    rule(
        "CW-S3-4",
        Warning,
        "S3 bucket without versioning",
        "Set VersioningConfiguration.Status to Enabled",
        "Versioning lets you recover objects overwritten or deleted by mistake or by an attacker.",
        Target::Resources(BUCKET),
    ),
    rule(
        "CW-KMS-1",
        Error,
        "KMS key without automatic rotation",
        "Set EnableKeyRotation to true",
        "Rotation limits how much data one key version protects.",
        Target::Resources(&["AWS::KMS::Key"]),
    ),
    rule(
        "CW-LOGS-1",
        Warning,
        "Log group without retention",
        "Set RetentionInDays (e.g. 30 in development, 365 in production)",
        "Logs kept forever cost money and keep personal data longer than needed.",
        Target::Resources(&["AWS::Logs::LogGroup"]),
    ),
    rule(
        "CW-LOGS-2",
        Info,
        "Log group not encrypted with a customer-managed key",
        "Set KmsKeyId to a key whose policy allows the CloudWatch Logs service principal",
        "A customer-managed key controls who can read the logs, even with logs:GetLogEvents.",
        Target::Resources(&["AWS::Logs::LogGroup"]),
    ),
    rule(
        "CW-SNS-1",
        Info,
        "SNS topic not encrypted with KMS",
        "Set KmsMasterKeyId (a customer-managed key that lets the publishers use it)",
        "Messages at rest in the topic are readable to anyone with access to the service's storage otherwise.",
        Target::Resources(&["AWS::SNS::Topic"]),
    ),
    rule(
        "CW-SQS-1",
        Warning,
        "SQS queue with server-side encryption turned off",
        "Remove SqsManagedSseEnabled: false, or set KmsMasterKeyId",
        "Queues are encrypted by default; turning it off stores messages in plain text.",
        Target::Resources(&["AWS::SQS::Queue"]),
    ),
];

/// The network rules.
const NETWORK: &[RuleInfo] = &[
    rule(
        "CW-EC2-1",
        Error,
        "Security group open to the internet on an admin port",
        "Allow SSH/RDP only from known ranges, or use Systems Manager Session Manager and close the port",
        "SSH and RDP open to 0.0.0.0/0 are scanned and brute-forced within minutes.",
        Target::Resources(INGRESS),
    ),
    rule(
        "CW-EC2-2",
        Warning,
        "Security group allows all traffic from the internet",
        "Allow only the protocols and ports the service listens on",
        "IpProtocol -1 from anywhere exposes every port of every attached interface.",
        Target::Resources(INGRESS),
    ),
    rule(
        "CW-EC2-3",
        Info,
        "VPC without flow logs",
        "Add an AWS::EC2::FlowLog for the VPC (to CloudWatch Logs or S3)",
        "Flow logs are how you investigate traffic after an incident.",
        Target::Resources(&["AWS::EC2::VPC"]),
    ),
    rule(
        "CW-EC2-4",
        Info,
        "Subnet gives instances public IP addresses",
        "Set MapPublicIpOnLaunch to false and reach the internet through a NAT gateway",
        "Instances launched there are reachable from the internet unless their security groups say no.",
        Target::Resources(&["AWS::EC2::Subnet"]),
    ),
];

/// The organization rules: SCPs, stacks, suppressions, Proton schemas.
const ORG: &[RuleInfo] = &[
    rule(
        "CW-SCP-1",
        Error,
        "Service control policy over the size limit",
        "Split the SCP in two, or merge statements (one Deny with a list of actions)",
        "AWS Organizations rejects SCPs over 5,120 characters; the deployment fails.",
        Target::Resources(SCP),
    ),
    rule(
        "CW-SCP-2",
        Warning,
        "Service control policy near the size limit",
        "Plan the split now: the next statement added may not fit",
        "An SCP within 10% of 5,120 characters leaves no room for the next guardrail.",
        Target::Resources(SCP),
    ),
    rule(
        "CW-SCP-3",
        Warning,
        "Organization policy attached to nothing",
        "Attach it to the OUs or accounts it governs (TargetIds), or remove it",
        "An unattached policy looks like a guardrail but enforces nothing.",
        Target::Resources(SCP),
    ),
    rule(
        "CW-SCP-4",
        Error,
        "Stack denied by its own organization",
        "Narrow the SCP's Deny (actions, resources or a condition) so it spares what the stack creates, or deploy the resource in an account the SCP does not cover",
        "A service control policy of the same app denies an action CloudFormation needs to create the resource in that account: the deployment fails with AccessDenied, whatever the deploying role allows.",
        Target::Organization,
    ),
    rule(
        "CW-SCP-5",
        Warning,
        "Stack may be denied by its own organization",
        "Check that the SCP statement's condition does not hold for the role that deploys the stack, or narrow the statement",
        "A conditional Deny of the same app's SCPs covers an action CloudFormation needs to create the resource; whether it applies depends on the request (principal, tags, ...), which is known only at deploy time.",
        Target::Organization,
    ),
    rule(
        "CW-STACK-1",
        Error,
        "Production stack without termination protection",
        "Set `termination_protection: true` in the stack's props",
        "Deleting a production stack by mistake deletes what it runs.",
        Target::Stack,
    ),
    rule(
        "CW-STACK-2",
        Warning,
        "Stateful resource deleted with its stack",
        "Set the removal policy to Retain (or Snapshot) for buckets, keys and tables",
        "Deleting or replacing the stack would delete the data with it.",
        Target::Resources(&[
            "AWS::S3::Bucket",
            "AWS::KMS::Key",
            "AWS::DynamoDB::Table",
            "AWS::RDS::DBInstance",
            "AWS::RDS::DBCluster",
        ]),
    ),
    rule(
        "CW-PROTON-1",
        Warning,
        "Proton input without a description",
        "Document the input (a doc comment on the field of the typed input struct)",
        "Proton shows the description to whoever writes the spec; without it they guess.",
        Target::ProtonSchema,
    ),
    rule(
        "CW-META-1",
        Error,
        "Suppression of an unknown rule, or without a reason",
        "Use a rule id `cloudwright validate` lists, and say why the finding is accepted",
        "A suppression that names no rule hides nothing and misleads reviewers.",
        Target::Stack,
    ),
];

/// The deploy rules.
const DEPLOY: &[RuleInfo] = &[
    rule(
        "CW-DEPLOY-1",
        Error,
        "Policy names a principal that does not exist yet",
        "Name the account root with a condition on the role (`\"AWS\": \"arn:aws:iam::ACCOUNT:root\"` and `ArnEquals` on `aws:PrincipalArn`), or make the stack that creates the role deploy first (a stack dependency, or `DependsOn` in the same stack)",
        "IAM, S3, KMS, SQS, SNS and Lambda reject a policy whose principal is a role or user that does not exist when the policy is written (\"Invalid principal in policy\"); the stack fails and rolls back. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles",
        Target::Deployment,
    ),
    rule(
        "CW-DEPLOY-2",
        Error,
        "Deploying role not allowed what the stack needs",
        "Allow the listed actions in the role's policy (they are the resource type's handler permissions), or deploy the resource another way",
        "CloudFormation calls each resource's create, update and delete handlers with the role that deploys the stack; an action its policies do not allow fails the stack, which rolls back and, for a pipeline, blocks every later run. https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-iam-servicerole.html",
        Target::Deployment,
    ),
    rule(
        "CW-DEPLOY-3",
        Error,
        "Literal name in a global name space",
        "Leave the name out (CloudFormation generates one), or make it carry the account and region (`${AWS::AccountId}`, `${AWS::Region}`)",
        "S3 bucket names are unique across every account of a partition: a fixed name deploys once, and the next account or organization to deploy the app fails with BucketAlreadyExists. https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
        Target::Deployment,
    ),
    rule(
        "CW-DEPLOY-4",
        Warning,
        "Guardrail on an OU that holds no account",
        "Place the accounts in the OU: create them there, or declare existing ones under it and move them (`aws organizations move-account`, then `ResetEnabledBaseline`), see docs/multi-account.md",
        "Service control policies, Control Tower baselines and controls, and service-managed stack sets apply to the accounts of the OU they target; on an empty OU they govern nothing.",
        Target::Deployment,
    ),
];
