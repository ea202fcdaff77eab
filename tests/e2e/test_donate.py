"""A new visitor finds a project and gives ¥10 through the sandbox, in Chinese, on a phone."""

import re

import pytest

from commonweal.giving.models import Donation
from tests.factories import donate, make_operator, make_org, make_project

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def yuan_text_to_fen(text: str) -> int:
    """"¥1,234.56" -> 123456."""
    match = re.fullmatch(r"¥([0-9,]+)\.([0-9]{2})", text.strip())
    assert match, f"not a yuan amount: {text!r}"
    return int(match[1].replace(",", "")) * 100 + int(match[2])


@pytest.fixture
def catalogue():
    """A small, realistic catalogue: three fundraising projects with some donations."""
    operator = make_operator()
    org = make_org(operator=operator, name="春苗儿童公益基金会")
    reading = make_project(
        org,
        operator=operator,
        title_zh="乡村儿童阅读角",
        summary_zh="为云南山区的 30 所小学建设阅读角，每校配置 500 册适龄图书和书架。",
        story_zh="山区的孩子们很少有课外书可读。\n\n我们与当地教师一起挑选图书，并培训阅读课老师。",
    )
    make_project(org, operator=operator, title_zh="社区屋顶光伏", title_en="Solar roofs for community centres",
                 summary_zh="为村级活动中心安装屋顶光伏。", domain="carbon_neutrality", sdg_tags=["7", "13"])
    make_project(org, operator=operator, title_zh="独居老人紧急呼叫", title_en="Emergency buttons for older people",
                 summary_zh="为独居老人安装一键呼叫设备。", domain="elderly_care_tech", sdg_tags=["3"])
    donate(reading, 200_00, donor_name="张三丰")
    donate(reading, 50_00, donor_name="李四", donor_public=True)
    return reading


def test_new_visitor_donates_ten_yuan_through_the_sandbox(live_server, mobile_page, desktop_page, screenshot, catalogue):
    page = mobile_page
    project = catalogue

    # 1. The home page, in Chinese for a Chinese browser.
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.get_by_role("heading", level=1).inner_text() == "捐给经过认证的公益组织，每一元都可追踪"
    assert page.get_by_role("heading", name="正在募捐的项目").is_visible()
    assert page.get_by_role("link", name=re.compile("乡村振兴")).is_visible()
    screenshot(page, "01-home-mobile")

    # 2. The project list, filtered with htmx (the page does not reload; the address follows).
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="项目").click()
    page.wait_for_url("**/projects/")
    assert page.get_by_text("共找到 3 个项目").is_visible()
    page.get_by_label("领域").select_option("carbon_neutrality")
    page.get_by_text("共找到 1 个项目").wait_for()
    page.wait_for_url(re.compile(r"/projects/\?.*domain=carbon_neutrality"))
    assert page.get_by_role("link", name="社区屋顶光伏").is_visible()
    assert page.get_by_role("link", name="乡村儿童阅读角").count() == 0
    page.get_by_label("领域").select_option("")
    page.get_by_text("共找到 3 个项目").wait_for()
    screenshot(page, "02-project-list-mobile")

    # 3. The project page: raised so far, then "Donate".
    page.get_by_role("link", name="乡村儿童阅读角").click()
    page.wait_for_url(f"**/projects/{project.public_id}/")
    raised_before = yuan_text_to_fen(page.locator("#progress .big").inner_text())
    assert raised_before == 250_00
    bar = page.get_by_role("progressbar")
    assert bar.get_attribute("aria-valuenow") == "0"  # 250 of 100,000 yuan rounds down to 0 %
    assert page.get_by_text("张**").is_visible() and page.get_by_text("李四").is_visible()
    assert page.get_by_role("heading", name="募捐信息公示").is_visible()
    screenshot(page, "03-project-detail-mobile")

    page.get_by_role("link", name="我要捐款").click()
    page.wait_for_url(f"**/projects/{project.public_id}/donate/")

    # 4. The donate form: a bad amount gets the parser's message; then ¥10, a name shown masked.
    # The pre-payment confirmation (start date, latest report, finances) must be ticked first.
    assert page.get_by_role("heading", name="付款前请了解").is_visible()
    page.get_by_label("我已阅读项目信息").check()
    page.get_by_label("其他金额（元）").fill("1.234")
    assert page.get_by_label("其他金额", exact=True).is_checked()  # donate.js ticks "Other amount"
    page.get_by_role("button", name="去支付").click()
    page.get_by_text("金额至多两位小数").wait_for()
    assert page.get_by_label("其他金额（元）").get_attribute("aria-invalid") == "true"
    screenshot(page, "04-donate-form-error-mobile")
    page.get_by_label("¥10", exact=True).check()
    assert page.get_by_label("其他金额（元）").input_value() == ""  # a preset clears the typed amount
    page.get_by_label("您的姓名").fill("王小明")
    assert not page.get_by_label("公开显示我的姓名").is_checked()
    assert page.get_by_label("我已阅读项目信息").is_checked()  # kept across the error
    screenshot(page, "04-donate-form-mobile")
    assert Donation.objects.count() == 2  # the bad amount made nothing
    page.get_by_role("button", name="去支付").click()

    # 5. The sandbox provider's page: recipient and amount, then pay.
    page.wait_for_url("**/pay/sandbox/**")
    assert page.get_by_text("春苗儿童公益基金会").is_visible()
    assert page.locator(".pay-amount").inner_text() == "¥10.00"
    screenshot(page, "05-sandbox-pay-mobile")
    page.get_by_role("button", name="支付（沙箱）").click()

    # 6. Thanks, with the donation id.
    page.wait_for_url("**/thanks/")
    assert page.get_by_role("heading", level=1).inner_text() == "感谢您的捐赠！"
    donation = Donation.objects.get(amount_fen=10_00)
    assert page.get_by_text(donation.public_id).is_visible()
    assert donation.donor_name == "王小明" and not donation.donor_public
    screenshot(page, "06-thanks-mobile")

    # 7. Back on the project page the total has moved by ¥10.
    page.get_by_role("link", name="返回项目").click()
    page.wait_for_url(f"**/projects/{project.public_id}/")
    assert yuan_text_to_fen(page.locator("#progress .big").inner_text()) == raised_before + 10_00
    assert page.get_by_text("王**").first.is_visible()
    assert page.errors == [], page.errors  # no CSP violation, no script error

    # The same page on a desktop.
    desktop_page.goto(f"{live_server.url}/projects/{project.public_id}/")
    assert yuan_text_to_fen(desktop_page.locator("#progress .big").inner_text()) == raised_before + 10_00
    screenshot(desktop_page, "07-project-detail-desktop")
    assert desktop_page.errors == [], desktop_page.errors


def test_progress_moves_without_reloading_the_page(live_server, mobile_page, catalogue):
    page = mobile_page
    project = catalogue
    page.goto(f"{live_server.url}/projects/{project.public_id}/")
    assert page.locator("#progress .big").inner_text() == "¥250.00"
    donate(project, 30_00)  # someone else gives meanwhile
    # htmx polls the progress block every 10 s.
    page.locator("#progress .big", has_text="¥280.00").wait_for(timeout=15_000)
    assert page.locator("#progress").get_by_text("3", exact=True).is_visible()
    assert page.errors == [], page.errors


def test_pages_fit_a_360px_screen_and_work_by_keyboard(live_server, small_phone_page, catalogue):
    page = small_phone_page
    project = catalogue
    urls = ["/", "/projects/", f"/projects/{project.public_id}/", f"/projects/{project.public_id}/donate/",
            f"/orgs/{project.org.public_id}/"]
    for url in urls:
        page.goto(live_server.url + url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{url} is {width}px wide at a 360px viewport"
    # Keyboard only: arrows move between the preset amounts, Enter submits.
    page.goto(f"{live_server.url}/projects/{project.public_id}/donate/")
    page.get_by_label("¥10", exact=True).focus()
    page.keyboard.press("ArrowRight")
    assert page.get_by_label("¥50", exact=True).is_checked()
    page.get_by_label("我已阅读项目信息").focus()
    page.keyboard.press("Space")
    page.get_by_label("您的姓名").focus()
    page.keyboard.type("赵六")
    page.keyboard.press("Enter")
    page.wait_for_url("**/pay/sandbox/**")
    assert page.locator(".pay-amount").inner_text() == "¥50.00"
    page.get_by_role("button", name="支付（沙箱）").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/thanks/")
    assert page.errors == [], page.errors
