//! The parameter overrides' values, with each `Fn::GetParam` read from its JSON file: from the
//! template's artifact when it names that one (already open), else from the other input
//! artifact, each downloaded once.

use std::collections::BTreeMap;
use std::io::{BufReader, Read, Seek};

use crate::artifact_zip::ArtifactZip;
use crate::aws::s3::download_artifact;
use crate::contract::TemplateSource;
use crate::error::Error;
use crate::parameter_values::{value_in_file, ParameterValue, MAX_PARAM_FILE_BYTES};

use super::MAX_ARTIFACT_BYTES;

/// The overrides as CloudFormation takes them: every value a string.
pub(super) async fn resolve_overrides<R: Read + Seek>(
    s3: &aws_sdk_s3::Client,
    source: &TemplateSource,
    template_zip: &mut ArtifactZip<'_, R>,
    overrides: BTreeMap<String, ParameterValue>,
) -> Result<BTreeMap<String, String>, Error> {
    let mut resolved = BTreeMap::new();
    let mut others = Vec::new();
    for (name, value) in overrides {
        match value {
            ParameterValue::Literal(text) => {
                resolved.insert(name, text);
            }
            ParameterValue::FromArtifact(param) if param.artifact == source.artifact.name => {
                let bytes = template_zip.read(&param.file, MAX_PARAM_FILE_BYTES)?;
                resolved.insert(name.clone(), value_in_file(&name, &param, &bytes)?);
            }
            ParameterValue::FromArtifact(param) => others.push((name, param)),
        }
    }
    for location in &source.param_artifacts {
        let wanted: Vec<_> = others
            .iter()
            .filter(|(_, param)| param.artifact == location.name)
            .collect();
        if wanted.is_empty() {
            continue;
        }
        let file = download_artifact(s3, location, MAX_ARTIFACT_BYTES).await?;
        let mut zip = ArtifactZip::open(&location.name, BufReader::new(file))?;
        for (name, param) in wanted {
            let bytes = zip.read(&param.file, MAX_PARAM_FILE_BYTES)?;
            resolved.insert(name.clone(), value_in_file(name, param, &bytes)?);
        }
    }
    // Validate parameters resolved every artifact; one missing here is a version mismatch.
    if let Some((name, param)) = others.iter().find(|(name, _)| !resolved.contains_key(name)) {
        return Err(Error::Misconfigured(format!(
            "`parameters.{name}` reads artifact `{}`, which Validate parameters did not resolve",
            param.artifact
        )));
    }
    Ok(resolved)
}
