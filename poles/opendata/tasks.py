"""Background work: applying a large file (the H2020 extract…) takes longer than a page may wait."""

from django_tasks import task


@task()
def run_import_task(run_id: int) -> str:
    """Check or apply one uploaded import; returns its final status."""
    from .services import execute

    return execute(run_id)
