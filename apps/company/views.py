"""HTTP endpoints of company under /api/v1/company/: thin adapters from requests to services and selectors.

Lists hold only the caller's companies' rows (paginated); another tenant's id answers 404.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action, api_view, authentication_classes, permission_classes
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import ModelSerializer, Serializer

from apps.company import gtfs, selectors
from apps.company import serializers as s
from apps.company.models import Company
from apps.company.services import companies, fleet, network, rosters, schedules, trips
from transport.errors import NotFound, ValidationFailed
from transport.http.idempotency import idempotent
from transport.http.principal import principal_of
from transport.http.serializers import validated
from transport.principal import Principal


def _crud_schema(out: type[Serializer], create_in: type[Serializer] | None, change_in: type[Serializer] | None,
                 name: str) -> Callable:
    operations = {
        "list": extend_schema(responses=out, summary=f"List {name}s", parameters=[
            OpenApiParameter("company_id", OpenApiTypes.UUID, description="Only this company's rows")]),
        "retrieve": extend_schema(responses=out, summary=f"Get a {name}"),
    }
    if create_in is not None:
        operations["create"] = extend_schema(request=create_in, responses={201: out}, summary=f"Create a {name}")
    if change_in is not None:
        operations["partial_update"] = extend_schema(request=change_in, responses=out, summary=f"Change a {name}")
        operations["destroy"] = extend_schema(responses={204: None}, summary=f"Delete a {name}")
    return extend_schema_view(**operations)


class ScopedViewSet(viewsets.GenericViewSet):
    """list / retrieve from a selector; create / partial_update / destroy through services."""

    out: ClassVar[type[ModelSerializer[Any]]]
    create_in: ClassVar[type[Serializer[Any]] | None] = None
    change_in: ClassVar[type[Serializer[Any]] | None] = None
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    lookup_value_converter = "uuid"  # so pk arrives as a UUID
    company_lookup = "company_id"  # the ?company_id= filter of lists

    # subclasses define selector, and the write hooks of the methods their http_method_names allow
    def selector(self, principal: Principal) -> QuerySet[Any]:
        raise NotImplementedError

    def create_row(self, principal: Principal, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def change_row(self, principal: Principal, pk: uuid.UUID, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def delete_row(self, principal: Principal, pk: uuid.UUID) -> None:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no caller
            model: type[Model] = self.out.Meta.model
            return model._default_manager.none()
        return self.selector(principal_of(self.request))

    def get_serializer_class(self):
        return self.out

    def _get(self, pk) -> Any:
        try:
            found = self.get_queryset().filter(pk=pk).first()
        except ValidationError:  # not a uuid: no such row
            found = None
        if found is None:
            raise NotFound()
        return found

    def list(self, request: Request) -> Response:
        rows = self.get_queryset()
        company = request.query_params.get("company_id")
        if company:
            try:
                rows = rows.filter(**{self.company_lookup: uuid.UUID(company)})
            except ValueError:
                raise ValidationFailed("company_id is not a uuid.", fields={"company_id": ["Not a uuid."]}) from None
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.out(page, many=True).data)

    def retrieve(self, request: Request, pk: uuid.UUID) -> Response:
        return Response(self.out(self._get(pk)).data)

    @idempotent(required=False)  # a client that retries a create after a timeout sends a key to make it once
    def create(self, request: Request) -> Response:
        if self.create_in is None:  # not routed: only a viewset that takes creates allows POST
            raise MethodNotAllowed("POST")
        row = self.create_row(principal_of(request), validated(self.create_in, request.data))
        # read back for the related rows the output shows; a new company is not yet in the caller's principal
        found = self.get_queryset().filter(pk=row.pk).first() or row
        return Response(self.out(found).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: uuid.UUID) -> Response:
        if self.change_in is None:  # not routed: only a viewset that takes changes allows PATCH
            raise MethodNotAllowed("PATCH")
        self._get(pk)  # another tenant's row is a 404 before any complaint about the body
        row = self.change_row(principal_of(request), pk, validated(self.change_in, request.data))
        return Response(self.out(self._get(row.pk)).data)

    def destroy(self, request: Request, pk: uuid.UUID) -> Response:
        self.delete_row(principal_of(request), pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


@_crud_schema(s.CompanyOut, s.CompanyIn, None, "company")
@extend_schema_view(partial_update=extend_schema(request=s.CompanyChange, responses=s.CompanyOut,
                                                 summary="Change a company's profile and settings"))
class CompanyViewSet(ScopedViewSet):
    out, create_in, change_in = s.CompanyOut, s.CompanyIn, s.CompanyChange
    company_lookup = "id"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def selector(self, principal):
        return selectors.companies(principal=principal)

    def create_row(self, principal, data):
        return companies.company_create(principal=principal, **data)

    def change_row(self, principal, pk, data):
        return companies.company_update(principal=principal, company_id=pk, **data)


@_crud_schema(s.LayoutOut, s.LayoutIn, s.LayoutChange, "seat layout")
class LayoutViewSet(ScopedViewSet):
    out, create_in, change_in = s.LayoutOut, s.LayoutIn, s.LayoutChange

    def selector(self, principal):
        return selectors.layouts(principal=principal)

    def create_row(self, principal, data):
        return fleet.layout_create(principal=principal, **data)

    def change_row(self, principal, pk, data):
        return fleet.layout_update(principal=principal, layout_id=pk, **data)

    def delete_row(self, principal, pk):
        fleet.layout_delete(principal=principal, layout_id=pk)


@_crud_schema(s.BusOut, s.BusIn, s.BusChange, "bus")
class BusViewSet(ScopedViewSet):
    out, create_in, change_in = s.BusOut, s.BusIn, s.BusChange

    def selector(self, principal):
        return selectors.buses(principal=principal)

    def create_row(self, principal, data):
        return fleet.bus_create(principal=principal, **data)

    def change_row(self, principal, pk, data):
        return fleet.bus_update(principal=principal, bus_id=pk, **data)

    def delete_row(self, principal, pk):
        fleet.bus_delete(principal=principal, bus_id=pk)


@_crud_schema(s.StopOut, s.StopIn, s.StopChange, "stop")
class StopViewSet(ScopedViewSet):
    out, create_in, change_in = s.StopOut, s.StopIn, s.StopChange

    def selector(self, principal):
        return selectors.stops(principal=principal)

    def create_row(self, principal, data):
        return network.stop_create(principal=principal, **data)

    def change_row(self, principal, pk, data):
        return network.stop_update(principal=principal, stop_id=pk, **data)

    def delete_row(self, principal, pk):
        network.stop_delete(principal=principal, stop_id=pk)


@_crud_schema(s.RouteOut, s.RouteIn, s.RouteChange, "route")
class RouteViewSet(ScopedViewSet):
    out, create_in, change_in = s.RouteOut, s.RouteIn, s.RouteChange

    def selector(self, principal):
        return selectors.routes(principal=principal)

    def create_row(self, principal, data):
        return network.route_create(principal=principal, **data)

    def change_row(self, principal, pk, data):
        return network.route_update(principal=principal, route_id=pk, **data)

    def delete_row(self, principal, pk):
        network.route_delete(principal=principal, route_id=pk)


@_crud_schema(s.ScheduleOut, s.ScheduleIn, s.ScheduleChange, "schedule")
@extend_schema_view(destroy=extend_schema(responses={204: None},
                                          summary="Deactivate a schedule (its trips already made stay)"))
class ScheduleViewSet(ScopedViewSet):
    out, create_in, change_in = s.ScheduleOut, s.ScheduleIn, s.ScheduleChange
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def selector(self, principal):
        return selectors.schedules(principal=principal)

    def create_row(self, principal, data):
        return schedules.schedule_create(principal=principal, **data)

    def change_row(self, principal, pk, data):
        return schedules.schedule_update(principal=principal, schedule_id=pk, **data)

    def delete_row(self, principal, pk):
        schedules.schedule_update(principal=principal, schedule_id=pk, is_active=False)

    @extend_schema(request=s.ScheduleExceptionIn, responses={201: s.ScheduleOut},
                   summary="Add an exception date (no service, or an extra departure)")
    @action(detail=True, methods=["post"], url_path="exceptions")
    def add_exception(self, request: Request, pk: uuid.UUID) -> Response:
        self._get(pk)
        schedules.schedule_exception_add(principal=principal_of(request), schedule_id=pk,
                                         **validated(s.ScheduleExceptionIn, request.data))
        return Response(self.out(self._get(pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None}, summary="Remove an exception date")
    @action(detail=True, methods=["delete"], url_path="exceptions/<int:exception_id>")
    def remove_exception(self, request: Request, pk: uuid.UUID, exception_id: int) -> Response:
        schedules.schedule_exception_remove(principal=principal_of(request), schedule_id=pk,
                                            exception_id=int(exception_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


@_crud_schema(s.TripOut, s.TripIn, None, "trip")
class TripViewSet(ScopedViewSet):
    out, create_in = s.TripOut, s.TripIn
    http_method_names = ["get", "post", "head", "options"]

    def selector(self, principal):
        return selectors.trips(principal=principal)

    def create_row(self, principal, data):
        return trips.trip_create(principal=principal, **data)

    def _done(self, pk) -> Response:
        return Response(self.out(self._get(pk)).data)

    @extend_schema(request=s.TripCancelIn, responses=s.TripOut, summary="Cancel a trip")
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: uuid.UUID) -> Response:
        self._get(pk)
        trips.trip_cancel(principal=principal_of(request), trip_id=pk, **validated(s.TripCancelIn, request.data))
        return self._done(pk)

    @extend_schema(request=s.TripDelayIn, responses=s.TripOut, summary="Announce a delay (0 clears it)")
    @action(detail=True, methods=["post"])
    def delay(self, request: Request, pk: uuid.UUID) -> Response:
        self._get(pk)
        trips.trip_delay(principal=principal_of(request), trip_id=pk, **validated(s.TripDelayIn, request.data))
        return self._done(pk)

    @extend_schema(request=s.TripBusIn, responses=s.TripOut, summary="Swap the trip's bus")
    @action(detail=True, methods=["post"])
    def bus(self, request: Request, pk: uuid.UUID) -> Response:
        self._get(pk)
        trips.trip_change_bus(principal=principal_of(request), trip_id=pk, **validated(s.TripBusIn, request.data))
        return self._done(pk)

    @extend_schema(request=s.TripMoveIn, responses=s.TripOut, summary="Board, depart or arrive")
    @action(detail=True, methods=["post"])
    def status(self, request: Request, pk: uuid.UUID) -> Response:
        self._get(pk)
        trips.trip_move(principal=principal_of(request), trip_id=pk, **validated(s.TripMoveIn, request.data))
        return self._done(pk)


@_crud_schema(s.AssignmentOut, s.AssignmentIn, None, "driver assignment")
@extend_schema_view(destroy=extend_schema(responses={204: None}, summary="Take the driver off the trip"))
class AssignmentViewSet(ScopedViewSet):
    out, create_in = s.AssignmentOut, s.AssignmentIn
    http_method_names = ["get", "post", "delete", "head", "options"]

    def selector(self, principal):
        return selectors.assignments(principal=principal)

    def create_row(self, principal, data):
        return rosters.assignment_create(principal=principal, **data)

    def delete_row(self, principal, pk):
        rosters.assignment_remove(principal=principal, assignment_id=pk)


@extend_schema(responses={(200, "application/zip"): bytes}, summary="The company's static GTFS feed")
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def gtfs_feed(request: Request, slug: str) -> HttpResponse:
    company = get_object_or_404(Company, slug=slug)
    feed = gtfs.feed_zip(company_id=company.id, fallback_url=request.build_absolute_uri("/"))
    response = HttpResponse(feed, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{company.slug}-gtfs.zip"'
    return response
