"""Datasets for the open-data tests: the small demo, plus rows of the program office and impact
apps (funds, commitments to an organization and to a person, payments, a grant award with
installments, indicators with targets and results), written with the ORM as their services
leave them. The person's name, the donors' names and every contact are kept in ``PERSONAL`` so
the tests can look for them in the exports."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from commonweal.demo import DemoSize, demo_generate
from commonweal.giving.models import Donation
from commonweal.impact.models import Indicator, Result, Target
from commonweal.orgs.models import Organization
from commonweal.programs.grants.models import Application, Award, Call, Installment, Program
from commonweal.programs.models import Commitment, Fund, FundAllocation, GrantPayment
from commonweal.projects.models import Project
from commonweal.projects.permissions import PUBLIC_STATUSES
from commonweal.disclosure.models.spending import DisbursementStatus
from commonweal.giving.services import refund_create
from tests.disclosure.spending_support import make_world, paid, record, walk
from tests.factories import donate, make_org, make_project_in, make_user

GRANTEE_NAME = "欧阳测试者"
SECRET_REFUND_REASON = "退款原因-仅内部可见"


def program_rows() -> dict:
    """Funds, commitments, payments, an award with installments and indicators."""
    manager, finance = make_user("manager@example.org"), make_user("finance@example.org")
    grantee = make_user("grantee@example.org")
    project = Project.objects.filter(status__in=PUBLIC_STATUSES).order_by("pk").first()
    org = project.org
    fund = Fund.objects.create(name_zh="社会价值基金", name_en="Social value fund", total_fen=50_000_000_000_00,
                               start_year=2025, end_year=2030, description="测试基金")
    FundAllocation.objects.create(fund=fund, domain="basic_science", year=2026, amount_fen=30_000_000_00)
    FundAllocation.objects.create(fund=fund, domain="few", year=2026, amount_fen=10_000_000_00)
    FundAllocation.objects.create(fund=fund, domain="few", year=2027, amount_fen=10_000_000_00)
    to_org = Commitment.objects.create(
        fund=fund, domain="few", year=2026, region="云南省", program="直接资助", recipient_name=org.name_zh,
        recipient_org=org, project=project, amount_fen=1_000_000_00, source_kind="direct", created_by=manager,
    )
    org_payment = GrantPayment.objects.create(commitment=to_org, amount_fen=400_000_00, paid_on=dt.date(2026, 3, 1),
                                              created_by=finance, approved_by=manager)
    program = Program.objects.create(kind="prize", name_zh="探索奖", name_en="Explorer Prize", domain="basic_science",
                                     fund=fund, description="青年科学家奖", created_by=manager)
    call = Call.objects.create(program=program, title_zh="2026 年度", title_en="2026", year=2026,
                               opens_on=dt.date(2026, 1, 1), closes_on=dt.date(2026, 3, 1), budget_fen=3_000_000_00,
                               award_amount_fen=3_000_000_00, installments=5)
    application = Application.objects.create(
        call=call, applicant=grantee, route="self", full_name=GRANTEE_NAME, gender="female", birth_date=dt.date(1990, 5, 1),
        institution="测试大学", region="mainland", province="北京市", full_time=True, field="物理", status="awarded", submitted_at=timezone.now(),
    )
    to_person = Commitment.objects.create(
        fund=fund, domain="basic_science", year=2026, region="北京市", program="探索奖", recipient_name=GRANTEE_NAME,
        recipient_kind="individual", amount_fen=3_000_000_00, source_kind="grant", created_by=manager,
    )
    award = Award.objects.create(application=application, commitment=to_person, amount_fen=3_000_000_00, awarded_by=manager,
                                 awarded_at=timezone.now())
    first_payment = GrantPayment.objects.create(commitment=to_person, amount_fen=600_000_00, paid_on=dt.date(2026, 6, 1),
                                                created_by=finance, approved_by=manager)
    for number in range(1, 6):
        paid = number == 1
        Installment.objects.create(
            award=award, number=number, due_on=dt.date(2025 + number, 6, 1), amount_fen=600_000_00,
            status="paid" if paid else "due", report="年度报告" if paid else "",
            report_submitted_at=timezone.now() if paid else None, proposed_by=finance if paid else None,
            proposed_at=timezone.now() if paid else None, approved_by=manager if paid else None,
            paid_on=dt.date(2026, 6, 1) if paid else None, payment=first_payment if paid else None,
        )
    indicator = Indicator.objects.create(project=project, org=org, domain=project.domain, framework="sdg", code="4.1",
                                         name_zh="受益学生", name_en="Pupils reached", unit="人",
                                         baseline_value=Decimal("0"), baseline_on=dt.date(2026, 1, 1))
    Target.objects.create(indicator=indicator, period="2026", ends_on=dt.date(2026, 12, 31), value=Decimal("1200"))
    Result.objects.create(indicator=indicator, period="2026", ends_on=dt.date(2026, 12, 31), value=Decimal("950.5"),
                          evidence_text="名单", evidence_url="https://example.org/evidence")
    return {"fund": fund, "award": award, "project": project, "org_commitment": to_org, "person_commitment": to_person,
            "org_payment": org_payment, "indicator": indicator}


def base_rows() -> dict:
    """Two organizations; projects in every status (a draft must never appear); donations, one
    with a public donor name and a message; a refund; disbursements approved and paid."""
    world = make_world()
    donate(world.project, 12_345, donor_name="公开署名捐赠人", donor_public=True)
    hidden = donate(world.project, 20_000, donor_name="匿名捐赠人甲")
    Donation.objects.filter(pk=hidden.pk).update(message="加油！私人留言")
    refund_create(donation=hidden, amount_fen=5_000, reason=SECRET_REFUND_REASON, actor=world.admin)
    paid(world, 100_000, kind="purchase", description="采购图书-内部描述")
    paid(world, 50_000, line=1, kind="grant", description="资助学生-内部描述")
    walk(world, record(world, 30_000, description="已批准-内部描述"), DisbursementStatus.APPROVED)
    other = make_org(name="乙机构")
    raising = make_project_in("fundraising", other)
    donate(raising, 8_800)
    make_project_in("executing", other)
    make_project_in("completed", other)
    make_project_in("closed", other)
    draft = make_project_in("draft", other, title_zh="草稿项目不应公开")
    return {"world": world, "draft": draft}


@pytest.fixture
def dataset(db) -> dict:
    """Organizations, projects, money and the program office's rows."""
    rows = base_rows()
    rows.update(program_rows())
    rows["personal"] = _personal()
    return rows


@pytest.fixture
def demo(db) -> dict:
    """The demo dataset (small), with the program office's rows."""
    demo_generate(size=DemoSize(orgs=4, projects=12, donations=400))
    return program_rows()


def _personal() -> set[str]:
    """Strings that must never appear in a public export."""
    from commonweal.accounts.models import User
    from commonweal.giving.models import Refund

    found = {GRANTEE_NAME, "测试大学", "加油！私人留言", SECRET_REFUND_REASON, "采购图书-内部描述", "资助学生-内部描述", "已批准-内部描述"}
    found |= {u.email for u in User.objects.all() if u.email}
    found |= {n for n in Donation.objects.exclude(donor_name="").values_list("donor_name", flat=True)}
    found |= set(Donation.objects.exclude(payer_reference="").values_list("payer_reference", flat=True))
    found |= set(Donation.objects.values_list("provider_txn_id", flat=True))
    found |= {r for r in Refund.objects.values_list("reason", flat=True) if len(r) > 3}
    for org in Organization.objects.all():
        found |= {org.contact_name, org.contact_phone, org.contact_email}
    return {s for s in found if s}
