"""Uploads live outside the web root and are reached only through permission-checked views.

The type (PDF signature + the PDF engine opening it, not the extension), size and permission
checks of attachments are tested in tests/projects/test_attachments.py; this file checks where
the files live and that no URL serves that folder directly.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve, reverse

from tests.projects.factories import build_proposal, make_call
from tests.projects.test_attachments import real_pdf


def _inside(child: Path, parent: Path) -> bool:
    return child.resolve().is_relative_to(parent.resolve())


def test_uploads_are_outside_the_static_and_code_folders():
    media = Path(settings.MEDIA_ROOT)
    for web_root in [Path(settings.STATIC_ROOT), *map(Path, settings.STATICFILES_DIRS)]:
        assert not _inside(media, web_root) and not _inside(web_root, media)
    assert not _inside(media, Path(settings.BASE_DIR) / "poles")


@pytest.mark.parametrize(
    "path", ["/media/attachments/x.pdf", "/uploads/x.pdf", "/static/../var/uploads/x.pdf"]
)
def test_no_url_serves_the_upload_folder(path, client, db):
    try:
        match = resolve(path)
    except Resolver404:
        match = None
    assert match is None or match.url_name not in {"serve", "static"}
    assert client.get(path).status_code == 404


def test_a_stored_attachment_is_not_reachable_by_its_path(users, client_for, settings, tmp_path):
    from poles.projects import services

    settings.MEDIA_ROOT = tmp_path
    call = make_call(users["officer"])
    project = build_proposal(users, call, submit=False)
    upload = SimpleUploadedFile("annexe.pdf", real_pdf(), content_type="application/pdf")
    attachment = services.add_attachment(project, upload, "technical", actor=users["member"])
    stored = Path(attachment.file.path)
    assert _inside(stored, tmp_path) and stored.exists()
    owner = client_for(users["member"])
    for guess in (
        "/" + attachment.file.name,
        "/media/" + attachment.file.name,
        "/static/" + attachment.file.name,
    ):
        assert owner.get(guess).status_code == 404
    url = reverse("projects:attachment", args=[project.pk, attachment.pk])
    assert owner.get(url).status_code == 200
    assert client_for(users["funder"]).get(url).status_code == 404  # a stranger: as if absent
