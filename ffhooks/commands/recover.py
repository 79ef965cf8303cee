from __future__ import annotations

import json

from ffhooks import queue, snapshot
from ffhooks.context import Context
from ffhooks.errors import FatalError
from ffhooks.records import Any
from ffhooks.recovery import after_restore, fold_and_snapshot, restore, retry, summary_health


def _show(result: dict[str, Any], as_json: bool, lines: list[str]) -> None:
    if as_json:
        print(json.dumps(result, indent=2))
    else:
        for line in lines:
            print(line)


def _newest_valid(ctx: Context) -> tuple[dict[str, Any] | None, list[str]]:
    """The newest snapshot of the caller whose checksums hold, and the broken newer ones."""
    broken = []
    for snapshot_id in reversed(snapshot.all_ids(ctx.repo.state_dir)):
        problems = snapshot.problems(ctx.repo.state_dir, snapshot_id)
        if problems:
            broken.append(problems[0])
            continue
        m = snapshot.load(ctx.repo.state_dir, snapshot_id)
        if m.user == ctx.user and m.reason != "migrate-backup":
            return {"id": m.id, "created": m.created.isoformat(), "files": len(m.files)}, broken
    return None, broken


def _unstaged_lines(found: list[tuple[str, bool]]) -> list[str]:
    return [
        f"not in the index: {path}: "
        + (
            "the next commit carries it (its hook stages it; or `git add` it)"
            if on_disk
            else "missing from the work tree too: the next commit writes it anew"
        )
        for path, on_disk in found
    ]


def status(ctx: Context, as_json: bool) -> int:
    from ffhooks.aggregate import unstaged

    entries = queue.entries(ctx.repo.state_dir)
    newest, broken = _newest_valid(ctx)
    health = summary_health(ctx.repo.top)
    lost = unstaged(ctx.repo)
    result = {
        "queue": [{**e, "file": str(p)} for p, e in entries],
        "snapshot": newest,
        "broken_snapshots": broken,
        "summary_problems": health,
        "unstaged_summaries": [{"path": p, "on_disk": d} for p, d in lost],
    }
    lines = [
        f"queued: {e['operation']} for {e['user']}: {e['reason']} "
        f"(failed {e['attempts']}x, last {e['last']})"
        for _, e in entries
    ] or ["queue: empty"]
    lines.append(
        f"newest snapshot: {newest['id']} of {newest['created']} ({newest['files']} files)"
        if newest
        else "newest snapshot: none yet (one is taken at each commit that changes your time)"
    )
    lines += [f"broken snapshot: {b}" for b in broken]
    lines += [f"summary: {p}" for p in health] or ["summaries: all valid"]
    lines += _unstaged_lines(lost)
    if entries:
        lines.append("`ffhooks recover retry` runs the queue again")
    if health:
        lines.append(
            "summaries are written by ffhooks only: bring a changed one back with `git checkout "
            "HEAD -- PATH` (if a bad one was committed, `git rm` it), then `ffhooks recover "
            "rebuild` writes yours anew from your store"
        )
    _show(result, as_json, lines)
    return 1 if entries or health or broken or lost else 0


def retry_all(ctx: Context, as_json: bool) -> int:
    result: dict[str, Any] = {"retried": [], "still_failing": []}
    lines = []
    entries = queue.entries(ctx.repo.state_dir)
    for path, entry in entries:
        what = f"{entry['operation']} for {entry['user']}"
        try:
            retry(ctx, entry)
        except FatalError as exc:
            queue.record(ctx.repo.state_dir, entry["operation"], entry["user"], str(exc), ctx.now)
            result["still_failing"].append({**entry, "reason": str(exc)})
            lines.append(f"{what}: still failing: {exc}")
            continue
        queue.done(path)
        result["retried"].append(entry)
        lines.append(f"{what}: done" + (", summaries staged" if "aggregate" in what else ""))
    lines += _stage_lost(ctx, result)
    _show(result, as_json, lines or ["Nothing waits in the queue"])
    return 1 if result["still_failing"] or result["unstaged_summaries"] else 0


def _stage_lost(ctx: Context, result: dict[str, Any]) -> list[str]:
    """Summaries that no commit would carry are not "done": fold their stores again (which
    stages them) and name whatever still is not in the index."""
    from ffhooks.aggregate import unstaged

    lost = unstaged(ctx.repo)
    for user in sorted({p.split("/")[3] for p, _ in lost}):
        try:
            fold_and_snapshot(Context(ctx.repo, user, ctx.now))
        except FatalError as exc:
            queue.record(ctx.repo.state_dir, "aggregate", user, str(exc), ctx.now)
    still = unstaged(ctx.repo) if lost else []
    result["unstaged_summaries"] = [{"path": p, "on_disk": d} for p, d in still]
    staged = len(lost) - len(still)
    return ([f"staged {staged} summary file(s) the index had lost"] if staged else []) + (
        _unstaged_lines(still)
    )


def restore_store(ctx: Context, snapshot_id: int | None, dry_run: bool, as_json: bool) -> int:
    done = restore(ctx.repo, ctx.user, ctx.now, snapshot_id=snapshot_id, dry_run=dry_run)
    lines = [f"skipped {why}" for why in done.skipped]
    if done.chosen is None:
        _show({"restored": None, "skipped": done.skipped}, as_json, lines)
        raise FatalError(
            f"no snapshot of {ctx.user}'s store can be restored: none was taken yet, or every "
            "one failed its checks (listed above)"
        )
    verb = "would restore" if dry_run else "restored"
    lines.append(
        f"{verb} snapshot {done.chosen.id} of {done.chosen.created.isoformat()}: "
        f"{len(done.written)} file(s) written, {len(done.unchanged)} already as they were"
    )
    lines += [f"  {rel}" for rel in done.written]
    if done.before is not None:
        lines.append(
            f"the store as it was is snapshot {done.before.id}: "
            f"`ffhooks recover restore {done.before.id}` undoes this"
        )
    if not dry_run:
        after_restore(ctx)
        lines.append("your next commit brings the summaries in line with the restored store")
    result = {
        "restored": done.chosen.id,
        "dry_run": dry_run,
        "written": done.written,
        "unchanged": done.unchanged,
        "skipped": done.skipped,
        "undo": done.before.id if done.before else None,
    }
    _show(result, as_json, lines)
    return 0


def rebuild(ctx: Context, as_json: bool) -> int:
    written = fold_and_snapshot(ctx, rebuild=True).written
    lines = [f"rebuilt and staged {p}" for p in written] or ["summaries already match the store"]
    _show({"written": written}, as_json, lines)
    return 0


def verify_all(ctx: Context, as_json: bool) -> int:
    state = ctx.repo.state_dir
    ids = snapshot.all_ids(state)
    problems = [p for i in ids for p in snapshot.problems(state, i)]
    problems += summary_health(ctx.repo.top)
    lines = problems or [f"{len(ids)} snapshot(s) and the summaries: all checksums hold"]
    _show({"snapshots": len(ids), "problems": problems}, as_json, lines)
    return 1 if problems else 0


def recover(
    ctx: Context, *, action: str, snapshot: int | None, dry_run: bool, as_json: bool
) -> int:
    if action == "retry":
        return retry_all(ctx, as_json)
    if action == "restore":
        return restore_store(ctx, snapshot, dry_run, as_json)
    if action == "rebuild":
        return rebuild(ctx, as_json)
    if action == "verify":
        return verify_all(ctx, as_json)
    return status(ctx, as_json)
