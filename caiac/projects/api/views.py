"""R&D projects, their partners, funding by source, deliverables and documents. Thin:
input → service → output. Every project route first finds the project among those the person
may see (404 otherwise, whatever the body), then the service checks who may write."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from caiac import access, files
from caiac.errors import NotFound
from caiac.openapi import DOCUMENT_DOWNLOAD
from caiac.parsers import JSONParser, MultiPartParser
from caiac.permissions import IsClusterStaffOrReadOnly
from caiac.projects import selectors, services
from caiac.projects.api import serializers as s
from caiac.projects.models import (
    Deliverable,
    FundingSource,
    Project,
    ProjectDocument,
    ProjectFunding,
    ProjectPartner,
)

ERRORS = {
    400: OpenApiResponse(description='Invalid: {"code", "detail", "fields"}'),
    403: OpenApiResponse(description="Not allowed"),
    404: OpenApiResponse(description="Not found (or not a project of yours)"),
    409: OpenApiResponse(description="Conflicts with the current state"),
}


def _validated(serializer_class, request, **kwargs):
    serializer = serializer_class(data=request.data, context={"request": request}, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class FundingSourceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Where money comes from (state programme, region, cooperation, investors, banks, own
    funds...). Any signed-in person reads the list; cluster staff keep it."""

    queryset = FundingSource.objects.none()
    serializer_class = s.FundingSourceSerializer
    permission_classes = [permissions.IsAuthenticated, IsClusterStaffOrReadOnly]
    filterset_fields = ["kind", "is_active"]

    def get_queryset(self):
        return FundingSource.objects.order_by("name")

    def perform_create(self, serializer):
        serializer.instance = services.funding_source_create(
            by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.funding_source_update(
            by=self.request.user, source=serializer.instance, **serializer.validated_data
        )


class ProjectViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Collaborative R&D projects: staff see all, the people of a partner organisation see the
    projects it takes part in, its owners change them. Nobody else sees a project (404)."""

    queryset = Project.objects.none()
    serializer_class = s.ProjectSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["status", "theme", "lead"]
    search_fields = ["title", "summary"]

    def get_queryset(self):
        queryset = selectors.with_parts(selectors.projects_visible_to(self.request.user))
        if self.action != "list":
            queryset = queryset.prefetch_related("status_changes__changed_by")
        return queryset.order_by("-created_at", "-id")

    def get_serializer_class(self):
        return s.ProjectSerializer if self.action == "list" else s.ProjectDetailSerializer

    def get_object(self):
        return access.get_for_person_or_404(
            self.get_queryset(), self.request.user, self.kwargs["pk"], via=None
        )

    def _out(self, project, code=status.HTTP_200_OK):
        project = self.get_queryset().get(pk=project.pk)
        return Response(
            s.ProjectDetailSerializer(project, context={"request": self.request}).data,
            status=code,
        )

    @extend_schema(
        request=s.ProjectCreateSerializer, responses={201: s.ProjectDetailSerializer, **ERRORS}
    )
    def create(self, request):
        """A new project (status ``idea``), led by an organisation you own."""
        data = _validated(s.ProjectCreateSerializer, request)
        return self._out(services.project_create(by=request.user, **data), status.HTTP_201_CREATED)

    @extend_schema(
        request=s.ProjectUpdateSerializer, responses={200: s.ProjectDetailSerializer, **ERRORS}
    )
    def partial_update(self, request, pk=None):
        project = self.get_object()  # not a partner: 404, whatever the body
        data = _validated(s.ProjectUpdateSerializer, request, partial=True)
        return self._out(services.project_update(by=request.user, project=project, **data))

    @extend_schema(
        request=s.ProjectUpdateSerializer, responses={200: s.ProjectDetailSerializer, **ERRORS}
    )
    def update(self, request, pk=None):
        project = self.get_object()
        data = _validated(s.ProjectUpdateSerializer, request)
        return self._out(services.project_update(by=request.user, project=project, **data))

    @extend_schema(
        request=s.StatusMoveSerializer, responses={200: s.ProjectDetailSerializer, **ERRORS}
    )
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        """One step of idea → submitted → funded → running → closed (or rejected, abandoned),
        with a reason; 400 ``invalid_status_transition`` for any other step."""
        project = self.get_object()
        data = _validated(s.StatusMoveSerializer, request)
        return self._out(services.project_change_status(by=request.user, project=project, **data))


class _ProjectChild(viewsets.GenericViewSet):
    """Routes under ``projects/{project_pk}/``: the project first, among those one may see."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = None  # a project's own list: short, always whole

    def project(self) -> Project:
        if not hasattr(self, "_project"):
            self._project = selectors.project_get_for_user(
                user=self.request.user, project_id=self.kwargs["project_pk"]
            )
        return self._project

    def editable_project(self) -> Project:
        """The project, refused before the body is read to those who may only read it."""
        project = self.project()
        services.require_editor(self.request.user, project)
        return project

    def get_object(self):
        return access.get_for_person_or_404(
            self.get_queryset(), self.request.user, self.kwargs["pk"], via=None
        )

    def _out(self, serializer_class, obj, code=status.HTTP_200_OK):
        return Response(serializer_class(obj, context={"request": self.request}).data, status=code)


class PartnerViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, _ProjectChild
):
    """The organisations taking part: members, research labs, outside companies (recorded as
    non-member organisations), each with its role. Owners of a partner and staff change them."""

    queryset = ProjectPartner.objects.none()
    serializer_class = s.PartnerSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ProjectPartner.objects.none()
        return selectors.partners_of(self.project())

    @extend_schema(
        request=s.PartnerCreateSerializer, responses={201: s.PartnerSerializer, **ERRORS}
    )
    def create(self, request, project_pk=None):
        """409 ``already_partner`` for an organisation already in the project."""
        project = self.editable_project()
        data = _validated(s.PartnerCreateSerializer, request)
        partner = services.partner_add(by=request.user, project=project, **data)
        return self._out(s.PartnerSerializer, partner, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.PartnerUpdateSerializer, responses={200: s.PartnerSerializer, **ERRORS}
    )
    def partial_update(self, request, project_pk=None, pk=None):
        partner = self.get_object()
        data = _validated(s.PartnerUpdateSerializer, request, partial=True)
        partner = services.partner_update(by=request.user, partner=partner, **data)
        return self._out(s.PartnerSerializer, partner)

    @extend_schema(exclude=True)
    def update(self, request, project_pk=None, pk=None):
        return self.partial_update(request, project_pk=project_pk, pk=pk)

    def perform_destroy(self, instance):
        """400 ``lead_cannot_leave`` for the lead organisation."""
        services.partner_remove(by=self.request.user, partner=instance)


class FundingViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, _ProjectChild
):
    """Money per source and year: committed and received (MAD). Partners and staff only."""

    queryset = ProjectFunding.objects.none()
    serializer_class = s.FundingSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ProjectFunding.objects.none()
        return selectors.funding_of(self.project())

    @extend_schema(
        request=s.FundingCreateSerializer, responses={201: s.FundingSerializer, **ERRORS}
    )
    def create(self, request, project_pk=None):
        """409 ``funding_exists`` when the source already has an amount for that year."""
        project = self.editable_project()
        data = _validated(s.FundingCreateSerializer, request)
        funding = services.funding_create(by=request.user, project=project, **data)
        return self._out(s.FundingSerializer, funding, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.FundingUpdateSerializer, responses={200: s.FundingSerializer, **ERRORS}
    )
    def partial_update(self, request, project_pk=None, pk=None):
        funding = self.get_object()
        data = _validated(s.FundingUpdateSerializer, request, partial=True)
        funding = services.funding_update(by=request.user, funding=funding, **data)
        return self._out(s.FundingSerializer, funding)

    @extend_schema(exclude=True)
    def update(self, request, project_pk=None, pk=None):
        return self.partial_update(request, project_pk=project_pk, pk=pk)

    def perform_destroy(self, instance):
        services.funding_delete(by=self.request.user, funding=instance)


class DeliverableViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, _ProjectChild
):
    """What the project promised, by when, who answers for it, and the evidence."""

    queryset = Deliverable.objects.none()
    serializer_class = s.DeliverableSerializer
    parser_classes = [JSONParser, MultiPartParser]  # evidence_file is an upload

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Deliverable.objects.none()
        return selectors.deliverables_of(self.project())

    @extend_schema(
        request=s.DeliverableCreateSerializer, responses={201: s.DeliverableSerializer, **ERRORS}
    )
    def create(self, request, project_pk=None):
        project = self.editable_project()
        data = _validated(s.DeliverableCreateSerializer, request)
        deliverable = services.deliverable_create(by=request.user, project=project, **data)
        return self._out(s.DeliverableSerializer, deliverable, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.DeliverableCreateSerializer, responses={200: s.DeliverableSerializer, **ERRORS}
    )
    def partial_update(self, request, project_pk=None, pk=None):
        """Owners of a partner change anything; the deliverable's owner its status and evidence."""
        deliverable = self.get_object()
        data = _validated(s.DeliverableCreateSerializer, request, partial=True)
        deliverable = services.deliverable_update(by=request.user, deliverable=deliverable, **data)
        return self._out(s.DeliverableSerializer, deliverable)

    @extend_schema(exclude=True)
    def update(self, request, project_pk=None, pk=None):
        return self.partial_update(request, project_pk=project_pk, pk=pk)

    def perform_destroy(self, instance):
        services.deliverable_delete(by=self.request.user, deliverable=instance)

    @extend_schema(responses={**DOCUMENT_DOWNLOAD, 404: ERRORS[404]})
    @action(detail=True, methods=["get"])
    def evidence(self, request, project_pk=None, pk=None):
        """The evidence file as a download (the project's partners and staff)."""
        deliverable = self.get_object()
        if not deliverable.evidence_file:
            raise NotFound()
        return files.attachment(deliverable.evidence_file)


class DocumentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, _ProjectChild
):
    """The project's documents (agreements, reports, budgets): never on a public URL."""

    queryset = ProjectDocument.objects.none()
    serializer_class = s.DocumentSerializer
    parser_classes = [MultiPartParser, JSONParser]  # JSON: only to be told the file is missing

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ProjectDocument.objects.none()
        return selectors.documents_of(self.project())

    @extend_schema(
        request=s.DocumentCreateSerializer, responses={201: s.DocumentSerializer, **ERRORS}
    )
    def create(self, request, project_pk=None):
        """A PDF, image or office document, checked by its content; 10 MB at most."""
        project = self.editable_project()
        data = _validated(s.DocumentCreateSerializer, request)
        document = services.document_add(
            by=request.user, project=project, title=data.get("title", ""), file=data["file"]
        )
        return self._out(s.DocumentSerializer, document, status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.document_delete(by=self.request.user, document=instance)

    @extend_schema(responses={**DOCUMENT_DOWNLOAD, 404: ERRORS[404]})
    @action(detail=True, methods=["get"])
    def download(self, request, project_pk=None, pk=None):
        """The file, as a download, after the access check."""
        return files.attachment(self.get_object().file)
