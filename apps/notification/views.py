"""A passenger's message preferences."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.notification.serializers import PreferenceIn, PreferenceOut
from apps.notification.services import preferences
from transport.http.principal import principal_of
from transport.http.serializers import validated


class MyPreferences(APIView):
    @extend_schema(responses=PreferenceOut, summary="My message preferences")
    def get(self, request: Request) -> Response:
        return Response(PreferenceOut(preferences.preference_of(principal=principal_of(request))).data)

    @extend_schema(request=PreferenceIn, responses=PreferenceOut,
                   summary="Change my message language, or opt out of non-essential messages")
    def patch(self, request: Request) -> Response:
        values = validated(PreferenceIn, request.data)
        changed = preferences.preference_set(principal=principal_of(request), language=values.get("language"),
                                             opted_out=values.get("opted_out"))
        return Response(PreferenceOut(changed).data)
