from __future__ import annotations

import json

from ffhooks import queue
from ffhooks.context import Context
from ffhooks.errors import FatalError
from ffhooks.fold.run import fold_store
from ffhooks.hook import wiring as hook_wiring
from ffhooks.records import Any
from ffhooks.recovery.recovery import headers, retry, summary_health, unstaged
from ffhooks.recovery.restore import Restore, after_restore, ours, restore, store_here
from ffhooks.store import snapshot_area as snapshot
from ffhooks.store.open import missing
from ffhooks.store.snapshot import strays


def _show(result: dict[str, Any], as_json: bool, lines: list[str]) -> None:
    if as_json:
        print(json.dumps(result, indent=2))
    else:
        for line in lines:
            print(line)


def _newest_valid(ctx: Context) -> tuple[dict[str, Any] | None, list[str]]:
    """The newest snapshot of the caller's store in this work tree whose checksums hold, and
    the broken newer ones."""
    header = store_here(ctx.repo, ctx.user)
    here = header["store"] if header else None
    broken = []
    for snapshot_id in reversed(snapshot.all_ids(ctx.repo.state_dir)):
        problems = snapshot.problems(ctx.repo.state_dir, snapshot_id)
        if problems:
            broken.append(problems[0])
            continue
        m = snapshot.load(ctx.repo.state_dir, snapshot_id)
        if (
            m.user == ctx.user
            and m.reason != "migrate-backup"
            and ours(m.store, m.worktree, here, ctx.repo)
        ):
            found = {"id": m.id, "created": m.created.isoformat(), "files": len(m.files)}
            return {**found, "store": m.store, "worktree": m.worktree}, broken
    return None, broken


def _unstaged(path: str, on_disk: bool) -> dict[str, str]:
    what = f"{path} is not in the index" + ("" if on_disk else " nor in the work tree")
    fix = "commit (the hook stages it, or writes it anew), or ffhooks recover retry"
    return {"kind": "unstaged-summary", "what": what, "fix": fix, "path": path}


def _line(condition: dict[str, str]) -> str:
    return f"{condition['kind']}: {condition['what']}\n  fix: {condition['fix']}"


def _conditions(ctx: Context) -> list[dict[str, str]]:
    """What needs the user, each with the command that resolves it."""
    found = []
    lost = missing(ctx.repo.top, ctx.repo.state_dir, ctx.user)
    if lost is not None:
        found.append({"kind": "missing-store", "what": lost.what, "fix": lost.fix})
    for _, e in queue.entries(ctx.repo.state_dir):
        what = f"{e['operation']} for {e['user']} failed {e['attempts']}x: {e['reason']}"
        # a retry under core.safecrlf fails the same until init keeps ffhooks' files LF
        safecrlf = "core.safecrlf" in e["reason"]
        fix = ("ffhooks init, then " if safecrlf else "") + "ffhooks recover retry"
        found.append({"kind": "queued", "what": what, "fix": fix})
    stores = headers(ctx.repo)
    for user, header in stores:
        home = header.get("home")
        if home is not None and home != str(ctx.repo.top):
            found.append(
                {
                    "kind": "copied-store",
                    "what": f"{user}'s store {header['store']} belongs to {home}, not here",
                    "fix": "ffhooks store fork (this is a copy) or ffhooks store moved",
                }
            )
        for mark in header.get("quarantined", ()):
            found.append(
                {
                    "kind": "quarantined",
                    "what": f"{user}'s {mark['file']} is in the quarantine ({mark['moved_to']})",
                    "fix": f"ffhooks recover restore, or ffhooks recover forget {mark['file']}",
                }
            )
    wiring = hook_wiring.check(ctx.repo) if stores else None
    if wiring is not None and not wiring.runs:
        what = f"a `git commit` here does not run the ffhooks hook: {wiring.what}"
        found.append({"kind": "hook-not-run", "what": what, "fix": wiring.fix})
    found += [_unstaged(path, on_disk) for path, on_disk in unstaged(ctx.repo)]
    for problem in summary_health(ctx.repo.top):
        fix = "git checkout HEAD -- PATH, then ffhooks recover rebuild"
        found.append({"kind": "broken-summary", "what": problem, "fix": fix})
    return found


def status(ctx: Context, as_json: bool) -> int:
    conditions = _conditions(ctx)
    newest, broken = _newest_valid(ctx)
    for problem in broken:
        fix = "ffhooks recover verify lists them; restores skip them"
        conditions.append({"kind": "broken-snapshot", "what": problem, "fix": fix})
    stray = strays(ctx.repo.top, ctx.user)
    result = {
        "ok": not conditions,
        "conditions": conditions,
        "snapshot": newest,
        "queue": [{**e, "file": str(p)} for p, e in queue.entries(ctx.repo.state_dir)],
        "unstaged_summaries": [c["path"] for c in conditions if c["kind"] == "unstaged-summary"],
        "not_kept": stray,
    }
    lines = [_line(c) for c in conditions]
    lines.append(
        f"newest snapshot: {newest['id']} of {newest['created']} ({newest['files']} files)"
        if newest
        else "newest snapshot: none yet (one is taken at each commit that changes your time)"
    )
    lines += [f"not kept in snapshots (not ffhooks'): {p}" for p in stray]
    if not conditions:
        lines.insert(0, "nothing needs you: queue empty, summaries valid and staged")
    _show(result, as_json, lines)
    return 1 if conditions else 0


def forget(ctx: Context, target: str | None, as_json: bool) -> int:
    """Accept the loss of a quarantined file: aggregation may go on without it."""
    with ctx.store() as store:
        header = store.header or {}
        marks = header.get("quarantined", [])
        names = [m["file"] for m in marks]
        chosen = [m for m in marks if target and store.root / m["file"] == store.root / target]
        chosen = chosen or [m for m in marks if target and str(target).endswith(m["file"])]
        if not chosen:
            raise FatalError(
                f"{target!r} is not a quarantined file of {ctx.user}'s store "
                f"(quarantined: {', '.join(names) or 'none'})"
            )
        kept = [m for m in marks if m not in chosen]
        # every month is checked again: the next commit publishes them without the file
        months = sorted({*header.get("dirty", ()), *header.get("summaries", {})})
        store.forget(chosen[0]["file"], quarantined=kept, dirty=months)
    mark = chosen[0]
    _show(
        {"forgotten": mark},
        as_json,
        [
            f"accepted the loss of {mark['file']}: its bytes stay in {mark['moved_to']}; "
            "your next commit publishes your months without it"
        ],
    )
    return 0


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
    lost = unstaged(ctx.repo)
    for user in sorted({p.split("/")[3] for p, _ in lost}):
        try:
            fold_store(Context(repo=ctx.repo, user=user, now=ctx.now))
        except FatalError as exc:
            queue.record(ctx.repo.state_dir, "aggregate", user, str(exc), ctx.now)
    still = unstaged(ctx.repo) if lost else []
    result["unstaged_summaries"] = [p for p, _ in still]
    staged = len(lost) - len(still)
    done = [f"staged {staged} summary file(s) the index had lost"] if staged else []
    return done + [_line(_unstaged(path, on_disk)) for path, on_disk in still]


def restore_store(
    ctx: Context, snapshot_id: int | None, dry_run: bool, as_json: bool, merge: bool = False
) -> int:
    done = restore(
        ctx.repo, ctx.user, ctx.now, snapshot_id=snapshot_id, dry_run=dry_run, merge=merge
    )
    lines = [f"skipped {why}" for why in done.skipped]
    if done.chosen is None:
        _show({"restored": None, "skipped": done.skipped}, as_json, lines)
        raise FatalError(
            f"no snapshot of {ctx.user}'s store can be restored: none was taken in this work "
            "tree yet, or every one failed its checks (listed above); what its commits folded "
            "is still in the summaries"
        )
    lines += _restore_lines(done, dry_run)
    if not dry_run:
        after_restore(ctx, [*done.written, *done.unchanged])
        lines.append("your next commit brings the summaries in line with the restored store")
    result = {
        "restored": done.chosen.id,
        "store": done.chosen.store,
        "dry_run": dry_run,
        "written": done.written,
        "unchanged": done.unchanged,
        "brought_back": done.brought,
        "left_out": done.left_out,
        "replaced": done.replaced,
        "moved": done.moved,
        "retired": done.retired,
        "skipped": done.skipped,
        "before": done.before.id if done.before else None,
    }
    _show(result, as_json, lines)
    return 0


def _restore_lines(done: Restore, dry_run: bool) -> list[str]:
    assert done.chosen is not None
    verb = "would restore" if dry_run else "restored"
    lines = [
        f"{verb} snapshot {done.chosen.id} of {done.chosen.created.isoformat()} (merged into "
        f"the store: {len(done.brought)} session(s) brought back): {len(done.written)} "
        f"file(s) written, {len(done.unchanged)} kept as the store has them"
    ]
    lines += [f"  {rel}" for rel in done.written]
    lines += [f"not brought back: {why}" for why in done.left_out]
    if not done.left_out:
        lines.append(f"nothing left out: the store holds all that snapshot {done.chosen.id} holds")
    if done.replaced:
        lines.append(
            f"store {done.replaced} was here; the snapshot's store takes its place"
            + (
                f" with its {len(done.moved)} session(s) moved into it"
                if done.moved
                else " (it held no session the snapshot lacks)"
            )
        )
        lines += [f"store {done.replaced} stops billing: staged {p}" for p in done.retired]
    if done.before is not None:
        lines.append(
            f"the store as it was is kept as snapshot {done.before.id} (`ffhooks snapshot list`)"
        )
    return lines


def rebuild(ctx: Context, as_json: bool) -> int:
    written = fold_store(ctx, rebuild=True, shown=not as_json).written
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


def _snapshot_id(target: str | None) -> int | None:
    if target is None:
        return None
    if not target.isdigit():
        raise FatalError(f"{target!r} is not a snapshot id: `ffhooks snapshot list` shows them")
    return int(target)


def recover(
    ctx: Context,
    *,
    action: str,
    target: str | None,
    dry_run: bool,
    as_json: bool,
    merge: bool = False,
) -> int:
    if action == "forget":
        return forget(ctx, target, as_json)
    if action == "retry":
        return retry_all(ctx, as_json)
    if action == "restore":
        return restore_store(ctx, _snapshot_id(target), dry_run, as_json, merge)
    if action == "rebuild":
        return rebuild(ctx, as_json)
    if action == "verify":
        return verify_all(ctx, as_json)
    return status(ctx, as_json)
