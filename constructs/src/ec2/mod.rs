//! EC2 networking: [`Vpc`] (subnets per availability zone, route tables, internet and NAT
//! gateways, flow logs) and [`SecurityGroup`] with typed rules.
//!
//! ```
//! use cloudwright_constructs::ec2::{
//!     FlowLogOptions, Peer, Port, SecurityGroup, SecurityGroupProps, SubnetConfiguration, SubnetKind, Vpc, VpcProps,
//! };
//! use cloudwright_constructs::{App, Stack, StackProps};
//!
//! let app = App::new();
//! let stack = Stack::new(&app, "Net", StackProps::default())?;
//! let vpc = Vpc::new(&stack, "Vpc", VpcProps {
//!     subnet_configuration: vec![
//!         SubnetConfiguration::new("Public", SubnetKind::Public, 24),
//!         SubnetConfiguration::new("App", SubnetKind::PrivateWithEgress, 22),
//!     ],
//!     nat_gateways: Some(1),
//!     flow_logs: Some(FlowLogOptions::default()),
//!     ..Default::default()
//! })?;
//! let web = SecurityGroup::new(&stack, "Web", vpc.vpc_id(), SecurityGroupProps::default())?;
//! web.add_ingress(Peer::ipv4(vpc.cidr_block().clone()), Port::tcp(443), "HTTPS from the VPC")?;
//! let app_subnet = &vpc.subnets()[3]; // tier by tier, zone by zone
//! let template = app.assembly()?.template("Net").unwrap();
//! assert_eq!(template["Resources"][app_subnet.resource().logical_id()]["Properties"]["CidrBlock"], "10.0.8.0/22");
//! # Ok::<(), cloudwright_constructs::Error>(())
//! ```

mod cidr;
mod flow_log;
mod plan;
mod security_group;
mod vpc;

pub use cidr::Ipv4Cidr;
pub use flow_log::FlowLogOptions;
pub use security_group::{Peer, Port, SecurityGroup, SecurityGroupProps};
pub use vpc::{Subnet, SubnetConfiguration, SubnetKind, Vpc, VpcProps};
