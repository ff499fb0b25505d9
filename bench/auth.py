"""How much authentication costs: requests per second of one trivial DRF endpoint, anonymous, with a
bearer JWT and with a device credential, in one run, and the ratio (aim: authentication costs < 15%).

    python bench/auth.py [seconds per round]

In-process (Django's test client, the full middleware stack, the real database and Redis), so the
figures isolate our work per request from any HTTP server. Creates a throwaway user and device and
deletes them afterwards (their security-log rows stay: the log is append-only).
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import path  # noqa: E402
from rest_framework.permissions import AllowAny  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

from apps.auth import api  # noqa: E402
from apps.auth.models import User  # noqa: E402
from apps.auth.services import devices, members  # noqa: E402
from apps.auth.services.sessions import access_token_for  # noqa: E402

ROUNDS = 3


class Trivial(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"kind": str(request.auth.kind) if request.auth else "anonymous"})


urlpatterns = [path("bench/trivial", Trivial.as_view())]


def rate(client: Client, headers: dict, seconds: float) -> float:
    count, deadline = 0, time.perf_counter() + seconds
    started = time.perf_counter()
    while time.perf_counter() < deadline:
        response = client.get("/bench/trivial", **headers)
        assert response.status_code == 200, response.content
        count += 1
    return count / (time.perf_counter() - started)


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    call_command("migrate", verbosity=0)
    company_id = uuid.uuid4()
    user = User.objects.create_user(email=f"bench-{uuid.uuid4().hex[:8]}@bench.invalid", password=uuid.uuid4().hex)
    try:
        members.membership_grant(company_id=company_id, user_id=user.pk, roles=["company_admin", "agent"],
                                 actor_id=None)
        credential = devices.device_register(principal=api.principal_for_user(user_id=user.pk),
                                             company_id=company_id, user_id=user.pk, role="agent",
                                             name="bench").credential
        variants = {
            "anonymous": {},
            "bearer JWT": {"HTTP_AUTHORIZATION": f"Bearer {access_token_for(user)}"},
            "device": {"HTTP_AUTHORIZATION": f"Device {credential}"},
        }
        client = Client()
        with override_settings(ROOT_URLCONF=__name__):
            for headers in variants.values():
                rate(client, headers, 0.3)  # warm up connections and caches
            best = dict.fromkeys(variants, 0.0)
            for _ in range(ROUNDS):  # interleaved rounds, best of each, so drift hits all alike
                for name, headers in variants.items():
                    best[name] = max(best[name], rate(client, headers, seconds))
    finally:
        user.delete()

    base = best["anonymous"]
    print(f"auth bench: trivial DRF endpoint, in-process, best of {ROUNDS} x {seconds:.1f}s")
    for name, value in best.items():
        cost = 1 - value / base
        print(f"  {name:<11} {value:8.0f} req/s   ratio {value / base:5.2f}   authentication cost {cost:6.1%}")


if __name__ == "__main__":
    main()
