"""The ``STORAGES`` entries of the cine files (see ``cineloops.storage``), as plain dicts.

Here rather than in the settings module so that tests build the same configuration against
their own object store.
"""

from __future__ import annotations

S3_BACKEND = "storages.backends.s3.S3Storage"
FOLDER_BACKEND = "cineloops.storage.SettingFolderStorage"


def s3_storage(
    *, bucket: str, prefix: str, endpoint_url: str | None, region: str | None, expire: int
) -> dict:
    """A private S3 storage: objects keep the bucket's own policy (never a public ACL), files
    are served by redirects to addresses signed for ``expire`` seconds, and a read bigger
    than a few MB spills to a temporary file instead of memory. Credentials come from
    ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` or boto3's usual chain (instance roles)."""
    return {
        "BACKEND": S3_BACKEND,
        "OPTIONS": {
            "bucket_name": bucket,
            "location": prefix,
            "endpoint_url": endpoint_url or None,
            "region_name": region or None,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": expire,
            "file_overwrite": True,  # names are random (originals) or per processing run
            "max_memory_size": 8 * 1024**2,
            "signature_version": "s3v4",
            # Path-style for a self-hosted endpoint (MinIO, Ceph): no per-bucket DNS name.
            "addressing_style": "path" if endpoint_url else None,
        },
    }


def folder_storage(*, setting: str, private: bool) -> dict:
    """A folder on this host, named by the setting ``setting`` (read at each use). Private:
    owner-only (patient data); else readable by the web server (``X-Accel-Redirect``)."""
    options: dict = {
        "folder_setting": setting,
        "file_permissions_mode": 0o600 if private else 0o644,
        "directory_permissions_mode": 0o700 if private else 0o755,
    }
    if not private:
        options["allow_overwrite"] = True  # derived files: names are per processing run
    return {"BACKEND": FOLDER_BACKEND, "OPTIONS": options}


def cine_storages(
    *,
    bucket: str,
    originals_bucket: str = "",
    endpoint_url: str | None = None,
    region: str | None = None,
    expire: int = 300,
) -> dict[str, dict]:
    """``cine_originals`` and ``cine_media``: in ``bucket`` (originals in ``originals_bucket``
    when given) under the prefixes ``originals/`` and ``cine/``; without a bucket, the folders
    ``CINE_UPLOAD_DIR`` and ``CINE_MEDIA_DIR``."""
    if not bucket:
        return {
            "cine_originals": folder_storage(setting="CINE_UPLOAD_DIR", private=True),
            "cine_media": folder_storage(setting="CINE_MEDIA_DIR", private=False),
        }

    def s3(bucket: str, prefix: str) -> dict:
        return s3_storage(
            bucket=bucket, prefix=prefix, endpoint_url=endpoint_url, region=region, expire=expire
        )

    return {
        "cine_originals": s3(originals_bucket or bucket, "originals"),
        "cine_media": s3(bucket, "cine"),
    }


def s3_origins(*, bucket: str, endpoint_url: str | None, region: str | None) -> list[str]:
    """Where browsers are redirected for media (for the Content-Security-Policy)."""
    if not bucket:
        return []
    if endpoint_url:
        parts = endpoint_url.split("/")
        return ["/".join(parts[:3])]  # scheme://host[:port]
    origins = [f"https://{bucket}.s3.amazonaws.com"]
    if region:
        origins.append(f"https://{bucket}.s3.{region}.amazonaws.com")
    return origins
