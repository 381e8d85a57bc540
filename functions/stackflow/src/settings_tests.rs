#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

const A: &str = "arn:aws:iam::123456789012:role/a";
const B: &str = "arn:aws:iam::123456789012:role/path/b";

#[test]
fn the_first_role_of_the_list_is_the_default() {
    let roles = ServiceRoles::parse(&format!(" {A} ,{B},")).unwrap();
    assert_eq!(roles.default_role(), A);
    assert_eq!(roles.resolve(None).unwrap(), A);
    assert_eq!(roles.resolve(Some(B)).unwrap(), B);
}

#[test]
fn a_list_without_a_role_or_with_a_non_role_is_a_deployment_mistake() {
    for bad in ["", " , ", "arn:aws:iam::123456789012:user/x", "nope"] {
        let err = ServiceRoles::parse(bad).unwrap_err();
        assert_eq!(err.name(), "Misconfigured", "{bad}");
        assert!(err.message().contains("CloudFormationRoleArn"), "{err}");
        assert!(err.message().contains("CLOUDFORMATION_ROLE_ARNS"), "{err}");
    }
}

#[test]
fn role_arns_are_bounded_by_cloudformations_limit() {
    let long = format!("arn:aws:iam::123456789012:role/{}", "r".repeat(2048));
    assert!(!is_role_arn(&long));
    assert!(is_role_arn(A));
}
