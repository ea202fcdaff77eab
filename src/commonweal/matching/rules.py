"""The matching rule as pure functions: how much a donation asks to be matched, and the shares of a
sharded limit. No database here, so the property tests can run it against a reference model.

Amounts are integer fen; ratios are integer fractions; rounding is always down, so a match never
exceeds what the rule allows.
"""

import hashlib
from dataclasses import dataclass

PERMILLE = 1000


@dataclass(frozen=True)
class Tier:
    min_fen: int
    num: int
    den: int


@dataclass(frozen=True)
class Rule:
    kind: str  # "fixed" | "tiers" | "random"
    num: int = 1
    den: int = 1
    tiers: tuple[Tier, ...] = ()


@dataclass(frozen=True)
class Desired:
    fen: int
    rule: str  # e.g. "fixed 1:1", "tier ≥10000 1:2", "random 1:1 k=734‰"


def rule_of(campaign) -> Rule:
    tiers = tuple(sorted((Tier(int(t["min_fen"]), int(t["num"]), int(t["den"])) for t in campaign.tiers or ()), key=lambda t: t.min_fen))
    return Rule(kind=campaign.rule_kind, num=campaign.ratio_num, den=campaign.ratio_den, tiers=tiers)


def validate_tiers(tiers) -> tuple[Tier, ...]:
    """Parse the tiers JSON, with a message naming what is wrong."""
    if not isinstance(tiers, list) or not tiers:
        raise ValueError('tiers must be a non-empty list like [{"min_fen": 100, "num": 1, "den": 1}]')
    parsed = []
    for n, tier in enumerate(tiers, 1):
        if not isinstance(tier, dict) or set(tier) != {"min_fen", "num", "den"}:
            raise ValueError(f"tier {n} must have exactly min_fen, num and den")
        if not all(isinstance(tier[k], int) and not isinstance(tier[k], bool) for k in tier):
            raise ValueError(f"tier {n}: min_fen, num and den must be integers")
        if tier["min_fen"] < 1 or tier["num"] < 0 or tier["den"] < 1:
            raise ValueError(f"tier {n}: min_fen ≥ 1, num ≥ 0, den ≥ 1")
        parsed.append(Tier(tier["min_fen"], tier["num"], tier["den"]))
    if len({t.min_fen for t in parsed}) != len(parsed):
        raise ValueError("two tiers start at the same amount")
    return tuple(sorted(parsed, key=lambda t: t.min_fen))


def random_permille(seed: str, num: int, den: int) -> int:
    """The draw of the random rule: k in [0, 2·expected] permille, uniform, from SHA-256(seed).

    Its mean is the expected ratio (to a permille); anyone with the seed recorded on the decision
    (and in the ledger entry) recomputes it."""
    top = 2 * PERMILLE * num // den
    return int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big") % (top + 1)


def desired_match(rule: Rule, amount_fen: int, seed: str = "") -> Desired:
    if rule.kind == "fixed":
        return Desired(amount_fen * rule.num // rule.den, f"fixed {rule.num}:{rule.den}")
    if rule.kind == "tiers":
        reached = [t for t in rule.tiers if t.min_fen <= amount_fen]
        if not reached:
            return Desired(0, "below the first tier")
        tier = reached[-1]
        return Desired(amount_fen * tier.num // tier.den, f"tier ≥{tier.min_fen} {tier.num}:{tier.den}")
    if rule.kind == "random":
        k = random_permille(seed, rule.num, rule.den)
        return Desired(amount_fen * k // PERMILLE, f"random {rule.num}:{rule.den} k={k}‰")
    raise ValueError(f"unknown rule {rule.kind!r}")


def shard_limit(limit_fen: int, shards: int, shard: int) -> int:
    """Shard ``shard``'s part of a limit split in ``shards``: the parts sum to the limit exactly."""
    return limit_fen // shards + (1 if shard < limit_fen % shards else 0)
