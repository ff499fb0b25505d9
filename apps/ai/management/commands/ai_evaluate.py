"""`manage.py ai_evaluate [--model] [--json FILE] [--rebuild | --in-place] [--cases FILE]`: the questions'
evaluation set (apps/ai/evaluation): offline, the gold SQL through the guard; with --model, the configured model's
execution accuracy. The report format is in the README ("Questions in plain language")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.ai.evaluation.cases import CASES_FILE, CasesInvalid, evaluation_set
from apps.ai.evaluation.company import EvaluationDataStale, evaluation_company
from apps.ai.evaluation.database import evaluation_database
from apps.ai.evaluation.report import report_json_text, report_text
from apps.ai.evaluation.runner import model_evaluation, offline_evaluation


class Command(BaseCommand):
    help = ("Evaluate the questions: each case's gold SQL through the guard (offline, the default; exit status 1 "
            "if any case fails), or with --model the configured model's execution accuracy.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--model", action="store_true",
                            help="Ask the configured model (GEMINI_API_KEY, GEMINI_MODEL, GEMINI_BASE_URL).")
        parser.add_argument("--json", metavar="FILE", type=Path, help="Write the report as JSON to FILE too.")
        parser.add_argument("--cases", metavar="FILE", type=Path, default=CASES_FILE, help="The evaluation set.")
        where = parser.add_mutually_exclusive_group()
        where.add_argument("--rebuild", action="store_true",
                           help="Drop and recreate the evaluation database (after the demo history changed).")
        where.add_argument("--in-place", action="store_true",
                           help="Use the configured database itself (a throwaway one, as the test suite's).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["model"] and not settings.GEMINI_API_KEY:
            raise CommandError("--model needs GEMINI_API_KEY (or GEMINI_BASE_URL and the key of an emulator).")
        try:
            evaluation = evaluation_set(options["cases"])
        except CasesInvalid as exc:
            raise CommandError(str(exc)) from exc
        if not options["in_place"]:
            name = evaluation_database(rebuild=options["rebuild"])
            self.stderr.write(f"Evaluation database: {name}")
        try:
            company_id = evaluation_company(evaluation)
        except EvaluationDataStale as exc:
            raise CommandError(f"{exc} (--rebuild)") from exc
        run = model_evaluation if options["model"] else offline_evaluation
        report = run(evaluation, company_id=company_id)
        self.stdout.write(report_text(report), ending="")
        if options["json"]:
            options["json"].write_text(report_json_text(report), encoding="utf-8")
        if report.mode == "offline" and report.passed != report.total:
            raise CommandError(f"{report.total - report.passed} case(s) of {report.total} did not pass.",
                               returncode=1)
