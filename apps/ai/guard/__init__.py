"""The SQL guard: what a question's SQL must be to run (checks.py), and how it runs (executor.py).

Layers, none enough alone: this parse and its allow-lists; a read-only transaction with a statement timeout;
the reporting role that may read only the reporting views; the views' own binding to the asking company.
"""
