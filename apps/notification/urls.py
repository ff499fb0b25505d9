from django.urls import path

from apps.notification import views

urlpatterns = [
    path("preferences", views.MyPreferences.as_view(), name="notification-preferences"),
]
