"""Moving a file an official answers with from the HTTP layer into the file store, in bounded memory (used
by the API and the web form alike)."""

from __future__ import annotations

from starlette.datastructures import UploadFile  # what FastAPI and form parsing both give

from derek.core.storage import FileStore
from derek.info_requests.service import NewFile


async def store_file(store: FileStore, file: UploadFile) -> NewFile:
    stored = await store.save_upload(file)
    return NewFile(stored, file.filename or "file", file.content_type or "")
