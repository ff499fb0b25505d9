"""ai's permissions and the identity roles that bundle them (added after every migrate)."""

from __future__ import annotations

from apps.auth import api as auth_api

ASK_QUESTIONS = "ai.ask_questions"
VIEW_QUESTION = "ai.view_question"  # the Django admin's question log, narrowed to the member's companies

ROLE_GRANTS: dict[str, list[str]] = {
    "platform_admin": [VIEW_QUESTION],
    "company_admin": [ASK_QUESTIONS, VIEW_QUESTION],
    "dispatcher": [ASK_QUESTIONS, VIEW_QUESTION],
}


def grant_role_permissions(**_kwargs: object) -> None:
    auth_api.roles_grant_permissions(grants=ROLE_GRANTS)
