"""報告書QA: exact figures and cited passages from a Japanese prefectural report."""

__version__ = "0.1.0"
