"""Settings, read from the environment (12-factor).

Embedded default: SQLite, no Redis, Celery on a filesystem broker. ``DATABASE_URL`` and
``REDIS_URL`` switch the same code to PostgreSQL + Redis. ``DJANGO_DEBUG=0`` is production mode
and then requires ``DJANGO_SECRET_KEY`` and ``ALLOWED_HOSTS``.
"""

import datetime
from pathlib import Path

import environ
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from caiac.timezones import use_pinned_tzdata

# Before anything builds a ZoneInfo: Debian's copy of the tz database predates Morocco's
# move to permanent UTC+0 (IANA 2026c); only the pinned ``tzdata`` package is trusted.
use_pinned_tzdata()

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

# Runtime files of the embedded default (SQLite database, mail sink, filesystem broker).
VAR_DIR = Path(env.str("CAIAC_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DJANGO_DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env.str(
        "DJANGO_SECRET_KEY", default="dev-only-insecure-key-never-use-in-production"
    )
    ALLOWED_HOSTS = env.list(
        "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"]
    )
else:
    try:
        SECRET_KEY = env.str("DJANGO_SECRET_KEY")
        ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured(
            "Production mode (DJANGO_DEBUG=0) needs DJANGO_SECRET_KEY and ALLOWED_HOSTS."
        ) from exc
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must name at least one host in production.")

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI from our own static files (CSP: 'self' only)
    "csp",
    "django_htmx",
    "axes",
    "caiac",
    "caiac.accounts",
    "caiac.notifications",
    "caiac.frontdoor",
    "caiac.projects",
    "trainings",
    "booking",
    "incubation",
    "billing",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside everything that reads the database (sessions, the signed-in user): a lost
    # connection there is a 503 too (caiac/unavailable.py).
    "caiac.unavailable.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After the language is chosen (error details are translated), before everything else:
    # every error under /api/ leaves as {"code", "detail", "fields"}.
    "caiac.middleware.ApiErrorMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "caiac.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "caiac.errors.AccessErrorPageMiddleware",
    # Last: turns a login refused by the lockout into the 429 page or JSON body.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "caiac.urls"
# One field layout and Bootstrap's classes on every widget (see docs/frontend.md).
FORM_RENDERER = "frontend.forms.CaiacFormRenderer"
WSGI_APPLICATION = "caiac.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'caiac.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue behind one another instead of failing with "database is locked": IMMEDIATE
    # takes the write lock at BEGIN, so a check-then-insert inside atomic() cannot interleave.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env.str("SQLITE_TEST_NAME", default="")
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

IS_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule: told of every password change, it revokes what the old password gave.
    {"NAME": "caiac.accounts.passwords.ShutOutOldPassword"},
]
# The lockout backend first: a locked-out account or address is refused before any password is
# checked (caiac/accounts/backends.py, docs/accounts.md).
AUTHENTICATION_BACKENDS = [
    "caiac.accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# A reset link works once (it dies with the password it replaces) and for a day at most.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60 * 24)
LOGIN_URL = "frontend:login"
LOGIN_REDIRECT_URL = "frontend:home"
LOGOUT_REDIRECT_URL = "frontend:login"

# --- Client address and brute-force lockout ------------------------------------------------------
# How many reverse proxies of ours stand in front of the app (each appends to X-Forwarded-For).
# 0: the client is REMOTE_ADDR and X-Forwarded-For is ignored (caiac/client_ip.py).
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)
# django-axes counts failed logins in the database, so every worker sees the same count: an
# account, or a client address, with AXES_FAILURE_LIMIT failures within the cool-off is refused
# (even with the right password) until AXES_COOLOFF_MINUTES after its last failure.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: per account, per address
AXES_CLIENT_IP_CALLABLE = "caiac.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "caiac.accounts.lockout.lockout_response"
# Attempts during a lockout are not counted: the lock ends at a known time (Retry-After).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False

# --- Cache (throttling, locks) ----------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # Redis when it answers, this process's memory when it does not (caiac/cache.py): an
    # unreachable Redis must never refuse a request.
    CACHES = {"default": {"BACKEND": "caiac.cache.ResilientRedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Internationalisation and time --------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("ar", _("Arabic")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# 24-hour times, day-month-year and "1 200,00" in every language (Django's ar and en differ).
FORMAT_MODULE_PATH = ["caiac.formats"]
TIME_ZONE = "Africa/Casablanca"
USE_I18N = True
USE_TZ = True
MIN_TZDATA_VERSION = "2026.3"

# --- Static files ----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Email ----------------------------------------------------------------------------------
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url("EMAIL_URL"))
else:
    # The development sink writes one file per message, named after its Message-ID (so a
    # message re-sent after a crash is recognised, see docs/notifications.md).
    EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="caiac.notifications.mail.FileBackend")
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# Links in emails (invitations, password reset, confirmations, unsubscribe) start with this.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="CAIAC Lab <noreply@caiac.ma>")
# The ORGANIZER of every calendar event we send or publish (docs/notifications.md).
CALENDAR_ORGANIZER_EMAIL = env.str("CALENDAR_ORGANIZER_EMAIL", default=DEFAULT_FROM_EMAIL)
CALENDAR_ORGANIZER_NAME = "CAIAC Lab"

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: an anonymous API call then gets 401 with a WWW-Authenticate header, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON bodies only; a view that takes a file adds caiac.parsers.MultiPartParser itself.
    "DEFAULT_PARSER_CLASSES": ["caiac.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "caiac.negotiation.FallbackContentNegotiation",
    "DEFAULT_METADATA_CLASS": "caiac.metadata.ApiMetadata",
    "DEFAULT_PAGINATION_CLASS": "caiac.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "caiac.schema.AutoSchema",
    "EXCEPTION_HANDLER": "caiac.errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["caiac.throttling.WriteRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "auth": env.str("THROTTLE_AUTH", default="10/minute"),
        "write": env.str("THROTTLE_WRITE", default="120/minute"),
    },
    # Throttles count per client address the same way as the lockout (see TRUSTED_PROXIES).
    "NUM_PROXIES": TRUSTED_PROXIES,
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "CAIAC Lab API",
    "DESCRIPTION": (
        "Booking of the Halle Technologique machines, trainings that certify people on them, and "
        "the incubation programmes of the Souss Massa cosmetics cluster. Errors always have the "
        'body {"code", "detail", "fields"}.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and ReDoc from the project's own pinned static files: no CDN, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every choice set is one named enum (several apps have a "status", "kind" or "role").
    "ENUM_NAME_OVERRIDES": {
        "BookingStatusEnum": "booking.models.BookingStatus",
        "EquipmentStatusEnum": "booking.models.EquipmentStatus",
        "EquipmentCategoryEnum": "booking.models.Category",
        "EquipmentLineEnum": "booking.models.Line",
        "FeedKindEnum": "booking.models.FeedKind",
        "BusyKindEnum": "booking.api.serializers.BUSY_KINDS",
        "SessionStatusEnum": "trainings.models.SessionStatus",
        "EnrolmentStatusEnum": "trainings.models.EnrolmentStatus",
        "CourseLevelEnum": "trainings.models.Level",
        "CertificationEventKindEnum": "trainings.models.CertificationEventKind",
        "StageEnum": "incubation.models.Stage",
        "ApplicationStatusEnum": "incubation.models.ApplicationStatus",
        "MilestoneStatusEnum": "incubation.models.MilestoneStatus",
        "MessageStatusEnum": "caiac.notifications.models.MessageStatus",
        "DeliveryEnum": "caiac.notifications.models.Delivery",
        "UserRoleEnum": "caiac.accounts.models.Role",
        "MembershipRoleEnum": "caiac.accounts.models.MembershipRole",
        "LanguageEnum": "caiac.accounts.models.Language",
        "OrganisationKindEnum": "caiac.accounts.models.OrganisationKind",
        "SectorEnum": "caiac.accounts.models.Sector",
        "InvoiceStatusEnum": "billing.models.InvoiceStatus",
        "InvoiceKindEnum": "billing.models.InvoiceKind",
        "ChargeKindEnum": "billing.models.ChargeKind",
        "PaymentMethodEnum": "billing.models.PaymentMethod",
        "ProjectStatusEnum": "caiac.projects.models.ProjectStatus",
        "PartnerRoleEnum": "caiac.projects.models.PartnerRole",
        "FundingSourceKindEnum": "caiac.projects.models.FundingSourceKind",
        "DeliverableStatusEnum": "caiac.projects.models.DeliverableStatus",
    },
}

# Bodies larger than this are refused with 413 before they are read (JSON bodies: Django's
# DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB).
API_MAX_UPLOAD_BYTES = env.int("API_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)

# --- Celery ---------------------------------------------------------------------------------
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
else:
    # No Redis: a real broker on the filesystem, so `make run` still runs a worker and beat.
    CELERY_BROKER_URL = "filesystem://"
    _broker_dir = VAR_DIR / "celery-broker"
    # kombu's filesystem transport does not create its folders: without this the worker dies
    # at start-up with FileNotFoundError and no reminder is ever sent.
    for _folder in (_broker_dir, VAR_DIR / "celery-processed"):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(VAR_DIR / "celery-processed"),
        "store_processed": False,
        # Otherwise kombu writes its exchange tables to ./control in the working directory.
        "control_folder": str(VAR_DIR / "celery-control"),
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Notifications (outbox) -------------------------------------------------------------------
# Beat starts a scan of the outbox this often (caiac/celery.py reads the same variable); the
# scan sends what is due, so a message leaves about this long after it is due at the latest
# (docs/notifications.md).
NOTIFICATIONS_SCAN_SECONDS = env.int("NOTIFICATIONS_SCAN_SECONDS", default=5)
# One email's bound (SMTP conversation, EMAIL_TIMEOUT per socket operation) and how long a scan
# keeps claiming new rows; a scan is stopped softly after both, killed 5 s later.
NOTIFICATIONS_SEND_TIME_LIMIT = env.int("NOTIFICATIONS_SEND_TIME_LIMIT", default=30)
NOTIFICATIONS_SCAN_BUDGET_SECONDS = env.int("NOTIFICATIONS_SCAN_BUDGET_SECONDS", default=15)
NOTIFICATIONS_SCAN_SOFT_TIME_LIMIT = (
    NOTIFICATIONS_SCAN_BUDGET_SECONDS + NOTIFICATIONS_SEND_TIME_LIMIT
)
NOTIFICATIONS_SCAN_TIME_LIMIT = NOTIFICATIONS_SCAN_SOFT_TIME_LIMIT + 5
# After how long a row left in "sending" is known dead: longer than any task that may hold it
# lives (the worker kills it by then), so it is sent again at once, never while still in flight.
NOTIFICATIONS_STALE_SENDING_SECONDS = env.int(
    "NOTIFICATIONS_STALE_SENDING_SECONDS",
    default=max(NOTIFICATIONS_SCAN_TIME_LIMIT, NOTIFICATIONS_SEND_TIME_LIMIT) + 10,
)
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=5)
NOTIFICATIONS_RETRY_BASE_SECONDS = env.int("NOTIFICATIONS_RETRY_BASE_SECONDS", default=60)

# --- Billing (docs/billing.md) ------------------------------------------------------------------
BILLING_VAT_RATE = env.str("BILLING_VAT_RATE", default="20.00")  # % on lab services
BILLING_PAYMENT_DAYS = env.int("BILLING_PAYMENT_DAYS", default=30)
# The lab's legal identity, printed on every invoice (ICE, IF, RC: Moroccan identifiers).
BILLING_ISSUER = {
    "name": env.str(
        "BILLING_ISSUER_NAME",
        default="CAIAC - Centre Africain d'Innovation Agroalimentaire et Cosmétique",
    ),
    "address": env.str(
        "BILLING_ISSUER_ADDRESS",
        default="Halle Technologique, Cité de l'Innovation Souss Massa, Agadir",
    ),
    "ice": env.str("BILLING_ISSUER_ICE", default=""),
    "if": env.str("BILLING_ISSUER_IF", default=""),
    "rc": env.str("BILLING_ISSUER_RC", default=""),
    "patente": env.str("BILLING_ISSUER_PATENTE", default=""),
    "email": env.str("BILLING_ISSUER_EMAIL", default="facturation@caiac.ma"),
    "phone": env.str("BILLING_ISSUER_PHONE", default=""),
    "bank": env.str("BILLING_ISSUER_BANK", default=""),
    "rib": env.str("BILLING_ISSUER_RIB", default=""),
}

# --- Security (production) -----------------------------------------------------------------
# The same Content-Security-Policy in every mode, so development and the browser tests see what
# production does: scripts and styles from this site only, no inline script or style (pages put
# their JS in static files), no plugins, no framing, forms post only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF],
        "img-src": [CSP_SELF, "data:"],
        "font-src": [CSP_SELF, "data:"],
        "connect-src": [CSP_SELF],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_SELF],
        "form-action": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
    }
}
# Powerful browser features the site never uses are off for it and anything it embeds.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope",
        "magnetometer", "microphone", "midi", "payment", "usb", "screen-wake-lock",
        "xr-spatial-tracking",
    )
}  # fmt: skip
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env.bool("BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},  # the PDF library's font subsetting chatter
    },
}
