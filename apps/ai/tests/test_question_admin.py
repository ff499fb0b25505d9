"""Django admin: the question log is read only; the platform admin sees every company's questions, a company's
staff only theirs."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from apps.ai.models import Question
from tests.worlds.payment import make_platform_admin

pytestmark = pytest.mark.django_db

LIST = "/admin/ai/question/"


def _staff(user):
    get_user_model().objects.filter(pk=user.pk).update(is_staff=True)
    return get_user_model().objects.get(pk=user.pk)


def _question(company, text: str) -> Question:
    return Question.objects.create(company_id=company.company_id, user_id=company.world.users["dispatcher"].pk,
                                   question=text, language="en", sql_run="SELECT 1 LIMIT 500",
                                   decision="answered", row_count=1, duration_ms=12)


def test_the_platform_admin_sees_every_question_and_company_staff_only_theirs(client, ours, theirs):
    mine, other = _question(ours, "Mine?"), _question(theirs, "Theirs?")

    client.force_login(make_platform_admin())
    everything = client.get(LIST)
    client.force_login(_staff(ours.world.users["company_admin"]))
    theirs_only = client.get(LIST)
    foreign_page = client.get(f"{LIST}{other.pk}/change/")

    assert set(everything.context["cl"].queryset) == {mine, other}
    assert list(theirs_only.context["cl"].queryset) == [mine]
    assert foreign_page.status_code == 302


def test_nobody_writes_the_log_through_the_admin(client, ours):
    entry = _question(ours, "Mine?")
    client.force_login(make_platform_admin())

    assert client.get(f"{LIST}add/").status_code == 403
    assert client.post(f"{LIST}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Question.objects.filter(pk=entry.pk).exists()
