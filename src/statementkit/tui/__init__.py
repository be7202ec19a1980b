"""The triage terminal UI (`statementkit triage DB`), built on textual.

`app.TriageApp` is the application; `render` holds the rich renderings the
CLI shares. Importing this package does not import textual.
"""
