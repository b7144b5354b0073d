//! VPC flow logs to a CloudWatch Logs log group, delivered with a role only the flow logs
//! service of this account may assume.

use cloudwright_core::{Construct, Expr, Group, RemovalPolicy, Result};

use crate::cfn::ec2::flow_log::{LogDestinationType, ResourceType, TrafficType};
use crate::cfn::ec2::{CfnFlowLog, CfnFlowLogProps};
use crate::cfn::logs::{CfnLogGroup, CfnLogGroupProps};
use crate::iam::{Condition, Operator, PolicyStatement, Principal, Role, RoleProps};

/// What a VPC's flow log records and keeps.
#[derive(Debug, Clone)]
pub struct FlowLogOptions {
    /// Accepted, rejected or all traffic (default all).
    pub traffic_type: TrafficType,
    /// Days CloudWatch Logs keeps the records (default 365).
    pub retention_days: u32,
}

impl Default for FlowLogOptions {
    fn default() -> Self {
        FlowLogOptions { traffic_type: TrafficType::All, retention_days: 365 }
    }
}

/// Adds `<vpc>/FlowLog/{IAMRole, LogGroup, FlowLog}` (the CDK's ids) for the VPC `vpc_id`.
pub(super) fn add(vpc: &Group, vpc_id: Expr, options: &FlowLogOptions) -> Result<CfnFlowLog> {
    let group = Group::with_fqn(vpc, "FlowLog", "cloudwright.ec2.FlowLog")?;
    if !crate::log_retention::RETENTION_DAYS.contains(&options.retention_days) {
        group.node().add_error(format!(
            "retention {} days is not one CloudWatch Logs offers; use one of {:?}",
            options.retention_days,
            crate::log_retention::RETENTION_DAYS
        ));
    }
    // Confused-deputy protection the VPC docs recommend: only flow logs of this account.
    // https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html
    let role = Role::new(
        &group,
        "IAMRole",
        RoleProps {
            assumed_by: vec![Principal::service("vpc-flow-logs.amazonaws.com")],
            trust_conditions: vec![
                Condition::new(Operator::string_equals(), "aws:SourceAccount", [Expr::account_id()]),
                Condition::new(
                    Operator::arn_like(),
                    "aws:SourceArn",
                    [Expr::sub("arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:vpc-flow-log/*")],
                ),
            ],
            ..Default::default()
        },
    )?;
    let log_group = CfnLogGroup::new(
        &group,
        "LogGroup",
        CfnLogGroupProps { retention_in_days: Some(i64::from(options.retention_days).into()), ..Default::default() },
    )?;
    // Flow logs are audit records: they outlive the stack, as the CDK's log groups do.
    log_group.apply_removal_policy(RemovalPolicy::Retain);
    // Least privilege: the streams of this log group only, in the ARN form the actions'
    // resource type has (`log-group:NAME:log-stream:*`), and describing the group's streams;
    // the group exists, so no `logs:CreateLogGroup`.
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html
    let streams = Expr::sub_with(
        "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${LogGroup}:log-stream:*",
        [("LogGroup", log_group.reference())],
    );
    role.add_to_policy(PolicyStatement::allow(&["logs:CreateLogStream", "logs:PutLogEvents"], [streams]))?;
    role.add_to_policy(PolicyStatement::allow(&["logs:DescribeLogStreams"], [log_group.attr_arn()]))?;
    let flow_log = CfnFlowLog::new(
        &group,
        "FlowLog",
        CfnFlowLogProps {
            deliver_logs_permission_arn: Some(role.arn().into()),
            log_destination_type: Some(LogDestinationType::CloudWatchLogs.into()),
            log_group_name: Some(log_group.reference().into()),
            traffic_type: Some(options.traffic_type.clone().into()),
            tags: Some(vec![crate::cfn::Tag::new("Name", group.node().path())]),
            ..CfnFlowLogProps::new(vpc_id, ResourceType::Vpc)
        },
    )?;
    // Delivery starts at creation: the role must already be allowed to write.
    if let Some(policy) = role.default_policy() {
        flow_log.add_depends_on(&policy);
    }
    Ok(flow_log)
}
