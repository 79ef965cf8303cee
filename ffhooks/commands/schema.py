from __future__ import annotations

from ffhooks.errors import FatalError
from ffhooks.validator import schema as schemas


def schema(*, name: str | None, listing: bool) -> int:
    """Print one of the published JSON Schemas (for editors), or list them."""
    names = schemas.names()
    if listing or name is None:
        for each in names:
            print(f"{each:<12}  {schemas.load(each)['title']}")
        return 0
    if name not in names:
        raise FatalError(f"no schema named {name!r}: one of {', '.join(names)}")
    print((schemas.SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"), end="")
    return 0
