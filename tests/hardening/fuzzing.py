"""Shared hypothesis strategies for the fuzz tests: junk bytes and mutations of valid files."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Fixed seed, modest counts and a per-example deadline: a hang or a slow path fails the test.
# A long random campaign: EVENTSTUDY_FUZZ_EXAMPLES=3000 python -m pytest tests/hardening -k fuzz
_LONG = int(os.environ.get("EVENTSTUDY_FUZZ_EXAMPLES", "0"))
FUZZ = settings(max_examples=_LONG or 60, deadline=3000 if not _LONG else None,
                derandomize=not _LONG, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

NASTY_TEXT = ["NaN", "nan", "-inf", "inf", "1e309", "-0", "0", "", " ", "null", "None", "~",
              "9" * 40, "-1", "1,5", "0x1F", "2025-02-30", "2025-13-01", "01/02/2025",
              "\x00", "é", "日本", "\ufeff", '"', "'", ",", ";", "\t", "\r\n", "../../x", "CON",
              "ON", "NO", "yes", "!!python/object/apply:os.system ['true']", "&a", "*a", "{", "[",
              "- ", ": ", "#", "%YAML 1.1", "---", "..."]


def _mutate(data: bytes, ops: list[tuple[int, int, bytes]]) -> bytes:
    out = bytearray(data)
    for kind, pos, chunk in ops:
        if not out:
            out += chunk
            continue
        i = pos % len(out)
        if kind == 0:  # truncate
            del out[i:]
        elif kind == 1:  # insert
            out[i:i] = chunk
        elif kind == 2:  # overwrite
            out[i:i + len(chunk)] = chunk
        elif kind == 3:  # delete a span
            del out[i:i + len(chunk) + 1]
        else:  # duplicate a span (repeated rows, repeated keys)
            out[i:i] = out[i:i + 40]
    return bytes(out)


_chunks = st.one_of(
    st.binary(max_size=12),
    st.sampled_from(NASTY_TEXT).map(lambda s: s.encode("utf-8")),
    st.text(max_size=8).map(lambda s: s.encode("utf-8")),
    st.sampled_from([b"\xff\xfe", b"\xef\xbb\xbf", b"\x80", "é".encode("latin-1"), b"\n", b"\r"]),
)
_ops = st.lists(st.tuples(st.integers(0, 4), st.integers(0, 10**6), _chunks), min_size=1,
                max_size=4)


def mutated(valid: bytes) -> st.SearchStrategy[bytes]:
    """Bytes derived from a valid file: truncated, with junk inserted, spans overwritten or repeated,
    a wrong encoding, or random bytes outright."""
    return st.one_of(
        _ops.map(lambda ops: _mutate(valid, ops)),
        st.just(valid.decode("utf-8").encode("utf-16")),
        st.integers(0, len(valid)).map(lambda n: valid[:n]),
        st.binary(max_size=200),
    )
