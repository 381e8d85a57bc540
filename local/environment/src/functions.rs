//! The functions as the local environment deploys them: names, executables, environment. The SAM
//! template in infra/ gives the same variables on AWS.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{LocalError, Result};

/// One Lambda function of stackflow.
#[derive(Debug, Clone, Copy)]
pub struct FunctionDef {
    /// The crate and executable name under functions/.
    pub binary: &'static str,
    /// The deployed function name.
    pub function_name: &'static str,
    /// The `${…}` name the statemachine file uses for its ARN, if a state invokes it.
    pub substitution: Option<&'static str>,
    pub timeout: Duration,
    /// Extra environment variables it reads, beyond the AWS ones.
    pub env_vars: &'static [&'static str],
}

pub const ENTRY_FUNCTION: &str = "stackflow-start-deployment";

pub const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef {
        binary: "start-deployment",
        function_name: ENTRY_FUNCTION,
        substitution: None,
        timeout: Duration::from_secs(30),
        env_vars: &[
            stackflow::config::STATE_MACHINE_ARN,
            stackflow::config::JOB_HANDOVER_SECONDS,
        ],
    },
    FunctionDef {
        binary: "validate-params",
        function_name: "stackflow-validate-params",
        substitution: Some("ValidateParamsFunctionArn"),
        timeout: Duration::from_secs(10),
        env_vars: &[
            stackflow::config::CLOUDFORMATION_ROLE_ARNS,
            stackflow::config::ARTIFACT_BUCKET,
            stackflow::config::ARTIFACT_KEY_ARN,
        ],
    },
    FunctionDef {
        binary: "fetch-template",
        function_name: "stackflow-fetch-template",
        substitution: Some("FetchTemplateFunctionArn"),
        timeout: Duration::from_secs(60),
        env_vars: &[stackflow::config::STAGING_BUCKET],
    },
    FunctionDef {
        binary: "deploy-stack",
        function_name: "stackflow-deploy-stack",
        substitution: Some("DeployStackFunctionArn"),
        timeout: Duration::from_secs(30),
        env_vars: &[stackflow::config::CLOUDFORMATION_ROLE_ARNS],
    },
    FunctionDef {
        binary: "check-stack",
        function_name: "stackflow-check-stack",
        substitution: Some("CheckStackFunctionArn"),
        timeout: Duration::from_secs(30),
        env_vars: &[],
    },
    FunctionDef {
        binary: "report-result",
        function_name: "stackflow-report-result",
        substitution: Some("ReportResultFunctionArn"),
        timeout: Duration::from_secs(30),
        env_vars: &[],
    },
];

/// The ARN a function has in the local account and region.
pub fn function_arn(region: &str, account: &str, function_name: &str) -> String {
    format!("arn:aws:lambda:{region}:{account}:function:{function_name}")
}

/// The deployed function name for a function name or a crate name (`deploy-stack`).
pub fn function_name(name: &str) -> String {
    FUNCTIONS
        .iter()
        .find(|def| def.binary == name)
        .map(|def| def.function_name.to_string())
        .unwrap_or_else(|| name.to_string())
}

/// Where the function executables are: `$STACKFLOW_FUNCTIONS_DIR`, or beside this executable
/// (cargo puts every binary of the workspace in one target folder).
pub fn executables_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("STACKFLOW_FUNCTIONS_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    let exe =
        std::env::current_exe().map_err(LocalError::io("finding stackflow-local's own path"))?;
    let dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
    // Test executables live one level deeper, in target/<profile>/deps.
    if dir.file_name().is_some_and(|name| name == "deps") {
        return Ok(dir.parent().map(Path::to_path_buf).unwrap_or(dir));
    }
    Ok(dir)
}

/// The functions whose executables are not in `dir`.
pub fn missing_executables(dir: &Path) -> Vec<&'static str> {
    FUNCTIONS
        .iter()
        .filter(|f| !dir.join(f.binary).is_file())
        .map(|f| f.binary)
        .collect()
}

/// The substitutions the statemachine file needs, as the SAM template gives them.
pub fn substitutions(region: &str, account: &str) -> BTreeMap<String, String> {
    FUNCTIONS
        .iter()
        .filter_map(|f| {
            f.substitution.map(|name| {
                (
                    name.to_string(),
                    function_arn(region, account, f.function_name),
                )
            })
        })
        .collect()
}

/// Replace every `${Name}` in the definition; an unknown name is an error, as in SAM.
pub fn substitute(definition: &str, values: &BTreeMap<String, String>) -> Result<String> {
    let mut out = String::with_capacity(definition.len());
    let mut rest = definition;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find('}').ok_or_else(|| {
            LocalError::Environment("the statemachine file has an unclosed ${".into())
        })?;
        let name = &after[..end];
        let value = values.get(name).ok_or_else(|| {
            LocalError::Environment(format!(
                "the statemachine file uses ${{{name}}}, which the local environment does not define"
            ))
        })?;
        out.push_str(value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The variable that names the CA bundle the functions' HTTPS client loads as its trust store.
/// Named, that file is all the client reads (rustls-native-certs); unnamed, it reads a bundle and
/// then every file of the system's certificate folders, about half of a function's init
/// (docs/performance.md). The SAM template names Amazon Linux 2023's bundle (Globals).
pub const CA_BUNDLE_VAR: &str = stackflow::config::CA_BUNDLE;

/// Where Linux systems keep their CA bundle, in the order openssl-probe (which rustls-native-certs
/// asks) looks for it: Debian and Ubuntu; Amazon Linux 2023, Fedora and RHEL (the file, then its
/// older link); openSUSE; Alpine.
pub const CA_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// The CA bundle of this machine the local functions load: the file this process's own
/// `SSL_CERT_FILE` names, or else the first of [`CA_BUNDLES`] that exists; `None` where there is
/// none (the functions then look for their trust store themselves, as without the variable).
pub fn ca_bundle() -> Option<String> {
    std::env::var(CA_BUNDLE_VAR)
        .ok()
        .filter(|path| Path::new(path).is_file())
        .or_else(|| {
            CA_BUNDLES
                .iter()
                .find(|path| Path::new(path).is_file())
                .map(|path| path.to_string())
        })
}

#[cfg(test)]
#[path = "functions_tests.rs"]
mod tests;
