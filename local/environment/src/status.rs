//! `stackflow-local status`: is the environment up, where, and which stacks it holds.

use std::io::Write;
use std::path::Path;

use crate::aws;
use crate::error::Result;
use crate::home::Home;
use crate::lifecycle;
use crate::provision::aws_text;

pub async fn print(home: &Home, out: &mut dyn Write) -> Result<()> {
    let Some(env) = lifecycle::running(home)? else {
        let _ = writeln!(out, "down (state folder {})", home.root().display());
        return Ok(());
    };
    let _ = writeln!(
        out,
        "up (pid {}, state folder {})",
        env.pid,
        home.root().display()
    );
    let _ = writeln!(
        out,
        "  moto (S3, CloudFormation, Step Functions)  {}",
        env.moto_url()
    );
    let _ = writeln!(
        out,
        "  Lambda service                            {}",
        env.lambda_url()
    );
    let _ = writeln!(
        out,
        "  CodePipeline job service                  {}",
        env.jobs_url()
    );
    let _ = writeln!(
        out,
        "  state machine                             {}",
        env.state_machine_arn
    );
    let _ = writeln!(
        out,
        "  job reply timeout                         {} s",
        env.job_reply_timeout_seconds
    );
    if env.hold_in_progress_seconds > 0 {
        let _ = writeln!(
            out,
            "  stack operations held in progress         {} s (test tooling)",
            env.hold_in_progress_seconds
        );
    }
    let sdk = aws::moto_sdk_config(&env.stacks_url()).await;
    print_stacks(
        &aws_sdk_cloudformation::Client::new(&sdk),
        &home.logs().join("moto.log"),
        out,
    )
    .await;
    Ok(())
}

/// Every stack moto holds, with its status. When moto cannot describe them all (it fails on
/// one stack's data), the stacks are listed from ListStacks instead, and the failure is named
/// with the log that tells more.
async fn print_stacks(cfn: &aws_sdk_cloudformation::Client, moto_log: &Path, out: &mut dyn Write) {
    let described = match cfn.describe_stacks().send().await {
        Ok(found) => found
            .stacks()
            .iter()
            .map(|stack| {
                (
                    stack.stack_name().unwrap_or("?").to_string(),
                    stack.stack_status().map_or("?", |s| s.as_str()).to_string(),
                )
            })
            .collect(),
        Err(err) => {
            let _ = writeln!(
                out,
                "  moto could not describe the stacks ({}); see {}",
                aws_text(&err),
                moto_log.display()
            );
            match listed_stacks(cfn).await {
                Ok(listed) => listed,
                Err(err) => {
                    let _ = writeln!(out, "  stacks: not readable ({})", aws_text(&err));
                    return;
                }
            }
        }
    };
    if described.is_empty() {
        let _ = writeln!(out, "  stacks: none");
        return;
    }
    let _ = writeln!(out, "  stacks:");
    for (name, status) in described {
        let _ = writeln!(out, "    {name} {status}");
    }
}

/// The stacks that are not deleted, from ListStacks' summaries.
async fn listed_stacks(
    cfn: &aws_sdk_cloudformation::Client,
) -> Result<
    Vec<(String, String)>,
    aws_sdk_cloudformation::error::SdkError<
        aws_sdk_cloudformation::operation::list_stacks::ListStacksError,
    >,
> {
    let listed = cfn.list_stacks().send().await?;
    Ok(listed
        .stack_summaries()
        .iter()
        .filter(|summary| summary.stack_status().map(|s| s.as_str()) != Some("DELETE_COMPLETE"))
        .map(|summary| {
            (
                summary.stack_name().unwrap_or("?").to_string(),
                summary
                    .stack_status()
                    .map_or("?", |s| s.as_str())
                    .to_string(),
            )
        })
        .collect())
}

#[cfg(test)]
#[path = "status_tests.rs"]
mod tests;
