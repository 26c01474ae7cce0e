"""Programmes, calls, applications and jury scoring. Thin: input → service → output."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from caiac.permissions import IsClusterStaff, IsClusterStaffOrReadOnly
from incubation import selectors, services
from incubation.api import serializers as s
from incubation.api.filters import ApplicationFilter
from incubation.models import Application, Call, Evaluation, Programme

ERRORS = {
    400: OpenApiResponse(description='Invalid: {"code", "detail", "fields"}'),
    403: OpenApiResponse(description="Not allowed"),
    404: OpenApiResponse(description="Not found (or not yours)"),
    409: OpenApiResponse(description="Conflicts with the current state"),
}


def _validated(serializer_class, request, **kwargs):
    serializer = serializer_class(data=request.data, context={"request": request}, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ProgrammeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Programmes with their stages and each stage's benefits. Writes: cluster staff."""

    queryset = Programme.objects.none()
    serializer_class = s.ProgrammeSerializer
    permission_classes = [permissions.IsAuthenticated, IsClusterStaffOrReadOnly]
    filterset_fields = ["is_active"]
    search_fields = ["name"]

    def get_queryset(self):
        return selectors.programmes_visible_to(self.request.user).order_by("name")

    def perform_create(self, serializer):
        serializer.instance = services.programme_create(
            by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.programme_update(
            by=self.request.user, programme=serializer.instance, **serializer.validated_data
        )


class CallViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Calls for applications (members see them once open). Writes and ranking: cluster staff."""

    queryset = Call.objects.none()
    serializer_class = s.CallSerializer
    permission_classes = [permissions.IsAuthenticated, IsClusterStaffOrReadOnly]
    filterset_fields = ["programme", "cohort"]
    ordering_fields = ["opens_at", "closes_at"]

    def get_queryset(self):
        queryset = selectors.calls_visible_to(self.request.user).order_by("-opens_at")
        if self.request.query_params.get("open") in ("1", "true"):
            queryset = queryset & selectors.open_calls()
        return queryset

    def perform_create(self, serializer):
        serializer.instance = services.call_create(
            by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.call_update(
            by=self.request.user, call=serializer.instance, **serializer.validated_data
        )

    @extend_schema(responses={200: s.RankingRowSerializer(many=True), 403: ERRORS[403]})
    @action(
        detail=True, methods=["get"], permission_classes=[IsClusterStaff], pagination_class=None
    )
    def ranking(self, request, pk=None):
        """Submitted applications by weighted total on /100 (see docs/incubation.md)."""
        rows = selectors.call_ranking(self.get_object())
        return Response(s.RankingRowSerializer(rows, many=True).data)


class ApplicationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Applications: members see their organisation's, jurors those they score, staff all."""

    queryset = Application.objects.none()
    serializer_class = s.ApplicationSerializer
    filterset_class = ApplicationFilter
    ordering_fields = ["created_at", "submitted_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.applications_visible_to(self.request.user).order_by("-created_at", "-id")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.ApplicationDetailSerializer
        return s.ApplicationSerializer

    def _out(self, application, code=status.HTTP_200_OK):
        application = self.get_queryset().get(pk=application.pk)
        return Response(
            s.ApplicationDetailSerializer(application, context={"request": self.request}).data,
            status=code,
        )

    @extend_schema(
        request=s.ApplicationCreateSerializer,
        responses={201: s.ApplicationDetailSerializer, **ERRORS},
    )
    def create(self, request):
        """Start a draft while the call is open (400 ``call_closed`` after the deadline)."""
        data = _validated(s.ApplicationCreateSerializer, request)
        application = services.application_create(
            by=request.user,
            call=data["call"],
            organisation=data.get("organisation"),
            answers=data.get("answers"),
        )
        return self._out(application, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.ApplicationUpdateSerializer,
        responses={200: s.ApplicationDetailSerializer, **ERRORS},
    )
    def partial_update(self, request, pk=None):
        """Change answers of a draft before the deadline."""
        application = self.get_object()
        data = _validated(s.ApplicationUpdateSerializer, request)
        application = services.application_update(
            by=request.user, application=application, answers=data["answers"]
        )
        return self._out(application)

    @extend_schema(exclude=True)
    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=None, responses={200: s.ApplicationDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        application = services.application_submit(by=request.user, application=self.get_object())
        return self._out(application)

    @extend_schema(request=s.JurorsSerializer, responses={200: s.ApplicationDetailSerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsClusterStaff])
    def jurors(self, request, pk=None):
        """Assign jurors (staff): any active user except members of the applicant."""
        obj = self.get_object()  # not yours: 404, whatever the body
        data = _validated(s.JurorsSerializer, request)
        application = services.jurors_assign(
            by=request.user, application=obj, jurors=data["jurors"]
        )
        return self._out(application)

    @extend_schema(
        request=s.ScoreBatchSerializer, responses={201: s.EvaluationSerializer(many=True)}
    )
    @action(detail=True, methods=["post"])
    def score(self, request, pk=None):
        """Score several criteria at once (a juror of this application)."""
        obj = self.get_object()  # not yours: 404, whatever the body
        data = _validated(s.ScoreBatchSerializer, request)
        evaluations = services.evaluations_submit(
            juror=request.user, application=obj, scores=data["scores"]
        )
        return Response(
            s.EvaluationSerializer(evaluations, many=True).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=s.AdmitSerializer, responses={200: s.ApplicationDetailSerializer})
    @action(detail=True, methods=["post"])
    def admit(self, request, pk=None):
        obj = self.get_object()  # not yours: 404, whatever the body
        data = _validated(s.AdmitSerializer, request)
        application = services.application_admit(by=request.user, application=obj, **data)
        return self._out(application)

    @extend_schema(request=s.DeclineSerializer, responses={200: s.ApplicationDetailSerializer})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        obj = self.get_object()  # not yours: 404, whatever the body
        data = _validated(s.DeclineSerializer, request)
        application = services.application_decline(by=request.user, application=obj, **data)
        return self._out(application)


class EvaluationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """A juror's own scores (staff see all). One score per criterion, never edited."""

    queryset = Evaluation.objects.none()
    serializer_class = s.EvaluationSerializer
    filterset_fields = ["application", "criterion", "juror"]

    def get_queryset(self):
        return selectors.evaluations_visible_to(self.request.user).order_by("id")

    @extend_schema(
        request=s.EvaluationCreateSerializer, responses={201: s.EvaluationSerializer, **ERRORS}
    )
    def create(self, request):
        """403 ``not_assigned`` for a non-juror; 409 ``already_scored`` the second time."""
        data = _validated(s.EvaluationCreateSerializer, request)
        evaluation = services.evaluation_create(juror=request.user, **data)
        return Response(s.EvaluationSerializer(evaluation).data, status=status.HTTP_201_CREATED)
