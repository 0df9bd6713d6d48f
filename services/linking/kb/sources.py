"""Readers for the open KB sources; each yields :class:`Record` s with ids found in the source.

No QID is ever made up here: a row without a Wikidata id is skipped. Names that only a reader
knows (``United States`` for ``USA``) are attached through the source's own country code, so the
id still comes from the source.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import yaml

QID = re.compile(r"^Q[1-9]\d*$")
FILES = {
    "countries": "country-codes.csv",
    "intl_orgs": "supraverden_general_list.yaml",
    "parties": "partyfacts_wikidata.csv",
    "legislators": "congress-legislators-current.yaml",
}

# Common English names the country file lacks, keyed by its own ISO 3166 alpha-3 code.
EXTRA_COUNTRY_NAMES: dict[str, tuple[str, ...]] = {
    "USA": ("United States", "U.S.", "U.S.A.", "USA", "America", "the States"),
    "GBR": ("United Kingdom", "Britain", "Great Britain", "U.K.", "UK"),
    "RUS": ("Russia",),
    "CHN": ("China", "PRC"),
    "PRK": ("North Korea", "DPRK"),
    "KOR": ("South Korea",),
    "IRN": ("Iran",),
    "SYR": ("Syria",),
    "ARE": ("UAE", "United Arab Emirates"),
    "VNM": ("Vietnam",),
    "LAO": ("Laos",),
    "BOL": ("Bolivia",),
    "VEN": ("Venezuela",),
    "TZA": ("Tanzania",),
    "MDA": ("Moldova",),
    "CZE": ("Czech Republic", "Czechia"),
    "NLD": ("Netherlands", "Holland"),
    "PSE": ("Palestine",),
    "TWN": ("Taiwan",),
    "COD": ("Democratic Republic of Congo", "DRC"),
}

# Coarse classes of the ELEVANT gold ``type`` field (AIDA).
AIDA_TYPES = (("Q215627", "person"), ("Q27096213", "location"), ("Q43229", "org"))

# instance-of (P31) classes of a Wikidata dump entity -> contract type; first match wins.
P31_TYPES: dict[str, str] = {
    "Q5": "person",
    "Q6256": "country",
    "Q3624078": "country",
    "Q7278": "party",
    "Q484652": "intl_org",
    "Q245065": "intl_org",
    "Q327333": "gov",
    "Q2659904": "gov",
    "Q192350": "gov",
    "Q35749": "gov",
    "Q7188": "gov",
    "Q11032": "media",
    "Q1110794": "media",
    "Q1193236": "media",
    "Q1616075": "media",
    "Q1002697": "media",
    "Q17127659": "group",
    "Q17149090": "group",
    "Q515": "location",
    "Q1549591": "location",
    "Q5119": "location",
    "Q35657": "location",
    "Q107390": "location",
    "Q10864048": "location",
    "Q82794": "location",
    "Q486972": "location",
    "Q43229": "org",
    "Q4830453": "org",
    "Q783794": "org",
    "Q891723": "org",
    "Q163740": "org",
    "Q3918": "org",
}


@dataclass
class Record:
    """One entity as one source describes it; records with the same qid are merged."""

    qid: str
    name: str
    type: str
    source: str
    aliases: dict[str, float] = field(default_factory=dict)  # surface form -> count
    country: str | None = None  # QID of the country
    description: str | None = None
    enwiki: str | None = None
    prior: float = 0.0


def _qid(value: Any) -> str | None:
    s = str(value or "").strip().rstrip("/").rsplit("/", 1)[-1]
    return s if QID.match(s) else None


def _add(rec: Record, *forms: str | None, count: float = 1.0) -> None:
    for f in forms:
        f = (f or "").strip()
        if f and any(c.isalpha() for c in f):
            rec.aliases[f] = rec.aliases.get(f, 0.0) + count


def _strip_the(name: str) -> str:
    name = re.sub(r"\s*\(the\)\s*$", "", name).strip()
    return name[4:] if name.lower().startswith("the ") else name


def party_members(name: str) -> str | None:
    """What the press calls a party by its members: "Democratic Party" -> "Democrats"."""
    m = re.fullmatch(r"(?:the )?(\w+) Party", name.strip(), flags=re.I)
    if not m:
        return None
    word = m.group(1)
    if word.endswith("ic"):
        return word[:-2] + "s"
    if word.endswith(("an", "ist", "al", "ive", "een", "ian")):
        return word + "s"
    return None


def read_countries(path: Path) -> tuple[list[Record], dict[str, str]]:
    """Countries and territories; also returns ISO alpha-3 -> QID for the other sources."""
    records, iso = [], {}
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            qid = _qid(row.get("wikidata_id"))
            code = (row.get("ISO3166-1-Alpha-3") or "").strip()
            if not qid:
                continue
            iso[code] = qid
            cldr = (row.get("CLDR display name") or "").strip()
            official = (row.get("official_name_en") or "").strip()
            name = cldr if len(cldr) > 3 else official or cldr
            independent = (row.get("is_independent") or "").strip() == "Yes"
            rec = Record(
                qid,
                name,
                "country" if independent else "location",
                "countries",
                country=qid,
                description=f"country, {row.get('Region Name') or ''}".strip(", "),
                prior=20.0 if independent else 2.0,
            )
            short = _strip_the(row.get("UNTERM English Short") or "")
            _add(
                rec,
                name,
                cldr,
                official,
                short,
                re.sub(r"\s*\(.*\)", "", short),
                _strip_the(row.get("UNTERM English Formal") or ""),
                count=2.0,
            )
            _add(rec, *EXTRA_COUNTRY_NAMES.get(code, ()), count=5.0)
            records.append(rec)
    return records, iso


def read_intl_orgs(path: Path) -> list[Record]:
    """International organisations (supraverden); name and English abbreviations."""
    with open(path, encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    out = []
    for key, row in (data or {}).items():
        qid = _qid(row.get("Wikidata_code"))
        if not qid:
            continue
        name = str(row.get("Name_en") or key)
        rec = Record(
            qid,
            name,
            "intl_org",
            "intl_orgs",
            prior=1.0,
            description=f"international organisation ({row.get('Org_family') or ''})",
        )
        _add(rec, name, str(key), count=2.0)
        for k in (
            "Abbreviation_en",
            "Abbreviation_other_en",
            "Abbreviation_other_2_en",
            "Abbreviation_former_en",
        ):
            v = row.get(k)
            if isinstance(v, str) and len(v) >= 2:
                _add(rec, v, count=1.0)
        out.append(rec)
    return out


def read_parties(path: Path, iso: dict[str, str]) -> list[Record]:
    """Political parties (Party Facts x Wikidata), with their country."""
    out = []
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            qid = _qid(row.get("wikidata_id"))
            name = (row.get("name") or "").strip()
            if not qid or not name:
                continue
            code = (row.get("country") or "").strip()
            rec = Record(
                qid,
                name,
                "party",
                "parties",
                country=iso.get(code),
                prior=0.5,
                description=f"political party ({code})",
            )
            _add(rec, name, count=2.0)
            _add(rec, party_members(name), count=1.0)
            short = (row.get("name_short") or "").strip()
            if len(short) >= 2:
                _add(rec, short, count=0.5)
            native = (row.get("name_native") or "").strip()
            if native and native.isascii():
                _add(rec, native, count=0.5)
            out.append(rec)
    return out


def congress_people(path: Path) -> Iterator[tuple[str, str, dict, dict, dict]]:
    """(QID, full name, ids, name, row) of each person with a Wikidata id in a
    unitedstates/congress-legislators YAML file (legislators, ``executive.yaml``)."""
    with open(path, encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    for row in data or []:
        ids, name = row.get("id") or {}, row.get("name") or {}
        qid = _qid(ids.get("wikidata"))
        full = name.get("official_full") or " ".join(
            str(name[k]) for k in ("first", "last") if name.get(k)
        )
        if qid and full:
            yield qid, full, ids, name, row


def read_legislators(path: Path, usa: str | None) -> list[Record]:
    """Current US legislators, with their English Wikipedia titles."""
    out = []
    for qid, full, ids, name, row in congress_people(path):
        term = (row.get("terms") or [{}])[-1]
        role = {"sen": "senator", "rep": "representative"}.get(term.get("type"), "legislator")
        rec = Record(
            qid,
            full,
            "person",
            "legislators",
            country=usa,
            prior=2.0,
            enwiki=ids.get("wikipedia"),
            description=f"US {role} ({term.get('party', '')}, {term.get('state', '')})",
        )
        first, last = name.get("first"), name.get("last")
        _add(rec, full, ids.get("wikipedia"), count=2.0)
        _add(
            rec,
            f"{first} {last}" if first and last else None,
            f"{name['nickname']} {last}" if name.get("nickname") and last else None,
            count=1.0,
        )
        out.append(rec)
    return out


def read_aida(path: Path) -> list[Record]:
    """Gold (mention text -> QID) pairs of an ELEVANT file: aliases with counts, i.e. priors."""
    out: dict[str, Record] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            doc = json.loads(line)
            for lab in doc.get("labels", []):
                qid = _qid(lab.get("entity_id"))
                if not qid or lab.get("coref"):
                    continue
                s, e = lab["span"]
                types = str(lab.get("type") or "").split("|")
                etype = next((t for q, t in AIDA_TYPES if q in types), "other")
                rec = out.setdefault(
                    qid, Record(qid, lab.get("name") or doc["text"][s:e], etype, "aida")
                )
                _add(rec, doc["text"][s:e], count=1.0)
                rec.prior += 1.0
    return list(out.values())


def _open(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    if path.suffix == ".bz2":
        return bz2.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def _claim_ids(entity: dict, prop: str) -> list[str]:
    out = []
    for c in entity.get("claims", {}).get(prop, []):
        v = c.get("mainsnak", {}).get("datavalue", {}).get("value")
        if isinstance(v, dict) and v.get("id"):
            out.append(v["id"])
    return out


def read_wikidata_dump(path: Path) -> Iterator[Record]:
    """Entities of a (filtered) Wikidata JSON dump: one entity a line, ``[``/``]``/commas ok."""
    with _open(path) as fh:
        for line in fh:
            line = line.strip().rstrip(",")
            if not line or line in {"[", "]"}:
                continue
            ent = json.loads(line)
            qid = _qid(ent.get("id"))
            label = ent.get("labels", {}).get("en", {}).get("value")
            if not qid or not label:
                continue
            etype = next((P31_TYPES[c] for c in _claim_ids(ent, "P31") if c in P31_TYPES), "other")
            links = ent.get("sitelinks", {})
            rec = Record(
                qid,
                label,
                etype,
                "wikidata",
                country=next(iter(_claim_ids(ent, "P17")), None),
                description=ent.get("descriptions", {}).get("en", {}).get("value"),
                enwiki=(links.get("enwiki") or {}).get("title"),
                prior=len(links) / 10.0,
            )
            _add(rec, label, rec.enwiki, count=1.0)
            _add(rec, *(a.get("value") for a in ent.get("aliases", {}).get("en", [])), count=0.5)
            yield rec
