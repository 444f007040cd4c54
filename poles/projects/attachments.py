"""What a proposal attachment must be before anything is stored: a real PDF, of a sensible size.

A file is accepted only if its name ends in .pdf, the browser declares it a PDF, it starts with the
PDF signature and the PDF engine can open it: a text or executable renamed .pdf is refused.
Nothing touches the disk or the database before every check has passed.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_BYTES = 10 * 1024 * 1024  # 10 MB: a technical annex, not a video
PDF_CONTENT_TYPES = ("application/pdf", "application/x-pdf")
PDF_SIGNATURE = re.compile(rb"^%PDF-[12]\.\d")


def clean_name(name: str) -> str:
    """A file name safe to show and to send back in a header: no path, no control characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?')
    return base.strip()[:200] or "document.pdf"


def read_checked(uploaded) -> tuple[bytes, str]:
    """The file's bytes and SHA-256 once it passed every check; ValidationError (FR/EN) otherwise."""
    name = clean_name(getattr(uploaded, "name", ""))
    size = getattr(uploaded, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s MB; attachments are limited to %(max)s MB."),
            code="too_large",
            params={"size": f"{size / 1048576:.1f}", "max": MAX_BYTES // 1048576},
        )
    if not name.lower().endswith(".pdf"):
        raise ValidationError(_("Only PDF files (.pdf) can be attached."), code="not_pdf")
    content_type = (getattr(uploaded, "content_type", "") or "").split(";")[0].strip().lower()
    if content_type not in PDF_CONTENT_TYPES:
        raise ValidationError(
            _("The file is declared as %(type)s, not as a PDF."),
            code="not_pdf",
            params={"type": content_type or "?"},
        )
    data = b"".join(uploaded.chunks()) if hasattr(uploaded, "chunks") else uploaded.read()
    if len(data) > MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s MB; attachments are limited to %(max)s MB."),
            code="too_large",
            params={"size": f"{len(data) / 1048576:.1f}", "max": MAX_BYTES // 1048576},
        )
    if not PDF_SIGNATURE.match(data[:16]) or not _opens_as_pdf(data):
        raise ValidationError(
            _("This file is not a valid PDF document, whatever its name says."), code="not_pdf"
        )
    return data, hashlib.sha256(data).hexdigest()


def _opens_as_pdf(data: bytes) -> bool:
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:
        return False
    try:
        return len(document) >= 1
    finally:
        document.close()
