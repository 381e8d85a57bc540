//! Turning the FunctionName of an Invoke call (a name, a full or partial ARN, each optionally with
//! a `:qualifier`) into the configured function it means, the way Lambda accepts them.

/// Where the functions live: ARNs naming another region or account do not resolve.
#[derive(Debug, Clone)]
pub(crate) struct Partition {
    pub region: String,
    pub account_id: String,
}

/// A resolved FunctionName: the bare name and the qualifier, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FunctionRef {
    pub name: String,
    pub qualifier: Option<String>,
}

impl Partition {
    pub fn function_arn(&self, name: &str) -> String {
        format!(
            "arn:aws:lambda:{}:{}:function:{name}",
            self.region, self.account_id
        )
    }

    /// The ARN the function was invoked by (qualified when the call was).
    pub fn invoked_arn(&self, function: &FunctionRef) -> String {
        match &function.qualifier {
            Some(q) => format!("{}:{q}", self.function_arn(&function.name)),
            None => self.function_arn(&function.name),
        }
    }

    /// Accepted forms: `name`, `name:qualifier`, `account:function:name[:qualifier]`,
    /// `arn:aws:lambda:region:account:function:name[:qualifier]`. `None` when the form is not one
    /// of these or it names another region/account.
    pub fn resolve(&self, function_name: &str) -> Option<FunctionRef> {
        let parts: Vec<&str> = function_name.split(':').collect();
        let (name, qualifier) = match parts.as_slice() {
            [name] => (*name, None),
            [name, qualifier] => (*name, Some(*qualifier)),
            [account, "function", name] => {
                self.same_place(None, account).then_some((*name, None))?
            }
            [account, "function", name, qualifier] => self
                .same_place(None, account)
                .then_some((*name, Some(*qualifier)))?,
            ["arn", "aws", "lambda", region, account, "function", name] => self
                .same_place(Some(region), account)
                .then_some((*name, None))?,
            ["arn", "aws", "lambda", region, account, "function", name, qualifier] => self
                .same_place(Some(region), account)
                .then_some((*name, Some(*qualifier)))?,
            _ => return None,
        };
        if name.is_empty() || qualifier.is_some_and(str::is_empty) {
            return None;
        }
        Some(FunctionRef {
            name: name.to_string(),
            qualifier: qualifier.map(str::to_string),
        })
    }

    fn same_place(&self, region: Option<&str>, account: &str) -> bool {
        account == self.account_id && region.is_none_or(|r| r == self.region)
    }
}

#[cfg(test)]
mod tests {
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
}
