"""Reports by tag (`--by tag`, `--tag`): what they need beyond a report by task.

A session's time is counted once, under its whole tag set (`api+review`), never under each
of its tags, so the rows add up to the total. The tag split is in the summaries only where
the team config asks for it (`summary_detail.tags`), and not in the digests: such a report
reads every month's summaries. Time is rounded and priced per user, task and day as in
every report, then shared among the day's tag sets to the second and the cent, so that a
report by tag bills what a report by task bills.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ffhooks.config import TeamConfig
from ffhooks.errors import FatalError
from ffhooks.report.report import NO_TAG_DETAIL, Prices, Unit

SWITCH = "ffhooks config set summary_detail.tags true"


def refuse_untagged(config: TeamConfig, closed: list[str]) -> None:
    """Refuse a report by tag that could not be exact: the team's summaries hold no tags,
    or a closed period (whose figures hold none) is inside it."""
    if not config.tags:
        raise FatalError(
            "the team's summaries hold no tags (summary_detail.tags is off, for privacy): "
            f"`{SWITCH}`, commit it, then each person's `ffhooks aggregate --all` and commit "
            "write them"
        )
    if closed:
        raise FatalError(
            f"closed period {closed[0]} records no tags: report by tag from after it (--from) "
            "or leave the closed figures out (--ignore-closed)"
        )


def shared(units: Iterable[Unit], prices: Prices, untold: set[str]) -> Iterator[Unit]:
    """`units` (split by tag set, each user's month together, as `report.units` gives them)
    with their shares: each user's, task's and day's time rounded and priced whole, then
    shared among its tag sets in proportion to their seconds, what is left over to the
    largest remainders. The user's months whose summaries hold no split are added to
    `untold`."""
    batch: list[Unit] = []
    for u in units:
        if u.tag == NO_TAG_DETAIL:
            untold.add(f"{u.user} {u.period[:7]}")
        if batch and (u.user, u.period[:7]) != (batch[0].user, batch[0].period[:7]):
            yield from _priced(batch, prices)
            batch = []
        batch.append(u)
    yield from _priced(batch, prices)


def note(untold: set[str], filtered: bool) -> str:
    """What a report by tag says of the months whose summaries hold no split by tag."""
    shown = ", ".join(sorted(untold)[:5]) + (", ..." if len(untold) > 5 else "")
    where = "left out of this report (--tag)" if filtered else f"shown as {NO_TAG_DETAIL}"
    return (
        f"summaries written before the team turned summary_detail.tags on ({shown}) hold no "
        f"tags: their time is {where}; `ffhooks aggregate --all` by their writers adds the "
        "split"
    )


def _priced(batch: list[Unit], prices: Prices) -> Iterator[Unit]:
    days: dict[tuple[str, str], list[Unit]] = {}
    for u in batch:
        days.setdefault((u.task, u.period), []).append(u)
    for parts in days.values():
        billable = [sum(s * n for s, n in u.billable) for u in parts]
        non_billable = [sum(s * n for s, n in u.non_billable) for u in parts]
        whole = parts[0]._replace(
            billable=((sum(billable), 1),), non_billable=((sum(non_billable), 1),), tag=""
        )
        cents = prices.cents(whole)
        shares = zip(
            split(prices.seconds(whole.billable), billable),
            split(prices.seconds(whole.non_billable), non_billable),
            split(cents, billable) if cents is not None else [None] * len(parts),
            strict=True,
        )
        yield from (u._replace(shared=s) for u, s in zip(parts, shares, strict=True))


def split(amount: int, weights: list[int]) -> list[int]:
    """`amount` (whole seconds or cents) in proportion to `weights`, in whole parts adding up
    to it exactly (the largest remainder method; ties to the first)."""
    total = sum(weights)
    if total == 0:
        return [amount if i == 0 else 0 for i in range(len(weights))]
    sign, amount = (-1, -amount) if amount < 0 else (1, amount)
    shares = [amount * w // total for w in weights]
    order = sorted(range(len(weights)), key=lambda i: -(amount * weights[i] % total))
    for i in order[: amount - sum(shares)]:
        shares[i] += 1
    return [sign * s for s in shares]
