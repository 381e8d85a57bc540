use super::*;

fn partition() -> Partition {
    Partition {
        region: "us-east-1".into(),
        account_id: "123456789012".into(),
    }
}

fn resolved(name: &str, qualifier: Option<&str>) -> Option<FunctionRef> {
    Some(FunctionRef {
        name: name.into(),
        qualifier: qualifier.map(Into::into),
    })
}

#[test]
fn names_and_arns_resolve_to_the_function() {
    let p = partition();
    assert_eq!(p.resolve("f"), resolved("f", None));
    assert_eq!(p.resolve("f:live"), resolved("f", Some("live")));
    assert_eq!(p.resolve("123456789012:function:f"), resolved("f", None));
    assert_eq!(
        p.resolve("arn:aws:lambda:us-east-1:123456789012:function:f"),
        resolved("f", None)
    );
    assert_eq!(
        p.resolve("arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST"),
        resolved("f", Some("$LATEST"))
    );
}

#[test]
fn other_places_and_malformed_names_do_not_resolve() {
    let p = partition();
    assert_eq!(
        p.resolve("arn:aws:lambda:eu-west-1:123456789012:function:f"),
        None
    );
    assert_eq!(
        p.resolve("arn:aws:lambda:us-east-1:999999999999:function:f"),
        None
    );
    assert_eq!(p.resolve("999999999999:function:f"), None);
    assert_eq!(
        p.resolve("arn:aws:lambda:us-east-1:123456789012:layer:f"),
        None
    );
    assert_eq!(p.resolve(""), None);
    assert_eq!(p.resolve("f:"), None);
}

#[test]
fn invoked_arn_keeps_the_qualifier() {
    let p = partition();
    let f = FunctionRef {
        name: "f".into(),
        qualifier: Some("live".into()),
    };
    assert_eq!(
        p.invoked_arn(&f),
        "arn:aws:lambda:us-east-1:123456789012:function:f:live"
    );
}
