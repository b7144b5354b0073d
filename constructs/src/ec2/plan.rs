//! Where a VPC's subnets go: one CIDR block per subnet configuration and availability zone,
//! given explicitly or allocated inside the VPC's range, with the problems found on the way.

use cloudwright_core::{Expr, Value};

use super::cidr::{Allocator, Ipv4Cidr};
use super::vpc::SubnetConfiguration;

/// Subnet sizes AWS allows (and VPC sizes too): /16 to /28.
/// <https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html>
pub(super) const PREFIXES: std::ops::RangeInclusive<u8> = 16..=28;

/// The literal text of a value, when it is known at synthesis.
pub(super) fn literal(value: &Value<String>) -> Option<&str> {
    match value {
        Value::Literal(s) => Some(s),
        Value::Expr(e) => e.as_literal_str(),
    }
}

/// The VPC's own range, when it is literal and valid.
pub(super) fn vpc_range(cidr: &Value<String>, problems: &mut Vec<String>) -> Option<Ipv4Cidr> {
    let text = literal(cidr)?;
    match Ipv4Cidr::parse(text) {
        Ok(range) if PREFIXES.contains(&range.prefix()) => Some(range),
        Ok(range) => {
            problems.push(format!(
                "VPC CIDR {range} is outside the sizes AWS allows (/16 to /28): use e.g. 10.0.0.0/16 \
                 (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html)"
            ));
            None
        }
        Err(e) => {
            problems.push(format!("VPC CIDR {e}"));
            None
        }
    }
}

/// An explicit block with where it came from, for messages.
struct Given {
    label: String,
    range: Ipv4Cidr,
}

/// One CIDR block per configuration and zone (`None` where none could be found: a problem
/// says why).
pub(super) fn plan(
    vpc_cidr: &Value<String>,
    configs: &[SubnetConfiguration],
    zones: usize,
    problems: &mut Vec<String>,
) -> Vec<Vec<Option<Value<String>>>> {
    let vpc = vpc_range(vpc_cidr, problems);
    let mut plan: Vec<Vec<Option<Value<String>>>> = configs.iter().map(|_| vec![None; zones]).collect();
    let given = explicit_blocks(vpc, configs, zones, &mut plan, problems);
    for (i, a) in given.iter().enumerate() {
        for b in &given[i + 1..] {
            if a.range.overlaps(&b.range) {
                problems.push(format!(
                    "subnet {} ({}) overlaps subnet {} ({}): give each subnet its own range",
                    a.label, a.range, b.label, b.range
                ));
            }
        }
    }
    let automatic: Vec<usize> = (0..configs.len()).filter(|c| configs[*c].cidr_blocks.is_empty()).collect();
    if automatic.is_empty() {
        return plan;
    }
    match vpc {
        Some(range) => {
            let taken = given.iter().map(|g| g.range).collect();
            allocate(range, taken, configs, &automatic, zones, &mut plan, problems);
        }
        None if literal(vpc_cidr).is_none() => {
            split_deploy_time(vpc_cidr, configs, &automatic, zones, &mut plan, problems)
        }
        // An invalid literal VPC range is already reported.
        None => {}
    }
    plan
}

/// Checks and records the blocks configurations give explicitly; returns the literal ones.
fn explicit_blocks(
    vpc: Option<Ipv4Cidr>,
    configs: &[SubnetConfiguration],
    zones: usize,
    plan: &mut [Vec<Option<Value<String>>>],
    problems: &mut Vec<String>,
) -> Vec<Given> {
    let mut given = Vec::new();
    for (c, config) in configs.iter().enumerate() {
        if config.cidr_blocks.is_empty() {
            if let Some(mask) = config.cidr_mask.filter(|m| !PREFIXES.contains(m)) {
                problems.push(format!(
                    "subnet configuration {}: cidr_mask /{mask} is outside the subnet sizes AWS allows (/16 to /28)",
                    config.name
                ));
            }
            continue;
        }
        if config.cidr_mask.is_some() {
            problems.push(format!(
                "subnet configuration {}: give cidr_mask or cidr_blocks, not both (the blocks set the sizes)",
                config.name
            ));
        }
        if config.cidr_blocks.len() != zones {
            problems.push(format!(
                "subnet configuration {}: {} CIDR blocks for {zones} availability zones: give one block per zone \
                 (or use more zones)",
                config.name,
                config.cidr_blocks.len()
            ));
        }
        for (z, block) in config.cidr_blocks.iter().enumerate().take(zones) {
            plan[c][z] = Some(block.clone());
            let Some(text) = literal(block) else { continue };
            let label = format!("{}{}", config.name, z + 1);
            match Ipv4Cidr::parse(text) {
                Err(e) => problems.push(format!("subnet {label}: CIDR {e}")),
                Ok(range) if !PREFIXES.contains(&range.prefix()) => problems
                    .push(format!("subnet {label}: {range} is outside the subnet sizes AWS allows (/16 to /28)")),
                Ok(range) => {
                    if let Some(vpc) = vpc.filter(|v| !v.contains(&range)) {
                        problems.push(format!(
                            "subnet {label}: {range} is not inside the VPC's {vpc}: choose a block within it"
                        ));
                    }
                    given.push(Given { label, range });
                }
            }
        }
    }
    given
}

/// Allocates the automatic subnets inside a literal VPC range, as the CDK does: first those
/// with a `cidr_mask` in order, then the rest sharing what is left equally.
fn allocate(
    vpc: Ipv4Cidr,
    taken: Vec<Ipv4Cidr>,
    configs: &[SubnetConfiguration],
    automatic: &[usize],
    zones: usize,
    plan: &mut [Vec<Option<Value<String>>>],
    problems: &mut Vec<String>,
) {
    let mut allocator = Allocator::new(vpc, taken);
    // A configuration with an invalid mask is reported already and gets no blocks.
    let sized = automatic.iter().filter_map(|c| Some((*c, configs[*c].cidr_mask.filter(|m| PREFIXES.contains(m))?)));
    for (c, mask) in sized.collect::<Vec<_>>() {
        fill(&mut allocator, mask, vpc, &configs[c], &mut plan[c], problems);
    }
    let shared_space: Vec<usize> = automatic.iter().copied().filter(|c| configs[*c].cidr_mask.is_none()).collect();
    if shared_space.is_empty() {
        return;
    }
    let shared = allocator.prefix_for_remaining(shared_space.len() * zones);
    match shared.filter(|p| PREFIXES.contains(p)) {
        Some(mask) => {
            for c in &shared_space {
                fill(&mut allocator, mask, vpc, &configs[*c], &mut plan[*c], problems);
            }
        }
        None => problems.push(format!(
            "{} subnets without a cidr_mask do not fit in what is left of {vpc} (each needs at least a /28): \
             give them a cidr_mask or use a larger VPC CIDR",
            shared_space.len() * zones
        )),
    }
}

/// One block of `/mask` per zone for one configuration.
fn fill(
    allocator: &mut Allocator,
    mask: u8,
    vpc: Ipv4Cidr,
    config: &SubnetConfiguration,
    blocks: &mut [Option<Value<String>>],
    problems: &mut Vec<String>,
) {
    for block in blocks.iter_mut() {
        match allocator.allocate(mask) {
            Some(range) => *block = Some(Value::Literal(range.to_string())),
            None => {
                problems.push(format!(
                    "subnet configuration {}: no room left in {vpc} for its /{mask} subnets: use a larger VPC \
                     CIDR or smaller subnets (a longer cidr_mask)",
                    config.name
                ));
                return;
            }
        }
    }
}

/// With a VPC range known only at deploy time (a parameter, a Proton input), automatic
/// subnets are cut with `Fn::Cidr`, which makes equal blocks: they need one common mask.
fn split_deploy_time(
    vpc_cidr: &Value<String>,
    configs: &[SubnetConfiguration],
    automatic: &[usize],
    zones: usize,
    plan: &mut [Vec<Option<Value<String>>>],
    problems: &mut Vec<String>,
) {
    let masks: Vec<Option<u8>> = automatic.iter().map(|c| configs[*c].cidr_mask).collect();
    let Some(Some(mask)) = masks.first().copied().filter(|m| masks.iter().all(|n| n == m)) else {
        problems.push(
            "the VPC CIDR is known only at deploy time, so subnets are cut with Fn::Cidr into equal blocks: \
             give every subnet configuration without cidr_blocks the same cidr_mask"
                .to_owned(),
        );
        return;
    };
    if !PREFIXES.contains(&mask) {
        return; // reported with its configuration
    }
    let count = automatic.len() * zones;
    let Ok(count) = u32::try_from(count).map_err(|_| ()).and_then(|n| if n <= 256 { Ok(n) } else { Err(()) }) else {
        problems.push(format!("{count} subnets: Fn::Cidr cuts at most 256 blocks"));
        return;
    };
    let vpc = match vpc_cidr {
        Value::Literal(s) => Expr::str(s.clone()),
        Value::Expr(e) => e.clone(),
    };
    let blocks = Expr::cidr(vpc, count, 32 - u32::from(mask));
    let mut index = 0u32;
    for c in automatic {
        for block in plan[*c].iter_mut() {
            *block = Some(Value::Expr(Expr::select(index, blocks.clone())));
            index += 1;
        }
    }
}
