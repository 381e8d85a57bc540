//! What moto does not emulate in a template. moto skips a resource of a type it has no model
//! for (only a warning in its log) and applies no transform or macro, so such a stack
//! "succeeds" locally although nothing stands behind those resources. The local environment
//! lists them after a run's result instead of letting the success speak for them.
//!
//! The types the pinned moto emulates are in `moto_resource_types.txt`, generated from its
//! CloudFormation model map by `local/cloudformation/moto/resource-types`; an end-to-end test
//! compares the two. moto also runs `Custom::*` resources (through their Lambda service token)
//! and ignores `AWS::CloudFormation::WaitCondition`/`WaitConditionHandle`, which therefore count
//! as not emulated.

use std::collections::BTreeMap;

use stackflow::template_document::TemplateDocument;

/// One per line, sorted.
const MOTO_RESOURCE_TYPES: &str = include_str!("moto_resource_types.txt");

/// Whether the pinned moto creates resources of `type_name`.
pub fn emulated(type_name: &str) -> bool {
    type_name.starts_with("Custom::")
        || MOTO_RESOURCE_TYPES
            .lines()
            .any(|line| line.trim() == type_name)
}

/// What `document` holds that moto does not emulate, with how many of each: resource types by
/// name, and transforms (the top-level `Transform` and every `Fn::Transform`) as
/// `Transform <name>`. moto applies `AWS::Include` in Mappings only; it is listed all the same.
pub fn not_emulated(document: &TemplateDocument) -> BTreeMap<String, usize> {
    let mut found = BTreeMap::new();
    let types = document
        .resources()
        .into_iter()
        .filter_map(|resource| resource.type_name.map(str::to_string))
        .filter(|name| !emulated(name));
    let transforms = document
        .transforms()
        .into_iter()
        .map(|name| format!("Transform {name}"));
    for name in types.chain(transforms) {
        *found.entry(name).or_insert(0) += 1;
    }
    found
}

/// `AWS::CloudFront::Distribution (2), Transform AWS::Serverless-2016-10-31 (1)`.
pub fn describe(not_emulated: &BTreeMap<String, usize>) -> String {
    not_emulated
        .iter()
        .map(|(name, count)| format!("{name} ({count})"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
#[path = "emulation_tests.rs"]
mod tests;
