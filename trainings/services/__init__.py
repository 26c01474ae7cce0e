"""Every write of the trainings app. The API, the pages and the admin all call these."""

from trainings.services.certifications import (
    certification_grant,
    certification_revoke,
    certifications_expiring_notify,
    expiry_for,
)
from trainings.services.courses import course_create, course_update
from trainings.services.enrolment import (
    attendance_record,
    session_enrol,
    session_enrolment_cancel,
)
from trainings.services.sessions import session_cancel, session_create, session_update

__all__ = [
    "attendance_record",
    "certification_grant",
    "certification_revoke",
    "certifications_expiring_notify",
    "course_create",
    "course_update",
    "expiry_for",
    "session_cancel",
    "session_create",
    "session_enrol",
    "session_enrolment_cancel",
    "session_update",
]
