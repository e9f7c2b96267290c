"""The background task of advocacy reports: `socle worker` (django-tasks' database worker) runs it.

The task gets the job's primary key only; the job row holds the publication, région and language. Running a job
that is not queued does nothing, so a task delivered twice renders once.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task

from socle.sector.report import run_report


@task()
def render_report(job_id: int) -> dict[str, Any]:
    return run_report(job_id)
