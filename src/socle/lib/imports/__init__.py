"""Importing existing files of answers (CSV or Excel) into a campaign: the framework-free part.

- :mod:`socle.lib.imports.files` reads a ``.csv`` or ``.xlsx`` file into a header and rows, each with its row
  number as the spreadsheet shows it, and writes tables (error reports, follow-up codes) as CSV or XLSX;
- :mod:`socle.lib.imports.mapping` describes a questionnaire's questions as an import needs them and maps the
  file's columns to questions (automatically by name and label, or as the person says);
- :mod:`socle.lib.imports.rows` turns each row's cells into raw answers, checks them with
  :class:`socle.lib.collection.answers.Questionnaire`, and collects every error with its row, column and value.

Nothing here touches the database; ``socle.imports.actions`` stores what these modules checked.
"""
