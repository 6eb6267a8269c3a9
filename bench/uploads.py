"""The upload checker's cost on a large photo, beside its baseline (Pillow's full decode alone).

    env -u DATABASE_URL .venv/bin/python bench/uploads.py

A 4000×3000 noise JPEG (5.8 MB, the worst case for compression); alternating runs, medians.
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anjian.settings")


def main(runs: int = 9) -> None:
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from anjian.files import checks, testing

    buf = io.BytesIO()
    Image.effect_noise((4000, 3000), 30).convert("RGB").save(buf, "JPEG", quality=85)
    data = buf.getvalue()

    def kit() -> None:
        checks.check_upload(SimpleUploadedFile("photo.jpg", data))

    def pillow() -> None:
        with Image.open(io.BytesIO(data)) as img:
            img.load()

    def bomb() -> None:
        try:
            checks.check_upload(testing.bomb_png())
        except checks.UploadRefused:
            pass

    timings: dict[str, list[float]] = {"check_upload": [], "Pillow full decode": [], "bomb refused": []}
    for _ in range(runs):
        for name, work in (("check_upload", kit), ("Pillow full decode", pillow), ("bomb refused", bomb)):
            start = time.perf_counter()
            work()
            timings[name].append((time.perf_counter() - start) * 1000)
    print(f"JPEG 4000x3000, {len(data) / 1e6:.1f} MB, medians of {runs}:")
    for name, values in timings.items():
        print(f"  {name:20} {statistics.median(values):8.2f} ms")


if __name__ == "__main__":
    main()
