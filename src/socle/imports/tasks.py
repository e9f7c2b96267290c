"""The background task of imports: `socle worker` (django-tasks' database worker) runs it.

The task gets the job's primary key only; the job row holds the file and the mapping. Running a job that is not
queued does nothing, so a task delivered twice imports once.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task

from socle.imports.actions import run_job


@task()
def run_import(job_id: int) -> dict[str, Any]:
    return run_job(job_id)
