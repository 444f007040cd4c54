"""Background work: an evaluation run can take minutes on a national panel, so a worker runs it.

Start a worker with `poles db_worker` (django-tasks' database backend); tests and `DEBUG` set-ups may use
the immediate backend, which runs the task inside `enqueue`.
"""

from django_tasks import task


@task()
def run_evaluation_task(run_id: int) -> str:
    """Compute and store one evaluation run; returns its final status."""
    from .services import execute

    return execute(run_id)
