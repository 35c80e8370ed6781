"""Legends placed where they cover no data, for every chart of the report.

:func:`clear_legend` tries the inside places of an Axes and measures each against what is drawn
(lines, bars, bands, texts); when every place covers data it opens a strip of the y range for
the legend. Used by :mod:`.plots` and :mod:`.markets` alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["clear_legend"]

_LOCS = ("upper right", "upper left", "lower left", "lower right", "center right",
         "center left", "upper center", "lower center")


def _obstacles(ax: Axes, renderer: Any) -> tuple[list[Any], list[Any], list[Any]]:
    """Return what a legend should not cover, in display units, measured once for all places.

    Lines (their display path, and whether they are data: in data coordinates), patches and
    collections (their box, and the display paths of a band, whose outline counts, not its
    box), texts (their boxes).
    """
    lines = [(line.get_transform().transform_path(line.get_path()),
              line.get_transform() == ax.transData) for line in ax.lines]
    patches = []
    for patch in [*ax.patches, *ax.collections]:
        paths = ([patch.get_transform().transform_path(p) for p in patch.get_paths()]
                 if hasattr(patch, "get_paths") else None)
        patches.append((patch.get_window_extent(renderer), paths))
    texts = [(text, text.get_window_extent(renderer)) for text in ax.texts if text.get_text()]
    return lines, patches, texts


def _hits(obstacles: tuple[list[Any], list[Any], list[Any]], box: Any,
          legend: Any) -> tuple[int, int]:
    """Count what ``box`` (display units) covers: (data artists, reference lines and texts).

    Data: lines and markers in data coordinates, bars, bands. Reference: lines spanning the
    axes (zero, day 0, mean) and texts, which a legend should avoid too, second.
    """
    lines, patches, texts = obstacles
    data = ref = 0
    for path, is_data in lines:
        if np.asarray(path.vertices).size and path.intersects_bbox(box, filled=False):
            if is_data:
                data += 1
            else:
                ref += 1
    for extent, paths in patches:
        if extent.overlaps(box):
            if paths is not None and not any(p.intersects_bbox(box) for p in paths):
                continue  # a band: its outline, not its bounding box
            data += 1
    for text, extent in texts:
        if text is not legend and extent.overlaps(box):
            ref += 1
    return data, ref


def clear_legend(ax: Axes, *, band: str = "upper", **kwargs: Any) -> Any:
    """Draw the legend where it covers no data, else in a band of the y range that holds none.

    The legend is tried at each inside location (:data:`_LOCS`) and measured against the drawn
    lines, bars, bands and texts (:func:`_hits`); of the locations that cover no data, the one
    that crosses the fewest reference lines wins. When every location covers data
    (deepseek_global's markets chart, its distribution), the y range is extended on the ``band``
    side ({'upper', 'lower'}) by the legend's height, so the legend sits in a strip that no data
    reaches. Returns the Legend (None when nothing is labelled).
    """
    if not (kwargs.get("handles") or ax.get_legend_handles_labels()[0]):
        return None
    fig = ax.figure
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    pad = renderer.points_to_pixels(4.0)
    legend = cast("Any", ax).legend  # loc: one of _LOCS, a str to the stubs
    best: tuple[tuple[int, int], str] | None = None
    obstacles = _obstacles(ax, renderer)
    for loc in _LOCS:
        leg = legend(loc=loc, **kwargs)
        box = leg.get_window_extent(renderer).padded(pad)
        cost = _hits(obstacles, box, leg)
        if best is None or cost < best[0]:
            best = (cost, loc)
    assert best is not None
    if best[0][0] == 0:
        return _opaque(legend(loc=best[1], **kwargs))
    leg = legend(loc=f"{band} right", **kwargs)
    frame = ax.get_window_extent(renderer)
    f = min((leg.get_window_extent(renderer).height + 2 * pad) / max(frame.height, 1.0), 0.6)
    lo, hi = ax.get_ylim()
    span = (hi - lo) / (1 - f)  # the old range keeps 1 - f of the axes: the data, below the band
    ax.set_ylim((lo, lo + span) if band == "upper" else (hi - span, hi))
    obstacles = _obstacles(ax, renderer)  # measured again in the new y range
    placed = min(((_hits(obstacles, legend(loc=loc, **kwargs).get_window_extent(renderer)
                         .padded(pad), None), loc)
                  for loc in (f"{band} right", f"{band} left", f"{band} center")),
                 key=lambda x: x[0])
    return _opaque(legend(loc=placed[1], **kwargs))


def _opaque(leg: Any) -> Any:
    """Give the legend a white ground, so a reference line it crosses runs behind its text.

    deepseek_global's markets chart: the day-0 line ran through the legend's labels.
    """
    leg.set_frame_on(True)
    frame = leg.get_frame()
    frame.set_facecolor("white")
    frame.set_edgecolor("none")
    frame.set_alpha(0.9)
    leg.set_zorder(5)
    return leg
