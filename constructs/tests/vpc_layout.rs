//! What `ec2::Vpc` and `ec2::SecurityGroup` synthesize: subnet ranges, routes and their
//! ordering, NAT placement, deploy-time CIDRs, and rules between groups.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use cloudwright_constructs::ec2::{
    Peer, Port, SecurityGroup, SecurityGroupProps, SubnetConfiguration, SubnetKind, Vpc, VpcProps,
};
use cloudwright_constructs::{App, Construct, Environment, Expr, Stack, StackProps};
use serde_json::{Value as Json, json};

fn stack(app: &App) -> Stack {
    Stack::new(app, "Net", StackProps { env: Environment::new("111111111111", "eu-west-1"), ..Default::default() })
        .unwrap()
}

fn resources(app: &App) -> Json {
    app.assembly().unwrap().template("Net").unwrap()["Resources"].clone()
}

fn props_of<'a>(resources: &'a Json, logical_id: &str) -> &'a Json {
    &resources[logical_id]["Properties"]
}

#[test]
fn default_vpc_is_the_cdks() {
    let app = App::new();
    let vpc = Vpc::new(&stack(&app), "Vpc", VpcProps::default()).unwrap();
    let r = resources(&app);
    let blocks: Vec<&Json> =
        vpc.subnets().iter().map(|s| &props_of(&r, &s.resource().logical_id())["CidrBlock"]).collect();
    assert_eq!(blocks, ["10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18", "10.0.192.0/18"]);
    // One NAT gateway per zone, each private subnet routed to the one in its zone.
    assert_eq!(vpc.nat_gateways().len(), 2);
    for (private, nat) in vpc.subnets_of(SubnetKind::PrivateWithEgress).zip(vpc.nat_gateways()) {
        let route = private.default_route().unwrap();
        assert_eq!(props_of(&r, &route.logical_id())["NatGatewayId"], json!({"Ref": nat.logical_id()}));
    }
    // Public routes wait for the gateway's attachment; NAT gateways for their subnet's route.
    let attachment = r.as_object().unwrap().iter().find(|(_, v)| v["Type"] == "AWS::EC2::VPCGatewayAttachment");
    let attachment = attachment.unwrap().0.clone();
    for public in vpc.subnets_of(SubnetKind::Public) {
        let route = public.default_route().unwrap().logical_id();
        assert_eq!(r[&route]["DependsOn"], json!([attachment]));
        assert_eq!(props_of(&r, &public.resource().logical_id())["MapPublicIpOnLaunch"], true);
    }
    let nat = vpc.nat_gateways()[0].logical_id();
    assert_eq!(r[&nat]["DependsOn"].as_array().unwrap().len(), 2);
    assert_eq!(
        props_of(&r, &vpc.subnets()[0].resource().logical_id())["AvailabilityZone"],
        json!({"Fn::Select": [0, {"Fn::GetAZs": ""}]})
    );
    assert!(vpc.flow_log().is_none());
}

#[test]
fn explicit_blocks_and_automatic_ones_share_the_range() {
    let app = App::new();
    let vpc = Vpc::new(
        &stack(&app),
        "Vpc",
        VpcProps {
            availability_zones: vec!["eu-west-1a".into(), "eu-west-1c".into()],
            subnet_configuration: vec![
                SubnetConfiguration::with_blocks("Public", SubnetKind::Public, ["10.0.0.0/24", "10.0.2.0/24"]),
                SubnetConfiguration::new("Data", SubnetKind::Isolated, 24),
            ],
            ..Default::default()
        },
    )
    .unwrap();
    let r = resources(&app);
    let blocks: Vec<&Json> =
        vpc.subnets().iter().map(|s| &props_of(&r, &s.resource().logical_id())["CidrBlock"]).collect();
    assert_eq!(blocks, ["10.0.0.0/24", "10.0.2.0/24", "10.0.1.0/24", "10.0.3.0/24"]);
    assert_eq!(props_of(&r, &vpc.subnets()[1].resource().logical_id())["AvailabilityZone"], "eu-west-1c");
    assert!(vpc.nat_gateways().is_empty(), "no private subnets with egress, no NAT gateway");
    assert!(vpc.subnets_of(SubnetKind::Isolated).all(|s| s.default_route().is_none()));
}

#[test]
fn deploy_time_cidrs_for_proton_templates() {
    let app = App::new();
    let vpc_cidr = Expr::ssm_parameter("/net/vpc-cidr");
    let vpc = Vpc::new(
        &stack(&app),
        "Vpc",
        VpcProps {
            cidr: vpc_cidr.clone().into(),
            subnet_configuration: vec![
                SubnetConfiguration::with_blocks(
                    "Public",
                    SubnetKind::Public,
                    [Expr::ssm_parameter("/net/public-1"), Expr::ssm_parameter("/net/public-2")],
                ),
                SubnetConfiguration::new("Private", SubnetKind::PrivateWithEgress, 20),
            ],
            nat_gateways: Some(1),
            ..Default::default()
        },
    )
    .unwrap();
    let r = resources(&app);
    let vpc_props = props_of(&r, &vpc.resource().logical_id());
    assert_eq!(vpc_props["CidrBlock"], "{{resolve:ssm:/net/vpc-cidr}}");
    let private: Vec<&Json> = vpc
        .subnets_of(SubnetKind::PrivateWithEgress)
        .map(|s| &props_of(&r, &s.resource().logical_id())["CidrBlock"])
        .collect();
    assert_eq!(
        private,
        [
            &json!({"Fn::Select": [0, {"Fn::Cidr": ["{{resolve:ssm:/net/vpc-cidr}}", 2, 12]}]}),
            &json!({"Fn::Select": [1, {"Fn::Cidr": ["{{resolve:ssm:/net/vpc-cidr}}", 2, 12]}]}),
        ]
    );
    let public = vpc.subnets_of(SubnetKind::Public).next().unwrap();
    assert_eq!(props_of(&r, &public.resource().logical_id())["CidrBlock"], "{{resolve:ssm:/net/public-1}}");
    assert_eq!(vpc.cidr_block(), &vpc_cidr.into());
}

#[test]
fn rules_between_groups_are_separate_resources() {
    let app = App::new();
    let stack = stack(&app);
    let vpc = Vpc::new(&stack, "Vpc", VpcProps::default()).unwrap();
    let lb = SecurityGroup::new(&stack, "Lb", vpc.vpc_id(), SecurityGroupProps::default()).unwrap();
    let app_sg = SecurityGroup::new(
        &stack,
        "App",
        vpc.vpc_id(),
        SecurityGroupProps { allow_all_outbound: false, ..Default::default() },
    )
    .unwrap();
    app_sg.add_ingress(Peer::SecurityGroup(&lb), Port::tcp(8080), "from the load balancer").unwrap();
    app_sg.add_ingress(Peer::SecurityGroup(&lb), Port::tcp(8080), "again").unwrap(); // once only
    lb.add_ingress(Peer::AnyIpv4, Port::tcp(443), "HTTPS").unwrap();
    lb.add_egress(Peer::SecurityGroup(&app_sg), Port::tcp(8080), "ignored: all outbound allowed").unwrap();
    let r = resources(&app);

    let ingress: Vec<(&String, &Json)> =
        r.as_object().unwrap().iter().filter(|(_, v)| v["Type"] == "AWS::EC2::SecurityGroupIngress").collect();
    assert_eq!(ingress.len(), 1, "{ingress:#?}");
    assert_eq!(
        ingress[0].1["Properties"],
        json!({
            "Description": "from the load balancer",
            "FromPort": 8080,
            "GroupId": {"Fn::GetAtt": [app_sg.resource().logical_id(), "GroupId"]},
            "IpProtocol": "tcp",
            "SourceSecurityGroupId": {"Fn::GetAtt": [lb.resource().logical_id(), "GroupId"]},
            "ToPort": 8080
        })
    );
    assert!(ingress[0].0.starts_with("AppfromNetLb"), "{}", ingress[0].0);
    assert!(r.as_object().unwrap().values().all(|v| v["Type"] != "AWS::EC2::SecurityGroupEgress"));

    // No outbound access: the CDK's rule that matches nothing keeps EC2's default allow-all away.
    let app_props = props_of(&r, &app_sg.resource().logical_id());
    assert_eq!(
        app_props["SecurityGroupEgress"],
        json!([{"CidrIp": "255.255.255.255/32", "Description": "Disallow all traffic", "FromPort": 252,
                "IpProtocol": "icmp", "ToPort": 86}])
    );
    assert_eq!(app_props["GroupDescription"], "Net/App");
    assert_eq!(
        props_of(&r, &lb.resource().logical_id())["SecurityGroupIngress"],
        json!([{"CidrIp": "0.0.0.0/0", "Description": "HTTPS", "FromPort": 443, "IpProtocol": "tcp", "ToPort": 443}])
    );

    // The first real egress rule replaces the placeholder.
    app_sg.add_egress(Peer::ipv4("10.0.0.0/16"), Port::udp(53), "DNS").unwrap();
    let r = resources(&app);
    assert_eq!(
        props_of(&r, &app_sg.resource().logical_id())["SecurityGroupEgress"],
        json!([{"CidrIp": "10.0.0.0/16", "Description": "DNS", "FromPort": 53, "IpProtocol": "udp", "ToPort": 53}])
    );
    assert_eq!(app_sg.node().path(), "Net/App");
}
