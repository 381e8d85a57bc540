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
#[path = "resolve_tests.rs"]
mod tests;
