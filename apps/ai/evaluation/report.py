"""The evaluation's report, as text for a person and as JSON for a machine (the README documents both).

Text: a header line, one line per case (outcome, id, and the reason when it did not pass), then the score:
"Offline: 32/32 cases pass (100.0%)" or "Execution accuracy: 27/32 (84.4%)".
"""

from __future__ import annotations

import json
from typing import Any

from apps.ai.evaluation.runner import EvaluationReport

REPORT_VERSION = 1


def report_text(report: EvaluationReport) -> str:
    asked = f"model {report.model}" if report.mode == "model" else "gold SQL through the guard"
    lines = [f"ai_evaluate {report.mode}: {report.total} cases, {asked}; company {report.company_id}, "
             f"today {report.today} ({report.time_zone}), clock {report.now}"]
    width = max((len(result.id) for result in report.results), default=0)
    for result in report.results:
        # one line a case: a database's message spans several
        reason = f"  {' '.join(result.reason.split())}" if result.reason and result.outcome != "pass" else ""
        lines.append(f"{result.outcome:<8} {result.id:<{width}}{reason}".rstrip())
    counts = ", ".join(f"{count} {outcome}" for outcome, count in report.counts().items())
    score = f"{report.passed}/{report.total} ({report.accuracy:.1%})"
    lines.append(f"Execution accuracy: {score}; {counts}" if report.mode == "model"
                 else f"Offline: {score} cases pass; {counts}")
    return "\n".join(lines) + "\n"


def report_json(report: EvaluationReport) -> dict[str, Any]:
    return {
        "version": REPORT_VERSION,
        "mode": report.mode,
        "model": report.model,
        "company_id": str(report.company_id),
        "time_zone": report.time_zone,
        "today": report.today,
        "now": report.now,
        "passed": report.passed,
        "total": report.total,
        "accuracy": round(report.accuracy, 4),
        "counts": report.counts(),
        "cases": [{"id": result.id, "question": result.question, "outcome": result.outcome,
                   "reason": result.reason, "sql": result.sql, "rows": result.rows} for result in report.results],
    }


def report_json_text(report: EvaluationReport) -> str:
    return json.dumps(report_json(report), indent=2, ensure_ascii=False) + "\n"
