"""Giving use cases, one module per entity."""

from commonweal.giving.services.credentials import credentials_get, credentials_set
from commonweal.giving.services.donations import (
    Notified,
    donation_confirm,
    donations_confirm,
    notification_receive,
    notifications_receive,
)
from commonweal.giving.services.intents import IntentRequest, intent_create, intents_create
from commonweal.giving.services.monthly import monthly_charge, monthly_charge_due, plan_cancel, plan_create
from commonweal.giving.services.receipts import (
    donation_update_donor_display,
    receipt_issue,
    receipt_request_gift,
    receipt_request_year,
    receipt_void,
    receipts_void_for_refund,
)
from commonweal.giving.services.refunds import refund_create
from commonweal.giving.services.totals import project_totals_fold

__all__ = [
    "credentials_get",
    "credentials_set",
    "donation_confirm",
    "donation_update_donor_display",
    "donations_confirm",
    "intent_create",
    "IntentRequest",
    "intents_create",
    "monthly_charge",
    "monthly_charge_due",
    "notification_receive",
    "notifications_receive",
    "Notified",
    "plan_cancel",
    "plan_create",
    "project_totals_fold",
    "receipt_issue",
    "receipt_request_gift",
    "receipt_request_year",
    "receipt_void",
    "receipts_void_for_refund",
    "refund_create",
]
