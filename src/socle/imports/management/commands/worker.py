"""`socle worker`: runs background tasks (imports) with django-tasks' database worker.

It is django-tasks-db's `db_worker` under Socle's name, with the same options (`socle worker --help`); for
example `socle worker --batch` runs what is queued and stops, `--queue-name '*'` serves every queue.
"""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker


class Command(DatabaseWorker):
    help = (
        "Runs Socle's background tasks (file imports) from the database queue; the same options as django-tasks' "
        "db_worker. Leave it running next to `socle serve`."
    )
