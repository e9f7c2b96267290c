"""Framework documents (référentiels): reading, checking, merging, comparing, and their expression language.

No Django here. `document` reads and writes files, `validate` checks a document's meaning, `merge` builds an
organisation's effective framework, `diff` compares two versions, `expressions` is the XLSForm-style language of
relevance, constraints, scores and indicator conditions, `xlsform` reads and writes XLSForm questionnaires.
"""
