//! The UserParameters object, read one typed key at a time so a type error names its key.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use serde_json::{Map, Value};

use super::{invalid, normalise_path, parse_capability};
use crate::contract::Capability;
use crate::error::Error;
use crate::input_rules::kind;
use crate::parameter_values::{parse_value, ParameterValue};

/// The checked object, read one typed key at a time so a type error names its key.
pub(super) struct Fields(pub(super) Map<String, Value>);

impl Fields {
    /// `capabilities`, each one checked, without duplicates.
    pub(super) fn capabilities(&self) -> Result<Vec<Capability>, Error> {
        let mut capabilities = self
            .string_list("capabilities")?
            .into_iter()
            .map(parse_capability)
            .collect::<Result<Vec<_>, _>>()?;
        capabilities.sort();
        capabilities.dedup();
        Ok(capabilities)
    }

    /// An optional path key (`config`, `outputFile`), normalised.
    pub(super) fn optional_path(&self, key: &str) -> Result<Option<String>, Error> {
        self.optional_string(key)?
            .map(|path| normalise_path(key, path))
            .transpose()
    }

    /// The value of an optional key; `null` counts as absent.
    pub(super) fn optional(&self, key: &str) -> Option<&Value> {
        self.0.get(key).filter(|value| !value.is_null())
    }

    pub(super) fn required_string(&self, key: &str) -> Result<&str, Error> {
        match self.0.get(key) {
            Some(Value::String(text)) => Ok(text),
            Some(other) => Err(wrong_type(key, "a string", other)),
            None => Err(invalid(format_args!("missing required key `{key}`"))),
        }
    }

    pub(super) fn optional_string(&self, key: &str) -> Result<Option<&str>, Error> {
        match self.optional(key) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(other) => Err(wrong_type(key, "a string", other)),
        }
    }

    pub(super) fn bool_or(&self, key: &str, default: bool) -> Result<bool, Error> {
        match self.optional(key) {
            None => Ok(default),
            Some(Value::Bool(flag)) => Ok(*flag),
            Some(other) => Err(wrong_type(key, "true or false", other)),
        }
    }

    pub(super) fn integer_in(
        &self,
        key: &str,
        range: RangeInclusive<u32>,
        default: u32,
    ) -> Result<u32, Error> {
        let Some(value) = self.optional(key) else {
            return Ok(default);
        };
        let expected = format!("a whole number from {} to {}", range.start(), range.end());
        let number = value
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| range.contains(n));
        match (number, value) {
            (Some(n), _) => Ok(n),
            (None, Value::Number(n)) => {
                Err(invalid(format_args!("`{key}` must be {expected}, got {n}")))
            }
            (None, other) => Err(wrong_type(key, &expected, other)),
        }
    }

    pub(super) fn string_list(&self, key: &str) -> Result<Vec<&str>, Error> {
        match self.optional(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::String(text) => Ok(text.as_str()),
                    other => Err(invalid(format_args!(
                        "`{key}` must hold strings only, got {}",
                        kind(other)
                    ))),
                })
                .collect(),
            Some(other) => Err(wrong_type(key, "an array of strings", other)),
        }
    }

    /// `parameters`: an object of values (`crate::parameter_values`), with each
    /// `Fn::GetParam` file path normalised.
    pub(super) fn parameter_map(&self) -> Result<BTreeMap<String, ParameterValue>, Error> {
        let Some(value) = self.optional("parameters") else {
            return Ok(BTreeMap::new());
        };
        let Value::Object(entries) = value else {
            return Err(wrong_type("parameters", "an object of strings", value));
        };
        let refuse = |message: String| invalid(message);
        entries
            .iter()
            .map(|(name, value)| {
                let parsed = match parse_value(name, value, refuse)? {
                    ParameterValue::FromArtifact(mut param) => {
                        param.file = normalise_path(&format!("parameters.{name}"), &param.file)?;
                        ParameterValue::FromArtifact(param)
                    }
                    literal => literal,
                };
                Ok((name.clone(), parsed))
            })
            .collect()
    }

    /// An object of string values; numbers and booleans are taken as their JSON text.
    pub(super) fn scalar_map(&self, key: &str) -> Result<BTreeMap<String, String>, Error> {
        match self.optional(key) {
            None => Ok(BTreeMap::new()),
            Some(Value::Object(entries)) => entries
                .iter()
                .map(|(name, value)| {
                    let text = match value {
                        Value::String(text) => text.clone(),
                        Value::Number(n) => n.to_string(),
                        Value::Bool(flag) => flag.to_string(),
                        other => {
                            return Err(invalid(format_args!(
                                "`{key}.{name}` must be a string (or a number or boolean), got {}",
                                kind(other)
                            )))
                        }
                    };
                    Ok((name.clone(), text))
                })
                .collect(),
            Some(other) => Err(wrong_type(key, "an object of strings", other)),
        }
    }
}

pub(super) fn wrong_type(key: &str, expected: &str, got: &Value) -> Error {
    invalid(format_args!(
        "`{key}` must be {expected}, got {}",
        kind(got)
    ))
}
