from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from caiac import access
from caiac.exports import Table, csv_response
from caiac.permissions import IsClusterStaffOrReadOnly
from trainings import selectors, services
from trainings.api.serializers import (
    AttendanceMarkSerializer,
    AttendanceResultSerializer,
    CertificationGrantSerializer,
    CertificationRevokeSerializer,
    CertificationSerializer,
    CourseInputSerializer,
    CourseSerializer,
    EnrolInputSerializer,
    EnrolResultSerializer,
    MyEnrolmentSerializer,
    SessionEnrolmentsSerializer,
    SessionInputSerializer,
    SessionSerializer,
    SessionUpdateSerializer,
)
from trainings.models import Certification, Course, Enrolment, Session

ERRORS = {
    400: OpenApiResponse(description='{"code", "detail", "fields"}: the request breaks a rule'),
    403: OpenApiResponse(description="not allowed (code names the reason)"),
    404: OpenApiResponse(description="not found"),
    409: OpenApiResponse(description="conflict (code names the reason)"),
}


class CourseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The course catalogue, titles in the request language. Staff create and edit courses."""

    queryset = Course.objects.none()
    serializer_class = CourseSerializer
    permission_classes = [permissions.IsAuthenticated, IsClusterStaffOrReadOnly]
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["level", "is_active", "prerequisite"]
    search_fields = ["title", "description"]

    def get_queryset(self):
        return selectors.courses_visible_to(self.request.user)

    @extend_schema(request=CourseInputSerializer, responses={201: CourseSerializer, **ERRORS})
    def create(self, request):
        data = CourseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        course = services.course_create(by=request.user, **data.validated_data)
        return Response(CourseSerializer(course).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CourseInputSerializer, responses={200: CourseSerializer, **ERRORS})
    def partial_update(self, request, pk=None):
        course = self.get_object()
        data = CourseInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        course = services.course_update(by=request.user, course=course, **data.validated_data)
        return Response(CourseSerializer(course).data)


class SessionFilter(filters.FilterSet):
    mine = filters.BooleanFilter(method="filter_mine", label="Only the sessions I run")
    upcoming = filters.BooleanFilter(method="filter_upcoming", label="Only sessions not over")

    class Meta:
        model = Session
        fields = ["course", "trainer", "status", "language"]

    def filter_mine(self, queryset, name, value):
        return queryset.filter(trainer=self.request.user) if value else queryset

    def filter_upcoming(self, queryset, name, value):
        return queryset.filter(end__gte=timezone.now()) if value else queryset


class SessionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The training schedule. Staff and trainers schedule sessions; members enrol."""

    queryset = Session.objects.none()
    serializer_class = SessionSerializer
    filterset_class = SessionFilter
    ordering_fields = ["start"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.sessions_visible_to(self.request.user)

    def _render(self, sessions, **kwargs):
        many = kwargs.get("many", False)
        page = list(sessions) if many else [sessions]
        mine = selectors.my_enrolment_map(user=self.request.user, sessions=page)
        context = {**self.get_serializer_context(), "mine": mine}
        return SessionSerializer(sessions, context=context, **kwargs).data

    def _fresh(self, session: Session) -> Session:
        return selectors.sessions_with_counts().get(pk=session.pk)

    def _manageable(self) -> Session:
        session = self.get_object()
        selectors.require_manages_session(user=self.request.user, session=session)
        return session

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._render(page, many=True))

    def retrieve(self, request, pk=None):
        return Response(self._render(self.get_object()))

    @extend_schema(request=SessionInputSerializer, responses={201: SessionSerializer, **ERRORS})
    def create(self, request):
        data = SessionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.session_create(by=request.user, **data.validated_data)
        return Response(self._render(self._fresh(session)), status=status.HTTP_201_CREATED)

    @extend_schema(request=SessionUpdateSerializer, responses={200: SessionSerializer, **ERRORS})
    def partial_update(self, request, pk=None):
        session = self._manageable()
        data = SessionUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.session_update(by=request.user, session=session, **data.validated_data)
        return Response(self._render(self._fresh(session)))

    @extend_schema(
        parameters=[OpenApiParameter("upcoming", bool, description="default true")],
        responses=SessionSerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def mine(self, request):
        """The sessions the caller runs as a trainer (by default those not over yet)."""
        upcoming = request.query_params.get("upcoming", "1") not in ("0", "false", "False")
        sessions = selectors.sessions_of_trainer(trainer=request.user, upcoming=upcoming)
        page = self.paginate_queryset(sessions)
        return self.get_paginated_response(self._render(page, many=True))

    @extend_schema(request=EnrolInputSerializer, responses={201: EnrolResultSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def enrol(self, request, pk=None):
        """A seat while seats are left, else the waiting list (``position``, 1-based)."""
        session = self.get_object()
        data = EnrolInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        enrolment = services.session_enrol(by=request.user, session=session, **data.validated_data)
        body = {"status": enrolment.status, "position": enrolment.position}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=EnrolInputSerializer, responses={200: EnrolResultSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel the caller's enrolment (staff: anyone's, with ``user``)."""
        session = self.get_object()
        data = EnrolInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        enrolment = services.session_enrolment_cancel(
            by=request.user, session=session, **data.validated_data
        )
        return Response({"status": enrolment.status, "position": None})

    @extend_schema(request=None, responses={200: SessionSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="cancel-session")
    def cancel_session(self, request, pk=None):
        """Cancel the whole session; everyone enrolled or waiting is told."""
        session = services.session_cancel(by=request.user, session=self.get_object())
        return Response(self._render(self._fresh(session)))

    @extend_schema(
        request=AttendanceMarkSerializer(many=True),
        responses={200: AttendanceResultSerializer(many=True), **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        """Trainer of the session or staff: ``[{user, present}]``. Present certifies."""
        session = self._manageable()
        data = AttendanceMarkSerializer(data=request.data, many=True, allow_empty=False)
        data.is_valid(raise_exception=True)
        enrolments = services.attendance_record(
            by=request.user, session=session, marks=data.validated_data
        )
        return Response(AttendanceResultSerializer(enrolments, many=True).data)

    @extend_schema(responses={200: SessionEnrolmentsSerializer, **ERRORS})
    @action(detail=True, methods=["get"], pagination_class=None)
    def enrolments(self, request, pk=None):
        """Enrolled people and the waiting list in order (trainer of the session or staff)."""
        lists = selectors.session_enrolments(self._manageable())
        for position, enrolment in enumerate(lists["waitlisted"], start=1):
            enrolment.position = position
        return Response(SessionEnrolmentsSerializer(lists).data)

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR, **ERRORS})
    def attendance_csv(self, request, pk=None):
        """The attendance sheet of a session, to print or fill in (trainer or staff): one table,
        UTF-8 with a byte-order mark, headers in the request's language (caiac.exports)."""
        session = self._manageable()
        lists = selectors.session_enrolments(session)
        present = {True: _("Present"), False: _("Absent"), None: ""}
        title = session.course.local_title
        table = Table(
            title=_("Attendance"),
            headers=[
                _("Course"), _("Start"), _("Place"), _("Username"), _("Name"), _("Email"),
                _("Status"), _("Attendance"), _("Signature"),
            ],
            rows=[
                [
                    title, session.start, session.place, e.user.username, e.user.display_name,
                    e.user.email, e.get_status_display(), present[e.present], "",
                ]
                for e in lists["enrolled"]
            ],
        )  # fmt: skip
        day = timezone.localtime(session.start).date()
        return csv_response(table, f"attendance-session-{session.pk}-{day}.csv")


class CertificationFilter(filters.FilterSet):
    valid = filters.BooleanFilter(method="filter_valid", label="Valid now")

    class Meta:
        model = Certification
        fields = ["user", "course"]

    def filter_valid(self, queryset, name, value):
        valid_ids = selectors.certifications_valid_at().values("pk")
        return queryset.filter(pk__in=valid_ids) if value else queryset.exclude(pk__in=valid_ids)


class CertificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Who may use what, until when, with the history. Staff grant and revoke by hand."""

    queryset = Certification.objects.none()
    serializer_class = CertificationSerializer
    filterset_class = CertificationFilter
    permission_classes = [permissions.IsAuthenticated, IsClusterStaffOrReadOnly]
    ordering_fields = ["issued_at", "expires_at"]

    def get_queryset(self):
        return selectors.certifications_visible_to(self.request.user).prefetch_related("events__by")

    @extend_schema(
        request=CertificationGrantSerializer, responses={201: CertificationSerializer, **ERRORS}
    )
    def create(self, request):
        data = CertificationGrantSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        certification = services.certification_grant(by=request.user, **data.validated_data)
        return Response(
            CertificationSerializer(self.get_queryset().get(pk=certification.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=CertificationRevokeSerializer, responses={200: CertificationSerializer, **ERRORS}
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """Revoke with a reason; the history keeps who did it and why."""
        certification = self.get_object()
        data = CertificationRevokeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.certification_revoke(
            by=request.user, certification=certification, **data.validated_data
        )
        return Response(CertificationSerializer(self.get_queryset().get(pk=pk)).data)


class EnrolmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's enrolments (seats, waiting-list places, attendance), soonest first.
    Staff may look at anyone's with ``?user=``."""

    queryset = Enrolment.objects.none()
    serializer_class = MyEnrolmentSerializer
    filterset_fields = ["status", "session"]

    @extend_schema(parameters=[OpenApiParameter("user", int, description="staff only")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        user = self.request.user
        wanted = self.request.query_params.get("user")
        if access.is_staff(user) and wanted and wanted.isascii() and wanted.isdigit():
            return selectors.enrolments_of(int(wanted))
        return selectors.enrolments_of(user)
