"""Artifact files: fetched from Slack, checked by content, kept content-addressed on disk.

The database only records metadata (bot/usecases/submissions.py ArtifactFile); the bytes live
under data_dir/artifacts/<sha256[:2]>/<sha256>, written through a temporary file so a failed or
partial download never leaves a file that looks complete.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import httpx

from bot.domain.submitting import human_size
from bot.errors import FileNotFetched, FileRejected

from bot.usecases.submissions import ArtifactFile

# Types a grantor can open, recognized by their first bytes (never by the file's name).
_MAGIC: list[tuple[bytes, int, str]] = [
    (b"%PDF-", 0, "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"ftyp", 4, "video/mp4"),
    (b"ID3", 0, "audio/mpeg"),
    (b"OggS", 0, "audio/ogg"),
]
_OFFICE = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
ALLOWED_DESCRIPTION = "PDF, images (PNG, JPEG, GIF, WebP), Office documents, ZIP, text, CSV, MP4, MP3"




class ArtifactRejected(FileRejected):
    """The file cannot be accepted; the message says why, for the learner."""


def sniff(head: bytes, path: Path | None = None) -> str | None:
    """The media type that the content shows, or None when it is not a type we accept."""
    for magic, offset, media_type in _MAGIC:
        if head[offset:offset + len(magic)] == magic:
            return media_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"PK\x03\x04" and path is not None:
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            return None
        for prefix, media_type in _OFFICE.items():
            if any(n.startswith(prefix) for n in names):
                return media_type
        return "application/zip"
    if head and _is_text(head):
        return "text/plain"
    return None


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        return exc.start >= len(head) - 3
    return True



@dataclass
class ArtifactStore:
    root: Path
    max_bytes: int

    def path_of(self, storage_key: str) -> Path:
        path = (self.root / storage_key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError("storage key outside the artifact store")
        return path

    def save_stream(self, chunks, filename: str, slack_file_id: str | None = None) -> ArtifactFile:  # type: ignore[no-untyped-def]
        """Write chunks to a temporary file, hashing and counting; keep it only if complete and allowed."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise ArtifactRejected(
                            f"{filename} is larger than the {human_size(self.max_bytes)} limit.")
                    digest.update(chunk)
                    out.write(chunk)
            if size == 0:
                raise ArtifactRejected(f"{filename} is empty.")
            with tmp.open("rb") as f:
                head = f.read(4096)
            media_type = sniff(head, tmp)
            if media_type is None:
                raise ArtifactRejected(f"{filename} is not a file type we accept ({ALLOWED_DESCRIPTION}).")
            sha = digest.hexdigest()
            key = f"{sha[:2]}/{sha}"
            final = self.path_of(key)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)  # atomic: the same content always lands at the same name
            return ArtifactFile(filename=filename, media_type=media_type, size=size, sha256=sha,
                                storage_key=key, slack_file_id=slack_file_id)
        finally:
            tmp.unlink(missing_ok=True)

    def download(self, http: httpx.Client, token: str, url: str, filename: str,
                 declared_size: int | None = None, slack_file_id: str | None = None) -> ArtifactFile:
        """Stream a Slack file (url_private_download, bearer token) into the store."""
        if declared_size is not None and declared_size > self.max_bytes:
            raise ArtifactRejected(f"{filename} is larger than the {human_size(self.max_bytes)} limit.")
        try:
            with http.stream("GET", url, headers={"Authorization": f"Bearer {token}"}) as response:
                if response.status_code != 200:
                    raise FileNotFetched(f"Could not fetch {filename} from Slack (HTTP {response.status_code}); "
                                           "please try again.")
                stored = self.save_stream(response.iter_bytes(65536), filename, slack_file_id)
        except httpx.HTTPError as exc:
            raise FileNotFetched(f"Could not fetch {filename} from Slack ({exc.__class__.__name__}); "
                                   "please try again.") from None
        if declared_size is not None and stored.size != declared_size:
            raise FileNotFetched(f"{filename} arrived incomplete; please try again.")
        return stored
