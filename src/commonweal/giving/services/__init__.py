"""Giving use cases, one module per entity."""

from commonweal.giving.services.credentials import credentials_get, credentials_set
from commonweal.giving.services.donations import donation_confirm, notification_receive
from commonweal.giving.services.intents import intent_create
from commonweal.giving.services.monthly import monthly_charge, monthly_charge_due, plan_cancel, plan_create
from commonweal.giving.services.refunds import refund_create

__all__ = [
    "credentials_get",
    "credentials_set",
    "donation_confirm",
    "intent_create",
    "monthly_charge",
    "monthly_charge_due",
    "notification_receive",
    "plan_cancel",
    "plan_create",
    "refund_create",
]
