from django.utils import translation

from commonweal.core.language import active_language, is_english


def test_english_is_any_code_starting_with_en():
    for code, english in [("en", True), ("en-us", True), ("EN-GB", True), ("zh-hans", False), ("zh-hant", False), ("fr", False)]:
        with translation.override(code):
            assert is_english() is english, code
            assert active_language() == ("en" if english else "zh-hans"), code


def test_no_active_language_reads_as_chinese():
    with translation.override(None):
        assert not is_english()
        assert active_language() == "zh-hans"
