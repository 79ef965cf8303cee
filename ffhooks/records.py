"""`NamedTuple` records without importing `typing`.

`typing` costs a noticeable share of `ffhooks stop` to import (`bench/cli_latency.py`),
whose budget is half of Watson's time. Type checkers see `typing.NamedTuple` itself; at run
time a small metaclass builds the same thing with `collections.namedtuple`: fields from the
annotations, trailing defaults, and the class body's methods and properties.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NamedTuple
else:
    import collections

    _SKIP = {"__annotations__", "__module__", "__qualname__", "__dict__", "__weakref__"}

    class _RecordMeta(type):
        def __new__(mcls, name, bases, namespace):
            if namespace.get("_is_base"):
                return super().__new__(mcls, name, bases, namespace)
            fields = list(namespace.get("__annotations__", {}))
            defaults = [namespace[f] for f in fields if f in namespace]
            record = collections.namedtuple(
                name, fields, defaults=defaults or None, module=namespace["__module__"]
            )
            for key, value in namespace.items():
                if key not in _SKIP and key not in fields:
                    setattr(record, key, value)
            record.__qualname__ = namespace.get("__qualname__", name)
            return record

    class NamedTuple(metaclass=_RecordMeta):
        _is_base = True

    Any = object

__all__ = ["Any", "NamedTuple"]
