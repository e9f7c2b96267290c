"""``python -m socle.benchmarks.rebuild_child '[1, 2]'``: rebuilds the facts of these organisations in a process of
its own and prints, as JSON, the rebuild's time and the process's peak resident memory (``ru_maxrss``: the whole
process — interpreter, Django, driver and the rebuild — not only Python objects). The sector benchmark runs it
with ``SOCLE_DATABASE_URL`` pointing at its test database."""

from __future__ import annotations

import json
import os
import resource
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socle.settings")
    import django

    django.setup()
    from socle.measurement.actions import rebuild

    organisation_ids = [int(pk) for pk in json.loads(sys.argv[1])]
    chunk_size = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    outcome = rebuild(organisation_ids, chunk_size=chunk_size)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": outcome.seconds,
                "submissions": outcome.submissions,
                "facts": outcome.facts,
                "organisations": outcome.organisations,
                "rss_before_mib": before / 1024,
                "peak_rss_mib": peak / 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
