"""An organization writes a project and submits it; an operator signs in with TOTP and approves
it in the back office; the project is then public."""

import re

import pytest
from django.utils import timezone

from commonweal.core.models import AuditEvent
from commonweal.projects.models import Project
from tests.factories import enable_totp, make_operator, make_org, make_user, totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


def _png() -> bytes:
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 630), (11, 110, 79))
    ImageDraw.Draw(image).rectangle((100, 100, 1100, 530), outline=(255, 255, 255), width=12)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _sign_in(page, base: str, path: str, email: str) -> None:
    page.goto(base + path)
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")


def test_org_submits_operator_approves_project_goes_public(live_server, browser, desktop_page, mobile_page, screenshot):
    base = live_server.url
    admin = make_user("admin@chunmiao.example.org")
    org = make_org(admin, name="春苗儿童公益基金会")
    operator = make_operator("ops@commonweal.example.org")
    secret = enable_totp(operator)

    # 1. The organization's administrator signs in and opens the console.
    page = desktop_page
    _sign_in(page, base, "/console/", admin.email)
    page.wait_for_url(base + "/console/")
    page.errors.clear()  # allauth's sign-in page is not ours (it has no favicon link)
    page.get_by_role("link", name="春苗儿童公益基金会").click()
    page.wait_for_url(f"**/console/{org.public_id}/")
    assert page.get_by_role("heading", level=1).inner_text() == "春苗儿童公益基金会"
    assert page.get_by_text("有效期至").is_visible()
    screenshot(page, "console-dashboard")

    # 2. A new project: every input is reached by its label.
    page.get_by_role("navigation", name="机构后台导航").get_by_role("link", name="新建项目").click()
    page.wait_for_url(f"**/console/{org.public_id}/projects/new/")
    today = timezone.localdate()
    page.get_by_label("中文标题").fill("山区学校净水计划")
    page.get_by_label("英文标题").fill("Clean water for mountain schools")
    page.get_by_label("中文摘要").fill("为贵州 12 所山区小学安装净水设备，并培训维护人员。")
    page.get_by_label("领域").select_option("few")
    page.get_by_label("6. 清洁饮水和卫生设施").check()
    page.get_by_label("SDG 具体目标").fill("6.1")
    page.get_by_label("筹款目标（元）").fill("120000")
    page.get_by_label("预算").fill("净水设备 | 96000\n安装与培训 | 24000")
    page.get_by_label("受益对象", exact=True).fill("山区小学师生")
    page.get_by_label("受益人数").fill("3600")
    page.get_by_label("地区").fill("贵州省黔东南州")
    page.get_by_label("募捐方案").fill("六个月内募集十二万元，分两批采购设备。")
    page.get_by_label("募捐开始日期").fill(today.isoformat())
    page.get_by_label("募捐结束日期").fill(today.replace(year=today.year + 1).isoformat())
    page.get_by_label("中文详情").fill("很多学校仍在使用未经处理的山泉水。")
    page.get_by_label("封面图片").set_input_files(files=[{"name": "water.png", "mimeType": "image/png", "buffer": _png()}])
    screenshot(page, "console-project-form")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url(re.compile(rf"/console/{org.public_id}/projects/[0-9a-z]{{26}}/$"))
    assert page.get_by_text("草稿已保存").is_visible()
    project = Project.objects.get(title_zh="山区学校净水计划")
    assert (project.status, project.goal_fen, project.sdg_tags) == ("draft", 12_000_000, ["6", "6.1"])
    assert project.cover.name.endswith(".png")

    # 3. Submit for review.
    page.get_by_role("button", name="提交审核").click()
    page.get_by_text("项目已提交审核").wait_for()
    project.refresh_from_db()
    assert project.status == "in_review"
    assert page.errors == [], page.errors  # no CSP violation, no failed request in the console
    screenshot(page, "console-project-detail")

    # The same form on a phone, for the record.
    _sign_in(mobile_page, base, f"/console/{org.public_id}/projects/new/", admin.email)
    mobile_page.wait_for_url(f"**/console/{org.public_id}/projects/new/")
    screenshot(mobile_page, "console-project-form-mobile")

    # 4. The operator signs in: password, then the TOTP code (allauth's second step).
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    ops = context.new_page()
    _sign_in(ops, base, "/admin/", operator.email)
    ops.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    ops.locator("input[name=code]").fill(totp_code(secret))
    ops.locator("input[name=code]").press("Enter")
    ops.wait_for_url(base + "/admin/")

    # 5. The review queue opens on projects in review; approve this one.
    ops.goto(base + "/admin/projects/project/")
    assert ops.get_by_role("link", name="山区学校净水计划").is_visible()
    screenshot(ops, "admin-review-queue")
    ops.locator(f"input[name=_selected_action][value='{project.pk}']").check()
    ops.locator("select[name=action]").select_option("approve")
    ops.locator("button[name=index]").click()
    ops.get_by_text("已通过 1 个项目").wait_for()
    project.refresh_from_db()
    assert project.status == "fundraising"
    assert AuditEvent.objects.filter(action="project.approve", target_id=project.public_id, actor=operator).exists()
    context.close()

    # 6. The project is public.
    page.goto(f"{base}/projects/{project.public_id}/")
    assert page.get_by_role("heading", level=1).inner_text() == "山区学校净水计划"
    assert page.errors == [], page.errors
