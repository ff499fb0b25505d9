"""The questions' evaluation set (cases.toml) and its runner: offline, the gold SQL through the guard gives the
expected rows; with a model, the model's SQL gives the gold SQL's rows (execution accuracy). `manage.py
ai_evaluate` runs it; the README ("Questions in plain language") documents its report."""
