"""The S3 backend (AWS S3 or any S3-compatible server: MinIO, Ceph, moto)."""

import contextlib
import hashlib

from portal.storage.common import CHUNK, ObjectNotFound, StorageError, attachment_header


class _HashingReader:
    """Hashes and counts the bytes as boto3 pulls them: one pass over the upload.

    Every read is filled (after a short read boto3 would take the file for small and buffer it
    whole, or send parts under S3's 5 MiB minimum); no seek(), so boto3 never rewinds it.
    """

    def __init__(self, stream):
        self._stream, self._digest, self.size = stream, hashlib.sha256(), 0

    def read(self, amount: int = -1) -> bytes:
        # boto3 reads in part-sized amounts; its one unbounded read() comes after the end.
        parts, missing = [], float("inf") if amount is None or amount < 0 else amount
        while missing > 0 and (chunk := self._stream.read(int(min(missing, CHUNK)))):
            parts.append(chunk)
            missing -= len(chunk)
        data = b"".join(parts)
        self._digest.update(data)
        self.size += len(data)
        return data

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


class S3Storage:
    name = "s3"
    # Objects are written whole: a recording's parts are objects of their own until joined
    # (an S3 multipart upload needs parts of 5 MB; a recorder's are far smaller).
    appends = False

    def __init__(self, bucket, endpoint_url=None, region=None, access_key=None, secret_key=None,
                 url_seconds=300):
        import boto3
        from boto3.s3.transfer import TransferConfig
        from botocore.config import Config

        self.bucket, self.region, self.url_seconds = bucket, region, url_seconds
        # Path-style addressing for custom endpoints (MinIO, moto): no wildcard DNS needed.
        s3_options = {"addressing_style": "path"} if endpoint_url else {}
        config = Config(signature_version="s3v4", s3=s3_options, connect_timeout=5,
                        read_timeout=60, retries={"max_attempts": 3, "mode": "standard"})
        # Keys of None fall back to boto's default chain (environment, instance role).
        session = boto3.session.Session()  # a client per backend; the default session isn't
        self.client = session.client(       # safe to build clients on from several threads
            "s3", endpoint_url=endpoint_url, region_name=region, aws_access_key_id=access_key,
            aws_secret_access_key=secret_key, config=config)
        # 8 MiB parts, at most 2 in memory at once: an upload holds ~35 MiB, whatever its size.
        self.transfer = TransferConfig(multipart_threshold=8 * CHUNK, multipart_chunksize=8 * CHUNK,
                                       max_concurrency=2, preferred_transfer_client="classic")
        self.transfer.max_in_memory_upload_chunks = 2  # s3transfer's knob; its default is 10

    def put(self, key: str, stream, content_type: str) -> tuple[int, str]:
        reader = _HashingReader(stream)
        with _s3_errors("upload"):  # boto3 aborts a failed multipart upload: no partial object
            self.client.upload_fileobj(reader, self.bucket, key, Config=self.transfer,
                                       ExtraArgs={"ContentType": content_type})
        return reader.size, reader.hexdigest()

    def local_path(self, key: str) -> None:
        return None  # meaning: a tool that reads files by name needs a local copy

    def open(self, key: str):
        with _s3_errors("open"):
            try:
                return self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
            except self.client.exceptions.NoSuchKey:
                raise ObjectNotFound(key) from None

    def delete(self, key: str) -> None:
        with _s3_errors("delete"):  # S3 deletes are idempotent already
            self.client.delete_object(Bucket=self.bucket, Key=key)

    def exists(self, key: str) -> bool:
        with _s3_errors("head"):
            try:
                self.client.head_object(Bucket=self.bucket, Key=key)
            except self.client.exceptions.ClientError as error:
                if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
                    return False
                raise
        return True

    def download_url(self, key: str, filename: str, content_type: str) -> str:
        params = {"Bucket": self.bucket, "Key": key, "ResponseContentType": content_type,
                  "ResponseContentDisposition": attachment_header(filename)}
        return self.client.generate_presigned_url("get_object", Params=params,
                                                  ExpiresIn=self.url_seconds)

    def health(self) -> tuple[bool, str]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as error:
            return False, f"s3: {error.response.get('Error', {}).get('Code', 'error')}"
        except BotoCoreError as error:
            return False, f"s3: {type(error).__name__}"
        return True, "s3"

    def ensure_bucket(self) -> None:
        """Create the bucket if missing: for tests and demos, production buckets are provisioned."""
        if not self.health()[0]:
            options = {} if self.region in (None, "us-east-1") else {
                "CreateBucketConfiguration": {"LocationConstraint": self.region}}
            self.client.create_bucket(Bucket=self.bucket, **options)


@contextlib.contextmanager
def _s3_errors(action: str):
    """boto's exceptions become StorageError; errors of the caller's stream pass unchanged."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (BotoCoreError, ClientError) as error:
        raise StorageError(f"s3 {action} failed: {error}") from error
