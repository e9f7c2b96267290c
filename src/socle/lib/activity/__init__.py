"""Activity data without Django: values checked against a framework's activity items and checks
(:mod:`.values`), periods (:mod:`.periods`) and files to import (:mod:`.imports`)."""
