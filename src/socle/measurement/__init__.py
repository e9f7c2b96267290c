"""Measurement: facts (the sufficient statistics per indicator, establishment, campaign, wave and breakdown),
kept up to date as answers and activity data arrive, rebuilt from raw data by ``socle rebuild_facts``, and the
reads that turn them into estimates (see ``docs/measurement.md``, "Facts")."""
