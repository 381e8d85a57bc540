#!/usr/bin/env python3
"""Writes the committed seed corpora under fuzz/corpus/<target>/ (run from anywhere; rerun only
to change the seeds). Each seed is small and says by its name what it is."""

import io
import json
import pathlib
import struct
import zipfile

FUZZ = pathlib.Path(__file__).resolve().parent
ROOT = FUZZ.parent


def write(target, name, data):
    folder = FUZZ / "corpus" / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())


# --- job_event: the entry function's event --------------------------------------------------
event = json.loads((ROOT / "tests/events/codepipeline-job.json").read_text())
write("job_event", "sample-event.json", json.dumps(event))
job = event["CodePipeline.job"]
token = {"taskToken": "AQCEAAAAKgAAAAMAAAAA+/=", "executionArn":
         "arn:aws:states:us-east-1:111111111111:execution:stackflow:job-1"}
variants = {
    "continuation-json.json": lambda j: j["data"].__setitem__("continuationToken", json.dumps(token)),
    "continuation-bare.json": lambda j: j["data"].__setitem__("continuationToken", "AQCEbare=="),
    "no-job-id.json": lambda j: j.pop("id"),
    "artifact-without-location.json":
        lambda j: j["data"]["inputArtifacts"][0]["location"].__setitem__("s3Location", {}),
    "artifact-without-name.json": lambda j: j["data"]["inputArtifacts"][0].__setitem__("name", None),
    "no-user-parameters.json":
        lambda j: j["data"]["actionConfiguration"]["configuration"].pop("UserParameters"),
    "two-artifacts.json": lambda j: j["data"]["inputArtifacts"].append(
        dict(j["data"]["inputArtifacts"][0], name="BuildOutput")),
    "no-credentials.json": lambda j: j["data"].pop("artifactCredentials"),
}
for name, change in variants.items():
    copy = json.loads(json.dumps(event))
    change(copy["CodePipeline.job"])
    write("job_event", name, json.dumps(copy))
write("job_event", "empty-object.json", "{}")
write("job_event", "not-json.txt", "CodePipeline.job")

# --- user_parameters -------------------------------------------------------------------------
write("user_parameters", "example.json",
      (ROOT / "examples/queue-and-bucket.user-parameters.json").read_text())
full = {"stack": "orders-service", "artifact": "BuildOutput", "file": "./infra/template.yaml",
        "config": "infra/prod.json", "parameters": {"ImageTag": "1.4.2", "Replicas": 3},
        "capabilities": ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
        "roleArn": "arn:aws:iam::111111111111:role/orders-deployer",
        "tags": {"team": "payments", "on": True}, "replaceOnFailure": True,
        "pollSeconds": 300, "timeoutMinutes": 1440}
write("user_parameters", "every-key.json", json.dumps(full))
minimal = {"stack": "s", "artifact": "SourceArtifact", "file": "template.yaml"}
for name, extra in {
    "unknown-key.json": {"stak": "typo"},
    "bad-stack-name.json": {"stack": "1-not_valid"},
    "dot-dot-file.json": {"file": "../../etc/passwd"},
    "absolute-config.json": {"config": "/config.json"},
    "nulls.json": {"config": None, "parameters": None, "tags": None, "roleArn": None},
    "poll-out-of-range.json": {"pollSeconds": 0, "timeoutMinutes": 99999999999},
    "aws-tag.json": {"tags": {"aws:cloudformation": "x"}},
    "unknown-artifact.json": {"artifact": "Nope"},
    "bad-capability.json": {"capabilities": ["CAPABILITY_EVERYTHING"]},
    "bad-role.json": {"roleArn": "arn:aws:iam::1:user/x"},
}.items():
    write("user_parameters", name, json.dumps(dict(minimal, **extra)))
write("user_parameters", "many-tags.json",
      json.dumps(dict(minimal, tags={f"k{i}": "v" for i in range(51)})))
write("user_parameters", "not-an-object.json", '["stack"]')
write("user_parameters", "not-json.txt", "stack=my-stack")
write("user_parameters", "deep-nesting.json", '{"parameters":' + "[" * 200 + "]" * 200 + "}")
write("user_parameters", "empty.txt", "")

# --- template_config -------------------------------------------------------------------------
write("template_config", "example.json", (ROOT / "examples/queue-and-bucket/config.json").read_text())
policy = {"Statement": [{"Effect": "Deny", "Action": "Update:Replace", "Principal": "*",
                         "Resource": "LogicalResourceId/Database"}]}
write("template_config", "with-stack-policy.json",
      json.dumps({"Parameters": {"A": "1"}, "Tags": {"t": "v"}, "StackPolicy": policy}))
write("template_config", "byte-order-mark.json", "\ufeff" + json.dumps({"Parameters": {"A": "1"}}))
write("template_config", "unknown-key.json", json.dumps({"Parameter": {}}))
write("template_config", "number-value.json", json.dumps({"Parameters": {"A": 1}}))
write("template_config", "bad-parameter-name.json", json.dumps({"Parameters": {"a-b": "1"}}))
write("template_config", "aws-tag.json", json.dumps({"Tags": {"aws:x": "1"}}))
write("template_config", "policy-not-object.json", json.dumps({"StackPolicy": "{}"}))
write("template_config", "empty-object.json", "{}")
write("template_config", "not-json.txt", "Parameters: {}")


# --- artifact_zip ----------------------------------------------------------------------------
def zip_of(entries, method=zipfile.ZIP_DEFLATED, zip64=False):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, content in entries:
            if name.endswith("/"):
                archive.writestr(zipfile.ZipInfo(name), b"")
            else:
                with archive.open(name, "w", force_zip64=zip64) as entry:
                    entry.write(content)
    return buffer.getvalue()


def declare_size(data, size):
    """The single entry's uncompressed size, in both headers, set to `size` (a lying header)."""
    data = bytearray(data)
    local = data.find(b"PK\x03\x04")
    data[local + 22:local + 26] = struct.pack("<I", size)
    central = data.find(b"PK\x01\x02")
    data[central + 24:central + 28] = struct.pack("<I", size)
    return bytes(data)


template = (ROOT / "examples/queue-and-bucket/template.yaml").read_bytes()[:600]
config = (ROOT / "examples/queue-and-bucket/config.json").read_bytes()
write("artifact_zip", "template-and-config.zip", zip_of([("template.yaml", template), ("config.json", config)]))
write("artifact_zip", "dot-slash-stored.zip",
      zip_of([("./template.yaml", b"Resources: {}\n")], method=zipfile.ZIP_STORED))
write("artifact_zip", "zip64.zip", zip_of([("template.yaml", b"Resources: {}\n")], zip64=True))
write("artifact_zip", "bzip2-method.zip", zip_of([("template.yaml", b"Resources: {}\n")], method=zipfile.ZIP_BZIP2))
# 2 MiB of zeros in about 2 KB: over the 1 MiB limit by its header, and (header lowered) by
# what it inflates to.
bomb = zip_of([("template.yaml", b"\0" * (2 * 1024 * 1024))])
write("artifact_zip", "bomb.zip", bomb)
write("artifact_zip", "bomb-lying-header.zip", declare_size(bomb, 100))
write("artifact_zip", "path-traversal-names.zip", zip_of([
    ("../template.yaml", b"A"), ("/etc/config.json", b"B"), ("..\\..\\template.yaml", b"C"),
    ("dir/../../config.json", b"D"), ("template.yaml/", b""),
]))
write("artifact_zip", "many-entries.zip", zip_of([(f"f{i}.yaml", b"") for i in range(30)]))
write("artifact_zip", "not-utf8.zip", zip_of([("template.yaml", b"ok\xff\xfe")]))
write("artifact_zip", "empty-archive.zip", zip_of([]))
write("artifact_zip", "truncated.zip", zip_of([("template.yaml", template)])[:-30])
encrypted = bytearray(zip_of([("template.yaml", b"Resources: {}\n")]))
for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
    at = encrypted.find(signature) + offset
    encrypted[at] |= 1
write("artifact_zip", "encrypted-flag.zip", bytes(encrypted))
