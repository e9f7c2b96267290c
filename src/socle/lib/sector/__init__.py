"""Framework-free computation for sector figures (issue 6): weighting and coverage against the frame
(``weighting``), disclosure control for everything that leaves an organisation (``disclosure``), avoided costs
(``avoided_costs``). No Django import; checked by ``mypy --strict``."""
