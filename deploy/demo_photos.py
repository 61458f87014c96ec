"""The demo's work-order photos: a "before" picture for the report and an "after" one for the
completion, drawn with Pillow when the demo is loaded (no image files are shipped or
downloaded). Each is a simple street scene of the order's kind of work, with the alley, the
date and 整改前 / 整改后 written on it; the same order always gets the same pictures.

The writing is in Chinese when the machine has a Chinese font (Noto CJK, WenQuanYi, …);
otherwise the date and "before" / "after" are written with Pillow's own font."""
from __future__ import annotations

import base64
import io
import random
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

SIZE = (640, 480)
HORIZON = 250
FONT_FILES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
              "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
              "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
              "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


@lru_cache(maxsize=1)
def chinese_font_file() -> str | None:
    for candidate in FONT_FILES:
        if Path(candidate).exists():
            return candidate
    if shutil.which("fc-list"):  # any other font fontconfig knows to cover Chinese
        listed = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True,
                                text=True, check=False).stdout
        files = sorted(line.rstrip(": ").strip() for line in listed.splitlines() if line.strip())
        if files:
            return files[0]
    return None


def _font(size: int):
    path = chinese_font_file()
    if path:
        return ImageFont.truetype(path, size), True
    return ImageFont.load_default(size=size), False


def _scene(draw: ImageDraw.ImageDraw, category: str, fixed: bool, rng: random.Random) -> None:
    width, height = SIZE
    draw.rectangle((0, 0, width, HORIZON), fill=(150, 190, 225) if fixed else (170, 180, 190))
    draw.rectangle((0, HORIZON, width, height), fill=(165, 158, 140))  # the verges
    # Houses along the alley: white walls and dark tiled roofs (徽派), the same before and after.
    for x in range(0, width, 160):
        draw.rectangle((x + 10, 120, x + 150, HORIZON), fill=(236, 234, 226),
                       outline=(90, 90, 90))
        draw.polygon([(x, 125), (x + 80, 85), (x + 160, 125)], fill=(60, 64, 70))
        draw.rectangle((x + 60, 180, x + 100, HORIZON), fill=(110, 70, 45))
    draw.polygon([(0, height), (230, HORIZON), (410, HORIZON), (width, height)],
                 fill=(125, 125, 120) if category != "greenery" else (140, 130, 110))
    if category == "street_light":
        draw.rectangle((500, 90, 508, 420), fill=(70, 70, 70))
        draw.rectangle((470, 80, 540, 96), fill=(70, 70, 70))
        if fixed:
            draw.ellipse((455, 60, 555, 160), outline=(255, 230, 120), width=6)
        draw.ellipse((478, 92, 532, 118), fill=(255, 236, 120) if fixed else (95, 95, 95))
    elif category == "greenery":
        for x in range(0, width, 70):
            top = HORIZON - 5 if fixed else HORIZON - 40 - rng.randint(0, 40)
            draw.rectangle((x, top, x + 60, HORIZON + 30),
                           fill=(60, 140, 60) if fixed else (80, 110, 50))
            if not fixed:
                for _ in range(6):
                    sx = x + rng.randint(0, 60)
                    draw.line((sx, top, sx + rng.randint(-15, 15), top - rng.randint(8, 25)),
                              fill=(70, 100, 40), width=3)
    elif category == "parking":
        if not fixed:
            for x in (250, 330):
                draw.rounded_rectangle((x, 330, x + 110, 390), 12, fill=(180, 40, 40))
    else:  # road, manholes, water, walls: the surface itself
        if not fixed:
            for _ in range(7):
                x, y = rng.randint(160, 480), rng.randint(300, 450)
                draw.ellipse((x, y, x + rng.randint(30, 70), y + rng.randint(12, 26)),
                             fill=(70, 70, 68) if category != "waterlogging" else (90, 120, 150))
        else:
            draw.line((320, HORIZON + 10, 320, height), fill=(235, 235, 230), width=4)


def draw(order: dict, stage: str, on: str) -> bytes:
    """A JPEG of the order's place: `before` (the problem) or `after` (the work done), dated
    `on` (YYYY-MM-DD)."""
    fixed = stage == "after"
    seed = f"{order['alley']}|{order['reported_at']}|{order['category']}"
    rng = random.Random(seed)  # the same order, the same picture
    image = Image.new("RGB", SIZE)
    canvas = ImageDraw.Draw(image)
    _scene(canvas, order["category"], fixed, rng)
    font, chinese = _font(28)
    small, _ = _font(20)
    canvas.rectangle((0, 0, SIZE[0], 44), fill=(20, 40, 70))
    title = (f"{order['alley']} · {'整改后' if fixed else '整改前'}" if chinese
             else ("AFTER" if fixed else "BEFORE"))
    canvas.text((14, 6), title, font=font, fill=(255, 255, 255))
    canvas.text((SIZE[0] - 150, 12), on, font=small, fill=(255, 230, 150))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def upload(client, actor: dict, order: dict) -> dict:
    """Upload the order's before and after photos; the ids as import_work_order takes them."""
    before = draw(order, "before", order["reported_at"][:10])
    after = draw(order, "after", order["completed_at"][:10])
    ids = [client.repair.upload_photo(actor=actor, content=base64.b64encode(data).decode(),
                                      filename=f"{name}.jpg")["id"]
           for name, data in (("before", before), ("after", after))]
    return {"photos": [ids[0]], "completion_photos": [ids[1]]}
