//! `SecurityGroup` with typed rules, as aws-cdk-lib's `ec2.SecurityGroup`
//! (`aws-ec2/lib/security-group.ts`): rules on addresses and prefix lists inline, rules
//! between groups as separate `SecurityGroupIngress`/`SecurityGroupEgress` resources so two
//! groups that allow each other do not form a dependency cycle.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use cloudwright_core::logical_id::make_unique_id;
use cloudwright_core::{Construct, Expr, Group, Node, Result, Value};

use super::cidr::Ipv4Cidr;
use super::plan::literal;
use crate::cfn::ec2::security_group::{Egress, Ingress};
use crate::cfn::ec2::{
    CfnSecurityGroup, CfnSecurityGroupEgress, CfnSecurityGroupEgressProps, CfnSecurityGroupIngress,
    CfnSecurityGroupIngressProps, CfnSecurityGroupProps,
};

/// Who a rule lets in, or lets the group reach.
#[derive(Clone)]
pub enum Peer<'a> {
    /// An IPv4 range (literal, checked; or a deploy-time value such as a VPC's CIDR input).
    Ipv4(Value<String>),
    /// Every IPv4 address (`0.0.0.0/0`).
    AnyIpv4,
    /// Members of a security group.
    SecurityGroup(&'a SecurityGroup),
    /// A managed prefix list (`pl-...`).
    PrefixList(Value<String>),
}

impl Peer<'_> {
    /// An IPv4 range.
    pub fn ipv4(cidr: impl Into<Value<String>>) -> Peer<'static> {
        Peer::Ipv4(cidr.into())
    }

    /// How the CDK names the peer in rule ids and default descriptions.
    fn unique_id(&self) -> String {
        match self {
            Peer::Ipv4(cidr) => literal(cidr).unwrap_or("{IndirectCidr}").to_owned(),
            Peer::AnyIpv4 => "0.0.0.0/0".to_owned(),
            Peer::SecurityGroup(group) => {
                let path = group.node().path();
                let components: Vec<&str> = path.split('/').collect();
                make_unique_id(&components).unwrap_or(path)
            }
            Peer::PrefixList(id) => literal(id).unwrap_or("{IndirectPrefixList}").to_owned(),
        }
    }
}

/// IP protocol of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protocol {
    Tcp,
    Udp,
    All,
}

/// The protocol and ports a rule covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Port {
    protocol: Protocol,
    from: u16,
    to: u16,
}

impl Port {
    /// One TCP port.
    pub fn tcp(port: u16) -> Port {
        Port { protocol: Protocol::Tcp, from: port, to: port }
    }
    /// A range of TCP ports, both ends included.
    pub fn tcp_range(from: u16, to: u16) -> Port {
        Port { protocol: Protocol::Tcp, from, to }
    }
    /// Every TCP port.
    pub fn all_tcp() -> Port {
        Port::tcp_range(0, u16::MAX)
    }
    /// One UDP port.
    pub fn udp(port: u16) -> Port {
        Port { protocol: Protocol::Udp, from: port, to: port }
    }
    /// A range of UDP ports, both ends included.
    pub fn udp_range(from: u16, to: u16) -> Port {
        Port { protocol: Protocol::Udp, from, to }
    }
    /// Every protocol and port.
    pub fn all_traffic() -> Port {
        Port { protocol: Protocol::All, from: 0, to: u16::MAX }
    }

    /// `IpProtocol`, `FromPort`, `ToPort` as EC2 takes them (`-1` and no ports for all
    /// traffic). <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ec2-security-group-ingress.html>
    fn fields(self) -> (Value<String>, Option<Value<i64>>, Option<Value<i64>>) {
        let (from, to) = (Some(i64::from(self.from).into()), Some(i64::from(self.to).into()));
        match self.protocol {
            Protocol::Tcp => ("tcp".into(), from, to),
            Protocol::Udp => ("udp".into(), from, to),
            Protocol::All => ("-1".into(), None, None),
        }
    }
}

/// As the CDK's `Port.toString()`: `443`, `1024-2048`, `UDP 53`, `ALL TRAFFIC`.
impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ports = if self.from == self.to { self.from.to_string() } else { format!("{}-{}", self.from, self.to) };
        match self.protocol {
            Protocol::All => f.write_str("ALL TRAFFIC"),
            Protocol::Tcp if (self.from, self.to) == (0, u16::MAX) => f.write_str("ALL PORTS"),
            Protocol::Tcp => f.write_str(&ports),
            Protocol::Udp => write!(f, "UDP {ports}"),
        }
    }
}

/// Properties of a [`SecurityGroup`].
#[derive(Debug, Clone)]
pub struct SecurityGroupProps {
    /// Description (default: the construct path).
    pub description: Option<String>,
    /// Allow all outbound IPv4 traffic (default true). When false the group starts with no
    /// outbound access; `add_egress` opens what is needed.
    pub allow_all_outbound: bool,
    /// A physical name; CloudFormation generates one when `None` (a fixed name forbids
    /// replacement updates).
    pub security_group_name: Option<String>,
}

impl Default for SecurityGroupProps {
    fn default() -> Self {
        SecurityGroupProps { description: None, allow_all_outbound: true, security_group_name: None }
    }
}

/// The inline rules, shared by every handle to the group.
#[derive(Default)]
struct Rules {
    ingress: Vec<Ingress>,
    egress: Vec<Egress>,
}

/// A security group (the CDK's `ec2.SecurityGroup`).
#[derive(Clone)]
pub struct SecurityGroup {
    group: Group,
    resource: CfnSecurityGroup,
    rules: Rc<RefCell<Rules>>,
    allow_all_outbound: bool,
}

impl Construct for SecurityGroup {
    fn node(&self) -> &Node {
        self.group.node()
    }
}

/// EC2 adds an allow-all egress rule to a group created without any, so a group that
/// allows nothing outbound carries one rule that matches no traffic (the CDK's rule).
fn disallow_all() -> Egress {
    Egress {
        cidr_ip: Some("255.255.255.255/32".into()),
        description: Some("Disallow all traffic".into()),
        from_port: Some(252.into()),
        to_port: Some(86.into()),
        ..Egress::new("icmp")
    }
}

impl SecurityGroup {
    /// Defines a security group in the VPC `vpc_id` (e.g. `vpc.vpc_id()`).
    pub fn new(
        scope: &impl Construct,
        id: &str,
        vpc_id: impl Into<Value<String>>,
        props: SecurityGroupProps,
    ) -> Result<Self> {
        let group = crate::scope::group_in_stack(scope, id, "cloudwright.ec2.SecurityGroup")?;
        let egress = if props.allow_all_outbound {
            Egress {
                cidr_ip: Some("0.0.0.0/0".into()),
                description: Some("Allow all outbound traffic by default".into()),
                ..Egress::new("-1")
            }
        } else {
            disallow_all()
        };
        let resource = CfnSecurityGroup::new(
            &group,
            "Resource",
            CfnSecurityGroupProps {
                group_name: props.security_group_name.map(Into::into),
                security_group_egress: Some(vec![egress.clone()]),
                vpc_id: Some(vpc_id.into()),
                ..CfnSecurityGroupProps::new(props.description.unwrap_or_else(|| group.node().path()))
            },
        )?;
        let rules = Rules { ingress: Vec::new(), egress: vec![egress] };
        Ok(SecurityGroup {
            group,
            resource,
            rules: Rc::new(RefCell::new(rules)),
            allow_all_outbound: props.allow_all_outbound,
        })
    }

    /// The group id (`Fn::GetAtt GroupId`).
    pub fn group_id(&self) -> Expr {
        self.resource.attr_group_id()
    }

    /// The `AWS::EC2::SecurityGroup` resource.
    pub fn resource(&self) -> &CfnSecurityGroup {
        &self.resource
    }

    /// Allows `port` from `peer`. Adding the same rule twice adds it once.
    pub fn add_ingress(&self, peer: Peer<'_>, port: Port, description: &str) -> Result<()> {
        let description = self.checked_description(&peer, port, description, "from");
        let (ip_protocol, from_port, to_port) = port.fields();
        match &peer {
            Peer::SecurityGroup(source) => {
                let id = format!("from {}:{port}", peer.unique_id());
                if self.group.node().find_child(&id).is_some() {
                    return Ok(());
                }
                CfnSecurityGroupIngress::new(
                    &self.group,
                    &id,
                    CfnSecurityGroupIngressProps {
                        description: Some(description.into()),
                        from_port,
                        group_id: Some(self.group_id().into()),
                        source_security_group_id: Some(source.group_id().into()),
                        to_port,
                        ..CfnSecurityGroupIngressProps::new(ip_protocol)
                    },
                )?;
                Ok(())
            }
            Peer::Ipv4(_) | Peer::AnyIpv4 | Peer::PrefixList(_) => {
                let (cidr_ip, source_prefix_list_id) = addresses(&peer);
                let rule = Ingress {
                    cidr_ip,
                    description: Some(description.into()),
                    from_port,
                    source_prefix_list_id,
                    to_port,
                    ..Ingress::new(ip_protocol)
                };
                let mut rules = self.rules.borrow_mut();
                if !rules.ingress.contains(&rule) {
                    rules.ingress.push(rule);
                    self.resource.set(CfnSecurityGroupProps::SECURITY_GROUP_INGRESS, rules.ingress.clone());
                }
                Ok(())
            }
        }
    }

    /// Allows `port` to `peer`. A group that allows all outbound traffic already allows it,
    /// so the rule is not written (as in the CDK).
    pub fn add_egress(&self, peer: Peer<'_>, port: Port, description: &str) -> Result<()> {
        if self.allow_all_outbound {
            return Ok(());
        }
        let description = self.checked_description(&peer, port, description, "to");
        let (ip_protocol, from_port, to_port) = port.fields();
        match &peer {
            Peer::SecurityGroup(destination) => {
                let id = format!("to {}:{port}", peer.unique_id());
                if self.group.node().find_child(&id).is_some() {
                    return Ok(());
                }
                CfnSecurityGroupEgress::new(
                    &self.group,
                    &id,
                    CfnSecurityGroupEgressProps {
                        description: Some(description.into()),
                        destination_security_group_id: Some(destination.group_id().into()),
                        from_port,
                        to_port,
                        ..CfnSecurityGroupEgressProps::new(self.group_id(), ip_protocol)
                    },
                )?;
                Ok(())
            }
            Peer::Ipv4(_) | Peer::AnyIpv4 | Peer::PrefixList(_) => {
                let (cidr_ip, destination_prefix_list_id) = addresses(&peer);
                let rule = Egress {
                    cidr_ip,
                    description: Some(description.into()),
                    destination_prefix_list_id,
                    from_port,
                    to_port,
                    ..Egress::new(ip_protocol)
                };
                let mut rules = self.rules.borrow_mut();
                // The first real rule replaces the placeholder that allowed nothing.
                rules.egress.retain(|r| *r != disallow_all());
                if !rules.egress.contains(&rule) {
                    rules.egress.push(rule);
                }
                self.resource.set(CfnSecurityGroupProps::SECURITY_GROUP_EGRESS, rules.egress.clone());
                Ok(())
            }
        }
    }

    /// The rule's description (the CDK's default when empty), after recording any problem
    /// with the peer or ports on this group's node.
    fn checked_description(&self, peer: &Peer<'_>, port: Port, description: &str, direction: &str) -> String {
        let node = self.group.node();
        if port.from > port.to {
            node.add_error(format!(
                "rule {direction} {}: port range {}-{} runs backwards: write the lower port first",
                peer.unique_id(),
                port.from,
                port.to
            ));
        }
        if let Peer::Ipv4(cidr) = peer {
            if let Some(Err(e)) = literal(cidr).map(Ipv4Cidr::parse) {
                node.add_error(format!("rule {direction} {e}"));
            }
        }
        if description.is_empty() { format!("{direction} {}:{port}", peer.unique_id()) } else { description.to_owned() }
    }
}

/// `(CidrIp, prefix list id)` of an address peer.
fn addresses(peer: &Peer<'_>) -> (Option<Value<String>>, Option<Value<String>>) {
    match peer {
        Peer::Ipv4(cidr) => (Some(cidr.clone()), None),
        Peer::AnyIpv4 => (Some("0.0.0.0/0".into()), None),
        Peer::PrefixList(id) => (None, Some(id.clone())),
        Peer::SecurityGroup(_) => (None, None),
    }
}
