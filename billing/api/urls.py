from django.urls import path
from rest_framework.routers import SimpleRouter

from billing.api.views import (
    ChargeViewSet,
    CustomerProfileView,
    InvoiceViewSet,
    JournalCsvView,
    JournalXlsxView,
    PriceItemViewSet,
    ReceivablesView,
    StatementView,
)

router = SimpleRouter()
router.register("billing/price-list", PriceItemViewSet, basename="billing-price-item")
router.register("billing/charges", ChargeViewSet, basename="billing-charge")
router.register("billing/invoices", InvoiceViewSet, basename="billing-invoice")

urlpatterns = [
    path("billing/statement/", StatementView.as_view(), name="billing-statement"),
    path("billing/receivables/", ReceivablesView.as_view(), name="billing-receivables"),
    path("billing/journal.csv", JournalCsvView.as_view(), name="billing-journal-csv"),
    path("billing/journal.xlsx", JournalXlsxView.as_view(), name="billing-journal-xlsx"),
    path(
        "billing/customers/<int:organisation_id>/",
        CustomerProfileView.as_view(),
        name="billing-customer",
    ),
    *router.urls,
]
