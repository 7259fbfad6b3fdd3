"""Moving an uploaded file from the HTTP layer into content-addressed storage, in bounded memory."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import UploadFile
from sqlalchemy import select
from sqlalchemy.orm import Session

from derek.catalog.models import Resource, ResourceVersion
from derek.catalog.service import Upload
from derek.core.errors import Invalid
from derek.core.storage import CHUNK, FileStore


async def store_upload(store: FileStore, file: UploadFile) -> Upload:
    if not file.filename:
        raise Invalid("Choose a file to upload.", errors={"file": ["No file was sent."]})

    async def chunks() -> AsyncIterator[bytes]:
        while chunk := await file.read(CHUNK):
            yield chunk

    stored = await store.save_stream(chunks())
    return Upload(stored=stored, filename=file.filename)


def discard_if_unreferenced(session: Session, store: FileStore, sha256: str) -> bool:
    """Delete a stored file that no resource nor any version of one points to; True when it was deleted.

    For a file stored for a change that then failed: roll the session back first, so that the rows of the
    failed change do not count. The store is content-addressed, so a file that was already there for another
    resource (any state: a deleted one may be restored) is referenced and kept.
    """
    for column in (Resource.sha256, ResourceVersion.sha256):
        if session.scalar(select(column).where(column == sha256).limit(1)) is not None:
            return False
    path = store.path_for(sha256)
    if not path.exists():
        return False
    path.unlink(missing_ok=True)
    return True
