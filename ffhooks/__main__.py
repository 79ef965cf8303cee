from __future__ import annotations

from ffhooks.main import cli

if __name__ == "__main__":
    raise SystemExit(cli())
