from __future__ import annotations

import json

from ffhooks.context import Context
from ffhooks.errors import BrokenFile, FatalError
from ffhooks.recovery.recovery import take_snapshot
from ffhooks.store import snapshot_area as snapshots
from ffhooks.store.snapshot import strays


def _list(ctx: Context, as_json: bool) -> int:
    rows = []
    for snapshot_id in snapshots.all_ids(ctx.repo.state_dir):
        try:
            m = snapshots.load(ctx.repo.state_dir, snapshot_id)
        except BrokenFile as exc:
            rows.append({"id": snapshot_id, "problem": exc.problem})
            continue
        rows.append(
            {
                "id": m.id,
                "created": m.created.isoformat(),
                "reason": m.reason,
                "user": m.user,
                "store": m.store,
                "worktree": m.worktree,
                "files": len(m.files),
                "bytes": sum(e.size for e in m.files),
            }
        )
    if as_json:
        print(json.dumps({"snapshots": rows}, indent=2))
    elif not rows:
        print("No snapshots yet: one is taken at each commit that changes your time")
    for r in [] if as_json else rows:
        if "problem" in r:
            print(f"{r['id']:>6}  BROKEN: {r['problem']}")
        else:
            elsewhere = r["worktree"] not in (None, str(ctx.repo.top))
            print(
                f"{r['id']:>6}  {r['created']}  {r['reason']:<14} {r['user']:<12} "
                f"{r['store'] or '?':<16}  {r['files']} file(s), {r['bytes']:,} bytes"
                + (f"  (worktree {r['worktree']})" if elsewhere else "")
            )
    return 0


def _create(ctx: Context, as_json: bool) -> int:
    ids = snapshots.all_ids(ctx.repo.state_dir)
    made = take_snapshot(ctx, "manual")
    if made is None:
        raise FatalError(f"{ctx.user} has no store here yet: nothing to snapshot")
    new = not ids or made.id > ids[-1]
    skipped = strays(ctx.repo.top, ctx.user)
    if as_json:
        shown = {"id": made.id, "new": new, "files": len(made.files), "not_kept": skipped}
        print(json.dumps(shown, indent=2))
        return 0
    if new:
        print(f"snapshot {made.id}: {len(made.files)} file(s)")
    else:
        print(f"nothing changed since snapshot {made.id}")
    for path in skipped:
        print(f"not kept: {path} (not a file of ffhooks': move it out of the store's folder)")
    return 0


def _verify(ctx: Context, snapshot_id: int | None, as_json: bool) -> int:
    ids = [snapshot_id] if snapshot_id is not None else snapshots.all_ids(ctx.repo.state_dir)
    problems = [p for i in ids for p in snapshots.problems(ctx.repo.state_dir, i)]
    if as_json:
        print(json.dumps({"checked": ids, "problems": problems}, indent=2))
    else:
        for problem in problems:
            print(problem)
        if not problems:
            print(f"{len(ids)} snapshot(s): every manifest and object matches its checksum")
    return 1 if problems else 0


def snapshot(ctx: Context, *, action: str, snapshot_id: int | None, as_json: bool) -> int:
    if action == "create":
        return _create(ctx, as_json)
    if action == "verify":
        return _verify(ctx, snapshot_id, as_json)
    return _list(ctx, as_json)
