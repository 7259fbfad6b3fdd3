"""Moving an uploaded file from the HTTP layer into content-addressed storage, in bounded memory."""

from __future__ import annotations

from fastapi import UploadFile

from derek.catalog.service import Upload
from derek.core.errors import Invalid
from derek.core.storage import FileStore
from derek.core.storage import discard_if_unreferenced as discard_if_unreferenced  # its callers' name


async def store_upload(store: FileStore, file: UploadFile) -> Upload:
    if not file.filename:
        raise Invalid("Choose a file to upload.", errors={"file": ["No file was sent."]})
    stored = await store.save_upload(file)
    return Upload(stored=stored, filename=file.filename)
