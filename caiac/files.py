"""Uploaded documents (milestone evidence; R&D project documents next): checked by what they are,
kept off any public URL, handed out only by a view that has checked the person first.

- ``check_upload(file, field=...)``: the type is read from the content (magic bytes, with the
  ``filetype`` library; office files are opened as the ZIP archives they are), never trusted from
  the name: HTML renamed ``.pdf`` or a script renamed ``.png`` is 400 ``file_type_not_allowed``.
  It returns a clean name with the extension of the detected type.
- ``attachment(fieldfile)``: the download response: ``Content-Disposition: attachment`` with a
  safe file name, the detected type, ``X-Content-Type-Options: nosniff``, a sandboxing CSP and no
  shared caching. Only call it after the access check.
- ``discard(name)`` / ``delete_files_with(Model, "field")``: a replaced or deleted file leaves the
  disk once the transaction commits (a rollback keeps it, since the row still points to it).

``MEDIA_ROOT`` is private: no URL serves it (caiac/urls.py has no /media/ route in any mode).
"""

import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Mapping
from typing import Any

import filetype
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Model
from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_delete
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _

from caiac.errors import Invalid

MAX_BYTES = 10 * 1024 * 1024
HEAD_BYTES = 8192

# Extension (as stored and downloaded) -> MIME type sent back.
DOCUMENT_TYPES: Mapping[str, str] = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "webp": "image/webp",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}

_OPEN_DOCUMENT = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
}


def _read_all(file: Any) -> bytes:
    file.seek(0)
    data = file.read()
    file.seek(0)
    return data


def _office_kind(data: bytes) -> str | None:
    """A ZIP archive is an office document only if it has the parts of one."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                return _OPEN_DOCUMENT.get(archive.read("mimetype").strip())
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def detect(file: Any) -> str | None:
    """The document type of ``file`` from its content: a key of DOCUMENT_TYPES, or None."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    kind = filetype.guess(head)
    extension = kind.extension if kind else None
    if extension in ("zip", "docx", "xlsx", "odt", "ods"):
        return _office_kind(_read_all(file))
    if extension == "jpeg":
        return "jpg"
    return extension if extension in DOCUMENT_TYPES else None


def safe_name(original: str, extension: str, *, default: str = "document") -> str:
    """A file name safe on any disk and in any header: ASCII letters, digits, '-', '_' and one
    '.' before the extension; accents dropped, nothing of a path kept."""
    stem = os.path.splitext(os.path.basename(original.replace("\\", "/")))[0]
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-_")[:80] or default
    return f"{stem}.{extension}"


def check_upload(
    file: Any,
    *,
    field: str,
    allowed: Mapping[str, str] = DOCUMENT_TYPES,
    max_bytes: int = MAX_BYTES,
) -> str:
    """Refuse an upload whose content is not one of ``allowed`` (400 ``file_type_not_allowed``)
    or that is too large (400 ``file_too_large``); return the name to store it under."""
    size = getattr(file, "size", None)
    if size is None:
        size = len(_read_all(file))
    if size > max_bytes:
        megabytes = max_bytes // (1024 * 1024)
        raise Invalid(
            _("Files are limited to %(mb)s MB.") % {"mb": megabytes},
            code="file_too_large",
            fields={field: [str(_("Too large."))]},
        )
    kind = detect(file)
    if kind not in allowed:
        names = ", ".join(sorted(allowed))
        raise Invalid(
            _("This file is not a document of an accepted type (%(types)s).") % {"types": names},
            code="file_type_not_allowed",
            fields={field: [str(_("Accepted: %(types)s.") % {"types": names})]},
        )
    return safe_name(getattr(file, "name", "") or "", kind)


def attachment(fieldfile: FieldFile, *, download_name: str | None = None) -> FileResponse:
    """The stored file as a download, never rendered by the browser in our origin."""
    name = os.path.basename(fieldfile.name)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    response = FileResponse(
        fieldfile.open("rb"),
        as_attachment=True,
        filename=download_name or safe_name(name, extension or "bin"),
        content_type=DOCUMENT_TYPES.get(extension, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def discard(name: str | None, *, storage=None) -> None:
    """Delete a stored file once the current transaction commits (right away outside one)."""
    if not name:
        return
    storage = storage or default_storage
    transaction.on_commit(lambda: storage.delete(name))


def delete_files_with(model: type[Model], *fields: str) -> None:
    """A deleted row takes its files with it, however it is deleted (a service, a cascade from
    its organisation, the admin). Call once, from the app's ``ready()``."""

    def remove(sender, instance, **kwargs):
        for field in fields:
            fieldfile = getattr(instance, field)
            if fieldfile:
                discard(fieldfile.name, storage=fieldfile.storage)

    post_delete.connect(remove, sender=model, weak=False, dispatch_uid=f"files:{model._meta}")
