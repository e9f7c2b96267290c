"""Framework-free modules: they import no Django, take plain inputs and return plain outputs."""
