"""The content-addressed photo store: each photo kept once, under its SHA-256, on disk or in an S3 bucket.

The key is `photos/ab/cd/<sha256>.<ext>`, so writing a photo that is already there is a no-op and the same
bytes from two stations, or from a retried upload, are one object. The store is the one the context names
(`photo_location`, from the settings `photo_store` and `photo_store_endpoint_url`): a folder, or
`s3://bucket/prefix` on AWS or any S3-compatible endpoint; the S3 credentials come from the standard AWS_* variables, which boto3 reads.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from activity_day.context import current
from activity_day.errors import OperatorError

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png"}


def photo_key(sha256: str, media_type: str) -> str:
    """The photo's key relative to the store's root: photos/ab/cd/<sha256>.jpg."""
    return f"photos/{sha256[:2]}/{sha256[2:4]}/{sha256}.{EXTENSIONS[media_type]}"


class PhotoStore(Protocol):
    kind: str  # "file" or "s3", as the photo table records it

    def put(self, sha256: str, media_type: str, data: bytes) -> tuple[str, bool]:
        """Keep the photo; returns (location, whether it was new)."""

    def get(self, sha256: str, media_type: str) -> bytes: ...


@dataclass(frozen=True)
class FileStore:
    root: Path
    kind: str = "file"

    def path(self, sha256: str, media_type: str) -> Path:
        return self.root / photo_key(sha256, media_type)

    def put(self, sha256: str, media_type: str, data: bytes) -> tuple[str, bool]:
        path = self.path(sha256, media_type)
        if path.exists():
            return str(path), False
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside its final name and renamed: a reader never sees half a photo, and two uploads of the
        # same photo at once both end with the one complete file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{sha256[:8]}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return str(path), True

    def get(self, sha256: str, media_type: str) -> bytes:
        return self.path(sha256, media_type).read_bytes()


@dataclass
class S3Store:
    bucket: str
    prefix: str = ""
    endpoint_url: str | None = None
    kind: str = "s3"
    _client: Any = field(default=None, repr=False)

    @property
    def client(self) -> Any:
        if self._client is None:
            try:
                import boto3
            except ModuleNotFoundError:
                raise OperatorError("照片存储设为 S3，但未安装 boto3：请安装 activity-day[s3]") from None
            self._client = boto3.client("s3", endpoint_url=self.endpoint_url)
        return self._client

    def key(self, sha256: str, media_type: str) -> str:
        return f"{self.prefix}{photo_key(sha256, media_type)}"

    def put(self, sha256: str, media_type: str, data: bytes) -> tuple[str, bool]:
        from botocore.exceptions import ClientError

        key = self.key(sha256, media_type)
        location = f"s3://{self.bucket}/{key}"
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
            return location, False
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey", "NotFound"):
                raise
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=media_type)
        return location, True

    def get(self, sha256: str, media_type: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=self.key(sha256, media_type))["Body"].read()


def store_at(where: str, endpoint_url: str | None = None) -> PhotoStore:
    """The photo store at `where`: a folder, or s3://bucket/prefix (at `endpoint_url`, else AWS)."""
    if where.startswith("s3://"):
        bucket, _, prefix = where.removeprefix("s3://").partition("/")
        prefix = prefix.strip("/")
        return S3Store(bucket=bucket, prefix=f"{prefix}/" if prefix else "", endpoint_url=endpoint_url or None)
    return FileStore(root=Path(where))


_stores: dict[tuple[str, str | None], PhotoStore] = {}


def photo_store() -> PhotoStore:
    """The store in force (one per setting, so an S3 client is made once per process)."""
    key = current().photo_location
    if key not in _stores:
        _stores[key] = store_at(*key)
    return _stores[key]
