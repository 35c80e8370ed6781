"""The PNG writer and the ink box of the standalone charts, against hand-made images."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from eventstudy.reporting.png import ink_box, write_png


def _image(height: int = 40, width: int = 60) -> np.ndarray:
    rng = np.random.default_rng(7)
    return rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)


def test_png_reads_back_pixel_for_pixel_with_its_resolution(tmp_path):
    """Pillow decodes the file to the very pixels written; 200 dpi survives the metre rounding."""
    pixels = _image()
    write_png(tmp_path / "a.png", pixels, 200)
    with Image.open(tmp_path / "a.png") as im:
        assert im.mode == "RGB" and im.size == (60, 40)
        assert np.array_equal(np.asarray(im), pixels)
        assert im.info["dpi"] == pytest.approx((200, 200), abs=0.01)


def test_png_of_a_view_writes_the_view(tmp_path):
    """A crop (a non-contiguous view of the page) is written as the crop."""
    page = _image(50, 80)
    write_png(tmp_path / "c.png", page[5:30, 10:70], 72)
    with Image.open(tmp_path / "c.png") as im:
        assert np.array_equal(np.asarray(im), page[5:30, 10:70])


@pytest.mark.parametrize("bad", [np.zeros((4, 4), np.uint8), np.zeros((4, 4, 4), np.uint8),
                                 np.zeros((4, 4, 3), np.float64), np.zeros((0, 4, 3), np.uint8)])
def test_png_refuses_what_is_not_rgb_bytes(tmp_path, bad):
    """Grey, RGBA, float or empty input is an error naming the shape, not a corrupt file."""
    with pytest.raises(ValueError, match="uint8 pixels"):
        write_png(tmp_path / "b.png", bad, 200)
    assert not (tmp_path / "b.png").exists()


def test_ink_box_by_hand():
    """Ink at rows 10..12, columns 20..29 (one channel below 255 is ink): box widened by 3."""
    page = np.full((50, 80, 3), 255, np.uint8)
    page[10:13, 20:30, 2] = 254
    page[12, 25] = 0
    assert ink_box(page, 0) == (20, 10, 30, 13)
    assert ink_box(page, 3) == (17, 7, 33, 16)


def test_ink_box_pad_stops_at_the_edges_and_a_blank_page_has_none():
    """The margin is clipped to the image; a page without ink has no box."""
    page = np.full((20, 30, 3), 255, np.uint8)
    assert ink_box(page, 5) is None
    page[0, 29] = 128
    page[19, 0] = 128
    assert ink_box(page, 5) == (0, 0, 30, 20)
