//! Deployment environments: an account id and a region, each optional ("agnostic").

use std::fmt;

use crate::error::Error;

/// Where a stack deploys. `None` fields are resolved by CloudFormation at deploy time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Environment {
    /// The 12-digit account id.
    pub account: Option<String>,
    /// The region name, e.g. `eu-west-1`.
    pub region: Option<String>,
}

impl Environment {
    /// A concrete account and region.
    pub fn new(account: impl Into<String>, region: impl Into<String>) -> Self {
        Environment { account: Some(account.into()), region: Some(region.into()) }
    }

    /// Deployable to any account and region.
    pub fn agnostic() -> Self {
        Environment::default()
    }

    /// Fills unset fields from `outer` (a stack inherits its stage's environment).
    pub fn or(&self, outer: &Environment) -> Environment {
        Environment {
            account: self.account.clone().or_else(|| outer.account.clone()),
            region: self.region.clone().or_else(|| outer.region.clone()),
        }
    }

    /// The account, or `unknown-account` as the cloud assembly writes it.
    pub fn account_or_unknown(&self) -> &str {
        self.account.as_deref().unwrap_or("unknown-account")
    }

    /// The region, or `unknown-region` as the cloud assembly writes it.
    pub fn region_or_unknown(&self) -> &str {
        self.region.as_deref().unwrap_or("unknown-region")
    }

    /// Checks the account id and region, naming `path` in every problem.
    pub fn validate(&self, path: &str) -> Vec<Error> {
        let mut problems = Vec::new();
        if let Some(account) = &self.account {
            if !is_account_id(account) {
                problems.push(Error::InvalidAccount { path: path.into(), account: account.clone() });
            }
        }
        if let Some(region) = &self.region {
            if !REGIONS.contains(&region.as_str()) {
                problems.push(Error::InvalidRegion {
                    path: path.into(),
                    region: region.clone(),
                    hint: region_hint(region),
                });
            }
        }
        problems
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "aws://{}/{}", self.account_or_unknown(), self.region_or_unknown())
    }
}

/// True for exactly 12 ASCII digits.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// True for a region name AWS has.
pub fn is_region(s: &str) -> bool {
    REGIONS.contains(&s)
}

fn region_hint(region: &str) -> String {
    let lower = region.to_ascii_lowercase();
    if lower != region && REGIONS.contains(&lower.as_str()) {
        return format!("region names are lower case: did you mean {lower:?}?");
    }
    let best = REGIONS.iter().map(|r| edit_distance(r, region)).min().unwrap_or(usize::MAX);
    let close: Vec<&str> = match best {
        0..=2 => REGIONS.iter().copied().filter(|r| edit_distance(r, region) == best).collect(),
        _ => Vec::new(),
    };
    match close.as_slice() {
        [] => "use a region name such as \"us-east-1\" or \"eu-west-1\"".into(),
        names => format!("did you mean {}?", names.join(" or ")),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The partition a region belongs to, from its name (`cn-*`: `aws-cn`, `us-gov-*`:
/// `aws-us-gov`, the isolated regions' own; otherwise `aws`).
pub fn partition(region: &str) -> &'static str {
    const PREFIXES: [(&str, &str); 6] = [
        ("cn-", "aws-cn"),
        ("us-gov-", "aws-us-gov"),
        ("us-isob-", "aws-iso-b"),
        ("us-isof-", "aws-iso-f"),
        ("us-iso-", "aws-iso"),
        ("eu-isoe-", "aws-iso-e"),
    ];
    PREFIXES.iter().find(|(prefix, _)| region.starts_with(prefix)).map_or("aws", |(_, p)| p)
}

/// The regions of the `aws`, `aws-cn` and `aws-us-gov` partitions.
pub const REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_follow_region_names() {
        assert_eq!(partition("us-east-1"), "aws");
        assert_eq!(partition("cn-north-1"), "aws-cn");
        assert_eq!(partition("us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition("us-isob-east-1"), "aws-iso-b");
        assert_eq!(partition("us-iso-east-1"), "aws-iso");
    }

    #[test]
    fn accounts_are_twelve_digits() {
        assert!(is_account_id("123456789012"));
        assert!(!is_account_id("12345678901"));
        assert!(!is_account_id("12345678901a"));
        assert!(!is_account_id("1234567890123"));
    }

    #[test]
    fn bad_regions_get_suggestions() {
        let problems = Environment::new("123456789012", "us-east-7").validate("Stack");
        assert_eq!(problems.len(), 1);
        let text = problems[0].to_string();
        assert!(text.contains("did you mean"), "{text}");
        let upper = Environment::new("123456789012", "US-EAST-1").validate("Stack");
        assert!(upper[0].to_string().contains("\"us-east-1\""));
        assert!(Environment::new("123456789012", "eu-west-1").validate("S").is_empty());
    }

    #[test]
    fn inheritance_and_display() {
        let stage = Environment::new("111111111111", "us-east-1");
        let stack = Environment { region: Some("eu-west-1".into()), account: None };
        assert_eq!(stack.or(&stage).to_string(), "aws://111111111111/eu-west-1");
        assert_eq!(Environment::agnostic().to_string(), "aws://unknown-account/unknown-region");
    }
}
