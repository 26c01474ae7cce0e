"""The permission table: every API endpoint and page, for each kind of person, and what they get.

One world (tests below): the Coopérative Amalou ("ours") with an owner and a member, its
booking, series, calendar link, lab hours, application (submitted, with a juror), incubation
(milestone with evidence, mentoring, KPIs), enrolment, certification, invoice and invitation;
the other organisation, Atlas Essences, has the same kinds of things and its own owner (the
"outsider"). A trainer runs the session our member is enrolled in; a juror scores our
application; staff run the lab.

Each row: method, path (``{booking}`` etc. are ids of ours), body, and the status each person
gets. Writes run inside a transaction that is rolled back after each person, so every person
meets the same world. A second test reads every list as each person and finds no trace of an
organisation they do not belong to. Pages are read (GET) and their actions posted (POST); two
self-checks fail as soon as an API endpoint (the OpenAPI schema) or a page (frontend's URL
patterns) has no row here.
"""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.contrib import messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from billing import services as billing
from billing.models import PriceItem
from booking import services as booking
from booking.models import FeedKind
from booking.services.credits import lab_credit_grant
from caiac.accounts.models import MembershipRole
from caiac.frontdoor import services as frontdoor
from caiac.frontdoor.tokens import (
    email_change_token,
    invitation_token,
    join_confirm_token,
    password_reset_parts,
)
from caiac.notifications import services as notifications
from caiac.notifications.unsubscribe import unsubscribe_token
from caiac.projects import services as projects
from caiac.projects.models import FundingSource
from incubation import services as incubation
from incubation.models import Stage
from tests.booking.conftest import local
from tests.booking.factories import ClosureFactory, EquipmentFactory, lab_open_weekdays
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    StaffFactory,
    TrainerFactory,
    UserFactory,
)
from tests.incubation.factories import (
    CallFactory,
    CohortFactory,
    CriterionFactory,
    ProgrammeFactory,
)
from trainings import services as trainings
from trainings.models import Certification, Course

PEOPLE = ("anonymous", "outsider", "owner", "member", "trainer", "juror", "staff")
OURS_MARK = "Coopérative Amalou"
THEIRS_MARK = "Atlas Essences"
PDF = b"%PDF-1.4\n%%EOF\n"


# --- Expected statuses, by kind of endpoint -----------------------------------------------------
def row(anonymous, outsider, owner, member, trainer, juror, staff):
    return dict(
        zip(PEOPLE, (anonymous, outsider, owner, member, trainer, juror, staff), strict=True)
    )


SIGNED_IN = row(401, 200, 200, 200, 200, 200, 200)  # any signed-in person (scoped content)
OURS = row(401, 404, 200, 200, 404, 404, 200)  # an object of our organisation
STAFF_READ = row(401, 403, 403, 403, 403, 403, 200)  # staff-only read
STAFF_WRITE_400 = row(401, 403, 403, 403, 403, 403, 400)  # staff-only, empty body: invalid


def staff_only(ok: int):
    """A staff-only endpoint refused before any lookup: 403 for everyone else, whatever the id
    (so it says nothing about which objects exist)."""
    return row(401, 403, 403, 403, 403, 403, ok)


def billing_staff(ok: int):
    """Billing belongs to an organisation's owners: plain members see none of it."""
    return row(401, 404, 403, 404, 404, 404, ok)


def project_editor(ok: int):
    """A change to one of our R&D projects: owners of a partner and staff; a partner's plain
    member sees the project (403), anyone else does not (404)."""
    return row(401, 404, ok, 403, 404, 404, ok)


def staff_acts(ok: int):
    """A staff-only action on one of our objects: others 404 (cannot see it) or 403 (can)."""
    return row(401, 404, 403, 403, 404, 404, ok)


API = "/api/v1"

# (method, path, body, expected)
API_TABLE = [
    # accounts, front door
    ("get", "/me/", None, SIGNED_IN),
    ("get", "/organisations/", None, SIGNED_IN),
    ("post", "/organisations/", {}, STAFF_WRITE_400),
    ("get", "/organisations/{ours}/", None, OURS),
    ("patch", "/organisations/{ours}/", {"city": "Tiznit"}, staff_only(200)),
    ("get", "/organisations/{ours}/members/", None, OURS),
    ("post", "/organisations/{ours}/members/", {}, staff_only(400)),
    (
        "patch",
        "/organisations/{ours}/members/{member_id}/",
        {"role": "owner"},
        row(401, 404, 200, 403, 404, 404, 200),
    ),
    (
        "delete",
        "/organisations/{ours}/members/{member_id}/",
        None,
        row(401, 404, 204, 204, 404, 404, 204),
    ),
    ("get", "/organisations/{ours}/invitations/", None, row(401, 404, 200, 403, 404, 404, 200)),
    (
        "post",
        "/organisations/{ours}/invitations/",
        {"email": "new@amalou.ma", "role": "member"},
        row(401, 404, 201, 403, 404, 404, 201),
    ),
    (
        "get",
        "/organisations/{ours}/invitations/{invitation}/",
        None,
        row(401, 404, 200, 403, 404, 404, 200),
    ),
    (
        "delete",
        "/organisations/{ours}/invitations/{invitation}/",
        None,
        row(401, 404, 204, 403, 404, 404, 204),
    ),
    ("get", "/join-requests/", None, STAFF_READ),
    ("get", "/join-requests/{join_request}/", None, row(401, 403, 403, 403, 403, 403, 200)),
    ("post", "/join-requests/{join_request}/approve/", {}, row(401, 403, 403, 403, 403, 403, 200)),
    (
        "post",
        "/join-requests/{join_request}/decline/",
        {"reason": "Hors secteur"},
        row(401, 403, 403, 403, 403, 403, 200),
    ),
    # booking
    ("get", "/equipment/", None, SIGNED_IN),
    ("post", "/equipment/", {}, STAFF_WRITE_400),
    ("get", "/equipment/{machine}/", None, SIGNED_IN),
    (
        "patch",
        "/equipment/{machine}/",
        {"location": "Hall B"},
        row(401, 403, 403, 403, 403, 403, 200),
    ),
    (
        "get",
        "/equipment/{machine}/availability/?start=2026-11-24T00:00:00Z&end=2026-11-25T00:00:00Z",
        None,
        SIGNED_IN,
    ),
    ("get", "/opening-hours/", None, SIGNED_IN),
    ("post", "/opening-hours/", {}, STAFF_WRITE_400),
    ("get", "/opening-hours/{hours}/", None, SIGNED_IN),
    (
        "patch",
        "/opening-hours/{hours}/",
        {"closes_at": "18:00"},
        row(401, 403, 403, 403, 403, 403, 200),
    ),
    ("delete", "/opening-hours/{hours}/", None, staff_only(204)),
    ("get", "/closures/", None, SIGNED_IN),
    ("post", "/closures/", {}, STAFF_WRITE_400),
    ("get", "/closures/{closure}/", None, SIGNED_IN),
    (
        "patch",
        "/closures/{closure}/",
        {"reason": "Inventaire"},
        row(401, 403, 403, 403, 403, 403, 200),
    ),
    ("delete", "/closures/{closure}/", None, row(401, 403, 403, 403, 403, 403, 204)),
    ("get", "/bookings/", None, SIGNED_IN),
    ("post", "/bookings/", {}, row(401, 400, 400, 400, 400, 400, 400)),
    ("get", "/bookings/{booking}/", None, OURS),
    ("post", "/bookings/{booking}/cancel/", {}, OURS),
    # the body is checked before the booking is looked up (an empty one: 400 for everyone)
    ("post", "/bookings/{booking}/move/", {}, row(401, 400, 400, 400, 400, 400, 400)),
    ("post", "/bookings/{pending}/approve/", {}, staff_acts(200)),
    (
        "post",
        "/bookings/{pending}/reject/",
        {"reason": "Machine réservée à un audit"},
        staff_acts(200),
    ),
    ("post", "/bookings/{booking}/check-in/", None, staff_acts(400)),  # too early: 400 too_early
    ("post", "/bookings/{booking}/no-show/", {}, staff_acts(400)),  # not started yet
    ("get", "/booking-series/", None, SIGNED_IN),
    ("post", "/booking-series/", {}, row(401, 400, 400, 400, 400, 400, 400)),
    ("get", "/booking-series/{series}/", None, OURS),
    ("post", "/booking-series/{series}/cancel/", {}, OURS),
    # the secret token is the credential: no sign-in needed
    ("get", "/calendar/{feed_token}.ics", None, row(200, 200, 200, 200, 200, 200, 200)),
    ("get", "/calendar-feeds/", None, SIGNED_IN),
    ("post", "/calendar-feeds/", {"kind": "user"}, row(401, 201, 201, 201, 201, 201, 201)),
    ("delete", "/calendar-feeds/{feed}/", None, row(401, 404, 204, 404, 404, 404, 404)),
    ("get", "/lab-credits/", None, SIGNED_IN),
    ("get", "/usage/?start=2026-11-01&end=2026-12-01", None, STAFF_READ),
    ("get", "/usage.csv?start=2026-11-01&end=2026-12-01", None, STAFF_READ),
    ("get", "/usage.xlsx?start=2026-11-01&end=2026-12-01", None, STAFF_READ),
    # trainings
    ("get", "/trainings/courses/", None, SIGNED_IN),
    ("post", "/trainings/courses/", {}, STAFF_WRITE_400),
    ("get", "/trainings/courses/{course}/", None, SIGNED_IN),
    (
        "patch",
        "/trainings/courses/{course}/",
        {"level": "advanced"},
        row(401, 403, 403, 403, 403, 403, 200),
    ),
    ("get", "/trainings/sessions/", None, SIGNED_IN),
    ("post", "/trainings/sessions/", {}, row(401, 400, 400, 400, 400, 400, 400)),
    ("get", "/trainings/sessions/{session}/", None, SIGNED_IN),
    (
        "patch",
        "/trainings/sessions/{session}/",
        {"place": "Salle 2"},
        row(401, 403, 403, 403, 200, 403, 200),
    ),
    ("get", "/trainings/sessions/mine/", None, SIGNED_IN),
    ("post", "/trainings/sessions/{session}/enrol/", {}, row(401, 409, 201, 409, 201, 201, 201)),
    ("post", "/trainings/sessions/{session}/cancel/", {}, row(401, 200, 404, 200, 404, 404, 404)),
    (
        "post",
        "/trainings/sessions/{session}/cancel-session/",
        None,
        row(401, 403, 403, 403, 200, 403, 200),
    ),
    (
        "post",
        "/trainings/sessions/{session}/attendance/",
        [{"user": "{member_id}", "present": True}],
        row(401, 403, 403, 403, 400, 403, 400),
    ),  # not started yet
    (
        "get",
        "/trainings/sessions/{session}/enrolments/",
        None,
        row(401, 403, 403, 403, 200, 403, 200),
    ),
    (
        "get",
        "/trainings/sessions/{session}/attendance.csv",
        None,
        row(401, 403, 403, 403, 200, 403, 200),
    ),
    ("get", "/trainings/enrolments/", None, SIGNED_IN),
    ("get", "/certifications/", None, SIGNED_IN),
    ("post", "/certifications/", {}, STAFF_WRITE_400),
    ("get", "/certifications/{certification}/", None, row(401, 404, 200, 200, 200, 404, 200)),
    (
        "post",
        "/certifications/{certification}/revoke/",
        {"reason": "Erreur"},
        staff_only(200),
    ),
    # incubation
    ("get", "/incubation/programmes/", None, SIGNED_IN),
    ("post", "/incubation/programmes/", {}, STAFF_WRITE_400),
    ("get", "/incubation/programmes/{programme}/", None, SIGNED_IN),
    (
        "patch",
        "/incubation/programmes/{programme}/",
        {"description": "x"},
        row(401, 403, 403, 403, 403, 403, 200),
    ),
    ("get", "/incubation/calls/", None, SIGNED_IN),
    ("post", "/incubation/calls/", {}, STAFF_WRITE_400),
    ("get", "/incubation/calls/{call}/", None, SIGNED_IN),
    (
        "patch",
        "/incubation/calls/{call}/",
        {"description": "x"},
        row(401, 403, 403, 403, 403, 403, 200),
    ),
    ("get", "/incubation/calls/{call}/ranking/", None, STAFF_READ),
    ("get", "/incubation/applications/", None, SIGNED_IN),
    ("post", "/incubation/applications/", {}, row(401, 400, 400, 400, 400, 400, 400)),
    (
        "get",
        "/incubation/applications/{application}/",
        None,
        row(401, 404, 200, 200, 404, 200, 200),
    ),
    (
        "patch",
        "/incubation/applications/{application}/",
        {"answers": {}},
        row(401, 404, 400, 400, 404, 403, 403),
    ),  # submitted: no longer changes
    (
        "post",
        "/incubation/applications/{application}/submit/",
        None,
        row(401, 404, 400, 400, 404, 403, 403),
    ),
    (
        "post",
        "/incubation/applications/{application}/jurors/",
        {"jurors": []},
        row(401, 403, 403, 403, 403, 403, 200),
    ),
    (
        "post",
        "/incubation/applications/{application}/score/",
        {"scores": [{"criterion": "{criterion2}", "score": 4}]},
        row(401, 404, 403, 403, 404, 201, 403),
    ),
    (
        "post",
        "/incubation/applications/{application}/admit/",
        {},
        row(401, 404, 403, 403, 404, 403, 200),
    ),
    (
        "post",
        "/incubation/applications/{application}/decline/",
        {"reason": "Hors sujet"},
        row(401, 404, 403, 403, 404, 403, 200),
    ),
    ("get", "/incubation/evaluations/", None, SIGNED_IN),
    ("post", "/incubation/evaluations/", {}, row(401, 400, 400, 400, 400, 400, 400)),
    ("get", "/incubation/evaluations/{evaluation}/", None, row(401, 404, 404, 404, 404, 200, 200)),
    ("get", "/incubation/cohorts/", None, SIGNED_IN),
    ("post", "/incubation/cohorts/", {}, STAFF_WRITE_400),
    ("get", "/incubation/cohorts/{cohort}/", None, row(401, 200, 200, 200, 404, 404, 200)),
    (
        "patch",
        "/incubation/cohorts/{cohort}/",
        {"name": "Cohorte A"},
        row(401, 403, 403, 403, 403, 403, 200),
    ),
    ("get", "/incubation/cohorts/{cohort}/report/", None, STAFF_READ),
    ("get", "/incubation/cohorts/{cohort}/report.csv", None, STAFF_READ),
    ("get", "/incubation/cohorts/{cohort}/report.xlsx", None, STAFF_READ),
    ("get", "/incubation/incubatees/", None, SIGNED_IN),
    ("post", "/incubation/incubatees/", {}, STAFF_WRITE_400),
    ("get", "/incubation/incubatees/{incubatee}/", None, OURS),
    (
        "post",
        "/incubation/incubatees/{incubatee}/stage/",
        {"stage": "incubation", "reason": "Prêt"},
        staff_only(200),
    ),
    ("get", "/incubation/milestones/", None, SIGNED_IN),
    # a body is checked before the service's staff-only rule (a valid one gets 403 staff_only)
    ("post", "/incubation/milestones/", {}, row(401, 400, 400, 400, 400, 400, 400)),
    ("get", "/incubation/milestones/{milestone}/", None, OURS),
    ("patch", "/incubation/milestones/{milestone}/", {"status": "in_progress"}, OURS),
    ("put", "/incubation/milestones/{milestone}/", {}, row(401, 404, 400, 400, 404, 404, 400)),
    ("delete", "/incubation/milestones/{milestone}/", None, staff_acts(204)),
    ("get", "/incubation/milestones/{milestone}/evidence/", None, OURS),
    ("get", "/incubation/mentoring-sessions/", None, SIGNED_IN),
    ("post", "/incubation/mentoring-sessions/", {}, STAFF_WRITE_400),
    ("get", "/incubation/mentoring-sessions/{mentoring}/", None, OURS),
    ("patch", "/incubation/mentoring-sessions/{mentoring}/", {"topic": "Export"}, staff_only(200)),
    ("get", "/incubation/kpi-reports/", None, SIGNED_IN),
    ("post", "/incubation/kpi-reports/", {}, row(401, 400, 400, 400, 400, 400, 400)),
    ("get", "/incubation/kpi-reports/{kpi}/", None, OURS),
    (
        "post",
        "/incubation/kpi-reports/{kpi}/amend/",
        {"reason": "Correction", "jobs_women": 3},
        staff_acts(200),
    ),
    ("get", "/incubation/reports/funder/?year=2026", None, STAFF_READ),
    ("get", "/incubation/reports/funder.csv?year=2026", None, STAFF_READ),
    ("get", "/incubation/reports/funder.xlsx?year=2026", None, STAFF_READ),
    ("get", "/reports/cluster/?year=2026", None, STAFF_READ),
    ("get", "/reports/cluster.csv?year=2026&table=members", None, STAFF_READ),
    ("get", "/reports/cluster.xlsx?year=2026", None, STAFF_READ),
    # R&D projects (our cooperative leads one, theirs another)
    ("get", "/funding-sources/", None, SIGNED_IN),
    ("post", "/funding-sources/", {}, STAFF_WRITE_400),
    ("get", "/funding-sources/{funding_source}/", None, SIGNED_IN),
    ("patch", "/funding-sources/{funding_source}/", {"description": "Appel 2026"}, staff_only(200)),
    ("get", "/projects/", None, SIGNED_IN),
    ("post", "/projects/", {}, row(401, 400, 400, 400, 400, 400, 400)),
    ("get", "/projects/{project}/", None, OURS),
    ("patch", "/projects/{project}/", {"summary": "Huile stabilisée"}, project_editor(200)),
    (
        "post",
        "/projects/{project}/status/",
        {"status": "submitted", "reason": "Dépôt à l'appel"},
        project_editor(200),
    ),
    ("get", "/projects/{project}/partners/", None, OURS),
    (
        "post",
        "/projects/{project}/partners/",
        {
            "organisation_name": "Emballages du Sud",
            "organisation_kind": "company",
            "role": "industrial",
        },
        project_editor(201),
    ),
    ("get", "/projects/{project}/partners/{partner}/", None, OURS),
    (
        "patch",
        "/projects/{project}/partners/{partner}/",
        {"contribution": "Analyses"},
        project_editor(200),
    ),
    ("delete", "/projects/{project}/partners/{partner}/", None, project_editor(204)),
    ("get", "/projects/{project}/funding/", None, OURS),
    (
        "post",
        "/projects/{project}/funding/",
        {"source": "{funding_source}", "year": 2027, "committed_mad": "1000"},
        project_editor(201),
    ),
    ("get", "/projects/{project}/funding/{funding}/", None, OURS),
    (
        "patch",
        "/projects/{project}/funding/{funding}/",
        {"received_mad": "5000"},
        project_editor(200),
    ),
    ("delete", "/projects/{project}/funding/{funding}/", None, project_editor(204)),
    ("get", "/projects/{project}/deliverables/", None, OURS),
    (
        "post",
        "/projects/{project}/deliverables/",
        {"title": "Rapport d'étape", "due_date": "2027-01-31"},
        project_editor(201),
    ),
    ("get", "/projects/{project}/deliverables/{deliverable}/", None, OURS),
    (
        "patch",
        "/projects/{project}/deliverables/{deliverable}/",
        {"title": "Rapport final"},
        project_editor(200),
    ),
    ("delete", "/projects/{project}/deliverables/{deliverable}/", None, project_editor(204)),
    ("get", "/projects/{project}/deliverables/{deliverable}/evidence/", None, OURS),
    ("get", "/projects/{project}/documents/", None, OURS),
    ("post", "/projects/{project}/documents/", {}, project_editor(400)),
    ("get", "/projects/{project}/documents/{document}/", None, OURS),
    ("delete", "/projects/{project}/documents/{document}/", None, project_editor(204)),
    ("get", "/projects/{project}/documents/{document}/download/", None, OURS),
    ("get", "/projects/{project}/lab-use/", None, OURS),
    # notifications
    ("get", "/notifications/", None, SIGNED_IN),
    ("get", "/notifications/{notification}/", None, row(401, 404, 404, 200, 404, 404, 404)),
    ("post", "/notifications/{notification}/read/", None, row(401, 404, 404, 200, 404, 404, 404)),
    ("post", "/notifications/read-all/", None, SIGNED_IN),
    ("get", "/notifications/unread-count/", None, SIGNED_IN),
    ("get", "/notifications/preferences/", None, SIGNED_IN),
    ("put", "/notifications/preferences/", {"email_disabled": []}, SIGNED_IN),
    ("get", "/notifications/failed/", None, STAFF_READ),
    ("post", "/notifications/{notification}/resend/", None, row(401, 403, 403, 403, 403, 403, 404)),
    ("post", "/notifications/announce/", {}, STAFF_WRITE_400),
    # billing
    ("get", "/billing/price-list/", None, SIGNED_IN),
    ("post", "/billing/price-list/", {}, STAFF_WRITE_400),
    ("get", "/billing/price-list/{price_item}/", None, SIGNED_IN),
    (
        "patch",
        "/billing/price-list/{price_item}/",
        {"unit": "kg"},
        row(401, 403, 403, 403, 403, 403, 200),
    ),
    ("get", "/billing/charges/", None, SIGNED_IN),
    ("post", "/billing/charges/", {}, STAFF_WRITE_400),
    ("get", "/billing/charges/{charge}/", None, row(401, 404, 200, 404, 404, 404, 200)),
    (
        "post",
        "/billing/charges/{charge}/waive/",
        {"reason": "Geste commercial"},
        billing_staff(409),
    ),
    ("delete", "/billing/charges/{charge}/", None, billing_staff(409)),  # invoiced
    ("get", "/billing/invoices/", None, SIGNED_IN),
    ("get", "/billing/invoices/{invoice}/", None, row(401, 404, 200, 404, 404, 404, 200)),
    ("get", "/billing/invoices/{invoice}/pdf/", None, row(401, 404, 200, 404, 404, 404, 200)),
    ("post", "/billing/invoices/{invoice}/issue/", None, staff_only(409)),  # issued already
    ("get", "/billing/invoices/{invoice}/payments/", None, row(401, 404, 200, 404, 404, 404, 200)),
    ("post", "/billing/invoices/{invoice}/payments/", {}, billing_staff(400)),
    ("post", "/billing/invoices/{invoice}/credit-note/", {}, staff_only(400)),
    ("post", "/billing/invoices/draft-month/", {}, STAFF_WRITE_400),
    ("get", "/billing/receivables/", None, STAFF_READ),
    ("get", "/billing/journal.csv?from=2026-11-01&to=2026-11-30", None, STAFF_READ),
    ("get", "/billing/journal.xlsx?from=2026-11-01&to=2026-11-30", None, STAFF_READ),
    (
        "get",
        "/billing/statement/?organisation={ours}",
        None,
        row(401, 404, 200, 404, 404, 404, 200),
    ),
    ("get", "/billing/customers/{ours}/", None, row(401, 404, 200, 404, 404, 404, 200)),
    ("put", "/billing/customers/{ours}/", {}, row(401, 404, 200, 404, 404, 404, 200)),
]

STAFF_PAGE = row(302, 403, 403, 403, 403, 403, 200)
SIGNED_IN_PAGE = row(302, 200, 200, 200, 200, 200, 200)
OUR_PAGE = row(302, 404, 200, 200, 404, 404, 200)  # a page of one of our organisation's things
PUBLIC_PAGE = row(200, 200, 200, 200, 200, 200, 200)

PAGE_TABLE = [
    # (path, expected) — anonymous people are sent to the login page (302)
    ("/", SIGNED_IN_PAGE),
    ("/lab/", SIGNED_IN_PAGE),
    ("/lab/machines/{machine}/", SIGNED_IN_PAGE),
    ("/lab/machines/{machine}/slots/", SIGNED_IN_PAGE),
    ("/lab/my-bookings/", SIGNED_IN_PAGE),
    ("/lab/approvals/", STAFF_PAGE),
    ("/trainings/", SIGNED_IN_PAGE),
    ("/trainings/mine/", SIGNED_IN_PAGE),
    ("/trainings/teach/", row(302, 403, 403, 403, 200, 403, 200)),
    ("/trainings/sessions/{session}/", row(302, 403, 403, 403, 200, 403, 200)),
    ("/incubation/", SIGNED_IN_PAGE),
    ("/incubation/calls/{call}/apply/", SIGNED_IN_PAGE),
    ("/incubation/calls/{call}/ranking/", STAFF_PAGE),
    ("/incubation/applications/{application}/score/", row(302, 404, 403, 403, 404, 200, 403)),
    ("/incubation/cohorts/{cohort}/", STAFF_PAGE),
    ("/incubation/incubatees/{incubatee}/", OUR_PAGE),
    ("/incubation/milestones/{milestone}/evidence/", OUR_PAGE),
    ("/notifications/", SIGNED_IN_PAGE),
    # staff pages: everyone else gets the 403 page
    ("/lab/today/", STAFF_PAGE),
    ("/lab/closures/", STAFF_PAGE),
    ("/lab/closures/{closure}/edit/", STAFF_PAGE),
    ("/lab/closures/{closure}/delete/", STAFF_PAGE),
    ("/lab/usage/", STAFF_PAGE),
    ("/staff/", STAFF_PAGE),
    ("/staff/machines/", STAFF_PAGE),
    ("/staff/machines/new/", STAFF_PAGE),
    ("/staff/machines/{machine}/edit/", STAFF_PAGE),
    ("/staff/opening-hours/", STAFF_PAGE),
    ("/staff/opening-hours/{hours}/edit/", STAFF_PAGE),
    ("/staff/opening-hours/{hours}/delete/", STAFF_PAGE),
    ("/staff/trainings/", STAFF_PAGE),
    ("/staff/trainings/courses/new/", STAFF_PAGE),
    ("/staff/trainings/courses/{course}/edit/", STAFF_PAGE),
    ("/trainings/sessions/new/", row(302, 403, 403, 403, 200, 403, 200)),
    ("/trainings/sessions/{session}/edit/", row(302, 403, 403, 403, 200, 403, 200)),
    ("/incubation/calls/new/", STAFF_PAGE),
    ("/incubation/calls/{call}/edit/", STAFF_PAGE),
    ("/incubation/incubatees/{incubatee}/milestones/new/", STAFF_PAGE),
    ("/incubation/milestones/{milestone}/edit/", STAFF_PAGE),
    ("/incubation/incubatees/{incubatee}/mentoring/new/", STAFF_PAGE),
    ("/incubation/mentoring/{mentoring}/edit/", STAFF_PAGE),
    ("/incubation/kpi-reports/{kpi}/amend/", STAFF_PAGE),
    ("/projects/", SIGNED_IN_PAGE),
    ("/projects/funding-sources/", STAFF_PAGE),
    ("/projects/{project}/", OUR_PAGE),
    ("/projects/{project}/edit/", row(302, 404, 200, 403, 404, 404, 200)),
    ("/projects/{project}/documents/{document}/", OUR_PAGE),
    (
        "/projects/{project}/deliverables/{deliverable}/evidence/",
        OUR_PAGE,
    ),
    ("/staff/reports/cluster/?year=2026", STAFF_PAGE),
    # the front door
    ("/profile/", SIGNED_IN_PAGE),
    ("/join/", PUBLIC_PAGE),
    ("/staff/join-requests/", row(302, 404, 404, 404, 404, 404, 200)),
    ("/organisations/{ours}/people/", OUR_PAGE),
    # the emailed link, sent to invite@aicha.ma: no signed-in account here is that address
    ("/invitations/{invitation_token}/", row(200, 403, 403, 403, 403, 403, 403)),
    ("/join/check-email/", PUBLIC_PAGE),
    ("/join/confirm/{join_confirm_token}/", PUBLIC_PAGE),
    ("/join/thanks/", PUBLIC_PAGE),
    ("/login/", PUBLIC_PAGE),
    ("/password-reset/", PUBLIC_PAGE),
    ("/password-reset/sent/", PUBLIC_PAGE),
    # Karim's emailed link: whoever holds it is sent on to choose his new password
    ("/password-reset/{reset_uid}/{reset_token}/", row(302, 302, 302, 302, 302, 302, 302)),
    ("/password-reset/done/", PUBLIC_PAGE),
    # the link sent to our member's new address: opening it only shows a button (mail scanners)
    ("/profile/email/{email_token}/", PUBLIC_PAGE),
    # booking pages not listed above
    ("/lab/machines/{machine}/quote/?start=2026-11-26T10:00&end=2026-11-26T11:00", SIGNED_IN_PAGE),
    ("/lab/bookings/{booking}/move/", OUR_PAGE),
    ("/lab/bookings/{booking}/move/quote/?start=2026-11-26T10:00&end=2026-11-26T11:00", OUR_PAGE),
    ("/staff/charts/{chart}.csv", STAFF_PAGE),
    # notifications
    ("/notifications/badge/", SIGNED_IN_PAGE),
    ("/notifications/preferences/", SIGNED_IN_PAGE),
    # the List-Unsubscribe link of our member's emails: the signed token is the key
    ("/notifications/unsubscribe/{unsubscribe_token}/", PUBLIC_PAGE),
    # billing: an organisation's documents are its owners'; the lab's books are staff's
    ("/billing/", SIGNED_IN_PAGE),
    ("/billing/invoices/{invoice}/", row(302, 404, 200, 404, 404, 404, 200)),
    ("/billing/invoices/{invoice}/pdf/", row(302, 404, 200, 404, 404, 404, 200)),
    ("/billing/statement/{ours}/", row(302, 404, 200, 404, 404, 404, 200)),
    ("/billing/charges/", STAFF_PAGE),
    ("/billing/price-list/", STAFF_PAGE),
    ("/billing/journal.csv?from=2026-11-01&to=2026-11-30", STAFF_PAGE),
]

# --- Actions of the pages (POST) ------------------------------------------------------------
# What each person gets: an int is the status code (the 403 / 404 page, 200 for a form shown
# again with its errors); for a redirect, LOGIN is the sign-in page, DONE the action happened and
# REFUSED the page it leads back to shows why not (an error message).
LOGIN, DONE, REFUSED = "login", "done", "refused"


def act(anonymous, outsider, owner, member, trainer, juror, staff):
    return row(anonymous, outsider, owner, member, trainer, juror, staff)


STAFF_ACTION = act(LOGIN, 403, 403, 403, 403, 403, DONE)
# Staff only (403 page for anyone else, before anything is looked up); staff are then told why
# not, the world being what it is.
STAFF_ONLY_REFUSED = act(LOGIN, 403, 403, 403, 403, 403, REFUSED)
ANYONE_SIGNED_IN = act(LOGIN, DONE, DONE, DONE, DONE, DONE, DONE)

PAGE_ACTIONS = [
    # (path, body, expected)
    ("/logout/", {}, act(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN)),  # signed out
    ("/profile/api-token/", {}, ANYONE_SIGNED_IN),
    ("/profile/api-token/revoke/", {}, ANYONE_SIGNED_IN),
    (
        "/organisations/{ours}/people/{member_id}/role/",
        {"role": "owner"},
        act(LOGIN, 404, DONE, REFUSED, 404, 404, DONE),
    ),
    (
        "/organisations/{ours}/people/{member_id}/remove/",
        {},
        act(LOGIN, 404, DONE, DONE, 404, 404, DONE),  # the member leaves
    ),
    (
        "/organisations/{ours}/invitations/{invitation}/revoke/",
        {},
        act(LOGIN, 404, DONE, 403, 404, 404, DONE),
    ),
    ("/staff/join-requests/{join_request}/approve/", {}, act(LOGIN, 404, 404, 404, 404, 404, DONE)),
    (
        "/staff/join-requests/{join_request}/decline/",
        {"reason": "Hors secteur"},
        act(LOGIN, 404, 404, 404, 404, 404, DONE),
    ),
    ("/lab/bookings/{booking}/cancel/", {}, act(LOGIN, 404, DONE, DONE, 404, 404, DONE)),
    # no times given: the form comes back with its errors, to those who may move it
    ("/lab/bookings/{booking}/move/", {}, act(LOGIN, 404, 200, 200, 404, 404, 200)),
    ("/lab/calendar-links/", {"kind": "user"}, ANYONE_SIGNED_IN),
    ("/lab/calendar-links/{feed}/revoke/", {}, act(LOGIN, 404, DONE, 404, 404, 404, 404)),
    ("/lab/approvals/{pending}/approve/", {}, STAFF_ACTION),
    ("/lab/approvals/{pending}/reject/", {"reason": "Audit"}, STAFF_ACTION),
    # too early for both: the booking starts tomorrow
    ("/lab/today/bookings/{booking}/check-in/", {}, STAFF_ONLY_REFUSED),
    ("/lab/today/bookings/{booking}/no-show/", {}, STAFF_ONLY_REFUSED),
    # the outsider (their owner) and our member are enrolled already; there are seats left
    (
        "/trainings/sessions/{session}/enrol/",
        {},
        act(LOGIN, REFUSED, DONE, REFUSED, DONE, DONE, DONE),
    ),
    (
        "/trainings/sessions/{session}/cancel/",
        {},
        act(LOGIN, DONE, REFUSED, DONE, REFUSED, REFUSED, REFUSED),
    ),
    (
        "/trainings/sessions/{session}/cancel-session/",
        {},
        act(LOGIN, 403, 403, 403, DONE, 403, DONE),  # the trainer's session
    ),
    # the announcement went to our member only
    (
        "/notifications/{notification}/read/",
        {},
        act(LOGIN, REFUSED, REFUSED, DONE, REFUSED, REFUSED, REFUSED),
    ),
    ("/notifications/read-all/", {}, ANYONE_SIGNED_IN),
    ("/notifications/{notification}/resend/", {}, STAFF_ONLY_REFUSED),  # it has not failed
    # issued already; no payment given; no credit note lines; the charge is invoiced
    ("/billing/invoices/{invoice}/issue/", {}, STAFF_ONLY_REFUSED),
    ("/billing/invoices/{invoice}/payment/", {}, STAFF_ONLY_REFUSED),
    ("/billing/invoices/{invoice}/credit-note/", {}, STAFF_ONLY_REFUSED),
    ("/billing/charges/{charge}/waive/", {"reason": "Geste commercial"}, STAFF_ONLY_REFUSED),
    ("/billing/draft-month/", {}, STAFF_ACTION),
    ("/billing/price-list/{price_item}/toggle/", {}, STAFF_ACTION),
    # our application's juror has scored it already: staff are told they stay on its jury
    ("/incubation/calls/{call}/jurors/{juror}/remove/", {}, STAFF_ACTION),
]


# --- The world -----------------------------------------------------------------------------------
def _organisation_with_things(
    name, *, owner_name, hour, staff, trainer, machine, course, cohort, call, funding_source
):
    organisation = OrganisationFactory(name=name)
    owner = UserFactory(username=owner_name)
    MembershipFactory(user=owner, organisation=organisation, role=MembershipRole.OWNER)
    things = {"organisation": organisation, "owner": owner}
    things["booking"] = booking.booking_create(
        user=owner,
        equipment=machine,
        start=local(2026, 11, 24, hour, 0),
        end=local(2026, 11, 24, hour + 1, 0),
        notes=f"Essai {name}",
    )
    things["series"] = booking.booking_series_create(
        user=owner,
        equipment=machine,
        start=local(2026, 11, 25, hour, 0),
        end=local(2026, 11, 25, hour + 1, 0),
        weekly_until=datetime.date(2026, 12, 9),
    ).series
    things["feed"] = booking.feed_token_create(
        user=owner, kind=FeedKind.ORGANISATION, organisation=organisation.pk
    )
    lab_credit_grant(
        organisation=organisation,
        period_start=datetime.date(2026, 11, 1),
        period_end=datetime.date(2026, 11, 30),
        hours=Decimal("4"),
        source=f"Pépinière {name}",
    )
    things["application"] = incubation.application_create(
        by=owner, call=call, organisation=organisation, answers={}
    )
    incubation.application_submit(by=owner, application=things["application"])
    things["incubatee"] = incubation.incubatee_create(
        by=staff, cohort=cohort, organisation=organisation, stage=Stage.PRE_INCUBATION
    )
    things["milestone"] = incubation.milestone_create(
        by=staff,
        incubatee=things["incubatee"],
        title=f"Dossier ONSSA {name}",
        due_date=datetime.date(2027, 1, 15),
        owner=owner,
        evidence_file=SimpleUploadedFile("dossier.pdf", PDF),
    )
    things["mentoring"] = incubation.mentoring_session_create(
        by=staff,
        incubatee=things["incubatee"],
        date=datetime.date(2026, 11, 10),
        hours=Decimal("2"),
        topic=f"Plan d'affaires {name}",
        mentor_name="Mme Benali",
    )
    things["kpi"] = incubation.kpi_report_submit(
        by=owner, incubatee=things["incubatee"], period="2026-Q3", revenue_mad=Decimal("12000")
    )
    # The price list is the lab's, shared by all: its items name no organisation.
    item = PriceItem.objects.create(
        name=f"Pots de 50 ml (lot {owner_name})", unit="pièce", unit_price=Decimal("3")
    )
    things["price_item"] = item
    things["charge"] = billing.charge_add(
        by=staff,
        organisation=organisation,
        item=item,
        quantity=Decimal("10"),
        service_date=datetime.date(2026, 11, 20),
    )
    things["project"] = projects.project_create(
        by=owner,
        lead=organisation,
        title=f"Huile d'argan stabilisée {name}",
        theme="cosmetics",
        budget_mad=Decimal("850000"),
    )
    things["partner"] = projects.partner_add(
        by=owner,
        project=things["project"],
        role="research",
        organisation_name=f"Laboratoire {name}",
        organisation_kind="research_lab",
    )
    things["funding"] = projects.funding_create(
        by=owner,
        project=things["project"],
        source=funding_source,
        year=2026,
        committed_mad=Decimal("400000"),
        received_mad=Decimal("100000"),
        note=f"Tranche 1 {name}",
    )
    things["deliverable"] = projects.deliverable_create(
        by=owner,
        project=things["project"],
        title=f"Protocole de stabilité {name}",
        due_date=datetime.date(2027, 3, 31),
        owner=owner,
        evidence_file=SimpleUploadedFile("protocole.pdf", PDF),
    )
    things["document"] = projects.document_add(
        by=owner,
        project=things["project"],
        title=f"Convention {name}",
        file=SimpleUploadedFile("convention.pdf", PDF),
    )
    things["invitation"] = frontdoor.invitation_create(
        by=owner, organisation=organisation, email=f"invite@{owner_name}.ma"
    )
    return things


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(local(2026, 11, 23, 7, 0), tick=False):
        staff = StaffFactory(username="nadia")
        trainer = TrainerFactory(username="rachid")
        juror = UserFactory(username="jury1")
        lab_open_weekdays()
        machine = EquipmentFactory(name="Mélangeur planétaire", requires_approval=False)
        approval_machine = EquipmentFactory(name="Lyophilisateur", requires_approval=True)
        hours = lab_open_weekdays(equipment=approval_machine)
        closure = ClosureFactory(
            start=local(2026, 12, 25, 0, 0), end=local(2026, 12, 26, 0, 0), reason="Fête"
        )
        course = Course.objects.create(title="Sécurité au laboratoire", validity_months=12)
        programme = ProgrammeFactory(name="Pépinière cosmétique Souss Massa")
        cohort = CohortFactory(programme=programme, name="Cohorte 2026")
        call = CallFactory(
            programme=programme,
            cohort=cohort,
            title="Appel 2026",
            opens_at=local(2026, 11, 1, 9, 0),
            closes_at=local(2026, 12, 20, 18, 0),
        )
        criterion = CriterionFactory(call=call, name="Innovation", max_score=10)
        criterion2 = CriterionFactory(call=call, name="Équipe", max_score=5, position=1)
        funding_source = FundingSource.objects.create(
            name="GIZ — Partenariat pour l'emploi", kind="international"
        )
        common = dict(
            staff=staff,
            trainer=trainer,
            machine=machine,
            course=course,
            cohort=cohort,
            call=call,
            funding_source=funding_source,
        )
        theirs = _organisation_with_things(THEIRS_MARK, owner_name="youssef", hour=9, **common)
        ours = _organisation_with_things(OURS_MARK, owner_name="aicha", hour=11, **common)
        member = UserFactory(username="fatima")
        MembershipFactory(user=member, organisation=ours["organisation"])
        pending = booking.booking_create(
            user=member,
            equipment=approval_machine,
            start=local(2026, 11, 24, 11, 0),
            end=local(2026, 11, 24, 12, 0),
        )
        incubation.jurors_assign(by=staff, application=ours["application"], jurors=[juror])
        evaluation = incubation.evaluation_create(
            juror=juror, application=ours["application"], criterion=criterion, score=7
        )
        session = trainings.session_create(
            by=trainer,
            course=course,
            place="Halle Technologique, salle 1",
            start=local(2026, 11, 30, 9, 0),
            end=local(2026, 11, 30, 12, 0),
            capacity=8,
        )
        trainings.session_enrol(by=member, session=session)
        trainings.session_enrol(by=theirs["owner"], session=session)
        certification = Certification.objects.create(
            user=member, course=course, issued_at=local(2026, 11, 2, 9, 0)
        )
        [notification] = notifications.announcement_send(
            author=staff, recipients=[member], title="Fermeture", text=f"Pour {OURS_MARK}"
        )
        invoices = billing.invoices_draft_month(year=2026, month=11)
        invoice = next(i for i in invoices if i.organisation_id == ours["organisation"].pk)
        invoice = billing.invoice_issue(by=staff, invoice=invoice)
        join_request = frontdoor.join_request_submit(
            by=None,
            organisation_name="Coopérative Tifawin",
            kind="cooperative",
            sector="cosmetics",
            city="Tiznit",
            first_name="Zahra",
            last_name="Aït Lahcen",
            email="zahra@tifawin.ma",
            username="zahra",
            password="Argan-Tifawin-2026!",
        )
        # Staff see it once its address is confirmed through the emailed link.
        frontdoor.join_request_confirm_email(token=join_confirm_token(join_request))
        # Someone who asked for a password reset link (and, unlike the people below, never
        # signs in here: signing in would spend the link).
        reset_uid, reset_token = password_reset_parts(UserFactory(username="karim"))
    people = {
        "anonymous": None,
        "outsider": theirs["owner"],
        "owner": ours["owner"],
        "member": member,
        "trainer": trainer,
        "juror": juror,
        "staff": staff,
    }
    ids = {
        "ours": ours["organisation"].pk,
        "member_id": member.pk,
        "invitation": ours["invitation"].pk,
        "invitation_token": invitation_token(ours["invitation"]),
        "join_request": join_request.pk,
        "join_confirm_token": join_confirm_token(join_request),
        "reset_uid": reset_uid,
        "reset_token": reset_token,
        "email_token": email_change_token(member, "fatima@amalou.ma"),
        "unsubscribe_token": unsubscribe_token(user_id=member.pk, kind="booking.reminder_24h"),
        "chart": "utilisation",
        "machine": machine.pk,
        "hours": hours[0].pk if isinstance(hours, list) else hours.pk,
        "closure": closure.pk,
        "booking": ours["booking"].pk,
        "pending": pending.pk,
        "series": ours["series"].pk,
        "feed": ours["feed"].pk,
        "feed_token": ours["feed"].token,
        "course": course.pk,
        "session": session.pk,
        "certification": certification.pk,
        "programme": programme.pk,
        "call": call.pk,
        "application": ours["application"].pk,
        "evaluation": evaluation.pk,
        "criterion2": criterion2.pk,
        "juror": juror.pk,
        "cohort": cohort.pk,
        "incubatee": ours["incubatee"].pk,
        "milestone": ours["milestone"].pk,
        "mentoring": ours["mentoring"].pk,
        "kpi": ours["kpi"].pk,
        "notification": notification.pk,
        "price_item": ours["price_item"].pk,
        "charge": ours["charge"].pk,
        "invoice": invoice.pk,
        "funding_source": funding_source.pk,
        "project": ours["project"].pk,
        "partner": ours["partner"].pk,
        "funding": ours["funding"].pk,
        "deliverable": ours["deliverable"].pk,
        "document": ours["document"].pk,
    }
    return {"people": people, "ids": ids}


def _fill(value, ids):
    if isinstance(value, str):
        filled = value.format(**ids)
        return int(filled) if value.startswith("{") and filled.isdigit() else filled
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _api_client(person):
    client = APIClient()
    if person is not None:
        client.force_authenticate(person)
    return client


def _page_client(person):
    client = Client()
    if person is not None:
        client.force_login(person)
    return client


def _status_as_each_person(world, make_client, send, read=lambda response: response.status_code):
    statuses = {}
    for who, person in world["people"].items():
        client = make_client(person)
        with time_machine.travel(local(2026, 11, 23, 8, 0), tick=False), transaction.atomic():
            statuses[who] = read(send(client))
            transaction.set_rollback(True)  # the next person meets the same world
    return statuses


def _outcome(response):
    """The status, or for a redirect: to the sign-in page, with an error message, or done."""
    if response.status_code != 302:
        return response.status_code
    if response["Location"].startswith("/login/"):
        return LOGIN
    levels = {message.level for message in messages.get_messages(response.wsgi_request)}
    return REFUSED if messages.ERROR in levels else DONE


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    API_TABLE,
    ids=[f"{m.upper()} {p}" for m, p, _b, _e in API_TABLE],
)
def test_api_endpoint_answers_each_person_as_the_table_says(world, method, path, body, expected):
    url = API + _fill(path, world["ids"])
    data = _fill(body, world["ids"])

    def send(client):
        return (
            getattr(client, method)(url, data, format="json")
            if data is not None
            else (getattr(client, method)(url))
        )

    assert _status_as_each_person(world, _api_client, send) == expected


@pytest.mark.parametrize(("path", "expected"), PAGE_TABLE, ids=[p for p, _e in PAGE_TABLE])
def test_page_answers_each_person_as_the_table_says(world, path, expected):
    url = _fill(path, world["ids"])
    assert _status_as_each_person(world, _page_client, lambda c: c.get(url)) == expected


@pytest.mark.parametrize(
    ("path", "body", "expected"), PAGE_ACTIONS, ids=[p for p, _b, _e in PAGE_ACTIONS]
)
def test_page_action_answers_each_person_as_the_table_says(world, path, body, expected):
    url = _fill(path, world["ids"])
    data = _fill(body, world["ids"])
    outcomes = _status_as_each_person(
        world, _page_client, lambda client: client.post(url, data), read=_outcome
    )
    assert outcomes == expected


def test_the_table_covers_every_page():
    from frontend.urls import urlpatterns

    routes = {"/" + re.sub(r"<[^>]+>", "{}", route) for route in _routes(urlpatterns)}
    in_table = {_generic(path.split("?")[0]) for path, _e in PAGE_TABLE}
    in_table |= {_generic(path) for path, _b, _e in PAGE_ACTIONS}
    missing = sorted(routes - in_table)
    assert missing == [], "\n".join(missing)


def _routes(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if hasattr(pattern, "url_patterns"):  # an include()
            yield from _routes(pattern.url_patterns, route)
        else:
            yield route


def test_the_table_covers_every_api_endpoint():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    documented = {
        (method, path.removeprefix(API))
        for path, operations in schema["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    }
    documented -= {("post", "/auth/token/"), ("delete", "/auth/token/")}  # signing in itself
    documented -= {("post", "/auth/password-reset/"), ("post", "/join-requests/")}  # public forms
    in_table = {
        (method, path.split("?")[0].replace("{ours}", "{id}").replace("{organisation_pk}", "{id}"))
        for method, path, _b, _e in API_TABLE
    }
    generic = {(method, _generic(path)) for method, path in documented}
    covered = {(m, _generic(p)) for m, p in in_table}
    # PUT and PATCH of a detail route are one handler with one rule: PATCH in the table covers it.
    covered |= {("put", p) for m, p in covered if m == "patch"}
    missing = sorted(generic - covered)
    assert missing == [], "\n".join(f"{m.upper()} {p}" for m, p in missing)


def _generic(path: str) -> str:
    return re.sub(r"\{[a-z_]+\}", "{}", path)


def test_what_the_schema_marks_staff_only_the_table_refuses_to_everyone_else():
    """``x-staff-only`` (caiac/schema.py) lets the member's fuzz run skip those operations: each
    must really be a 403 for every signed-in person but staff."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    marked = {
        (method, _generic(path.removeprefix(API)))
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if isinstance(operation, dict) and operation.get("x-staff-only")
    }
    expected = {}
    for method, path, _body, statuses in API_TABLE:
        generic = _generic(path.split("?")[0])
        expected[(method, generic)] = statuses
        if method == "patch":
            expected.setdefault(("put", generic), statuses)
    others = ("outsider", "owner", "member", "trainer", "juror")
    checked = [expected[op] for op in marked if op in expected]
    assert len(checked) > 40
    refused = [s for s in checked if {s[who] for who in others} == {403} and s["staff"] != 403]
    assert len(refused) == len(checked)


LISTS = [
    "/organisations/",
    "/bookings/",
    "/booking-series/",
    "/calendar-feeds/",
    "/lab-credits/",
    "/certifications/",
    "/trainings/enrolments/",
    "/incubation/applications/",
    "/incubation/incubatees/",
    "/incubation/milestones/",
    "/incubation/mentoring-sessions/",
    "/incubation/kpi-reports/",
    "/incubation/cohorts/",
    "/notifications/",
    "/billing/charges/",
    "/billing/invoices/",
    "/projects/",
]


# Every read the table opens to anyone signed in (the catalogue, the schedule, one's own
# settings) is read as well: whatever it shows, no organisation's things in it.
SIGNED_IN_READS = [
    path for method, path, _b, expected in API_TABLE if method == "get" and expected == SIGNED_IN
]


@pytest.mark.parametrize("path", sorted(set(LISTS) | set(SIGNED_IN_READS)))
def test_no_list_shows_another_organisations_data(world, path):
    outsider, owner, member = (world["people"][w] for w in ("outsider", "owner", "member"))
    url = API + _fill(path, world["ids"])
    with time_machine.travel(local(2026, 11, 23, 8, 0), tick=False):
        for person, foreign in ((outsider, OURS_MARK), (owner, THEIRS_MARK), (member, THEIRS_MARK)):
            response = _api_client(person).get(url)
            assert response.status_code == 200
            assert foreign not in response.content.decode(), (person.username, path)
