"""Write a company's static GTFS feed to a zip file: `manage.py export_gtfs <slug> <path>`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.company import gtfs
from apps.company.models import Company


class Command(BaseCommand):
    help = "Export a company's static GTFS feed (agency, stops, routes, trips, stop_times, calendar...) as a zip."

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug")
        parser.add_argument("path")
        parser.add_argument("--url", default="http://localhost:8000/",
                            help="agency_url when the company has no website")

    def handle(self, *args, slug: str, path: str, url: str, **options) -> None:
        company = Company.objects.filter(slug=slug).first()
        if company is None:
            raise CommandError(f"No company with slug {slug!r}.")
        data = gtfs.feed_zip(company_id=company.id, fallback_url=url)
        Path(path).write_bytes(data)
        self.stdout.write(f"Wrote {len(data)} bytes to {path}")
