"""Money: integer fen inside the app, ``Decimal`` yuan at the edges, never float.

An amount typed or passed in may have at most two decimals (to the fen); more is refused,
not rounded: a payment of 100.005 yuan is a typing mistake, not 100.01."""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation

from .errors import UserError

FEN = Decimal("0.01")


def parse_yuan(value: str | Decimal | int, label: str = "金额", *, allow_zero: bool = False,
               allow_negative: bool = False) -> int:
    """Yuan (text such as ``"6,007.14"``, a Decimal or an int) to integer fen."""
    if isinstance(value, float):
        raise TypeError("money is never a float: pass a Decimal or text")
    if isinstance(value, Decimal):
        amount = value
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").replace("，", "")
        text = text.removeprefix("¥").removesuffix("元").strip()
        if not text:
            raise UserError("money.required", label=label)
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise UserError("money.invalid", label=label, text=text) from None
    if not amount.is_finite():
        raise UserError("money.invalid", label=label, text=str(value))
    if amount.as_tuple().exponent < -2 and amount != amount.quantize(FEN):
        raise UserError("money.too_precise", label=label, text=str(value))
    if amount < 0 and not allow_negative:
        raise UserError("money.negative", label=label)
    if amount == 0 and not allow_zero:
        raise UserError("money.zero", label=label)
    fen = amount * 100
    return int(fen.to_integral_value())


def to_yuan(fen: int) -> Decimal:
    """Integer fen as Decimal yuan with two places (exact)."""
    return (Decimal(fen) / 100).quantize(FEN)


def fmt_yuan(fen: int) -> str:
    """``6,007.14``: figures with thousands separators, two decimals."""
    return f"{to_yuan(fen):,.2f}"


def div_half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half-up (halves away from zero), exactly in integers."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    sign = -1 if numerator < 0 else 1
    return sign * ((2 * abs(numerator) + denominator) // (2 * denominator))


def capital_rmb(fen: int) -> str:
    """大写金额 by the People's Bank rules (cn2an): 6007.14 → 陆仟零柒元壹角肆分, 50000 → 伍万元整.
    A negative amount (a reversal) is written 负…."""
    from cn2an import an2cn

    text = an2cn(str(to_yuan(abs(fen))), "rmb")
    return ("负" + text) if fen < 0 else text
