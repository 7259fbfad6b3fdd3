"""Content-addressed file storage: files are kept by sha256 and never overwritten in place."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path

from derek.core.errors import Invalid, TooLarge

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    path: Path


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
        return _Sink(self, *tempfile.mkstemp(dir=tmp_dir))

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
