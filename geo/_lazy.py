"""Lazy attributes for a package's public API (PEP 562).

A package lists ``{public name: (module, attribute)}`` and gets a module-level
``__getattr__`` that imports the module on first use, so ``import geo`` or
``import geo.places`` stays cheap and no package imports another at import time.

>>> getter = lazy_attributes("demo", {"sqrt": ("math", "sqrt")})
>>> getter("sqrt")(9.0)
3.0
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_attributes"]


def lazy_attributes(package: str, table: Mapping[str, tuple[str, str]]) -> Callable[[str], Any]:
    """Return a ``__getattr__`` for *package* that resolves the names of *table*."""

    def __getattr__(name: str) -> Any:
        try:
            module, attr = table[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        return getattr(importlib.import_module(module), attr)

    return __getattr__
