"""Labs: stage-gate transitions (every legal and illegal edge), rejections, spin-off."""

import itertools

import pytest

from commonweal.core.domains import Domain
from commonweal.core.errors import Conflict, InvalidInput
from commonweal.programs.lifecycle import STAGE_TRANSITIONS
from commonweal.programs.models import Commitment, GateReview, LabProject, OfficeRole, Stage, Studio
from commonweal.programs.services import TeamMember, gate_review_record, lab_create
from tests.programs.factories import make_fund, make_lab, make_lab_project, make_office

pytestmark = pytest.mark.django_db

GATE = {"criteria": "Users found; costs known", "evidence": "Pilot report", "reasons": "Meets the criteria"}


def gate(manager, project, to, decision="approve", **kw):
    args = {**GATE, "reviewers": [manager], **kw}
    return gate_review_record(actor=manager, project=project, to=to, decision=decision, year=2026, **args)


def test_lab_create_commits_its_budget_from_the_domain_allocation():
    manager = make_office()
    fund = make_fund()
    lab = make_lab(manager, fund, budget_fen=100_000_00)
    c = Commitment.objects.get(source_kind="lab", source_public_id=lab.public_id)
    assert (c.amount_fen, c.domain, c.fund_id, lab.commitment_id) == (100_000_00, Domain.CARBON_NEUTRALITY, fund.pk, c.pk)
    assert lab.members.values("department").distinct().count() == 2
    assert sorted(lab.kpis.values_list("kind", flat=True)) == ["output", "reach"]


def test_lab_team_from_one_department_is_refused():
    with pytest.raises(InvalidInput) as exc:
        lab_create(
            actor=make_office(), fund=make_fund(), name_zh="实验室", mission="m", domain=Domain.FEW, budget_fen=1_00, year=2026,
            team=[TeamMember(name="A", department="R&D"), TeamMember(name="B", department="R&D")],
        )
    assert exc.value.code == "team_departments"


def _project_at(manager, lab, stage):
    path = {
        Stage.IDEA: [], Stage.INCUBATING: [Stage.INCUBATING], Stage.PILOT: [Stage.INCUBATING, Stage.PILOT],
        Stage.SCALING: [Stage.INCUBATING, Stage.PILOT, Stage.SCALING],
    }
    project = make_lab_project(manager, lab)
    for to in path[stage]:
        gate(manager, project, to)
    project.refresh_from_db()
    assert project.stage == stage
    return project


@pytest.mark.parametrize(("src", "dst"), [e for e in itertools.permutations(Stage.values, 2) if e[0] not in (Stage.SPUN_OFF, Stage.STOPPED)])
def test_every_edge_from_a_live_stage(src, dst):
    manager = make_office()
    lab = make_lab(manager, make_fund())
    project = _project_at(manager, lab, src)
    gates_before = GateReview.objects.count()
    kw = {"studio_name": "Studio X", "studio_budget_fen": 10_000_00} if dst == Stage.SPUN_OFF else {}
    if (src, dst) in STAGE_TRANSITIONS:
        g = gate(manager, project, dst, **kw)
        project.refresh_from_db()
        assert project.stage == dst and (g.from_stage, g.to_stage, g.decision) == (src, dst, "approve")
    else:
        with pytest.raises(Conflict) as exc:
            gate(manager, project, dst, **kw)
        assert exc.value.code == "illegal_transition"
        assert f"cannot go from {src} to {dst}" in exc.value.message
        project.refresh_from_db()
        assert project.stage == src and GateReview.objects.count() == gates_before


@pytest.mark.parametrize("final", [Stage.SPUN_OFF, Stage.STOPPED])
def test_nothing_leaves_a_final_stage(final):
    manager = make_office()
    project = _project_at(manager, make_lab(manager, make_fund()), Stage.SCALING)
    gate(manager, project, final, studio_name="S", studio_budget_fen=1_00)
    for dst in Stage.values:
        if dst == final:
            continue
        with pytest.raises(Conflict) as exc:
            gate(manager, project, dst)
        assert exc.value.code == "illegal_transition"


def test_a_rejected_gate_is_recorded_and_keeps_the_stage():
    manager = make_office()
    project = make_lab_project(manager, make_lab(manager, make_fund()))
    g = gate(manager, project, Stage.INCUBATING, decision="reject", reasons="No user research yet")
    project.refresh_from_db()
    assert project.stage == Stage.IDEA
    assert (g.decision, g.reasons, list(g.reviewers.all())) == ("reject", "No user research yet", [manager])


def test_gate_needs_reasons_reviewers_and_valid_links():
    manager = make_office()
    project = make_lab_project(manager, make_lab(manager, make_fund()))
    with pytest.raises(InvalidInput) as exc:
        gate(manager, project, Stage.INCUBATING, reasons="  ")
    assert exc.value.field == "reasons"
    with pytest.raises(InvalidInput) as exc:
        gate(manager, project, Stage.INCUBATING, reviewers=[])
    assert exc.value.field == "reviewers"
    with pytest.raises(InvalidInput) as exc:
        gate(manager, project, Stage.INCUBATING, evidence_links=["javascript:alert(1)"])
    assert exc.value.code == "invalid_link"
    g = gate(manager, project, Stage.INCUBATING, evidence_links=["https://example.org/report.pdf", ""])
    assert g.evidence_links == ["https://example.org/report.pdf"]


def test_only_a_manager_decides_a_gate():
    manager = make_office()
    finance = make_office(OfficeRole.FINANCE)
    project = make_lab_project(manager, make_lab(manager, make_fund()))
    with pytest.raises(Conflict) as exc:
        gate_review_record(actor=finance, project=project, to=Stage.INCUBATING, decision="approve", reviewers=[finance], **GATE)
    assert exc.value.code == "office_role_required"
    assert not GateReview.objects.exists()


def test_spin_off_creates_a_studio_with_its_budget_line_and_keeps_the_history():
    manager = make_office()
    fund = make_fund()
    lab = make_lab(manager, fund, budget_fen=100_000_00)
    project = _project_at(manager, lab, Stage.SCALING)
    with pytest.raises(InvalidInput):  # a spin-off needs a studio budget
        gate(manager, project, Stage.SPUN_OFF, studio_name="绿光工作室")
    gate(manager, project, Stage.SPUN_OFF, studio_name="绿光工作室", studio_budget_fen=50_000_00)
    studio = Studio.objects.get(project=project)
    c = studio.commitment
    assert (c.source_kind, c.source_public_id, c.amount_fen, c.fund_id, c.domain) == (
        "studio", studio.public_id, 50_000_00, fund.pk, lab.domain,
    )
    assert [(g.from_stage, g.to_stage) for g in studio.project.gates.all()] == [
        ("idea", "incubating"), ("incubating", "pilot"), ("pilot", "scaling"), ("scaling", "spun_off"),
    ]


def test_spin_off_beyond_the_allocation_is_refused_and_leaves_nothing(settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from commonweal.programs.models import GateEvidence

    manager = make_office()
    lab = make_lab(manager, make_fund(), budget_fen=100_000_00)  # 300,000 yuan left in the domain
    project = _project_at(manager, lab, Stage.SCALING)
    gates = GateReview.objects.count()
    pdf = SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")
    with pytest.raises(Conflict) as exc:  # refused after the evidence file was written: it is deleted again
        gate(manager, project, Stage.SPUN_OFF, studio_name="S", studio_budget_fen=300_000_01, evidence_files=[pdf])
    assert exc.value.code == "allocation_exceeded"
    assert not Studio.objects.exists() and GateReview.objects.count() == gates and not GateEvidence.objects.exists()
    assert LabProject.objects.get(pk=project.pk).stage == Stage.SCALING
    kept = settings.VAR_DIR / "private" / "programs" / "gates" / project.public_id
    assert not kept.exists() or not any(kept.iterdir())


def test_at_most_five_evidence_files():
    from django.core.files.uploadedfile import SimpleUploadedFile

    manager = make_office()
    project = make_lab_project(manager, make_lab(manager, make_fund()))
    files = [SimpleUploadedFile(f"{n}.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf") for n in range(6)]
    with pytest.raises(InvalidInput) as exc:
        gate(manager, project, Stage.INCUBATING, evidence_files=files)
    assert exc.value.code == "too_many_files" and not GateReview.objects.exists()
