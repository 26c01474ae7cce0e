import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from booking import selectors, services
from booking.api import serializers as s
from booking.models import (
    Booking,
    BookingSeries,
    BookingStatus,
    Category,
    Closure,
    Equipment,
    EquipmentStatus,
    FeedToken,
    LabCredit,
    Line,
    OpeningHours,
)
from caiac.clock import local_date
from caiac.fields import ID_MAX, DateOrDateTimeField, IntegerField
from caiac.pagination import BoundedCountPagination
from caiac.permissions import IsClusterStaffOrReadOnly
from caiac.serializers import datetime_text

MAX_AVAILABILITY_DAYS = 62
ERRORS = {
    400: OpenApiResponse(description='Invalid: {"code", "detail", "fields"}'),
    403: OpenApiResponse(description="Not allowed"),
    404: OpenApiResponse(description="Not found (or not yours)"),
    409: OpenApiResponse(description="Conflict: slot_unavailable, invalid_state"),
}


def _choice_param(request, name: str, choices) -> str | None:
    value = request.query_params.get(name)
    if value and value not in choices:
        raise ValidationError({name: [str(_("Not a valid choice."))]})
    return value or None


def parse_range(
    data, *, max_days: int | None = None
) -> tuple[datetime.datetime, datetime.datetime]:
    query = s.AvailabilityQuerySerializer(data=data)
    query.is_valid(raise_exception=True)
    start, end = query.validated_data["start"], query.validated_data["end"]
    if end <= start:
        raise ValidationError({"end": [str(_("Must be after the start."))]})
    if max_days and end - start > datetime.timedelta(days=max_days):
        raise ValidationError(
            {"end": [str(_("At most %(days)s days at once.") % {"days": max_days})]}
        )
    return start, end


def _dry_run_query(request) -> bool:
    return request.query_params.get("dry_run", "").lower() in ("1", "true", "yes")


def change_response(change, result_serializer, *, created: bool = False) -> Response:
    """A dry run answers the bookings it would cancel; a write, the object and those it did."""
    if change.dry_run:
        body = s.AffectedBookingsSerializer({"affected_bookings": change.affected}).data
        return Response(body)
    instance = change.instance
    instance.cancelled_bookings = [b.pk for b in change.cancelled]
    return Response(
        result_serializer(instance).data,
        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
    )


DRY_RUN_DOC = (
    'With `"dry_run": true` (or `?dry_run=true`) nothing is written and the answer is 200 '
    '`{"affected_bookings": [...]}`: the live bookings this change would cancel. Without it the '
    "change is made and those bookings are cancelled in the same transaction (reason recorded, "
    "free lab hours given back, reminders dropped, each booker told); the answer lists their "
    "ids in `cancelled_bookings`."
)
DRY_RUN_RESPONSES = {
    200: OpenApiResponse(
        s.AffectedBookingsSerializer, description="dry run: the bookings it would cancel"
    ),
    **ERRORS,
}


def changed_or_dry_run(result_serializer, component_name: str) -> OpenApiResponse:
    """An edit answers 200 either way: the changed object, or (dry run) what it would cancel."""
    return OpenApiResponse(
        PolymorphicProxySerializer(
            component_name=component_name,
            serializers=[result_serializer, s.AffectedBookingsSerializer],
            resource_type_field_name=None,
        ),
        description="the changed object (with `cancelled_bookings`), or on a dry run "
        '`{"affected_bookings": [...]}`',
    )


EQUIPMENT_CHANGED = changed_or_dry_run(s.EquipmentResultSerializer, "EquipmentChange")
OPENING_HOURS_CHANGED = changed_or_dry_run(s.OpeningHoursResultSerializer, "OpeningHoursChange")
CLOSURE_CHANGED = changed_or_dry_run(s.ClosureResultSerializer, "ClosureChange")


class _DryRunWrites:
    """create / update / destroy through a service returning a ``CatalogueChange``."""

    result_serializer_class: type
    create_service = staticmethod(lambda **kwargs: None)
    update_service = staticmethod(lambda **kwargs: None)
    instance_kwarg = "instance"

    def _values(self, serializer) -> dict:
        data = dict(serializer.validated_data)
        data["dry_run"] = data.get("dry_run") or _dry_run_query(self.request)
        return data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        change = type(self).create_service(by=request.user, **self._values(serializer))
        return change_response(change, self.result_serializer_class, created=True)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        change = type(self).update_service(
            by=request.user,
            **{self.instance_kwarg: serializer.instance},
            **self._values(serializer),
        )
        return change_response(change, self.result_serializer_class)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("category", str, enum=[*Category.values, "conditioning"]),
            OpenApiParameter("line", str, enum=Line.values, description="a 'both' machine matches"),
            OpenApiParameter("status", str, enum=EquipmentStatus.values),
            OpenApiParameter("search", str, description="free text in name, description, location"),
        ]
    )
)
class EquipmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The machines of the Halle Technologique and their booking rules. Staff edit them."""

    queryset = Equipment.objects.none()
    serializer_class = s.EquipmentSerializer
    permission_classes = [permissions.IsAuthenticated, IsClusterStaffOrReadOnly]
    filter_backends: list = []

    def get_queryset(self):
        if self.action == "availability":
            # Its booking rules only (what selectors.availability reads): no course, no filters.
            return Equipment.objects.only(
                "status",
                "lead_time_minutes",
                "horizon_days",
                "buffer_minutes",
                "slot_minutes",
                "min_duration_minutes",
            )
        request = self.request
        return selectors.equipment_list(
            category=_choice_param(request, "category", [*Category.values, "conditioning"]),
            line=_choice_param(request, "line", Line.values),
            status=_choice_param(request, "status", EquipmentStatus.values),
            search=request.query_params.get("search", "").strip() or None,
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("dry_run", None)
        data.pop("reason", None)
        serializer.instance = services.equipment_create(by=self.request.user, **data)

    @extend_schema(
        request=s.EquipmentSerializer,
        responses={200: EQUIPMENT_CHANGED, **ERRORS},
        parameters=[OpenApiParameter("dry_run", bool)],
        description=DRY_RUN_DOC,
    )
    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["dry_run"] = data.get("dry_run") or _dry_run_query(request)
        change = services.equipment_update(by=request.user, equipment=serializer.instance, **data)
        return change_response(change, s.EquipmentResultSerializer)

    @extend_schema(
        request=s.EquipmentSerializer,
        responses={200: EQUIPMENT_CHANGED, **ERRORS},
        parameters=[OpenApiParameter("dry_run", bool)],
        description=DRY_RUN_DOC,
    )
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATETIME, required=True),
            OpenApiParameter("end", OpenApiTypes.DATETIME, required=True),
        ],
        responses={200: s.AvailabilitySerializer, 400: ERRORS[400]},
    )
    @action(detail=True, methods=["get"])
    def availability(self, request, pk=None):
        """Bookable intervals in [start, end) (at most 62 days), every rule applied, and what
        takes the machine then (bookings, training sessions, closures)."""
        equipment = self.get_object()
        start, end = parse_range(request.query_params, max_days=MAX_AVAILABILITY_DAYS)
        free, busy = selectors.availability(
            equipment=equipment, start=start, end=end, viewer=request.user
        )
        # Built by hand (a month is hundreds of intervals): the same body as
        # AvailabilitySerializer, which documents it, at a fraction of the cost.
        tz = timezone.get_current_timezone()
        texts: dict = {}  # back-to-back blocks: one block's end is the next one's start

        def text(moment):
            if moment not in texts:
                texts[moment] = datetime_text(moment, tz)
            return texts[moment]

        data = {
            "free": [{"start": text(a), "end": text(b)} for a, b in free],
            "busy": [
                {
                    "start": text(b.start),
                    "end": text(b.end),
                    "kind": b.kind,
                    "label": b.label,
                    "title": b.title,
                }
                for b in busy
            ],
        }
        return Response(data)


@extend_schema_view(
    create=extend_schema(
        responses={201: s.OpeningHoursResultSerializer, **DRY_RUN_RESPONSES},
        description=DRY_RUN_DOC,
    ),
    update=extend_schema(responses={200: OPENING_HOURS_CHANGED, **ERRORS}, description=DRY_RUN_DOC),
    partial_update=extend_schema(
        responses={200: OPENING_HOURS_CHANGED, **ERRORS}, description=DRY_RUN_DOC
    ),
    destroy=extend_schema(
        parameters=[OpenApiParameter("dry_run", bool)],
        responses={
            204: OpenApiResponse(description="deleted"),
            200: OpenApiResponse(
                s.AffectedBookingsSerializer, description="?dry_run=true: what it would cancel"
            ),
        },
        description="Deleting a rule may stop covering live bookings: they are cancelled "
        "(`?dry_run=true` lists them and deletes nothing).",
    ),
)
class OpeningHoursViewSet(_DryRunWrites, viewsets.ModelViewSet):
    """Weekly wall-clock opening rules; dated ones (Ramadan) replace the default on their dates."""

    queryset = OpeningHours.objects.none()
    serializer_class = s.OpeningHoursSerializer
    result_serializer_class = s.OpeningHoursResultSerializer
    permission_classes = [permissions.IsAuthenticated, IsClusterStaffOrReadOnly]
    filterset_fields = ["equipment", "weekday"]
    create_service = staticmethod(services.opening_hours_create)
    update_service = staticmethod(services.opening_hours_update)
    instance_kwarg = "rule"

    def get_queryset(self):
        return OpeningHours.objects.all()

    def destroy(self, request, *args, **kwargs):
        change = services.opening_hours_delete(
            by=request.user,
            rule=self.get_object(),
            dry_run=_dry_run_query(request),
            reason=request.query_params.get("reason", ""),
        )
        if change.dry_run:
            return change_response(change, self.result_serializer_class)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    create=extend_schema(
        responses={201: s.ClosureResultSerializer, **DRY_RUN_RESPONSES},
        description=DRY_RUN_DOC,
    ),
    update=extend_schema(responses={200: CLOSURE_CHANGED, **ERRORS}, description=DRY_RUN_DOC),
    partial_update=extend_schema(
        responses={200: CLOSURE_CHANGED, **ERRORS}, description=DRY_RUN_DOC
    ),
)
class ClosureViewSet(_DryRunWrites, viewsets.ModelViewSet):
    """Holidays and maintenance: the whole lab (no machine) or one machine. A closure over live
    bookings cancels them (`dry_run` lists them first)."""

    queryset = Closure.objects.none()
    serializer_class = s.ClosureSerializer
    result_serializer_class = s.ClosureResultSerializer
    permission_classes = [permissions.IsAuthenticated, IsClusterStaffOrReadOnly]
    filterset_fields = ["equipment"]
    create_service = staticmethod(services.closure_create)
    update_service = staticmethod(services.closure_update)
    instance_kwarg = "closure"

    def get_queryset(self):
        return Closure.objects.all()

    def perform_destroy(self, instance):
        services.closure_delete(by=self.request.user, closure=instance)


def _moment(name: str, value: str | None, *, end_of_day: bool = False):
    """A date (local midnight; ``end_of_day``: the next one) or an ISO date-time with offset."""
    if not value:
        return None
    try:
        return DateOrDateTimeField(end_of_day=end_of_day).run_validation(value)
    except ValidationError as exc:
        raise ValidationError({name: exc.detail}) from None


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("equipment", int),
            OpenApiParameter("organisation", int),
            OpenApiParameter("project", int, description="bookings for this R&D project"),
            OpenApiParameter("status", str, enum=BookingStatus.values),
            OpenApiParameter("from", str, description="date or date-time: bookings ending after"),
            OpenApiParameter(
                "to", str, description="date (inclusive) or date-time: starting before"
            ),
        ],
        description="Newest first. `count` is exact up to 1,000 bookings (`count_exact`: "
        "true); past that it is a lower bound, since counting a table of every booking ever "
        "made on each page would cost more than the page. `next` leads through every page "
        "regardless, and `?page=last` counts exactly.",
    )
)
class BookingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Bookings: members see their organisations' only, staff every one."""

    queryset = Booking.objects.none()
    serializer_class = s.BookingSerializer
    filter_backends: list = []
    pagination_class = BoundedCountPagination

    def get_serializer_class(self):
        return s.BookingSerializer if self.action == "list" else s.BookingDetailSerializer

    def get_queryset(self):
        qs = selectors.bookings_visible_to(self.request.user)
        if self.action == "list":
            return self._filtered(qs)
        return qs.prefetch_related("events__actor")

    def paginate_queryset(self, queryset):
        # The page: what the list shows, no more, as plain rows (one dict per booking, not four
        # model instances; CompiledListSerializer reads them by key). The count: the bookings
        # alone, without the joins that fetch the page's names.
        return self.paginator.paginate_queryset(
            queryset.values(*s.BOOKING_LIST_COLUMNS), self.request, view=self, counted=queryset
        )

    def _filtered(self, qs):
        params = self.request.query_params
        for name in ("equipment", "organisation", "project"):
            value = params.get(name)
            if value:
                try:
                    pk = IntegerField(min_value=1, max_value=ID_MAX).run_validation(value)
                except ValidationError as exc:
                    raise ValidationError({name: exc.detail}) from None
                qs = qs.filter(**{f"{name}_id": pk})
        status_ = _choice_param(self.request, "status", BookingStatus.values)
        if status_:
            qs = qs.filter(status=status_)
        start = _moment("from", params.get("from"))
        end = _moment("to", params.get("to"), end_of_day=True)
        if start:
            qs = qs.filter(end__gt=start)
        if end:
            qs = qs.filter(start__lt=end)
        return qs.order_by("-start", "-id")

    @extend_schema(
        request=s.BookingInputSerializer,
        responses={201: s.BookingDetailSerializer, **ERRORS},
    )
    def create(self, request, *args, **kwargs):
        data = s.BookingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = services.booking_create(user=request.user, **data.validated_data)
        return Response(s.BookingDetailSerializer(booking).data, status=status.HTTP_201_CREATED)

    def _act(self, service, **kwargs):
        booking = self.get_object()
        booking = service(user=self.request.user, booking=booking, **kwargs)
        booking = self.get_queryset().get(pk=booking.pk)
        return Response(s.BookingDetailSerializer(booking).data)

    @extend_schema(request=s.ReasonSerializer, responses={200: s.BookingDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(services.booking_cancel, **data.validated_data)

    @extend_schema(
        request=s.MoveSerializer,
        responses={200: s.BookingDetailSerializer, **ERRORS},
        description=(
            "Move the booking to another time (same machine, same id). Every rule of booking "
            "applies, with the same codes (400 `inside_lead_time`, `outside_opening_hours`..., "
            "403 `certification_required`, 409 `slot_unavailable`); the price and free lab hours "
            "are recomputed, the reminders follow and the booker is told. Members until the "
            "cancellation deadline (400 `move_deadline_passed`), staff at any time."
        ),
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        data = s.MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(services.booking_move, **data.validated_data)

    @extend_schema(request=s.ReasonSerializer, responses={200: s.BookingDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(services.booking_approve, **data.validated_data)

    @extend_schema(request=s.RejectSerializer, responses={200: s.BookingDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = s.RejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(services.booking_reject, **data.validated_data)

    @extend_schema(request=None, responses={200: s.BookingDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        return self._act(services.booking_check_in)

    @extend_schema(request=s.ReasonSerializer, responses={200: s.BookingDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request, pk=None):
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(services.booking_no_show, **data.validated_data)


class BookingSeriesViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Weekly recurring bookings: the same wall-clock slot every week."""

    queryset = BookingSeries.objects.none()
    serializer_class = s.BookingSeriesSerializer
    filter_backends: list = []

    def get_queryset(self):
        return (
            selectors.series_visible_to(self.request.user)
            .prefetch_related(
                "bookings__equipment", "bookings__organisation", "bookings__booked_by"
            )
            .order_by("-created_at")
        )

    @extend_schema(
        request=s.SeriesInputSerializer, responses={201: s.SeriesResultSerializer, **ERRORS}
    )
    def create(self, request, *args, **kwargs):
        data = s.SeriesInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.booking_series_create(user=request.user, **data.validated_data)
        series = self.get_queryset().get(pk=result.series.pk)
        body = {
            "series": series,
            "booked": [local_date(b.start) for b in result.booked],
            "clashes": result.clashes,
        }
        return Response(s.SeriesResultSerializer(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.SeriesCancelInputSerializer,
        responses={200: s.SeriesCancelResultSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        series = self.get_object()
        data = s.SeriesCancelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.booking_series_cancel(
            user=request.user, series=series, from_date=data.validated_data.get("from_date")
        )
        body = {
            "cancelled": [local_date(b.start) for b in result.cancelled],
            "kept": result.kept,
        }
        return Response(s.SeriesCancelResultSerializer(body).data)


class FeedTokenViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Your secret calendar feed URLs (`GET calendar/{token}.ics`). Deleting one revokes it."""

    queryset = FeedToken.objects.none()
    serializer_class = s.FeedTokenSerializer
    filter_backends: list = []
    pagination_class = None

    def get_queryset(self):
        return selectors.feed_tokens_of(self.request.user)

    @extend_schema(request=s.FeedTokenInputSerializer, responses={201: s.FeedTokenSerializer})
    def create(self, request, *args, **kwargs):
        data = s.FeedTokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        feed = services.feed_token_create(user=request.user, **data.validated_data)
        return Response(
            s.FeedTokenSerializer(feed, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    def perform_destroy(self, instance):
        services.feed_token_revoke(user=self.request.user, feed=instance)


class LabCreditViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Free lab hours of your organisations (staff: all), with the hours left on each."""

    queryset = LabCredit.objects.none()
    serializer_class = s.LabCreditSerializer
    filterset_fields = ["organisation"]

    def get_queryset(self):
        return selectors.credits_visible_to(self.request.user).order_by("-period_end", "-id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "spent": getattr(self, "_spent", {})}

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._spent = selectors.credit_hours_spent([c.pk for c in page or []])
        return page
