//! A service's network and data: a VPC over two availability zones with public, private
//! (through one NAT gateway) and isolated subnets and flow logs, a security group that lets
//! HTTPS in from inside the VPC only, and a DynamoDB table an application role reads and
//! writes.

use cloudwright_constructs::dynamodb::{Attribute, ITable, Table, TableProps};
use cloudwright_constructs::ec2::{
    FlowLogOptions, Peer, Port, SecurityGroup, SecurityGroupProps, SubnetConfiguration, SubnetKind, Vpc, VpcProps,
};
use cloudwright_constructs::iam::{Condition, Operator, Principal, Role, RoleProps};
use cloudwright_constructs::{App, CfnOutput, Environment, OutputProps, Result, Stack, StackProps};

/// Builds the network example app.
pub fn app() -> Result<App> {
    let app = App::new();
    let account = "111111111111";
    let stack = Stack::new(
        &app,
        "Network",
        StackProps {
            env: Environment::new(account, "eu-west-1"),
            description: Some("VPC, security group and the orders table of one service".into()),
            ..Default::default()
        },
    )?;

    let vpc = Vpc::new(
        &stack,
        "Vpc",
        VpcProps {
            cidr: "10.20.0.0/16".into(),
            max_azs: Some(2),
            subnet_configuration: vec![
                SubnetConfiguration::new("Public", SubnetKind::Public, 24),
                SubnetConfiguration::new("App", SubnetKind::PrivateWithEgress, 20),
                SubnetConfiguration::new("Data", SubnetKind::Isolated, 24),
            ],
            // One NAT gateway for both zones: cheaper, at the cost of egress during an
            // outage of its zone.
            nat_gateways: Some(1),
            flow_logs: Some(FlowLogOptions::default()),
            ..Default::default()
        },
    )?;

    let https = SecurityGroup::new(
        &stack,
        "AppSecurityGroup",
        vpc.vpc_id(),
        SecurityGroupProps { description: Some("HTTPS from inside the VPC".into()), ..Default::default() },
    )?;
    https.add_ingress(Peer::Ipv4(vpc.cidr_block().clone()), Port::tcp(443), "HTTPS from the VPC")?;

    let orders = Table::new(
        &stack,
        "Orders",
        TableProps {
            partition_key: Attribute::string("customerId"),
            sort_key: Some(Attribute::number("createdAt")),
            time_to_live_attribute: Some("expiresAt".into()),
            ..Default::default()
        },
    )?;

    let worker = Role::new(
        &stack,
        "OrdersWorker",
        RoleProps {
            assumed_by: vec![Principal::service("lambda.amazonaws.com")],
            trust_conditions: vec![Condition::new(Operator::string_equals(), "aws:SourceAccount", [account])],
            description: Some("Reads and writes orders".into()),
            ..Default::default()
        },
    )?;
    orders.grant_read_write_data(&worker)?;

    for (id, value, description) in [
        ("VpcId", vpc.vpc_id(), "The VPC"),
        ("AppSecurityGroupId", https.group_id(), "Security group of the application"),
        ("OrdersTableName", orders.table_name(), "The orders table"),
    ] {
        CfnOutput::new(&stack, id, OutputProps { value, description: Some(description.into()), ..Default::default() })?;
    }
    Ok(app)
}
