//! `Vpc`: a VPC with subnets per availability zone, their route tables, an internet gateway
//! for public subnets, NAT gateways for private ones and optional flow logs, laid out as
//! aws-cdk-lib's `ec2.Vpc` (`aws-ec2/lib/vpc.ts`) lays them out.

use cloudwright_core::{Construct, Expr, Group, Node, Result, Value};

use super::flow_log::{self, FlowLogOptions};
use super::plan;
use crate::cfn::Tag;
use crate::cfn::ec2::vpc::InstanceTenancy;
use crate::cfn::ec2::{
    CfnEip, CfnEipProps, CfnFlowLog, CfnInternetGateway, CfnInternetGatewayProps, CfnNatGateway, CfnNatGatewayProps,
    CfnRoute, CfnRouteProps, CfnRouteTable, CfnRouteTableProps, CfnSubnet, CfnSubnetProps,
    CfnSubnetRouteTableAssociation, CfnSubnetRouteTableAssociationProps, CfnVpc, CfnVpcGatewayAttachment,
    CfnVpcGatewayAttachmentProps, CfnVpcProps,
};

/// What a subnet is for, which decides its default route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SubnetKind {
    /// Routes to the internet gateway; instances may get public addresses.
    #[default]
    Public,
    /// Routes outbound traffic to a NAT gateway in a public subnet.
    PrivateWithEgress,
    /// No route out of the VPC.
    Isolated,
}

impl SubnetKind {
    /// The value of the `aws-cdk:subnet-type` tag, which CDK lookups (`Vpc.fromLookup`) read.
    fn tag(self) -> &'static str {
        match self {
            SubnetKind::Public => "Public",
            SubnetKind::PrivateWithEgress => "Private",
            SubnetKind::Isolated => "Isolated",
        }
    }
}

/// One tier of subnets: a subnet of this kind in every availability zone of the VPC.
#[derive(Debug, Clone, Default)]
pub struct SubnetConfiguration {
    /// The tier's name (construct ids `<name>Subnet1`, `<name>Subnet2`, ...).
    pub name: String,
    /// What the subnets are for.
    pub kind: SubnetKind,
    /// Prefix length of each subnet (16 to 28); `None` shares the space left equally among
    /// the tiers without one, as the CDK does.
    pub cidr_mask: Option<u8>,
    /// Explicit blocks, one per zone in order, instead of automatic allocation; may be
    /// deploy-time values (a Proton input), which are not checked for overlap.
    pub cidr_blocks: Vec<Value<String>>,
}

impl SubnetConfiguration {
    /// A tier with automatically allocated `/cidr_mask` subnets.
    pub fn new(name: impl Into<String>, kind: SubnetKind, cidr_mask: u8) -> Self {
        SubnetConfiguration { name: name.into(), kind, cidr_mask: Some(cidr_mask), cidr_blocks: Vec::new() }
    }

    /// A tier with the given blocks, one per availability zone.
    pub fn with_blocks(
        name: impl Into<String>,
        kind: SubnetKind,
        blocks: impl IntoIterator<Item = impl Into<Value<String>>>,
    ) -> Self {
        SubnetConfiguration {
            name: name.into(),
            kind,
            cidr_mask: None,
            cidr_blocks: blocks.into_iter().map(Into::into).collect(),
        }
    }
}

/// Properties of a [`Vpc`].
#[derive(Debug, Clone)]
pub struct VpcProps {
    /// The VPC's IPv4 range (default `10.0.0.0/16`); a deploy-time value is allowed.
    pub cidr: Value<String>,
    /// How many availability zones to use: of `availability_zones` when given, else the
    /// first of `Fn::GetAZs` (default 2).
    pub max_azs: Option<u32>,
    /// Availability zone names to use, in order; empty: `Fn::GetAZs` of the stack's region.
    pub availability_zones: Vec<Value<String>>,
    /// Subnet tiers (default: public and private with egress, sharing the range equally).
    pub subnet_configuration: Vec<SubnetConfiguration>,
    /// NAT gateways (default: one per zone when there are private subnets with egress, else
    /// none). Private subnets route to the one in their zone, else to the first.
    pub nat_gateways: Option<u32>,
    /// Flow logs to CloudWatch Logs; `None` for none.
    pub flow_logs: Option<FlowLogOptions>,
    /// DNS hostnames for instances (default true, as the CDK).
    pub enable_dns_hostnames: bool,
    /// The Amazon-provided DNS server (default true).
    pub enable_dns_support: bool,
}

impl Default for VpcProps {
    fn default() -> Self {
        VpcProps {
            cidr: Value::Literal("10.0.0.0/16".into()),
            max_azs: None,
            availability_zones: Vec::new(),
            subnet_configuration: vec![
                SubnetConfiguration { name: "Public".into(), kind: SubnetKind::Public, ..Default::default() },
                SubnetConfiguration {
                    name: "Private".into(),
                    kind: SubnetKind::PrivateWithEgress,
                    ..Default::default()
                },
            ],
            nat_gateways: None,
            flow_logs: None,
            enable_dns_hostnames: true,
            enable_dns_support: true,
        }
    }
}

/// A subnet of a [`Vpc`] with its own route table.
#[derive(Clone)]
pub struct Subnet {
    group: Group,
    resource: CfnSubnet,
    route_table: CfnRouteTable,
    association: CfnSubnetRouteTableAssociation,
    default_route: Option<CfnRoute>,
    kind: SubnetKind,
    tier: String,
    zone_index: usize,
    availability_zone: Value<String>,
}

impl Construct for Subnet {
    fn node(&self) -> &Node {
        self.group.node()
    }
}

impl Subnet {
    /// The subnet id.
    pub fn subnet_id(&self) -> Expr {
        self.resource.reference()
    }
    /// The route table id.
    pub fn route_table_id(&self) -> Expr {
        self.route_table.reference()
    }
    /// What the subnet is for.
    pub fn kind(&self) -> SubnetKind {
        self.kind
    }
    /// The name of its tier (subnet configuration).
    pub fn tier(&self) -> &str {
        &self.tier
    }
    /// Its availability zone.
    pub fn availability_zone(&self) -> &Value<String> {
        &self.availability_zone
    }
    /// The route to the internet gateway or NAT gateway: a resource that needs the internet
    /// at creation (e.g. a function in this subnet calling out) should depend on it.
    pub fn default_route(&self) -> Option<&CfnRoute> {
        self.default_route.as_ref()
    }
    /// The `AWS::EC2::Subnet` resource.
    pub fn resource(&self) -> &CfnSubnet {
        &self.resource
    }
}

/// A VPC (the CDK's `ec2.Vpc`).
#[derive(Clone)]
pub struct Vpc {
    group: Group,
    resource: CfnVpc,
    cidr: Value<String>,
    availability_zones: Vec<Value<String>>,
    subnets: Vec<Subnet>,
    internet_gateway: Option<CfnInternetGateway>,
    nat_gateways: Vec<CfnNatGateway>,
    flow_log: Option<CfnFlowLog>,
}

impl Construct for Vpc {
    fn node(&self) -> &Node {
        self.group.node()
    }
}

/// `Fn::GetAZs` returns at least this many zones: every Region has three or more.
/// <https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html>
const GUARANTEED_AZS: u32 = 3;

impl Vpc {
    /// Defines a VPC, its subnets, routes and gateways.
    pub fn new(scope: &impl Construct, id: &str, props: VpcProps) -> Result<Self> {
        let group = crate::scope::group_in_stack(scope, id, "cloudwright.ec2.Vpc")?;
        let mut problems = Vec::new();
        let zones = zones(&props, &mut problems);
        let tiers = tiers(&props.subnet_configuration, &mut problems);
        let blocks = plan::plan(&props.cidr, &tiers, zones.len(), &mut problems);
        let nat_count = nat_count(&props, &tiers, zones.len(), &mut problems);
        for problem in problems {
            group.node().add_error(problem);
        }

        let resource = CfnVpc::new(
            &group,
            "Resource",
            CfnVpcProps {
                cidr_block: Some(props.cidr.clone()),
                enable_dns_hostnames: Some(props.enable_dns_hostnames.into()),
                enable_dns_support: Some(props.enable_dns_support.into()),
                instance_tenancy: Some(InstanceTenancy::Default.into()),
                tags: Some(vec![name_tag(&group)]),
                ..Default::default()
            },
        )?;
        let vpc_id = resource.reference();
        let mut subnets = Vec::new();
        for (tier, blocks) in tiers.iter().zip(blocks) {
            for (index, (zone, block)) in zones.iter().zip(blocks).enumerate() {
                subnets.push(add_subnet(&group, &vpc_id, tier, index, zone, block)?);
            }
        }

        let internet_gateway = if subnets.iter().any(|s| s.kind == SubnetKind::Public) {
            let gateway =
                CfnInternetGateway::new(&group, "IGW", CfnInternetGatewayProps { tags: Some(vec![name_tag(&group)]) })?;
            let attachment = CfnVpcGatewayAttachment::new(
                &group,
                "VPCGW",
                CfnVpcGatewayAttachmentProps {
                    internet_gateway_id: Some(gateway.reference().into()),
                    ..CfnVpcGatewayAttachmentProps::new(vpc_id.clone())
                },
            )?;
            for subnet in subnets.iter_mut().filter(|s| s.kind == SubnetKind::Public) {
                let to_gateway = CfnRouteProps {
                    gateway_id: Some(gateway.reference().into()),
                    ..CfnRouteProps::new(subnet.route_table_id())
                };
                let route = default_route(subnet, to_gateway)?;
                // A route to a gateway not yet attached to the VPC fails at deploy time.
                route.add_depends_on(&attachment);
            }
            Some(gateway)
        } else {
            None
        };

        let nat_gateways = add_nat_gateways(&subnets, nat_count)?;
        if let Some(first) = nat_gateways.first() {
            for subnet in subnets.iter_mut().filter(|s| s.kind == SubnetKind::PrivateWithEgress) {
                let nat = nat_gateways.get(subnet.zone_index).unwrap_or(first);
                let to_nat = CfnRouteProps {
                    nat_gateway_id: Some(nat.reference().into()),
                    ..CfnRouteProps::new(subnet.route_table_id())
                };
                default_route(subnet, to_nat)?;
            }
        }

        let flow_log = match &props.flow_logs {
            Some(options) => Some(flow_log::add(&group, vpc_id, options)?),
            None => None,
        };
        Ok(Vpc {
            group,
            resource,
            cidr: props.cidr,
            availability_zones: zones,
            subnets,
            internet_gateway,
            nat_gateways,
            flow_log,
        })
    }

    /// The VPC id.
    pub fn vpc_id(&self) -> Expr {
        self.resource.reference()
    }
    /// The VPC's IPv4 range as configured (literal, or the deploy-time value given).
    pub fn cidr_block(&self) -> &Value<String> {
        &self.cidr
    }
    /// The availability zones used, in order.
    pub fn availability_zones(&self) -> &[Value<String>] {
        &self.availability_zones
    }
    /// Every subnet, tier by tier, zone by zone.
    pub fn subnets(&self) -> &[Subnet] {
        &self.subnets
    }
    /// The subnets of one kind.
    pub fn subnets_of(&self, kind: SubnetKind) -> impl Iterator<Item = &Subnet> {
        self.subnets.iter().filter(move |s| s.kind == kind)
    }
    /// Ids of the public subnets.
    pub fn public_subnet_ids(&self) -> Vec<Expr> {
        self.subnets_of(SubnetKind::Public).map(Subnet::subnet_id).collect()
    }
    /// Ids of the private subnets with egress.
    pub fn private_subnet_ids(&self) -> Vec<Expr> {
        self.subnets_of(SubnetKind::PrivateWithEgress).map(Subnet::subnet_id).collect()
    }
    /// Ids of the isolated subnets.
    pub fn isolated_subnet_ids(&self) -> Vec<Expr> {
        self.subnets_of(SubnetKind::Isolated).map(Subnet::subnet_id).collect()
    }
    /// The internet gateway, when there are public subnets.
    pub fn internet_gateway(&self) -> Option<&CfnInternetGateway> {
        self.internet_gateway.as_ref()
    }
    /// The NAT gateways, in zone order.
    pub fn nat_gateways(&self) -> &[CfnNatGateway] {
        &self.nat_gateways
    }
    /// The flow log, when enabled.
    pub fn flow_log(&self) -> Option<&CfnFlowLog> {
        self.flow_log.as_ref()
    }
    /// The `AWS::EC2::VPC` resource.
    pub fn resource(&self) -> &CfnVpc {
        &self.resource
    }
}

/// `Name` = the construct path, as the CDK tags VPC resources for the console.
fn name_tag(construct: &impl Construct) -> Tag {
    Tag::new("Name", construct.node().path())
}

/// The zones to use: the names given, else `Fn::Select` over `Fn::GetAZs`.
fn zones(props: &VpcProps, problems: &mut Vec<String>) -> Vec<Value<String>> {
    let given = u32::try_from(props.availability_zones.len()).unwrap_or(u32::MAX);
    let count = match (props.max_azs, given) {
        (Some(0), _) => {
            problems.push("max_azs is 0: a VPC needs at least one availability zone".to_owned());
            return Vec::new();
        }
        (Some(n), 0) if n > GUARANTEED_AZS => {
            problems.push(format!(
                "max_azs {n} is more than the {GUARANTEED_AZS} availability zones every Region is guaranteed to \
                 have: name the zones in availability_zones to use more"
            ));
            GUARANTEED_AZS
        }
        (Some(n), 0) => n,
        (None, 0) => 2,
        (Some(n), given) if n > given => {
            problems.push(format!(
                "max_azs {n} is more than the {given} availability zones given: name more zones or lower max_azs"
            ));
            given
        }
        (Some(n), _) => n,
        (None, given) => given,
    };
    if given == 0 {
        (0..count).map(|i| Value::Expr(Expr::select(i, Expr::azs()))).collect()
    } else {
        props.availability_zones.iter().take(usize::try_from(count).unwrap_or(usize::MAX)).cloned().collect()
    }
}

/// The tiers with usable names; a duplicate or unusable name is a problem and its tier is
/// left out (its construct ids would clash or be invalid).
fn tiers(configs: &[SubnetConfiguration], problems: &mut Vec<String>) -> Vec<SubnetConfiguration> {
    let mut kept: Vec<SubnetConfiguration> = Vec::new();
    for config in configs {
        if config.name.is_empty() || config.name.contains('/') {
            problems.push(format!(
                "subnet configuration name \"{}\" must be non-empty and without '/' (it names the subnets)",
                config.name
            ));
        } else if kept.iter().any(|k| k.name == config.name) {
            problems.push(format!("two subnet configurations are named {}: give each tier its own name", config.name));
        } else {
            kept.push(config.clone());
        }
    }
    kept
}

/// How many NAT gateways to create, checked against the subnets that need and hold them.
fn nat_count(props: &VpcProps, tiers: &[SubnetConfiguration], zones: usize, problems: &mut Vec<String>) -> usize {
    let has = |kind| tiers.iter().any(|t| t.kind == kind);
    let (public, private) = (has(SubnetKind::Public), has(SubnetKind::PrivateWithEgress));
    let wanted = match props.nat_gateways {
        Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
        None if private => zones,
        None => 0,
    };
    if wanted > 0 && !public {
        problems.push(format!(
            "{wanted} NAT gateway(s) need a public subnet to live in: add a Public subnet configuration or set \
             nat_gateways to 0"
        ));
        return 0;
    }
    if wanted == 0 && private {
        problems.push(
            "private subnets with egress need a NAT gateway: set nat_gateways to at least 1, or make them Isolated"
                .to_owned(),
        );
    }
    if wanted > zones {
        problems.push(format!("{wanted} NAT gateways for {zones} availability zones: at most one per zone is placed"));
        return zones;
    }
    wanted
}

/// A subnet of `tier` in zone `index`, with its route table and association.
fn add_subnet(
    vpc: &Group,
    vpc_id: &Expr,
    tier: &SubnetConfiguration,
    index: usize,
    zone: &Value<String>,
    block: Option<Value<String>>,
) -> Result<Subnet> {
    let group = Group::with_fqn(vpc, &format!("{}Subnet{}", tier.name, index + 1), "cloudwright.ec2.Subnet")?;
    let resource = CfnSubnet::new(
        &group,
        "Subnet",
        CfnSubnetProps {
            availability_zone: Some(zone.clone()),
            cidr_block: block,
            map_public_ip_on_launch: Some((tier.kind == SubnetKind::Public).into()),
            tags: Some(vec![
                name_tag(&group),
                Tag::new("aws-cdk:subnet-name", tier.name.as_str()),
                Tag::new("aws-cdk:subnet-type", tier.kind.tag()),
            ]),
            ..CfnSubnetProps::new(vpc_id.clone())
        },
    )?;
    let route_table = CfnRouteTable::new(
        &group,
        "RouteTable",
        CfnRouteTableProps { tags: Some(vec![name_tag(&group)]), ..CfnRouteTableProps::new(vpc_id.clone()) },
    )?;
    let association = CfnSubnetRouteTableAssociation::new(
        &group,
        "RouteTableAssociation",
        CfnSubnetRouteTableAssociationProps::new(route_table.reference(), resource.reference()),
    )?;
    Ok(Subnet {
        group,
        resource,
        route_table,
        association,
        default_route: None,
        kind: tier.kind,
        tier: tier.name.clone(),
        zone_index: index,
        availability_zone: zone.clone(),
    })
}

/// The subnet's `0.0.0.0/0` route.
fn default_route(subnet: &mut Subnet, props: CfnRouteProps) -> Result<CfnRoute> {
    let route = CfnRoute::new(
        &subnet.group,
        "DefaultRoute",
        CfnRouteProps { destination_cidr_block: Some("0.0.0.0/0".into()), ..props },
    )?;
    subnet.default_route = Some(route.clone());
    Ok(route)
}

/// `count` NAT gateways, each with an Elastic IP, in the first public tier's subnets.
fn add_nat_gateways(subnets: &[Subnet], count: usize) -> Result<Vec<CfnNatGateway>> {
    let Some(tier) = subnets.iter().find(|s| s.kind == SubnetKind::Public).map(|s| s.tier.clone()) else {
        return Ok(Vec::new());
    };
    let mut gateways = Vec::new();
    for subnet in subnets.iter().filter(|s| s.tier == tier).take(count) {
        let eip = CfnEip::new(
            &subnet.group,
            "EIP",
            CfnEipProps { domain: Some("vpc".into()), tags: Some(vec![name_tag(&subnet.group)]), ..Default::default() },
        )?;
        let nat = CfnNatGateway::new(
            &subnet.group,
            "NATGateway",
            CfnNatGatewayProps {
                allocation_id: Some(eip.attr_allocation_id().into()),
                subnet_id: Some(subnet.subnet_id().into()),
                tags: Some(vec![name_tag(&subnet.group)]),
                ..Default::default()
            },
        )?;
        // As the CDK: the gateway is usable only once its subnet routes to the internet.
        if let Some(route) = &subnet.default_route {
            nat.add_depends_on(route);
        }
        nat.add_depends_on(&subnet.association);
        gateways.push(nat);
    }
    Ok(gateways)
}
