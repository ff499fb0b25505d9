"""Routes of ai, mounted at /api/v1/ai/."""

from django.urls import path

from apps.ai.questions import views

urlpatterns = [
    path("questions", views.QuestionList.as_view(), name="ai-questions"),
    path("questions/<uuid:question_id>/rerun", views.QuestionRerun.as_view(), name="ai-question-rerun"),
]
