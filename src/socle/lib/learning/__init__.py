"""Framework-free parts of the learning paths: the path document (checked), quiz scoring, safe Markdown."""
