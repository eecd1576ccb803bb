"""Build services/monitoring/data/vn_units.tsv, every province, district and commune of
Vietnam before and after the 2025 reform with the old-to-new mapping, from the pinned
`vietnamadminunits` package (MIT; docs/decisions/0008-gazetteer-dataset.md).

    .venv/bin/pip install --no-deps vietnamadminunits==1.0.4   # build time only
    .venv/bin/python tools/build_gazetteer.py

Only the package's data files are read (its code needs shapely and geopy, which we do not),
so the service never imports the package and the output is the same on every machine.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import sqlite3
import sys
import unicodedata
from pathlib import Path

PACKAGE, VERSION = "vietnamadminunits", "1.0.4"
OUT = Path(__file__).resolve().parent.parent / "services/monitoring/data/vn_units.tsv"
REFORM_FROM, REFORM_TO = "2025-07-01", "2025-06-30"
TYPES = {"Tỉnh": "province", "Thành phố": "city", "Thị xã": "town", "Huyện": "district",
         "Quận": "urban_district", "Phường": "ward", "Xã": "commune", "Thị trấn": "township",
         "Đặc khu": "special_zone"}
COLUMNS = ("id", "type", "name", "short", "parents", "valid_from", "valid_to", "code",
           "successors")


def slug(text: str) -> str:
    folded = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "_", folded).strip("_")


def typed(full: str, kind: str | None) -> tuple[str, str]:
    """(our type, the name without it), from the type word the name starts with ("Xã",
    "Thị trấn"): the dataset's short names are sometimes qualified ("Yên Viên (Xã)") and its
    type column sometimes disagrees with the name ("Thị trấn Ngọc Lặc" typed "Xã")."""
    named = next((k for k in TYPES if full.lower().startswith(k.lower() + " ")), None)
    if named is None:  # the name carries no type word: the dataset's column says it
        if kind not in TYPES:
            raise SystemExit(f"unknown unit type of {full!r}: {kind!r}")
        return TYPES[kind], full
    return TYPES[named], full[len(named) + 1:].strip()


def data_dir() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        sys.exit(f"install the dataset first: pip install --no-deps {PACKAGE}=={VERSION}")
    from importlib.metadata import version

    if version(PACKAGE) != VERSION:
        sys.exit(f"{PACKAGE} {version(PACKAGE)} installed, {VERSION} pinned")
    return Path(spec.origin).parent / "data"


def build(data: Path) -> tuple[list[dict[str, str]], dict[str, str]]:
    db = sqlite3.connect(data / "dataset.db")
    db.row_factory = sqlite3.Row
    legacy = [dict(r) for r in db.execute(
        "SELECT * FROM admin_units_legacy ORDER BY provinceCode, districtCode, wardCode")]
    new = [dict(r) for r in db.execute("SELECT * FROM admin_units ORDER BY provinceCode, wardCode")]
    converter = json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))
    rows: dict[str, dict[str, str]] = {}

    def add(row: dict[str, str]) -> str:
        pid = row["id"]
        if pid in rows:  # two units of one name under one parent: keep both, apart by code
            pid = row["id"] = f"{pid}_{row['code']}"
        rows[pid] = {c: row.get(c, "") for c in COLUMNS}
        return pid

    add({"id": "vn", "type": "country", "name": "Việt Nam", "short": "Việt Nam"})
    new_province: dict[str, str] = {}  # new province key -> id
    for r in new:
        pid = slug(r["provinceShort"])
        if pid not in rows:
            add({"id": pid, "type": "province", "name": r["province"],
                 "short": r["provinceShort"], "parents": "vn", "code": r["provinceCode"]})
        new_province[r["provinceKey"]] = pid
    successor_province = {old: new_province[k]
                          for k, olds in converter["DICT_PROVINCE"].items() for old in olds}
    legacy_ward: dict[str, str] = {}  # province_district_ward key -> id
    legacy_district: dict[str, str] = {}
    for r in legacy:
        prov = slug(r["provinceShort"])
        if prov not in rows:
            add({"id": prov, "type": "province", "name": r["province"],
                 "short": r["provinceShort"], "parents": f"vn@..{REFORM_TO}",
                 "valid_to": REFORM_TO, "code": r["provinceCode"],
                 "successors": successor_province[r["provinceKey"]]})
        dkey = f"{r['provinceKey']}_{r['districtKey']}"
        if dkey not in legacy_district:
            heir = successor_province[r["provinceKey"]]
            parents = prov if heir == prov else (
                f"{prov}@..{REFORM_TO},{heir}@{REFORM_FROM}..")
            kind, short = typed(r["district"], r["districtType"])
            legacy_district[dkey] = add({
                "id": f"{prov}.{slug(r['district'])}", "type": kind, "name": r["district"],
                "short": short, "parents": parents, "valid_to": REFORM_TO,
                "code": r["districtCode"]})
        if r["ward"]:
            kind, short = typed(r["ward"], r["wardType"])
            legacy_ward[f"{dkey}_{r['wardKey']}"] = add({
                "id": f"{legacy_district[dkey]}.{slug(r['ward'])}", "type": kind,
                "name": r["ward"], "short": short, "parents": legacy_district[dkey],
                "valid_to": REFORM_TO, "code": r["wardCode"]})
        else:  # island districts had no communes: the district itself is mapped
            legacy_ward[f"{dkey}_"] = legacy_district[dkey]
    new_ward: dict[tuple[str, str], str] = {}
    for r in new:
        prov = new_province[r["provinceKey"]]
        kind, short = typed(r["ward"], r["wardType"])
        new_ward[(r["provinceKey"], r["wardKey"])] = add({
            "id": f"{prov}.{slug(r['ward'])}", "type": kind, "name": r["ward"], "short": short,
            "parents": prov, "valid_from": REFORM_FROM, "code": r["wardCode"]})
    heirs: dict[str, list[str]] = {}
    for pkey, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for wkey, olds in wards.items():
            for old in olds:
                if old in legacy_ward and (pkey, wkey) in new_ward:
                    heirs.setdefault(legacy_ward[old], []).append(new_ward[(pkey, wkey)])
    for pkey, olds in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, parts in olds.items():
            ordered = sorted(parts, key=lambda p: not p["isDefaultNewWard"])  # default first
            for part in ordered:
                if old in legacy_ward and (pkey, part["newWardKey"]) in new_ward:
                    heirs.setdefault(legacy_ward[old], []).append(
                        new_ward[(pkey, part["newWardKey"])])
    for old, ids in heirs.items():
        rows[old]["successors"] = ",".join(dict.fromkeys(ids))
    for district in legacy_district.values():  # a district went where its communes went
        if not rows[district]["successors"]:
            prefix = district + "."
            merged = [h for w in rows if w.startswith(prefix)
                      for h in rows[w]["successors"].split(",") if h]
            rows[district]["successors"] = ",".join(sorted(set(merged)))
    sums = {name: hashlib.sha256((data / name).read_bytes()).hexdigest()[:16]
            for name in ("dataset.db", "converter_2025.json")}
    return list(rows.values()), sums


def main() -> None:
    rows, sums = build(data_dir())
    lines = [
        f"# Generated by tools/build_gazetteer.py from {PACKAGE} {VERSION} "
        f"(MIT, (c) 2025 Tran Ngoc Minh Hieu; data of the General Statistics Office of "
        f"Viet Nam); do not edit: our variants and ambiguity rules are in places.yaml.",
        "# sha256[:16] " + " ".join(f"{k}={v}" for k, v in sums.items()),
        "# parents: id or id@from..to (ISO dates, open ends empty); successors: the units "
        "it became on 2025-07-01, the main one first",
        "\t".join(COLUMNS),
        *("\t".join(r[c] for c in COLUMNS) for r in rows),
    ]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(rows)} units")


if __name__ == "__main__":
    main()
