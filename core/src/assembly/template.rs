//! The top-level sections of a CloudFormation template: the one list of them, in the order
//! synthesis writes them.

/// A top-level section of a CloudFormation template
/// (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-anatomy.html>).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Section {
    /// `AWSTemplateFormatVersion`.
    FormatVersion,
    /// `Description`.
    Description,
    /// `Metadata`.
    Metadata,
    /// `Transform`.
    Transform,
    /// `Parameters`.
    Parameters,
    /// `Mappings`.
    Mappings,
    /// `Conditions`.
    Conditions,
    /// `Rules`.
    Rules,
    /// `Resources`.
    Resources,
    /// `Outputs`.
    Outputs,
}

impl Section {
    /// Every section, in the order synthesis writes them: the documented order, but for
    /// `Transform` before the elements and `Rules` after `Conditions`.
    pub const ALL: [Section; 10] = [
        Section::FormatVersion,
        Section::Description,
        Section::Metadata,
        Section::Transform,
        Section::Parameters,
        Section::Mappings,
        Section::Conditions,
        Section::Rules,
        Section::Resources,
        Section::Outputs,
    ];

    /// The sections holding template elements by logical id, in the order written.
    pub const ELEMENTS: [Section; 6] = [
        Section::Parameters,
        Section::Mappings,
        Section::Conditions,
        Section::Rules,
        Section::Resources,
        Section::Outputs,
    ];

    /// The section's key in a template.
    pub const fn key(self) -> &'static str {
        match self {
            Section::FormatVersion => "AWSTemplateFormatVersion",
            Section::Description => "Description",
            Section::Metadata => "Metadata",
            Section::Transform => "Transform",
            Section::Parameters => "Parameters",
            Section::Mappings => "Mappings",
            Section::Conditions => "Conditions",
            Section::Rules => "Rules",
            Section::Resources => "Resources",
            Section::Outputs => "Outputs",
        }
    }

    /// The section a template key names.
    pub fn from_key(key: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.key() == key)
    }

    /// Whether the section holds elements by logical id ([`Section::ELEMENTS`]).
    pub fn has_elements(self) -> bool {
        Section::ELEMENTS.contains(&self)
    }
}

impl std::fmt::Display for Section {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_their_sections() {
        for s in Section::ALL {
            assert_eq!(Section::from_key(s.key()), Some(s));
        }
        assert_eq!(Section::from_key("Resource"), None);
        assert!(Section::ELEMENTS.iter().all(|s| s.has_elements()));
        assert!(!Section::Transform.has_elements());
        let mut sorted = Section::ALL;
        sorted.sort();
        assert_eq!(sorted, Section::ALL, "the declaration order is the written order");
    }
}
