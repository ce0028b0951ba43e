"""The vendored front-end files are exactly the npm packages' files the manifest names, and no page
loads anything from another host."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from bot.web.setup import STATIC, TEMPLATES

VENDOR = STATIC / "vendor"


def manifest() -> list[dict]:
    return json.loads((VENDOR / "manifest.json").read_text(encoding="utf-8"))["files"]


def test_every_vendored_file_matches_its_recorded_checksum() -> None:
    entries = manifest()
    assert {e["package"] for e in entries} == {"htmx.org", "chart.js", "frappe-gantt"}
    for entry in entries:
        assert re.fullmatch(r"\d+\.\d+\.\d+", entry["version"]), entry
        data = (VENDOR / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], f"{entry['file']} differs from the manifest"


def test_the_vendor_folder_holds_nothing_unrecorded() -> None:
    recorded = {e["file"] for e in manifest()} | {"manifest.json"}
    assert {p.name for p in VENDOR.iterdir()} == recorded


def test_no_template_or_script_loads_from_another_host() -> None:
    files = [*TEMPLATES.glob("*.html"), *Path(STATIC, "js").glob("*.js"), STATIC / "app.css"]
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), path
        assert "@import" not in text and "cdn" not in text.lower(), path
