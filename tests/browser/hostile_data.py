"""A copy of data/ with script-injection strings in every text a viewer sees.

Layer names, alternative names, descriptions and sources; event titles,
summaries, notes, places, actors, claims and sources; tour titles,
narratives, notes and sources. Ids, dates and coordinates stay as they are,
so the page loads the copy without a data problem. Every payload that could
run sets ``window.__pwned`` and/or calls ``alert``.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tomllib
from pathlib import Path

HOSTILE: tuple[str, ...] = (
    "<script>window.__pwned=1;alert(1)</script>",
    '<img src=x onerror="window.__pwned=1;alert(1)">',
    "javascript:window.__pwned=1;alert(1)",
    "`${window.__pwned=1}` ${alert(1)}",
    '</textarea><svg onload="window.__pwned=1;alert(1)">',
    '"><iframe src="javascript:alert(1)"></iframe>',
    "[click me](javascript:alert(1))",
    "</script><script>window.__pwned=1</script>",
    "{{constructor.constructor('window.__pwned=1')()}}",
    "'-alert(1)-'",
)
BAD_URL = "javascript:alert(1)"


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(type(value))


def dump_toml(doc: dict) -> str:
    """TOML for ``{key: [table, ...]}`` whose tables hold scalars, lists and
    arrays of sub-tables (enough for events.toml and tour.toml)."""
    lines = []
    for key, tables in doc.items():
        for table in tables:
            lines.append(f"[[{key}]]")
            subs = {k: v for k, v in table.items() if isinstance(v, list) and v and isinstance(v[0], dict)}
            for k, v in table.items():
                if k not in subs:
                    lines.append(f"{k} = {_toml_value(v)}")
            for k, rows in subs.items():
                for row in rows:
                    lines.append(f"[[{key}.{k}]]")
                    lines.extend(f"{kk} = {_toml_value(vv)}" for kk, vv in row.items())
            lines.append("")
    return "\n".join(lines)


def make_hostile_copy(src: Path, dest: Path) -> Path:
    """Copy ``src`` (a data/ folder) to ``dest`` with :data:`HOSTILE` in every text."""
    shutil.copytree(src, dest)
    counters: dict[str, int] = {}

    def evil(text: str = "", field: str = "") -> str:
        """``text`` plus the next payload of this field's own cycle (each field gets them all)."""
        n = counters[field] = counters.get(field, -1) + 1
        return f"{text} {HOSTILE[n % len(HOSTILE)]}".strip()

    for path in sorted((dest / "layers").glob("*.geojson")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for f in doc["features"]:
            p = f["properties"]
            for key in ("name", "name_alt", "description", "facts", "approx_note"):
                if key == "name" or key in p:
                    p[key] = evil(str(p.get(key) or ""), "layer." + key)
            p["sources"] = [*(p.get("sources") or []), BAD_URL]
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")

    events = tomllib.loads((dest / "events.toml").read_text(encoding="utf-8"))
    for e in events["events"]:
        for key in ("title", "summary", "notes", "location", "actor1", "article_sentence", "unconfirmed"):
            e[key] = evil(e.get(key, ""), "event." + key)
        for c in e.get("claims", []):
            c["side"], c["claim"] = evil(c["side"], "side"), evil(c["claim"], "claim")
        e["sources"] = [*e["sources"], {"publisher": evil("Pub", "publisher"), "url": "https://example.org/?q=<script>alert(1)</script>"}]
    (dest / "events.toml").write_text(dump_toml(events), encoding="utf-8")

    tour = tomllib.loads((dest / "tour.toml").read_text(encoding="utf-8"))
    for s in tour["steps"]:
        s["title"], s["narrative"] = evil(s["title"], "title"), evil(s["narrative"], "narrative")
        s["notes"] = evil(s.get("notes", ""), "notes")
        s["sources"] = [*s.get("sources", []), BAD_URL]
    (dest / "tour.toml").write_text(dump_toml(tour), encoding="utf-8")
    return dest
