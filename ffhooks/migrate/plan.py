"""The summaries a migration makes of its tally: built, compared, written, staged, checked.

Each source's time goes, per user, to one frozen store (`migrate/sources.store_id`), one
summary file per month. A month whose newest file already holds the same content (and the
signature the team asks for) is left as it is; any other is written with the next `seq` and
buries the files it supersedes. Nothing is held in memory longer than one file.
"""

from __future__ import annotations

from ffhooks import summary
from ffhooks.config import TeamConfig
from ffhooks.fold.aggregate import says_the_same, store_months, write_summary
from ffhooks.fold.staging import stage
from ffhooks.git.plumbing import Repo
from ffhooks.migrate.cells import by_store, periods
from ffhooks.migrate.sources import store_id
from ffhooks.migrate.tally import Tally
from ffhooks.records import NamedTuple
from ffhooks.trust.policy import signing_key


class FrozenStore(NamedTuple):
    user: str
    store: str
    source: str
    billable_seconds: int
    non_billable_seconds: int


def plan(
    repo: Repo,
    tally: Tally,
    timezone: str,
    config: TeamConfig,
    *,
    write: bool,
    signer: str | None = None,
) -> tuple[list[str], int, list[FrozenStore]]:
    """Build each store's month; write (with `write`) those whose content changed. Returns
    the files written (or that would be), how many were already right, and the stores.
    When the team asks for signatures, `signer` signs them, and each says so.

    Files are written one by one as they are built, so memory never holds all of them.
    """
    own_key = signing_key(repo, config) if write else None
    sign = own_key.signer() if own_key else None
    cells = by_store(tally.cells)
    written: list[str] = []
    unchanged = 0
    stores = []
    by_day = config.period == "day"
    for i, src in enumerate(tally.sources):
        for u, user in enumerate(tally.users):
            store = store_id(src.sha256, user)
            user_dir = repo.top / summary.SUMMARIES / user
            existing = store_months(user_dir, store)
            months = cells.get((i, u), {})
            if (i, u) in tally.expect:
                b, nb = tally.expect[(i, u)]
                stores.append(
                    FrozenStore(
                        user=user,
                        store=store,
                        source=src.shown,
                        billable_seconds=b,
                        non_billable_seconds=nb,
                    )
                )
            seq = max((s for files in existing.values() for s, _ in files), default=0)
            for month in sorted(set(months) | set(existing)):
                keys = months.get(month, [])
                draft = summary.build(
                    user=user,
                    store=store,
                    month=month,
                    timezone=timezone,
                    seq=1,
                    detail=config.detail,
                    periods=periods(tally.cells, tally.tasks, keys, config.per_task, by_day),
                    project=config.project,
                    version=config.summary_format,
                )
                newest = existing[month][-1][1] if month in existing else None
                if says_the_same(draft, newest, own_key)[0]:
                    unchanged += 1
                    continue
                seq += 1
                doc = summary.seal({**draft, "seq": seq}, sign, signer if sign else None)
                path = user_dir / month / f"{store}-{seq}.json"
                if write:  # made durable together, in stage_all
                    write_summary(repo, path, summary.dumps(doc), fsync=False)
                written.append(path.relative_to(repo.top).as_posix())
    return written, unchanged, stores


def stage_all(repo: Repo, written: list[str], stores: list[FrozenStore]) -> None:
    """Stage what was written, and any file of these stores that is not staged yet (an
    interrupted run may have written files that this run finds already right)."""
    from ffhooks.fsio import sync_written
    from ffhooks.git.plumbing import run_git

    sync_written(repo.top / p for p in written)
    mine = {f"{s.store}-" for s in stores}
    listed = run_git(
        ["ls-files", "-z", "--others", "--modified", "--", summary.SUMMARIES], repo.top
    )
    loose = [p for p in listed.split("\0") if p and p.rsplit("/", 1)[-1][:17] in mine]
    paths = [repo.top / p for p in sorted(set(written) | set(loose))]
    for n in range(0, len(paths), 500):
        stage(repo, paths[n : n + 500])


def verify(repo: Repo, stores: list[FrozenStore]) -> list[str]:
    """Re-read the summaries in the work tree (newest per store and month, checksums and
    schema checked) and compare each user's seconds in `stores` with what the sources held
    (`FrozenStore.billable_seconds`, ...). Returns the disagreements."""
    from ffhooks.report import report
    from ffhooks.trust import record

    ours = {s.store for s in stores}
    listed = record.listing(repo.top, None, None)
    files = [p for p in listed.blobs if (w := summary.parse_path(p)) and w.store in ours]
    found: dict[str, list[int]] = {}
    for cell in report.day_cells(record.documents(listed, files, digested=False)):
        slot = found.setdefault(cell.user, [0, 0])
        slot[0] += cell.billable_seconds
        slot[1] += cell.non_billable_seconds
    wanted: dict[str, list[int]] = {}
    for s in stores:
        slot = wanted.setdefault(s.user, [0, 0])
        slot[0] += s.billable_seconds
        slot[1] += s.non_billable_seconds
    problems = []
    for user in sorted(set(found) | set(wanted)):
        got, want = found.get(user, [0, 0]), wanted.get(user, [0, 0])
        if got != want:
            problems.append(
                f"{user}: the summaries hold {got[0]} billable and {got[1]} non-billable "
                f"seconds, the sources {want[0]} and {want[1]}"
            )
    return problems
