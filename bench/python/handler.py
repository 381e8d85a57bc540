"""The Python comparison: a handler that sets itself up as the classic CodePipeline-to-CloudFormation
sample does (../../../shared/reference/classic-codepipeline-cloudformation-sample.txt): its imports,
boto3's CloudFormation and CodePipeline clients built when the module loads, and the S3 client built
per job from the job's artifact credentials with a SigV4 config. It makes no AWS call: the benchmark
measures what starting and holding this runtime costs, not moto's answers."""

from __future__ import print_function

import json  # noqa: F401  (the sample's imports, kept for a like-for-like start)
import tempfile  # noqa: F401
import traceback  # noqa: F401
import urllib  # noqa: F401
import zipfile  # noqa: F401

import boto3
import botocore
from boto3.session import Session

print("Loading function")

cf = boto3.client("cloudformation")
code_pipeline = boto3.client("codepipeline")


def handler(event, context):
    job = event.get("CodePipeline.job", {})
    credentials = job.get("data", {}).get("artifactCredentials", {})
    session = Session(
        aws_access_key_id=credentials.get("accessKeyId", "bench"),
        aws_secret_access_key=credentials.get("secretAccessKey", "bench"),
        aws_session_token=credentials.get("sessionToken"),
    )
    s3 = session.client("s3", config=botocore.client.Config(signature_version="s3v4"))
    return {
        "clients": [
            client.meta.service_model.service_name for client in (cf, code_pipeline, s3)
        ]
    }
