"""Readers for the extra open actor sources (``shared/data/kb-extra``), in their upstream formats.

Each file is recognised by its upstream name anywhere under a source dir, so both the kb-extra
tree and a flat folder of downloaded files work. As in :mod:`sources`, every id comes from the
file: a row without a Wikidata id is skipped. Licences: NSI is BSD-3-Clause (keep its notice),
hearvox, congress, everypolitician (Wikidata) CC0, Natural Earth public domain. The
countries-states-cities files (``csc``) are ODbL, share-alike: they are read only when asked
for (``include_odbl``), and an index built with them must not be shipped.

Priors and alias counts are on the scale of the curated sources (an independent country has
prior 20 and aliases of count 2-5, a legislator prior 2 and count 1-2): a head of state or a
city of ten million sits near a country, a town nobody lists a population for has aliases too
weak (< 1) to be linked on its name alone, so "Paris" never means a village in Arkansas.
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from stancestream.services.linking.kb import US_STATE
from stancestream.services.linking.kb.keys import alias_key
from stancestream.services.linking.kb.sources import Record, _add, _qid, congress_people

# source name -> upstream file names it reads (matched case-insensitively, at any depth)
EXTRA_FILES: dict[str, tuple[str, ...]] = {
    "executive": ("executive.yaml",),
    "world_leaders": ("world-leaders-2021.csv",),
    "officeholders": ("world-holders21.csv", "world-current.csv", "world-legislators.csv"),
    "politician_bios": ("world-bio.csv",),
    "cabinets": (
        "world-country-cabinets.csv",
        "world-enwiki-current-cabinets.csv",
        "world-2021-cabinets.csv",
        "world-2022-cabinets.csv",
    ),
    "us_states": ("wikidata-us-states.tsv",),
    "places": ("ne_10m_populated_places.geojson.gz", "ne_10m_populated_places.geojson"),
    "us_cities": ("wikidata-us-cities.tsv",),
    "us_newspapers": ("wikipedia-us-newspapers.tsv",),
    "nsi": ("nsi.json",),
}
# ODbL (share-alike): only with an explicit opt-in, never in a shipped index.
ODBL_FILES: dict[str, tuple[str, ...]] = {"csc_states": ("states.csv",)}

_PAREN = re.compile(r"\s*\([^)]*\)\s*$")
_MINISTER = re.compile(r"\b(minister|secretary|chancellor of the exchequer)\b", re.I)
_HEAD = re.compile(
    r"^(president|prime minister|premier|chancellor|king|queen|emperor|monarch|"
    r"supreme leader|head of state|head of government|governor-general|sultan|emir|"
    r"taoiseach|captain regent|co-prince|chairman of the|general secretary)\b",
    re.I,
)
_TOP_INTL = re.compile(r"^(secretary-general|director-general|president of the)\b", re.I)


def find_files(dirs: Iterable[Path], include_odbl: bool = False) -> dict[str, list[Path]]:
    """Extra source files under ``dirs`` (recursively), by source name; first found per name
    wins, so a file present in two dirs is read once."""
    wanted = dict(EXTRA_FILES) | (ODBL_FILES if include_odbl else {})
    by_name = {n.lower(): src for src, names in wanted.items() for n in names}
    found: dict[str, dict[str, Path]] = {}
    for d in dirs:
        if not d.is_dir():
            continue
        for p in sorted(d.rglob("*")):
            src = by_name.get(p.name.lower())
            if src is None or not p.is_file():
                continue
            found.setdefault(src, {}).setdefault(p.name.lower(), p)
    return {s: list(found[s].values()) for s in wanted if s in found}


@dataclass
class Countries:
    """Country QIDs by ISO alpha-3, alpha-2 and name, all from the curated country file."""

    iso3: dict[str, str] = field(default_factory=dict)
    iso2: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, path: Path | None, iso3: dict[str, str], records: Iterable[Record]) -> Countries:
        out = cls(dict(iso3))
        if path is not None and path.is_file():
            with open(path, encoding="utf-8", newline="") as fh:
                for row in csv.DictReader(fh):
                    a3 = (row.get("ISO3166-1-Alpha-3") or "").strip()
                    a2 = (row.get("ISO3166-1-Alpha-2") or "").strip().upper()
                    if a2 and a3 in iso3:
                        out.iso2[a2] = iso3[a3]
        ambiguous: set[str] = set()
        for r in records:
            for form in (r.name, *r.aliases):
                k = alias_key(form)
                if k in out.names and out.names[k] != r.qid:
                    ambiguous.add(k)
                out.names.setdefault(k, r.qid)
        for k in ambiguous:
            del out.names[k]
        return out

    def find(self, code: str | None = None, name: str | None = None) -> str | None:
        code = (code or "").strip().upper()
        hit = self.iso3.get(code) if len(code) == 3 else self.iso2.get(code) if code else None
        if hit is None and name:
            hit = self.names.get(alias_key(name)) or self.names.get(
                alias_key(re.sub(r"\s+of america$|\s*\(.*\)$", "", name.strip(), flags=re.I))
            )
        return hit


def _latin(name: str) -> bool:
    """Mostly Latin letters: an alias English news can contain (not Cyrillic, CJK, Arabic)."""
    letters = [c for c in unicodedata.normalize("NFKD", name) if c.isalpha()]
    return bool(letters) and sum(c.isascii() for c in letters) >= 0.8 * len(letters)


def _add_latin(rec: Record, *forms: str | None, count: float) -> None:
    _add(rec, *(f for f in forms if f and _latin(f)), count=count)


def _person_forms(name: str) -> list[str]:
    """A full name, and first + last word of a longer one ("Recep Tayyip Erdoğan")."""
    name = _PAREN.sub("", name).strip()
    words = name.split()
    out = [name]
    if len(words) > 2 and not any(
        w.lower() in {"de", "da", "van", "von", "bin", "al"} for w in words
    ):
        out.append(f"{words[0]} {words[-1]}")
    return out


def _collapse(records: Iterable[Record], prior_cap: float | None = None) -> list[Record]:
    """One record per QID of one file: rows repeat a person per term, a brand per category.
    Aliases keep their largest count; the prior is the largest, or with ``prior_cap`` the sum
    up to the cap (a brand in many categories is a bigger one)."""
    out: dict[str, Record] = {}
    for r in records:
        e = out.get(r.qid)
        if e is None:
            out[r.qid] = r
            continue
        for k, n in r.aliases.items():
            e.aliases[k] = max(e.aliases.get(k, 0.0), n)
        if prior_cap is None:
            if r.prior > e.prior:
                e.prior, e.description, e.country = r.prior, r.description, r.country or e.country
        else:
            e.prior = min(prior_cap, e.prior + r.prior)
            if e.type == "org" and r.type != "org":
                e.type = r.type
        e.country = e.country or r.country
        e.enwiki = e.enwiki or r.enwiki
    return list(out.values())


def _read_csv(path: Path, delimiter: str = ",") -> Iterator[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter=delimiter):
            yield {k.strip(): (v or "").strip() for k, v in row.items() if k}


# -- people ---------------------------------------------------------------------------------
def read_executive(path: Path, usa: str | None) -> list[Record]:
    """US presidents and vice presidents (congress-legislators ``executive.yaml``)."""
    out = []
    for qid, full, ids, name, row in congress_people(path):
        first, last = name.get("first"), name.get("last")
        terms = row.get("terms") or []
        prez = [t for t in terms if t.get("type") == "prez"]
        role = "president" if prez else "vice president"
        years = sorted({str(t.get("start", ""))[:4] for t in terms} - {""})
        rec = Record(
            qid,
            ids.get("wikipedia") or full,
            "person",
            "executive",
            country=usa,
            enwiki=ids.get("wikipedia"),
            prior=10.0 if prez else 5.0,
            description=f"US {role} ({years[0] if years else ''}-)",
        )
        _add(rec, full, ids.get("wikipedia"), count=2.0)
        nick = name.get("nickname")
        _add(
            rec,
            f"{first} {last}" if first and last else None,
            f"{nick} {last}" if nick and last else None,
            count=1.5,
        )
        out.append(rec)
    return out


def _office_prior(position: str) -> float:
    """Heads of state/government above ministers and international chiefs, above members."""
    p = position.strip()
    if p.lower().startswith(("member of", "substitute member", "representative of", "observer")):
        return 0.5
    if p.lower().startswith("special guest"):
        return 0.3
    if _HEAD.match(p) and not _MINISTER.search(p.split(" of ", 1)[0]):
        return 10.0
    if _TOP_INTL.match(p):
        return 6.0
    if _MINISTER.search(p):
        return 4.0
    return 2.0


def read_world_leaders(path: Path) -> list[Record]:
    """Heads of state and government worldwide (``world-leaders-2021.csv``), with country."""
    out = []
    for row in _read_csv(path):
        qid, name = _qid(row.get("officeholder")), row.get("officeholderLabel", "")
        if not qid or not name or _qid(name):
            continue
        position = row.get("positionLabel", "")
        current = not row.get("end_year")
        prior = _office_prior(position) * (1.0 if current else 0.6)
        rec = Record(
            qid,
            name,
            "person",
            "world_leaders",
            country=_qid(row.get("countryid")),
            prior=prior,
            description=f"{position} ({row.get('start_year', '')}-{row.get('end_year', '')})",
        )
        _add_latin(rec, *_person_forms(name)[:1], count=2.0)
        _add_latin(rec, *_person_forms(name)[1:], count=1.0)
        out.append(rec)
    return _collapse(out)


def read_officeholders(path: Path) -> list[Record]:
    """Holders of international offices and members of international assemblies
    (``world-holders21.csv``, ``world-current.csv``, ``world-legislators.csv``)."""
    out = []
    for row in _read_csv(path):
        qid, name = _qid(row.get("personID")), row.get("person", "")
        if not qid or not name or _qid(name):
            continue
        position = row.get("position", "")
        prior = _office_prior(position)
        span = f"{row.get('start', '')[:4]}-{row.get('end', '')[:4]}"
        rec = Record(qid, name, "person", "officeholders", prior=prior)
        rec.description = f"{position} ({span})"
        strong = prior >= 2.0
        _add_latin(rec, *_person_forms(name)[:1], count=2.0 if strong else 1.0)
        _add_latin(rec, *_person_forms(name)[1:], count=1.0 if strong else 0.5)
        out.append(rec)
    return _collapse(out)


def read_politician_bios(path: Path) -> list[Record]:
    """Names and English Wikipedia titles of the office holders (``world-bio.csv``)."""
    out = []
    for row in _read_csv(path):
        qid, name = _qid(row.get("id")), row.get("name", "")
        if not qid or not name or _qid(name):
            continue
        enwiki = row.get("enwiki") or None
        rec = Record(qid, name, "person", "politician_bios", enwiki=enwiki, prior=0.2)
        _add_latin(rec, name, _PAREN.sub("", enwiki or ""), count=1.0)
        out.append(rec)
    return out


def read_cabinets(path: Path) -> list[Record]:
    """Governments/cabinets (everypolitician cabinet lists) -> ``gov``, with jurisdiction."""
    out = []
    for row in _read_csv(path):
        if "cabinet" in row and "cabinetLabel" in row:  # world-country-cabinets.csv
            qid, name = _qid(row.get("cabinet")), row.get("cabinetLabel", "")
            country, where = _qid(row.get("state")), row.get("stateLabel", "")
        else:
            qid, name = _qid(row.get("item")), row.get("itemLabel", "")
            country = _qid(row.get("country")) or _qid(row.get("jurisdiction"))
            where = row.get("countryLabel") or row.get("jurisdictionLabel", "")
        if not qid or not name or _qid(name) or not where:
            continue  # no jurisdiction: a list page or a presidency, not a government
        desc = row.get("itemDescription") or f"government of {where}"
        rec = Record(qid, name, "gov", "cabinets", country=country, prior=1.0, description=desc)
        _add_latin(rec, name, count=1.0)
        out.append(rec)
    return out


# -- places ---------------------------------------------------------------------------------
def _pop_prior(pop: float) -> float:
    """0 below 10k people, 3 at 100k, 6 at 1M, 9 at 10M (a country has 20)."""
    return max(0.0, 3.0 * (math.log10(pop) - 4.0)) if pop > 0 else 0.0


def _pop_count(pop: float) -> float:
    """Alias weight of a place's name: 0.5 under 10k people, 1.5 at 100k, 2.5 at 1M, 3.5 at
    10M (a country's names weigh 2-5)."""
    return 0.5 + max(0.0, math.log10(pop) - 4.0) if pop > 0 else 0.5


_ARTICLE = re.compile(r"^(?:al|an|ar|as|ad|az|at|ash|el)[ -](\w.*)$", re.I)


def read_places(path: Path, countries: Countries) -> list[Record]:
    """Natural Earth populated places -> ``location``; prior from POP_MAX, country from ADM0.
    National capitals weigh more: the news names them for their governments too."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    out = []
    for feat in data.get("features", []):
        p = {k.lower(): v for k, v in (feat.get("properties") or {}).items()}
        qid, name = _qid(p.get("wikidataid")), str(p.get("name") or "").strip()
        if not qid or not name:
            continue
        try:
            pop = float(p.get("pop_max") or 0)
        except (TypeError, ValueError):
            pop = 0.0
        capital = str(p.get("featurecla") or "").startswith("Admin-0 capital")
        country = countries.find(p.get("adm0_a3"), p.get("adm0name")) or countries.find(
            p.get("sov_a3"), p.get("sov0name")
        )
        en = str(p.get("name_en") or "").strip() or None
        rec = Record(
            qid,
            en or name,
            "location",
            "places",
            country=country,
            prior=_pop_prior(pop) + (5.0 if capital else 0.0),
            description=", ".join(
                str(x) for x in (p.get("featurecla"), p.get("adm1name"), p.get("adm0name")) if x
            ),
        )
        count = _pop_count(pop) + (2.5 if capital else 0.0)
        forms = {alias_key(f): f for f in (name, en, p.get("nameascii")) if f and _latin(f)}
        for f in list(forms.values()):
            m = _ARTICLE.match(f)
            short = f.split(", ", 1)[0] if ", " in f else m.group(1) if m else None
            if short and alias_key(short) not in forms:
                forms[alias_key(short)] = short  # "Washington, D.C.", "An Najaf"
        _add(rec, *forms.values(), count=count)
        for alt in str(p.get("namealt") or "").split("|"):
            alt = alt.strip()
            metro = alt.startswith(f"{name}-")  # "New York-Newark": a metro area
            if alt and "," not in alt and not metro and alias_key(alt) not in forms:
                _add_latin(rec, alt, count=0.3)
        out.append(rec)
    return out


def read_us_states(path: Path, usa: str | None) -> list[Record]:
    """US states (hearvox ``wikidata-us-states.tsv``): name and AP abbreviation."""
    out = []
    for row in _read_csv(path, "\t"):
        qid, name = _qid(row.get("qid")), row.get("state", "")
        if not qid or not name:
            continue
        rec = Record(qid, name, "location", "us_states", country=usa, prior=5.0)
        rec.description = US_STATE
        _add(rec, name, count=1.25)  # "New York", "Washington": mostly the city in the news
        ap = row.get("AP", "")
        if ap and ap != name:  # "W.Va." is also written "W. Va."
            _add(rec, *dict.fromkeys((ap, re.sub(r"\.(?=\w)", ". ", ap))), count=2.0)
        out.append(rec)
    return out


def _state_ap(paths: Iterable[Path]) -> dict[str, str]:
    out = {}
    for p in paths:
        for row in _read_csv(p, "\t"):
            if row.get("state") and row.get("AP"):
                out[row["state"]] = row["AP"]
    return out


def read_us_cities(path: Path, usa: str | None, ap: dict[str, str] | None = None) -> list[Record]:
    """US places (hearvox ``wikidata-us-cities.tsv``). The file gives no population, so a
    name many places share ("Springfield", "Washington") weighs 0.5 for all of them together:
    thirty towns must not outweigh a big city of that name; a name only one place has is
    evidence (1), or nearly (0.9, too little alone) when it is one word. "<place>, <state>"
    and "<place>, <AP abbreviation>" are full names."""
    ap = ap or {}
    rows = list(_read_csv(path, "\t"))
    seen: dict[str, int] = {}
    for row in rows:
        k = alias_key(row.get("placeLabel", ""))
        seen[k] = seen.get(k, 0) + 1
    out = []
    for row in rows:
        qid, name = _qid(row.get("WD-QID")), row.get("placeLabel", "")
        state = row.get("state-full", "")
        if not qid or not name:
            continue
        rec = Record(qid, name, "location", "us_cities", country=usa, prior=0.0)
        rec.description = f"place in {state}, US" if state else "place in the US"
        n = seen.get(alias_key(name), 1)
        # one word only a town of unknown size has ("Earth", Texas) is as often an ordinary
        # word or something else: it links only with its state ("Earth, Texas")
        unique = 0.9 if len(alias_key(name).split()) == 1 else 1.0
        _add(rec, name, count=unique if n == 1 else 0.5 / n)
        if state:
            _add(rec, f"{name}, {state}", count=1.0)
            if state in ap and ap[state] != state:  # "W.Va." is also written "W. Va."
                short = dict.fromkeys((ap[state], re.sub(r"\.(?=\w)", ". ", ap[state])))
                _add(rec, *(f"{name}, {a}" for a in short), count=1.0)
        out.append(rec)
    return out


def read_us_newspapers(path: Path, usa: str | None) -> list[Record]:
    """US newspapers (hearvox ``wikipedia-us-newspapers.tsv``) -> ``media``."""
    out = []
    for row in _read_csv(path, "\t"):
        qid, title = _qid(row.get("qid")), row.get("WP-title", "")
        if not qid or not title:
            continue
        name = _PAREN.sub("", title).strip()
        state = row.get("state", "")
        rec = Record(qid, name, "media", "us_newspapers", country=usa, prior=0.5, enwiki=title)
        rec.description = f"newspaper ({state})" if state else "newspaper"
        _add(rec, name, count=1.0)
        out.append(rec)
    return out


# -- organisations (name-suggestion-index) --------------------------------------------------
_GOV_TAGS = {
    "office": {"government", "diplomatic"},
    "amenity": {"police", "courthouse", "prison", "fire_station", "townhall"},
    "landuse": {"military"},
}
_GOV_PATHS = (
    "operators/office/government",
    "brands/office/government",
    "operators/amenity/police",
    "operators/amenity/courthouse",
    "operators/amenity/prison",
    "operators/landuse/military",
    "operators/amenity/townhall",
    "operators/office/visa",
    "operators/amenity/fire_station",
)


_FLAG_TYPES = {
    "national": "location",  # the country; the curated country file decides its type
    "regional": "location",
    "municipal": "location",
    "military": "gov",
    "governmental": "intl_org",
    "indigenous": "group",
    "organisation": "org",
    "advertising": "org",
}


def _nsi_type(path: str, tags: dict[str, str], role: str) -> str:
    if path.startswith("flags/"):
        return _FLAG_TYPES.get(tags.get("flag:type", ""), "other")
    if role in {"operator", "brand"} and (
        path in _GOV_PATHS
        or any(tags.get(k) in v for k, v in _GOV_TAGS.items())
        or "government" in tags
    ):
        return "gov"
    if path == "brands/office/political_party" or tags.get("office") == "political_party":
        return "party"
    if path == "brands/shop/newsagent" and role == "brand":
        return "org"
    return "org"


def _nsi_country(item: dict, countries: Countries) -> str | None:
    codes = {
        str(c).split("-", 1)[0].split(".", 1)[0].upper()
        for c in (item.get("locationSet") or {}).get("include", [])
        if isinstance(c, str)
    }
    hits = {countries.find(c) for c in codes if len(c) == 2}
    return next(iter(hits)) if len(hits) == 1 and None not in hits else None


_GLUE = frozenset({"of", "and", "the", "&", "for", "de", "du", "des", "la", "le"})
# words a variant of a name may add or drop without naming another body
_FREE = _GLUE | frozenset(
    [
        "inc",
        "corp",
        "corporation",
        "co",
        "company",
        "ltd",
        "llc",
        "plc",
        "ag",
        "gmbh",
        "sa",
        "us",
        "uk",
        "usa",
    ]
)


def _initials(key: str) -> str:
    return "".join(w[0] for w in key.split() if w not in _GLUE)


def _akin(alias: str, names: Iterable[str | None]) -> bool:
    """``alias`` is another spelling of one of the item's own ``names``: the same letters, the
    acronym of one (or one is its acronym: "SEPTA"), or only words those names hold. A match
    name with other words ("university of michigan" for the clinics Michigan Medicine runs) is
    often another body's name."""
    key = alias_key(alias)
    flat = key.replace(" ", "")
    own = [alias_key(n or "") for n in names]
    own = [o for o in own if o]
    vocab = {w for o in own for w in o.split()} | {o.replace(" ", "") for o in own}
    for other in own:
        if flat in {other.replace(" ", ""), _initials(other)} or other.replace(
            " ", ""
        ) == _initials(key):
            return True
    return all(w in vocab or w in _FREE for w in key.split())


def read_nsi(path: Path, countries: Countries) -> list[Record]:
    """Brands, operators (companies, agencies, police forces), transit networks and flag
    subjects of the name-suggestion-index: one record per ``<role>:wikidata`` tag of an item.
    An entity named in many categories is a bigger one: each item adds to its prior."""
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    out = []
    for cat, body in (data.get("nsi") or {}).items():
        for item in body.get("items", []):
            tags = {k: str(v) for k, v in (item.get("tags") or {}).items()}
            roles = [k[: -len(":wikidata")] for k in tags if k.endswith(":wikidata")]
            roles = [r for r in roles if not r.startswith("not:") and r != "flag"]
            primary = next((r for r in ("brand", "operator", "network") if r in roles), None)
            for role in roles:
                qid = _qid(tags.get(f"{role}:wikidata"))
                name = tags.get(f"{role}:en") or tags.get(role) or ""
                if role == primary and not _latin(name):
                    name = item.get("displayName") or name
                if not qid or not name or not _latin(name):
                    continue
                etype = _nsi_type(cat, tags, role)
                rec = Record(
                    qid,
                    name,
                    etype,
                    "nsi",
                    country=_nsi_country(item, countries) if etype != "location" else None,
                    prior=0.25,
                    description=f"{role} ({cat.split('/', 1)[-1]})",
                )
                short = tags.get(f"{role}:short")
                flag = cat.startswith("flags/")  # a flag's subject: a country, state, army
                weak = flag and etype == "location"  # the place's own sources weigh more
                _add_latin(rec, tags.get(role), tags.get(f"{role}:en"), count=0.5 if weak else 1.0)
                if role == primary and not flag:
                    _add_latin(rec, item.get("displayName"), tags.get("name:en"), count=1.0)
                    if tags.get("name") and tags.get("name") == tags.get(role):
                        _add_latin(rec, tags.get("name"), count=0.5)
                    _add_latin(rec, tags.get("short_name"), count=0.5)
                if (role == primary or flag) and not weak:
                    own = [name, item.get("displayName"), tags.get("name"), short]
                    for match in item.get("matchNames") or []:
                        # a match name sharing nothing with the item's own names is often
                        # another body's (the university that runs a clinic): weak evidence
                        _add_latin(rec, match, count=1.0 if _akin(match, own) else 0.3)
                if short and len(short) >= 2:  # "FBI": how the news names an agency
                    _add_latin(rec, short, count=1.0 if len(short) >= 3 else 0.5)
                out.append(rec)
    return _collapse(out, prior_cap=3.0)


# -- ODbL (opt-in only) ---------------------------------------------------------------------
def read_csc_states(path: Path, countries: Countries) -> list[Record]:
    """States/provinces of countries-states-cities (ODbL: never in a shipped index)."""
    out = []
    for row in _read_csv(path):
        qid, name = _qid(row.get("wikiDataId")), row.get("name", "")
        if not qid or not name:
            continue
        try:
            pop = float(row.get("population") or 0)
        except ValueError:
            pop = 0.0
        rec = Record(
            qid,
            name,
            "location",
            "csc_states",
            country=countries.find(row.get("country_code"), row.get("country_name")),
            prior=_pop_prior(pop),
            description=f"{row.get('type') or 'region'} of {row.get('country_name', '')}",
        )
        _add_latin(rec, name, count=_pop_count(pop))
        out.append(rec)
    return out


def read_extra(files: dict[str, list[Path]], countries: Countries) -> dict[str, list[Record]]:
    """Every record of the extra files found (see :func:`find_files`), by source name."""
    usa = countries.iso3.get("USA")
    ap = _state_ap(files.get("us_states", []))
    readers = {
        "executive": lambda p: read_executive(p, usa),
        "world_leaders": read_world_leaders,
        "officeholders": read_officeholders,
        "politician_bios": read_politician_bios,
        "cabinets": read_cabinets,
        "us_states": lambda p: read_us_states(p, usa),
        "places": lambda p: read_places(p, countries),
        "us_cities": lambda p: read_us_cities(p, usa, ap),
        "us_newspapers": lambda p: read_us_newspapers(p, usa),
        "nsi": lambda p: read_nsi(p, countries),
        "csc_states": lambda p: read_csc_states(p, countries),
    }
    out: dict[str, list[Record]] = {}
    for src, paths in files.items():
        recs = [r for p in paths for r in readers[src](p)]
        out[src] = recs if src == "nsi" else _collapse(recs)
    return out
