"""Small JPEG versions of photos, made once with Pillow and kept beside the files.

``thumbnails/<width>/<name of the photo>.jpg`` in the same private storage; a second request
reads the file made by the first. Written to a temporary name and renamed, so two requests at once
never serve half a file."""

from __future__ import annotations

import os
import tempfile
from typing import Any

THUMBNAIL_WIDTH = 480


def thumbnail_name(name: str, width: int = THUMBNAIL_WIDTH) -> str:
    return f"thumbnails/{width}/{name}.jpg"


def ensure_thumbnail(storage: Any, name: str, width: int = THUMBNAIL_WIDTH) -> str | None:
    """The stored name of the thumbnail of ``name`` (made now if missing); None if not a picture."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    target = thumbnail_name(name, width)
    if storage.exists(target):
        return target
    try:
        with storage.open(name, "rb") as f, Image.open(f) as img:
            img.draft("RGB", (width, width))  # JPEG: decode at a reduced scale
            small = ImageOps.exif_transpose(img)
            small.thumbnail((width, width))
            if small.mode not in ("RGB", "L"):
                small = small.convert("RGBA")
                flat = Image.new("RGB", small.size, "white")
                flat.paste(small, mask=small.getchannel("A"))
                small = flat
            path = storage.path(target)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=os.path.dirname(path), suffix=".part", delete=False) as tmp:
                small.save(tmp, "JPEG", quality=82, optimize=True)
            os.replace(tmp.name, path)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    return target
