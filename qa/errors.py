"""Domain errors. Each message says what went wrong and how to fix it.

Only the CLI turns these into exit codes, and only app.py into gr.Error.
"""


class QAError(Exception):
    """Base class: `str(err)` is a message fit to show a user."""

    exit_code = 1


class InvalidQuestion(QAError):
    """The question is empty, too long or not text."""

    exit_code = 2


class CorpusError(QAError):
    """No readable document in the corpus folder."""

    exit_code = 3


class StaleIndex(QAError):
    """The index is missing, stale or damaged and may not be rebuilt (--no-rebuild)."""

    exit_code = 4


class ModelError(QAError):
    """The configured embedding model cannot be loaded."""

    exit_code = 2


class ExportError(QAError):
    """The bundled model cannot be exported."""

    exit_code = 2


class ConfigError(QAError, ValueError):
    """A QA_* setting (or the place it points to) cannot be used."""

    exit_code = 2


class IndexFolderError(QAError):
    """The index folder cannot be created or written (a file, read-only, a full disk)."""

    exit_code = 2
