"""The MediaStore protocol and its two backends, chosen by MEDIA_BACKEND.

Keys are relative, '/'-separated paths (``photos/ab/abcd....jpg``). Writes are
atomic: a reader never sees half a file.
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Iterator, Protocol


class MediaStore(Protocol):
    backend: str

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None: ...
    def get(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...
    def delete(self, key: str) -> None: ...
    def keys(self, prefix: str = "") -> Iterator[str]: ...
    def entries(self, prefix: str = "") -> Iterator[tuple[str, datetime]]: ...  # (key, last modified, UTC)
    def check(self) -> None: ...  # raises unless the store is reachable and writable; reads only


class MediaNotFound(KeyError):
    """The store holds no object under this key (what ``get`` raises; callers decide whether that is expected)."""


class StorageObjectMissing(RuntimeError):
    """A record the database holds points at an object the store lacks: the server's fault, to repair from a
    backup (`gridwork media check` lists them), never the client's. The edge answers 500 photo.file_missing
    (server/errors.py)."""

    def __init__(self, key: str, subject: str):
        super().__init__(f"{subject}: storage object {key!r} is missing")
        self.key = key
        self.subject = subject


def _check_key(key: str) -> str:
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"invalid media key: {key!r}")
    return key


class LocalStore:
    backend = "local"

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / _check_key(key)

    def put(self, key, data, content_type="application/octet-stream"):
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key):
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise MediaNotFound(key) from exc

    def exists(self, key):
        return self._path(key).is_file()

    def delete(self, key):
        self._path(key).unlink(missing_ok=True)

    def keys(self, prefix=""):
        if not self.root.exists():
            return
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.name.startswith((".tmp-", ".")):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    yield key

    def entries(self, prefix=""):
        for key in self.keys(prefix):
            try:
                modified = self._path(key).stat().st_mtime
            except FileNotFoundError:
                continue
            yield key, datetime.fromtimestamp(modified, UTC)

    def check(self):
        # Reads only. A root not made yet is fine when `put` could make it (the first upload does):
        # then its nearest existing parent must be a directory we may write to.
        path = self.root
        while not path.exists() and path != path.parent:
            path = path.parent
        if not path.is_dir():
            raise RuntimeError("the media root is not a directory")
        if not os.access(path, os.W_OK | os.X_OK):
            raise RuntimeError("the media root is not writable")


# botocore's own defaults are a 60 s connect and 60 s read timeout with the "legacy" retry mode:
# one unanswering endpoint held a request (and a gunicorn worker) for minutes. A photo is at most
# MAX_CONTENT_LENGTH (12 MB) and goes up in one put_object, so 30 s to the first byte of an answer
# is generous; "standard" retries back off with jitter and retry throttling and 5xx answers too.
S3_CONNECT_TIMEOUT = 5.0
S3_READ_TIMEOUT = 30.0
S3_MAX_ATTEMPTS = 3


def s3_client_config(*, connect_timeout: float = S3_CONNECT_TIMEOUT, read_timeout: float = S3_READ_TIMEOUT,
                     max_attempts: int = S3_MAX_ATTEMPTS):
    """Explicit timeouts (seconds) and retries; max_attempts counts the first try (1: no retry)."""
    from botocore.config import Config

    # total_max_attempts counts the first try, as AWS_MAX_ATTEMPTS does; the dict's "max_attempts"
    # would count retries only (botocore's older meaning), one more request than configured.
    return Config(connect_timeout=connect_timeout, read_timeout=read_timeout,
                  retries={"mode": "standard", "total_max_attempts": max_attempts})


class S3Store:
    backend = "s3"

    def __init__(self, bucket: str, *, endpoint_url: str | None = None, region: str = "us-east-1",
                 prefix: str = "", client=None, connect_timeout: float = S3_CONNECT_TIMEOUT,
                 read_timeout: float = S3_READ_TIMEOUT, max_attempts: int = S3_MAX_ATTEMPTS):
        import boto3

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = client or boto3.client(
            "s3", endpoint_url=endpoint_url, region_name=region,
            config=s3_client_config(connect_timeout=connect_timeout, read_timeout=read_timeout,
                                    max_attempts=max_attempts))

    def _key(self, key: str) -> str:
        return self.prefix + _check_key(key)

    def put(self, key, data, content_type="application/octet-stream"):
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type)

    def get(self, key):
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
        except self.client.exceptions.NoSuchKey as exc:
            raise MediaNotFound(key) from exc

    def exists(self, key):
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
            return True
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise

    def delete(self, key):
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def keys(self, prefix=""):
        for key, _ in self.entries(prefix):
            yield key

    def entries(self, prefix=""):
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
            for item in page.get("Contents", []):
                yield item["Key"][len(self.prefix):], item["LastModified"].astimezone(UTC)

    def check(self):
        # HEAD on the bucket: reachable, credentials valid, bucket there; nothing written or billed as storage.
        self.client.head_bucket(Bucket=self.bucket)


def from_config(config: dict) -> MediaStore:
    backend = config.get("MEDIA_BACKEND", "local")
    if backend == "local":
        return LocalStore(config["MEDIA_ROOT"])
    if backend == "s3":
        if not config.get("S3_BUCKET"):
            raise RuntimeError("MEDIA_BACKEND=s3 needs S3_BUCKET")
        return S3Store(config["S3_BUCKET"], endpoint_url=config.get("S3_ENDPOINT_URL"),
                       region=config.get("S3_REGION", "us-east-1"), prefix=config.get("S3_PREFIX", ""),
                       connect_timeout=config.get("S3_CONNECT_TIMEOUT", S3_CONNECT_TIMEOUT),
                       read_timeout=config.get("S3_READ_TIMEOUT", S3_READ_TIMEOUT),
                       max_attempts=config.get("S3_MAX_ATTEMPTS", S3_MAX_ATTEMPTS))
    raise RuntimeError(f"unknown MEDIA_BACKEND {backend!r} (use 'local' or 's3')")


def probe(store: MediaStore) -> None:
    """Is the store usable? Reads only (the health check calls it): raises if it is not."""
    store.check()
