"""Uploads in S3-compatible object storage (STORAGE_BACKEND=s3), against a real S3 server on loopback.

moto's server mode speaks the S3 protocol over HTTP like MinIO or Ceph would; the portal reaches it
through django-storages and boto3 exactly as in production. The settings come from the environment of a
separate process, as an operator would set them.
"""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from exchanges.cycle.models import ExchangeRequest
from tests.exchanges.test_request_journey import _form_data

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "koopstadt-uploads"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def settings_in_a_process(env: dict[str, str]) -> subprocess.CompletedProcess:
    script = "import django, json; django.setup(); from django.conf import settings; print(json.dumps(settings.STORAGES['default']))"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "STORAGE_"))}
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "koopstadt.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def s3_server():
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="portal",
        aws_secret_access_key="portal-secret",
        region_name="eu-central-1",
    )
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    yield endpoint, client
    server.stop()


@pytest.fixture
def s3_storage(s3_server, settings):
    endpoint, client = s3_server
    result = settings_in_a_process(
        {
            "STORAGE_BACKEND": "s3",
            "AWS_STORAGE_BUCKET_NAME": BUCKET,
            "AWS_S3_ENDPOINT_URL": endpoint,
            "AWS_S3_REGION_NAME": "eu-central-1",
            "AWS_ACCESS_KEY_ID": "portal",
            "AWS_SECRET_ACCESS_KEY": "portal-secret",
            "AWS_S3_ADDRESSING_STYLE": "path",
        }
    )
    assert result.returncode == 0, result.stderr
    default = json.loads(result.stdout.strip().splitlines()[-1])
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    settings.STORAGES = {**settings.STORAGES, "default": default}
    yield client
    storages._storages.pop("default", None)


def test_an_attachment_is_stored_in_the_bucket_and_served_only_through_the_portal(client, people, s3_storage):
    client.force_login(people["requester"])
    pdf = SimpleUploadedFile("konzept.pdf", b"%PDF-1.7\n1 0 obj\n", content_type="application/pdf")
    client.post(reverse("exchanges:request_create"), {**_form_data(), "new_attachment": pdf, "save": "1"})
    request = ExchangeRequest.objects.get()
    attachment = request.attachments.get()

    stored = s3_storage.get_object(Bucket=BUCKET, Key=f"uploads/{attachment.file.name}")
    assert stored["Body"].read() == b"%PDF-1.7\n1 0 obj\n"
    # Private: an anonymous request to the object storage is refused.
    anonymous = boto3.client(
        "s3",
        endpoint_url=s3_storage.meta.endpoint_url,
        region_name="eu-central-1",
        aws_access_key_id="x",
        aws_secret_access_key="y",
    )
    acl = anonymous.get_object_acl(Bucket=BUCKET, Key=f"uploads/{attachment.file.name}")
    assert all(grant["Grantee"].get("URI", "").endswith("AllUsers") is False for grant in acl["Grants"])

    download = client.get(reverse("exchanges:attachment_download", args=[request.pk, attachment.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.7\n1 0 obj\n"
    client.force_login(people["foreign_contact"])
    assert (
        client.get(reverse("exchanges:attachment_download", args=[request.pk, attachment.pk])).status_code
        == 404
    )


def test_storage_settings_are_checked_at_start():
    unknown = settings_in_a_process({"STORAGE_BACKEND": "ftp"})
    assert unknown.returncode != 0
    assert "STORAGE_BACKEND must be filesystem or s3" in unknown.stderr
    no_bucket = settings_in_a_process({"STORAGE_BACKEND": "s3"})
    assert no_bucket.returncode != 0
    assert "AWS_STORAGE_BUCKET_NAME" in no_bucket.stderr
