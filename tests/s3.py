"""S3 for tests: moto's real HTTP server on 127.0.0.1 and a fresh bucket per store."""

import secrets

import boto3
import pytest
from moto.server import ThreadedMotoServer

from server.media.storage import S3Store


@pytest.fixture(scope="session")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def s3_store(endpoint: str, monkeypatch, prefix: str = "district-a") -> S3Store:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    bucket = f"gw-{secrets.token_hex(6)}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=bucket)
    return S3Store(bucket, endpoint_url=endpoint, prefix=prefix)
