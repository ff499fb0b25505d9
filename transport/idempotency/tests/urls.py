"""Routes for the idempotency tests only (`@pytest.mark.urls("transport.idempotency.tests.urls")`)."""

from django.urls import path

from transport.idempotency.tests import views

urlpatterns = [
    path("effects", views.EffectCreate.as_view()),
    path("effects/<slug:tag>", views.EffectCreate.as_view()),
    path("effects-optional", views.OptionalKeyEffectCreate.as_view()),
    path("effects-gated", views.GatedEffectCreate.as_view()),
    path("effects-exploding", views.ExplodingEffectCreate.as_view()),
    path("effects-unavailable", views.UnavailableEffectCreate.as_view()),
    path("effects-limited", views.LimitedEffectCreate.as_view()),
    path("no-content", views.NoContent.as_view()),
    path("streamed", views.StreamedEffectCreate.as_view()),
    path("effects-function", views.effect_function),
    path("atomic-effects", views.AtomicEffectCreate.as_view()),
    path("atomic-effects-gated", views.AtomicGatedEffectCreate.as_view()),
    path("atomic-effects-unavailable", views.AtomicUnavailableEffectCreate.as_view()),
    path("effects-viewset/bulk", views.EffectViewSet.as_view({"post": "bulk"})),
]
