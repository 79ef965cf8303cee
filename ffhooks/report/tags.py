"""Reports by tag (`--by tag`, `--tag`): what they need beyond a report by task.

A session's time is counted once, under its whole tag set (`api+review`), never under each
of its tags, so the rows add up to the total. The tag split is in the summaries only where
the team config asks for it (`summary_detail.tags`), and not in the digests: such a report
reads every month's summaries. Amounts are priced per user, task and day as in every
report, then shared among the day's tag sets to the cent, so that a report by tag bills
what a report by task bills.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ffhooks.config import TeamConfig
from ffhooks.errors import FatalError
from ffhooks.report.report import Prices, Unit

SWITCH = "ffhooks config set summary_detail.tags true"


def refuse_untagged(config: TeamConfig, closed: list[str], rounding: bool) -> None:
    """Refuse a report by tag that could not be exact: the team's summaries hold no tags,
    a closed period (whose figures hold none) is inside it, or it rounds (each tag set's
    time rounded on its own would bill more than the same time by task)."""
    if not config.tags:
        raise FatalError(
            "the team's summaries hold no tags (summary_detail.tags is off, for privacy): "
            f"`{SWITCH}`, commit it, then each person's `ffhooks recover rebuild` and commit "
            "write them"
        )
    if closed:
        raise FatalError(
            f"closed period {closed[0]} records no tags: report by tag from after it (--from) "
            "or leave the closed figures out (--ignore-closed)"
        )
    if rounding:
        raise FatalError(
            "--round with --by tag or --tag would round each tag set's time on its own and "
            "bill more than the same time by task: leave out --round"
        )


def shared(units: Iterable[Unit], prices: Prices) -> Iterator[Unit]:
    """`units` (split by tag set, each user's month together, as `report.units` gives them)
    with their amounts: each user's, task's and day's priced whole, then shared among its
    tag sets by billable seconds, the cents left over to the largest remainders."""
    batch: list[Unit] = []
    for u in units:
        if batch and (u.user, u.period[:7]) != (batch[0].user, batch[0].period[:7]):
            yield from _priced(batch, prices)
            batch = []
        batch.append(u)
    yield from _priced(batch, prices)


def _priced(batch: list[Unit], prices: Prices) -> Iterator[Unit]:
    days: dict[tuple[str, str], list[Unit]] = {}
    for u in batch:
        days.setdefault((u.task, u.period), []).append(u)
    for parts in days.values():
        seconds = [sum(s * n for s, n in u.billable) for u in parts]
        whole = parts[0]._replace(billable=((sum(seconds), 1),), tag="", cents=None)
        cents = prices.cents(whole)
        if cents is None:
            yield from parts
            continue
        yield from (u._replace(cents=c) for u, c in zip(parts, split(cents, seconds), strict=True))


def split(cents: int, weights: list[int]) -> list[int]:
    """`cents` in whole cents in proportion to `weights`, adding up to `cents` exactly (the
    largest remainder method; ties to the first)."""
    total = sum(weights)
    if total == 0:
        return [cents if i == 0 else 0 for i in range(len(weights))]
    sign, amount = (-1, -cents) if cents < 0 else (1, cents)
    shares = [amount * w // total for w in weights]
    order = sorted(range(len(weights)), key=lambda i: -(amount * weights[i] % total))
    for i in order[: amount - sum(shares)]:
        shares[i] += 1
    return [sign * s for s in shares]
