"""How big a month's summary file is in each form, on the data of `bench/scale.py`.

A month of one store as the scale bench generates it (10 sessions of 40 minutes every
working day, over five tasks, per-day per-task detail, UTC), built with ffhooks' own
functions as the fold builds it, is measured in three forms:

- `indented`: format 1 as `json.dumps(doc, indent=2)` writes it (a formatter, ffhooks 0.7
  and older);
- `format 1`: as ffhooks writes format 1 (`summary.dumps`: a line per day);
- `format 2`: as ffhooks writes format 2 (team config `summary_format: 2`: cells as arrays,
  a line per day);

each in bytes, in lines, and in bytes zlib-compressed (what a loose object costs in
`.git`), per month (the median over the months, `--months`, default the 12 ending with
2026-11), and their ratio to `indented`. Also checks that every form gives the same figures
and that format 2's checksum is its own content's.

    python3 bench/summary_bytes.py
    python3 bench/summary_bytes.py --months 60 --json
"""

from __future__ import annotations

import argparse
import json
import statistics
import zlib
from collections.abc import Callable, Sequence
from typing import Any

from scale import DETAIL, month_totals, months_back, store_id

from ffhooks import summary

FORMS: dict[str, Callable[[dict[str, Any]], bytes]] = {
    "indented": lambda doc: (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode(),
    "format 1": summary.dumps,
    "format 2": lambda doc: summary.dumps(summary.seal({**doc, "version": 2})),
}


def month_summary(month: str) -> dict[str, Any]:
    """One store's summary of `month`, format 1, as the scale bench writes it."""
    user = "dev000"
    return summary.build(
        user=user,
        store=store_id(user),
        month=month,
        timezone="UTC",
        seq=1,
        detail=DETAIL,
        periods=month_totals(month),
        project="0123456789abcdef",
    )


def measure(months: list[str]) -> dict[str, dict[str, float]]:
    """Per form, the median bytes, lines and compressed bytes of a month's file."""
    sizes: dict[str, dict[str, list[int]]] = {
        f: {"bytes": [], "lines": [], "zlib": []} for f in FORMS
    }
    for month in months:
        doc = month_summary(month)
        for form, write in FORMS.items():
            data = write(doc)
            read = summary.loads(data, form, "")
            if read["totals"] != doc["totals"] or read["sha256"] != summary.checksum(read):
                raise SystemExit(f"{form} of {month} does not read back as written")
            sizes[form]["bytes"].append(len(data))
            sizes[form]["lines"].append(data.count(b"\n"))
            sizes[form]["zlib"].append(len(zlib.compress(data)))
    return {
        form: {k: statistics.median(v) for k, v in found.items()} for form, found in sizes.items()
    }


def render(found: dict[str, dict[str, float]], months: int) -> str:
    base = found["indented"]
    lines = [
        f"A month's summary file (median of {months} months: 10 sessions per working day, "
        "5 tasks, per-day per-task detail)",
        f"{'form':<10} {'bytes':>7} {'x smaller':>9} {'lines':>6} {'zlib bytes':>10} {'x':>5}",
    ]
    for form, f in found.items():
        lines.append(
            f"{form:<10} {f['bytes']:>7,.0f} {base['bytes'] / f['bytes']:>9.1f} "
            f"{f['lines']:>6.0f} {f['zlib']:>10,.0f} {base['zlib'] / f['zlib']:>5.1f}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--months", type=int, default=12, help="how many months (12)")
    parser.add_argument("--json", action="store_true", help="the figures as JSON")
    args = parser.parse_args(argv)
    months = months_back(args.months)
    found = measure(months)
    print(json.dumps(found, indent=2) if args.json else render(found, len(months)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
