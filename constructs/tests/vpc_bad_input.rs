//! Bad input to `ec2::Vpc` and `ec2::SecurityGroup`: every problem named with the construct
//! path and a fix, reported together at synthesis, nothing written.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use cloudwright_constructs::ec2::{
    Peer, Port, SecurityGroup, SecurityGroupProps, SubnetConfiguration, SubnetKind, Vpc, VpcProps,
};
use cloudwright_constructs::{App, Environment, Stack, StackProps};

mod support;
use support::problems as synth_problems;

fn stack(app: &App) -> Stack {
    Stack::new(app, "Net", StackProps { env: Environment::new("111111111111", "eu-west-1"), ..Default::default() })
        .unwrap()
}

fn vpc_problems(props: VpcProps) -> Vec<String> {
    let app = App::new();
    Vpc::new(&stack(&app), "Vpc", props).unwrap();
    synth_problems(&app)
}

fn isolated(name: &str, blocks: &[&str]) -> SubnetConfiguration {
    SubnetConfiguration::with_blocks(name, SubnetKind::Isolated, blocks.iter().copied())
}

#[test]
fn more_subnets_than_availability_zones() {
    let problems = vpc_problems(VpcProps {
        availability_zones: vec!["eu-west-1a".into(), "eu-west-1b".into()],
        subnet_configuration: vec![isolated("Data", &["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"])],
        ..Default::default()
    });
    assert_eq!(
        problems,
        ["Net/Vpc: subnet configuration Data: 3 CIDR blocks for 2 availability zones: give one block per zone (or \
          use more zones)"]
    );

    let problems = vpc_problems(VpcProps {
        max_azs: Some(3),
        availability_zones: vec!["eu-west-1a".into(), "eu-west-1b".into()],
        ..Default::default()
    });
    assert_eq!(
        problems,
        ["Net/Vpc: max_azs 3 is more than the 2 availability zones given: name more zones or lower max_azs"]
    );

    let problems = vpc_problems(VpcProps { max_azs: Some(4), ..Default::default() });
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(problems[0].starts_with("Net/Vpc: max_azs 4 is more than the 3 availability zones every Region"));
}

#[test]
fn overlapping_subnets() {
    let problems = vpc_problems(VpcProps {
        max_azs: Some(2),
        subnet_configuration: vec![
            isolated("Data", &["10.0.0.0/24", "10.0.1.0/24"]),
            isolated("Cache", &["10.0.1.128/25", "10.0.2.0/24"]),
        ],
        ..Default::default()
    });
    assert_eq!(
        problems,
        ["Net/Vpc: subnet Data2 (10.0.1.0/24) overlaps subnet Cache1 (10.0.1.128/25): give each subnet its own \
          range"]
    );
}

#[test]
fn subnet_outside_the_vpc() {
    let problems = vpc_problems(VpcProps {
        cidr: "10.0.0.0/16".into(),
        max_azs: Some(1),
        subnet_configuration: vec![isolated("Data", &["10.1.0.0/24"])],
        ..Default::default()
    });
    assert_eq!(
        problems,
        ["Net/Vpc: subnet Data1: 10.1.0.0/24 is not inside the VPC's 10.0.0.0/16: choose a block within it"]
    );
}

#[test]
fn invalid_cidr_text() {
    let problems = vpc_problems(VpcProps { cidr: "10.0.0.0/33".into(), ..Default::default() });
    assert_eq!(
        problems,
        ["Net/Vpc: VPC CIDR \"10.0.0.0/33\" is not an IPv4 CIDR block: write it as a.b.c.d/n, e.g. 10.0.0.0/16"]
    );

    let problems = vpc_problems(VpcProps {
        max_azs: Some(1),
        subnet_configuration: vec![isolated("Data", &["10.0.1.5/24"])],
        ..Default::default()
    });
    assert_eq!(
        problems,
        ["Net/Vpc: subnet Data1: CIDR \"10.0.1.5/24\" has bits set after its /24 prefix: write 10.0.1.0/24"]
    );

    let app = App::new();
    let stack = stack(&app);
    let sg = SecurityGroup::new(&stack, "Sg", "vpc-12345678", SecurityGroupProps::default()).unwrap();
    sg.add_ingress(Peer::ipv4("10.0.0/8"), Port::tcp(443), "HTTPS").unwrap();
    sg.add_ingress(Peer::AnyIpv4, Port::tcp_range(2000, 1000), "backwards").unwrap();
    assert_eq!(
        synth_problems(&app),
        [
            "Net/Sg: rule from \"10.0.0/8\" is not an IPv4 CIDR block: write it as a.b.c.d/n, e.g. 10.0.0.0/16",
            "Net/Sg: rule from 0.0.0.0/0: port range 2000-1000 runs backwards: write the lower port first",
        ]
    );
}

#[test]
fn sizes_nat_gateways_and_space() {
    let problems = vpc_problems(VpcProps {
        subnet_configuration: vec![
            SubnetConfiguration::new("Public", SubnetKind::Public, 29),
            SubnetConfiguration::new("Private", SubnetKind::PrivateWithEgress, 16),
        ],
        nat_gateways: Some(0),
        ..Default::default()
    });
    assert_eq!(
        problems,
        [
            "Net/Vpc: subnet configuration Public: cidr_mask /29 is outside the subnet sizes AWS allows (/16 to /28)",
            "Net/Vpc: subnet configuration Private: no room left in 10.0.0.0/16 for its /16 subnets: use a larger VPC \
             CIDR or smaller subnets (a longer cidr_mask)",
            "Net/Vpc: private subnets with egress need a NAT gateway: set nat_gateways to at least 1, or make them \
             Isolated",
        ]
    );

    let problems = vpc_problems(VpcProps {
        subnet_configuration: vec![SubnetConfiguration::new("Data", SubnetKind::Isolated, 24)],
        nat_gateways: Some(1),
        ..Default::default()
    });
    assert_eq!(
        problems,
        ["Net/Vpc: 1 NAT gateway(s) need a public subnet to live in: add a Public subnet configuration or set \
          nat_gateways to 0"]
    );
}

#[test]
fn deploy_time_vpc_cidr_needs_one_mask() {
    let problems = vpc_problems(VpcProps {
        cidr: cloudwright_constructs::Expr::ssm_parameter("/net/cidr").into(),
        ..Default::default()
    });
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(problems[0].starts_with("Net/Vpc: the VPC CIDR is known only at deploy time"), "{}", problems[0]);
}
