//! IPv4 CIDR blocks known at synthesis: parsing, containment, overlap, and subnet
//! allocation in the order aws-cdk-lib's `NetworkBuilder` (`aws-ec2/lib/network-util.ts`)
//! uses, so a VPC ported from the CDK keeps its subnet ranges.

use std::fmt;

/// An IPv4 CIDR block, e.g. `10.0.0.0/16`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ipv4Cidr {
    network: u32,
    prefix: u8,
}

impl Ipv4Cidr {
    /// Parses `a.b.c.d/n`; the address must be the first of its block (no host bits set).
    pub fn parse(text: &str) -> Result<Self, String> {
        let invalid = || format!("\"{text}\" is not an IPv4 CIDR block: write it as a.b.c.d/n, e.g. 10.0.0.0/16");
        let (address, prefix) = text.split_once('/').ok_or_else(invalid)?;
        let prefix: u8 = decimal(prefix).filter(|p| *p <= 32).and_then(|p| u8::try_from(p).ok()).ok_or_else(invalid)?;
        let octets: Vec<&str> = address.split('.').collect();
        if octets.len() != 4 {
            return Err(invalid());
        }
        let mut network = 0u32;
        for octet in octets {
            let value = decimal(octet).filter(|v| *v <= 255).ok_or_else(invalid)?;
            network = (network << 8) | value;
        }
        let cidr = Ipv4Cidr { network: network & mask(prefix), prefix };
        if cidr.network != network {
            return Err(format!("\"{text}\" has bits set after its /{prefix} prefix: write {cidr}"));
        }
        Ok(cidr)
    }

    /// The prefix length (`16` for a /16).
    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    /// The first address, as a number.
    fn first(&self) -> u64 {
        u64::from(self.network)
    }

    /// The last address, as a number.
    fn last(&self) -> u64 {
        self.first() + block_size(self.prefix) - 1
    }

    /// True when `other` lies entirely inside this block.
    pub fn contains(&self, other: &Ipv4Cidr) -> bool {
        self.first() <= other.first() && other.last() <= self.last()
    }

    /// True when the two blocks share an address.
    pub fn overlaps(&self, other: &Ipv4Cidr) -> bool {
        self.first() <= other.last() && other.first() <= self.last()
    }

    fn at(first: u64, prefix: u8) -> Option<Ipv4Cidr> {
        u32::try_from(first).ok().map(|network| Ipv4Cidr { network, prefix })
    }
}

impl fmt::Display for Ipv4Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d] = self.network.to_be_bytes();
        write!(f, "{a}.{b}.{c}.{d}/{}", self.prefix)
    }
}

/// 1 to 3 decimal digits (no sign, no spaces).
fn decimal(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 3 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn mask(prefix: u8) -> u32 {
    if prefix == 0 { 0 } else { u32::MAX << (32 - u32::from(prefix)) }
}

fn block_size(prefix: u8) -> u64 {
    1u64 << (32 - u32::from(prefix.min(32)))
}

/// Hands out consecutive subnet blocks of a VPC's range, each aligned to its size, skipping
/// blocks already taken by subnets given explicitly.
#[derive(Debug)]
pub struct Allocator {
    vpc: Ipv4Cidr,
    next: u64,
    taken: Vec<Ipv4Cidr>,
}

impl Allocator {
    /// An allocator over `vpc` that leaves `taken` alone.
    pub fn new(vpc: Ipv4Cidr, taken: Vec<Ipv4Cidr>) -> Self {
        Allocator { vpc, next: vpc.first(), taken }
    }

    /// The next free block of `/prefix`, or `None` when the VPC range has no room left.
    pub fn allocate(&mut self, prefix: u8) -> Option<Ipv4Cidr> {
        let size = block_size(prefix);
        let mut first = self.next.div_ceil(size) * size;
        while let Some(clash) = self.taken.iter().find(|t| t.first() < first + size && first <= t.last()) {
            first = (clash.last() + 1).div_ceil(size) * size;
        }
        if first + size - 1 > self.vpc.last() {
            return None;
        }
        self.next = first + size;
        Ipv4Cidr::at(first, prefix)
    }

    /// The longest prefix that lets `count` equal subnets share the space left (the CDK's
    /// `maskForRemainingSubnets`), or `None` when there is no room for them.
    pub fn prefix_for_remaining(&self, count: usize) -> Option<u8> {
        let remaining = (self.vpc.last() + 1).checked_sub(self.next)?;
        let per_subnet = remaining / u64::try_from(count.max(1)).ok()?;
        if per_subnet == 0 {
            return None;
        }
        u8::try_from(32 - per_subnet.ilog2()).ok()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn cidr(text: &str) -> Ipv4Cidr {
        Ipv4Cidr::parse(text).unwrap()
    }

    #[test]
    fn parses_and_prints() {
        assert_eq!(cidr("10.0.0.0/16").to_string(), "10.0.0.0/16");
        assert_eq!(cidr("0.0.0.0/0").to_string(), "0.0.0.0/0");
        assert_eq!(cidr("192.168.1.128/25").prefix(), 25);
        for bad in ["10.0.0.0", "10.0.0/16", "10.0.0.256/24", "10.0.0.0/33", "a.b.c.d/8", "10.0.0.0/", " 10.0.0.0/8"] {
            assert!(Ipv4Cidr::parse(bad).unwrap_err().contains("is not an IPv4 CIDR block"), "{bad}");
        }
        assert_eq!(
            Ipv4Cidr::parse("10.0.1.5/24").unwrap_err(),
            "\"10.0.1.5/24\" has bits set after its /24 prefix: write 10.0.1.0/24"
        );
    }

    #[test]
    fn containment_and_overlap() {
        assert!(cidr("10.0.0.0/16").contains(&cidr("10.0.255.0/24")));
        assert!(!cidr("10.0.0.0/16").contains(&cidr("10.1.0.0/24")));
        assert!(cidr("10.0.0.0/23").overlaps(&cidr("10.0.1.0/24")));
        assert!(!cidr("10.0.0.0/24").overlaps(&cidr("10.0.1.0/24")));
    }

    #[test]
    fn allocates_as_the_cdk_does() {
        // The CDK's default VPC: 2 public + 2 private in 10.0.0.0/16 -> four /18s.
        let mut a = Allocator::new(cidr("10.0.0.0/16"), Vec::new());
        assert_eq!(a.prefix_for_remaining(4), Some(18));
        let blocks: Vec<String> = (0..4).map(|_| a.allocate(18).unwrap().to_string()).collect();
        assert_eq!(blocks, ["10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18", "10.0.192.0/18"]);
        assert_eq!(a.allocate(28), None);

        // Mixed sizes align upward; remaining space is shared by the rest.
        let mut a = Allocator::new(cidr("10.0.0.0/16"), Vec::new());
        assert_eq!(a.allocate(28).unwrap().to_string(), "10.0.0.0/28");
        assert_eq!(a.allocate(24).unwrap().to_string(), "10.0.1.0/24");
        assert_eq!(a.prefix_for_remaining(2), Some(18));
    }

    #[test]
    fn skips_blocks_taken_explicitly() {
        let mut a = Allocator::new(cidr("10.0.0.0/16"), vec![cidr("10.0.0.0/24"), cidr("10.0.2.0/23")]);
        assert_eq!(a.allocate(24).unwrap().to_string(), "10.0.1.0/24");
        assert_eq!(a.allocate(24).unwrap().to_string(), "10.0.4.0/24");
    }
}
