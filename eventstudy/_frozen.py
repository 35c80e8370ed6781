"""A cached property for frozen results: computed once, handed out as a copy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

import numpy as np
import pandas as pd

__all__ = ["frozen_cache"]

_T = TypeVar("_T")


class frozen_cache(Generic[_T]):  # noqa: N801 (used like functools.cached_property)
    """Cache a property like :func:`functools.cached_property`, handing out copies.

    Every access returns a copy of a frame, series, array or list, so changing what a caller got
    never changes the results (or what a report writes from them); the attribute cannot be assigned.
    """

    def __init__(self, func: Callable[[Any], _T]) -> None:
        self.func = func
        self.__doc__ = func.__doc__
        self.name = func.__name__
        self.key = f"_cached_{func.__name__}"

    def __set_name__(self, owner: type, name: str) -> None:
        self.name, self.key = name, f"_cached_{name}"

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> frozen_cache[_T]: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> _T: ...
    def __get__(self, obj: object | None, owner: type | None = None) -> Any:
        if obj is None:
            return self
        store = obj.__dict__
        if self.key not in store:
            store[self.key] = self.func(obj)
        value = store[self.key]
        if isinstance(value, pd.DataFrame | pd.Series | np.ndarray):
            return value.copy()
        return list(value) if isinstance(value, list) else value

    def __set__(self, obj: object, value: Any) -> None:
        raise AttributeError(f"{self.name}: results are frozen")
