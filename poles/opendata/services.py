"""Imports started from the pages: store the upload, run it in the background, keep the report."""

from __future__ import annotations

from django.db import transaction
from django.utils import translation

from .importers import run_import
from .models import ImportRun


def start_import(user, kind: str, upload, second_upload=None, *, dry_run: bool = True) -> ImportRun:
    """Store the file(s) and queue the run; the report page follows it."""
    run = ImportRun.objects.create(
        kind=kind, dry_run=dry_run, file_name=upload.name[:255], data=upload.read(), created_by=user,
        second_file_name=second_upload.name[:255] if second_upload else "",
        second_data=second_upload.read() if second_upload else None,
    )  # fmt: skip
    _enqueue(run)
    return run


def apply_checked(user, checked: ImportRun) -> ImportRun:
    """Apply a file that a dry run accepted (the same bytes, checked again inside the transaction)."""
    run = ImportRun.objects.create(
        kind=checked.kind, dry_run=False, file_name=checked.file_name, data=checked.data, created_by=user,
        second_file_name=checked.second_file_name, second_data=checked.second_data, checked_run=checked,
    )  # fmt: skip
    _enqueue(run)
    return run


def _enqueue(run: ImportRun) -> None:
    from .tasks import run_import_task

    # Queued after the row is committed: a database worker may pick the task up at once.
    transaction.on_commit(lambda: run_import_task.enqueue(run.pk))


def execute(run_id: int) -> str:
    """Run one import; the report keeps every error message in French and English."""
    run = ImportRun.objects.get(pk=run_id)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING)
    if run.kind == ImportRun.Kind.CORDIS:
        files = {"projects": bytes(run.data), "organizations": bytes(run.second_data or b"")}
        names = {"projects": run.file_name, "organizations": run.second_file_name}
    else:
        files, names = {"file": bytes(run.data)}, {"file": run.file_name}
    try:
        result = run_import(run.kind, files, names=names, dry_run=run.dry_run, actor=run.created_by)
    except Exception as exc:  # noqa: BLE001 — the report says it failed; the transaction rolled back
        run.status, run.result = ImportRun.Status.FAILED, {"exception": type(exc).__name__}
        run.save(update_fields=["status", "result", "updated_at"])
        return run.status
    report = result.as_dict()
    for error, raw in zip(report["errors"], result.errors, strict=True):
        messages = {}
        for language in ("en", "fr"):
            with translation.override(language):
                messages[language] = raw.text()
        error["message"] = messages
    run.result = report
    if result.rejected:
        run.status = ImportRun.Status.REJECTED
    else:
        run.status = ImportRun.Status.CHECKED if run.dry_run else ImportRun.Status.APPLIED
    run.save(update_fields=["status", "result", "updated_at"])
    return run.status
