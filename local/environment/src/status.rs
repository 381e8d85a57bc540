//! `stackflow-local status`: is the environment up, where, and which stacks it holds.

use std::io::Write;

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
    let sdk = aws::moto_sdk_config(&env.moto_url()).await;
    let cfn = aws_sdk_cloudformation::Client::new(&sdk);
    match cfn.describe_stacks().send().await {
        Ok(found) if found.stacks().is_empty() => {
            let _ = writeln!(out, "  stacks: none");
        }
        Ok(found) => {
            let _ = writeln!(out, "  stacks:");
            for stack in found.stacks() {
                let _ = writeln!(
                    out,
                    "    {} {}",
                    stack.stack_name().unwrap_or("?"),
                    stack.stack_status().map(|s| s.as_str()).unwrap_or("?")
                );
            }
        }
        Err(err) => {
            let _ = writeln!(out, "  stacks: not readable ({})", aws_text(&err));
        }
    }
    Ok(())
}
