//! EC2 networking: security groups, VPCs and subnets.

use serde_json::Value as Json;

use super::{Cel, Check, Impl, Resource, cel_list, cel_true, is_true, list, referenced_id};

/// Ports used to administer hosts: SSH and RDP.
const ADMIN_PORTS: &[i64] = &[22, 3389];

/// CEL: the ingress rules a resource declares (inline in a group, or the resource itself).
macro_rules! ingress_cel {
    () => {
        concat!("(has(props.SecurityGroupIngress) ? ", cel_list!("props.SecurityGroupIngress"), " : [props])")
    };
}

/// CEL: the ingress rule `r` comes from anywhere.
macro_rules! from_anywhere_cel {
    () => {
        "((has(r.CidrIp) && r.CidrIp == '0.0.0.0/0') || (has(r.CidrIpv6) && r.CidrIpv6 == '::/0'))"
    };
}

/// CEL: the ingress rule `r` allows every protocol (`-1` as a number or a string, or `all`).
macro_rules! all_protocols_cel {
    () => {
        "(has(r.IpProtocol) && type(r.IpProtocol) != map && string(r.IpProtocol).matches('(?i)^(-1|all)$'))"
    };
}

pub(super) const RULES: &[Impl] = &[
    Impl {
        id: "CW-EC2-1",
        check: Check::Resource(admin_port_open),
        guard: None,
        cel: Cel::Check(concat!(
            ingress_cel!(),
            ".all(r, !(",
            from_anywhere_cel!(),
            " && [22, 3389].exists(p, ",
            all_protocols_cel!(),
            " || (",
            "has(r.IpProtocol) && type(r.IpProtocol) != map && string(r.IpProtocol).matches('(?i)^(tcp|6)$') && has(r.FromPort) && ",
            "(int(r.FromPort) == -1 || (has(r.ToPort) && int(r.FromPort) <= p && p <= int(r.ToPort)))))))"
        )),
    },
    Impl {
        id: "CW-EC2-2",
        check: Check::Resource(all_traffic_open),
        guard: None,
        cel: Cel::Check(concat!(
            ingress_cel!(),
            ".all(r, !(",
            all_protocols_cel!(),
            " && ",
            from_anywhere_cel!(),
            "))"
        )),
    },
    Impl {
        id: "CW-EC2-3",
        check: Check::Resource(vpc_without_flow_logs),
        guard: None,
        cel: Cel::Cannot("needs the flow logs of the stack (other resources)"),
    },
    Impl {
        id: "CW-EC2-4",
        check: Check::Resource(public_subnet),
        guard: Some("%resources.Properties.MapPublicIpOnLaunch != true"),
        cel: Cel::Check(concat!("!", cel_true!("props.MapPublicIpOnLaunch"))),
    },
];

/// The ingress rules a resource declares (inline in a group, or the resource itself).
fn ingress_rules<'a>(r: &Resource<'a>) -> Vec<&'a Json> {
    if r.kind() == "AWS::EC2::SecurityGroupIngress" {
        return vec![r.props()];
    }
    list(r.prop(&["SecurityGroupIngress"]))
}

fn from_anywhere(rule: &Json) -> Option<&str> {
    let v4 = rule.get("CidrIp").and_then(Json::as_str).filter(|c| *c == "0.0.0.0/0");
    v4.or_else(|| rule.get("CidrIpv6").and_then(Json::as_str).filter(|c| *c == "::/0"))
}

/// The rule's protocol, lower-case (`tcp`, `6`, `-1`); numbers and strings alike.
fn protocol(rule: &Json) -> Option<String> {
    rule.get("IpProtocol").map(|p| p.to_string().trim_matches('"').to_ascii_lowercase())
}

fn all_protocols(rule: &Json) -> bool {
    matches!(protocol(rule).as_deref(), Some("-1" | "all"))
}

fn port(value: Option<&Json>) -> Option<i64> {
    value.and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()))
}

/// Whether the rule opens `p` over TCP.
fn opens_port(rule: &Json, p: i64) -> bool {
    match protocol(rule).as_deref() {
        Some("-1" | "all") => return true,
        Some("tcp" | "6") => {}
        _ => return false,
    }
    match (port(rule.get("FromPort")), port(rule.get("ToPort"))) {
        (Some(-1), _) => true,
        (Some(from), Some(to)) => from <= p && p <= to,
        _ => false,
    }
}

fn admin_port_open(r: &Resource) -> Vec<String> {
    let mut out = Vec::new();
    for rule in ingress_rules(r) {
        let Some(cidr) = from_anywhere(rule) else { continue };
        for p in ADMIN_PORTS.iter().filter(|p| opens_port(rule, **p)) {
            out.push(format!("ingress from {cidr} opens port {p}"));
        }
    }
    out
}

fn all_traffic_open(r: &Resource) -> Vec<String> {
    ingress_rules(r)
        .into_iter()
        .filter(|rule| all_protocols(rule))
        .filter_map(from_anywhere)
        .map(|cidr| format!("ingress from {cidr} allows every protocol and port"))
        .collect()
}

fn vpc_without_flow_logs(r: &Resource) -> Vec<String> {
    let logged = r.stack.resources().any(|(_, other)| {
        other.get("Type").and_then(Json::as_str) == Some("AWS::EC2::FlowLog")
            && other.pointer("/Properties/ResourceId").and_then(referenced_id) == Some(r.id)
    });
    if logged { vec![] } else { vec!["no AWS::EC2::FlowLog refers to this VPC".into()] }
}

fn public_subnet(r: &Resource) -> Vec<String> {
    if is_true(r.prop(&["MapPublicIpOnLaunch"])) { vec!["MapPublicIpOnLaunch is true".into()] } else { vec![] }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::opens_port;

    #[test]
    fn port_ranges_protocols_and_strings() {
        assert!(opens_port(&json!({"IpProtocol": "tcp", "FromPort": 20, "ToPort": 25}), 22));
        assert!(opens_port(&json!({"IpProtocol": "6", "FromPort": "3389", "ToPort": "3389"}), 3389));
        assert!(opens_port(&json!({"IpProtocol": -1}), 22));
        assert!(opens_port(&json!({"IpProtocol": "tcp", "FromPort": -1, "ToPort": -1}), 22));
        assert!(!opens_port(&json!({"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443}), 22));
        assert!(!opens_port(&json!({"IpProtocol": "udp", "FromPort": 0, "ToPort": 65535}), 22));
    }
}
