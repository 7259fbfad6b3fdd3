"""Content-addressed file storage: files are kept by sha256 and never overwritten in place."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy.orm import Session

from derek.core.errors import Invalid, TooLarge

CHUNK = 1024 * 1024
UPLOAD_PREFIX = "upload-"  # files being streamed into the store, in <root>/tmp


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    path: Path


class Readable(Protocol):
    async def read(self, size: int = -1) -> bytes: ...


class FileStore:
    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise Invalid(f"{sha256!r} is not a sha256 checksum.")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def _sink(self) -> _Sink:
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        # "upload-": told apart from the DataStore's working files, which share the directory
        return _Sink(self, *tempfile.mkstemp(dir=tmp_dir, prefix=UPLOAD_PREFIX))

    def save_chunks(self, chunks: Iterable[bytes]) -> StoredFile:
        """Stream chunks to disk, hashing as they come; memory stays bounded by one chunk."""
        sink = self._sink()
        try:
            for chunk in chunks:
                sink.write(chunk)
        except BaseException:
            sink.abort()
            raise
        return sink.finish()

    async def save_stream(self, chunks: AsyncIterator[bytes]) -> StoredFile:
        sink = self._sink()
        try:
            async for chunk in chunks:
                sink.write(chunk)
        except BaseException:
            sink.abort()
            raise
        return sink.finish()

    async def save_upload(self, upload: Readable) -> StoredFile:
        """An uploaded file (what FastAPI and form parsing give: `await read(n)`), chunk by chunk."""

        async def chunks() -> AsyncIterator[bytes]:
            while chunk := await upload.read(CHUNK):
                yield chunk

        return await self.save_stream(chunks())

    def save_file(self, path: Path) -> StoredFile:
        with path.open("rb") as fh:
            return self.save_chunks(iter(lambda: fh.read(CHUNK), b""))

    def open_path(self, sha256: str) -> Path:
        return self.path_for(sha256)


class _Sink:
    """A temporary file being written and hashed; finished into the store or aborted."""

    def __init__(self, store: FileStore, fd: int, tmp_path: str) -> None:
        self.store = store
        self.out = os.fdopen(fd, "wb")
        self.tmp_path = tmp_path
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.store.max_bytes:
            raise TooLarge(
                f"The file is larger than the limit of {self.store.max_bytes:,} bytes: "
                "split it, compress it, or link to it by URL instead.",
                errors={"file": ["The file is too large."]},
            )
        self.digest.update(chunk)
        self.out.write(chunk)

    def abort(self) -> None:
        self.out.close()
        if os.path.exists(self.tmp_path):
            os.unlink(self.tmp_path)

    def finish(self) -> StoredFile:
        self.out.close()
        if self.size == 0:
            os.unlink(self.tmp_path)
            raise Invalid(
                "The file is empty: choose a file that has content.", errors={"file": ["The file is empty."]}
            )
        digest = self.digest.hexdigest()
        final = self.store.path_for(digest)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            os.unlink(self.tmp_path)
        else:
            os.replace(self.tmp_path, final)
        return StoredFile(sha256=digest, size=self.size, path=final)


# ---------------------------------------------------------------- who points at a stored file

# Each domain that keeps sha256s of stored files registers a check, so a file is deleted only when no domain
# points at it (a dataset's resource and an answer's attachment may be the same bytes).
Referenced = Callable[[Session, str], bool]
_REFERENCES: list[Referenced] = []


def references(check: Referenced) -> Referenced:
    """Register a domain's check: does any of its rows point at this sha256?"""
    if check not in _REFERENCES:
        _REFERENCES.append(check)
    return check


def discard_if_unreferenced(session: Session, store: FileStore, sha256: str) -> bool:
    """Delete a stored file no domain points to; True when it was deleted.

    For a file stored for a change that then failed: roll the session back first, so that the rows of the
    failed change do not count. The store is content-addressed, so a file that was already there for
    something else (any state: a deleted resource may be restored) is referenced and kept.
    """
    if any(check(session, sha256) for check in _REFERENCES):
        return False
    path = store.path_for(sha256)
    if not path.exists():
        return False
    path.unlink(missing_ok=True)
    return True
