"""Finding and removing the demo dataset (``commonweal demo --force``).

Demo users and organizations are recognised by their addresses at
:data:`~commonweal.demo.generate.DEMO_EMAIL_DOMAIN`; everything hanging off a demo organization or
project goes with them, including gifts made to demo projects through the site afterwards.
Log entries already sequenced into the public log cannot be taken back, so then it refuses.
"""

from django.db import transaction
from django.db.models import Q, QuerySet

from commonweal.accounts.models import User
from commonweal.core.models import AuditEvent
from commonweal.demo.extensions import extensions_wipe
from commonweal.demo.generate import DEMO_EMAIL_DOMAIN, OPERATOR_EMAIL
from commonweal.giving.models import Donation, DonationIntent, MonthlyCharge, MonthlyPlan, Refund
from commonweal.ledger.models import OutboxEntry
from commonweal.orgs.models import Organization
from commonweal.projects.models import Project

__all__ = ["DemoInLog", "demo_present", "demo_wipe"]


class DemoInLog(Exception):
    """Demo money events are already in the public log, which is append-only."""


def demo_present() -> bool:
    """Whether the demo dataset is in the database (its operator exists)."""
    return User.objects.filter(email=OPERATOR_EMAIL).exists()


def demo_wipe() -> int:
    """Delete the demo dataset in one transaction; returns the number of rows deleted."""
    with transaction.atomic(durable=True):
        deleted = extensions_wipe()
        users = User.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
        orgs = Organization.objects.filter(contact_email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
        projects = Project.objects.filter(Q(org__in=orgs) | Q(partner_org__in=orgs))
        donations = Donation.objects.filter(project__in=projects)
        refunds = Refund.objects.filter(donation__in=donations)
        plans = MonthlyPlan.objects.filter(Q(project__in=projects) | Q(donor__in=users))
        outbox = OutboxEntry.objects.filter(
            Q(entry_type="donation", subject_id__in=donations.values("public_id"))
            | Q(entry_type="refund", subject_id__in=refunds.values("public_id"))
        )
        if outbox.filter(log_index__isnull=False).exists():
            raise DemoInLog(
                "demo donations are already in the public log, which is append-only: "
                "start from a fresh database instead of --force"
            )
        audit = AuditEvent.objects.filter(
            Q(target_type="organization", target_id__in=orgs.values("public_id"))
            | Q(target_type="project", target_id__in=projects.values("public_id"))
            | Q(target_type="donation", target_id__in=donations.values("public_id"))
            | Q(target_type="monthlyplan", target_id__in=plans.values("public_id"))
        )
        deleted += _delete_rows(audit) + _delete_rows(outbox)
        deleted += MonthlyCharge.objects.filter(Q(plan__in=plans) | Q(donation__in=donations)).delete()[0]
        deleted += refunds.delete()[0]
        deleted += _delete_rows(donations)
        deleted += _delete_rows(DonationIntent.objects.filter(project__in=projects))
        deleted += plans.delete()[0]
        # Small tables: the ORM follows their cascades (budget lines, members, credentials, e-mail
        # addresses, MFA authenticators, admin log entries).
        deleted += projects.delete()[0]
        deleted += orgs.delete()[0]
        deleted += users.delete()[0]
    return deleted


def _delete_rows(queryset: QuerySet) -> int:
    """DELETE in one statement, without loading rows; only for tables nothing else points at
    any more (their dependants are deleted first)."""
    model = queryset.model
    connection = transaction.get_connection()
    qn = connection.ops.quote_name
    sql, params = queryset.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {qn(model._meta.db_table)} WHERE {qn(model._meta.pk.column)} IN ({sql})", params)
        return cursor.rowcount
