"""Attachments: real PDFs only, 10 MB at most, nothing stored on refusal, stored outside the web root
and served only to those who may read the proposal in full."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from poles.projects import attachments, services
from poles.projects.models import Attachment
from tests.projects.factories import build_proposal


def real_pdf(text: str = "Annexe technique") -> bytes:
    """A one-page PDF made by the PDF engine itself."""
    import pypdfium2

    document = pypdfium2.PdfDocument.new()
    document.new_page(595, 842)
    buffer = io.BytesIO()
    document.save(buffer)
    document.close()
    return buffer.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return settings.MEDIA_ROOT


def _upload(data: bytes, name="annexe.pdf", content_type="application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_real_pdf_is_stored_under_media_root_and_fingerprinted(users, open_call, media):
    project = build_proposal(users, open_call, submit=False)
    data = real_pdf()
    attachment = services.add_attachment(project, _upload(data), "technical", actor=users["member"])
    stored = Path(attachment.file.path)
    assert stored.read_bytes() == data and media in stored.parents
    assert attachment.size == len(data) and attachment.content_type == "application/pdf"
    assert len(attachment.sha256) == 64 and attachment.name == "annexe.pdf"
    static_root = Path(settings.STATIC_ROOT)
    assert static_root not in stored.parents  # never served as a static file


@pytest.mark.parametrize(
    "data, name, content_type, fragment",
    [
        (b"MZ\x90\x00 an executable renamed", "annexe.pdf", "application/pdf", "not a valid PDF"),
        (b"Just some text, honestly a PDF", "annexe.pdf", "application/pdf", "not a valid PDF"),
        (b"%PDF-1.7\nbut nothing a PDF engine can open", "annexe.pdf", "application/pdf", "not a valid PDF"),
        (None, "annexe.docx", "application/pdf", "Only PDF files"),
        (None, "annexe.pdf", "text/html", "declared as text/html"),
    ],
)
def test_anything_but_a_pdf_is_refused_and_nothing_is_stored(
    data, name, content_type, fragment, users, open_call, media
):
    project = build_proposal(users, open_call, submit=False)
    version = project.version
    with pytest.raises(ValidationError) as caught:
        services.add_attachment(
            project, _upload(data or real_pdf(), name, content_type), "technical", actor=users["member"]
        )
    assert fragment in " ".join(caught.value.messages)
    assert not Attachment.objects.filter(project=project).exists()
    assert _files(media) == []
    project.refresh_from_db()
    assert project.version == version


def test_too_large_is_refused_and_nothing_is_stored(users, open_call, media):
    project = build_proposal(users, open_call, submit=False)
    data = real_pdf() + b"%" + b"0" * attachments.MAX_BYTES
    with pytest.raises(ValidationError) as caught:
        services.add_attachment(project, _upload(data), "technical", actor=users["member"])
    assert "limited to 10 MB" in " ".join(caught.value.messages)
    assert _files(media) == [] and not Attachment.objects.exists()


def test_the_refusal_speaks_french(users, open_call, media):
    from django.utils import translation

    project = build_proposal(users, open_call, submit=False)
    with pytest.raises(ValidationError) as caught:
        services.add_attachment(project, _upload(b"hello", "a.pdf"), "technical", actor=users["member"])
    with translation.override("fr"):  # the message is rendered in the reader's language when read
        assert "n'est pas un document PDF valide" in " ".join(caught.value.messages)


def test_documents_are_attached_only_while_the_proposal_is_drafted(users, open_call, media):
    project = build_proposal(users, open_call)
    with pytest.raises(ValidationError):
        services.add_attachment(project, _upload(real_pdf()), "technical", actor=users["member"])
    assert _files(media) == []


def test_the_upload_page_refuses_a_renamed_file_and_keeps_nothing(users, open_call, media, client_for):
    project = build_proposal(users, open_call, submit=False)
    client = client_for(users["member"])
    url = reverse("projects:attachments", args=[project.pk])
    response = client.post(
        url, {"kind": "technical", "version": project.version, "file": _upload(b"not a pdf at all")}
    )
    assert response.status_code == 400
    assert "not a valid PDF" in response.content.decode()
    assert _files(media) == []
    response = client.post(
        url, {"kind": "financial", "version": project.version, "file": _upload(real_pdf())}
    )
    assert response.status_code == 302
    assert Attachment.objects.get(project=project).kind == "financial"


def test_download_needs_the_right_to_read_the_proposal_in_full(users, open_call, media, client_for):
    project = build_proposal(users, open_call, submit=False)
    data = real_pdf()
    attachment = services.add_attachment(project, _upload(data), "technical", actor=users["member"])
    url = reverse("projects:attachment", args=[project.pk, attachment.pk])
    response = client_for(users["member"]).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "application/pdf" and "attachment" in response["Content-Disposition"]
    assert client_for(users["officer"]).get(url).status_code == 200
    for role in (
        "anonymous",
        "cluster",
        "funder",
        "reviewer",
        "analyst",
    ):  # a draft: only consortium and officers
        assert client_for(users[role]).get(url).status_code == 404, role


def test_removing_a_document_deletes_its_file_after_the_commit(
    users, open_call, media, django_capture_on_commit_callbacks
):
    project = build_proposal(users, open_call, submit=False)
    attachment = services.add_attachment(project, _upload(real_pdf()), "technical", actor=users["member"])
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_attachment(attachment, actor=users["member"])
    assert _files(media) == [] and not Attachment.objects.exists()
