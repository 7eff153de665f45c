"""Tools around the question-answering pipeline, not stages of it: nothing in `qa/` imports them.

- `export_model.py`: `python -m qa export-model DIR` writes the bundled model as a sentence-transformers
  folder (needs the `[export]` extra: `pip install -e ".[export]"`).
"""
