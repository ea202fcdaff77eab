"""Amounts in Chinese financial capitals (大写金额), as official receipts write them.

Follows the People's Bank of China's 《支付结算办法》 附一 "正确填写票据和结算凭证的基本规定":
digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟万亿; one 零 for any run of zeros between non-zero
digits; "整" after 元 or 角 when there are no 分. ¥1,010.05 is 壹仟零壹拾元零伍分. Pure function,
exact (integer fen in, text out).
"""

__all__ = ["fen_in_capitals"]

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_PLACES = ("仟", "佰", "拾", "")
_GROUPS = ("", "万", "亿", "万亿")
_LIMIT_YUAN = 10_000 ** len(_GROUPS)


def _group(value: int) -> str:
    """1..9999 with internal zeros as one 零 and trailing zeros dropped: 1010 -> 壹仟零壹拾."""
    out, zero, started = [], False, False
    for place, digit in zip(_PLACES, (value // 1000, value // 100 % 10, value // 10 % 10, value % 10)):
        if digit == 0:
            zero = zero or started
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(_DIGITS[digit] + place)
        started = True
    return "".join(out)


def _yuan(value: int) -> str:
    groups = []
    while value:
        value, low = divmod(value, 10_000)
        groups.append(low)
    out: list[str] = []
    gap = False
    for index in reversed(range(len(groups))):
        group = groups[index]
        if group == 0:
            gap = gap or bool(out)
            continue
        # A zero group, or leading zeros inside this group, after something written: one 零.
        if out and (gap or group < 1000):
            out.append("零")
        out.append(_group(group) + _GROUPS[index])
        gap = False
    return "".join(out)


def fen_in_capitals(amount_fen: int) -> str:
    """``amount_fen`` (0 or more, below 10^16 yuan) in capitals: 123456 -> 壹仟贰佰叁拾肆元伍角陆分."""
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise TypeError(f"amount_fen must be an int, got {type(amount_fen).__name__}")
    if amount_fen < 0:
        raise ValueError(f"amount_fen must not be negative, got {amount_fen}")
    yuan, fraction = divmod(amount_fen, 100)
    if yuan >= _LIMIT_YUAN:
        raise ValueError(f"amount must be below {_LIMIT_YUAN} yuan, got {yuan}")
    jiao, fen = divmod(fraction, 10)
    if amount_fen == 0:
        return "零元整"
    text = _yuan(yuan) + "元" if yuan else ""
    if jiao == 0 and fen == 0:
        return text + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if fen:
        text += _DIGITS[fen] + "分"
    else:
        text += "整"
    return text
