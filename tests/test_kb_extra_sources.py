"""The kb-extra readers on tiny files in the upstream formats (made-up ids), and a build with them.

Every QID here is invented for the test (Q1001...); the structure of each file copies its
upstream (NSI ``nsi.json``, hearvox TSVs, congress ``executive.yaml``, everypolitician CSVs,
Natural Earth GeoJSON, countries-states-cities ``states.csv``).
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stancestream.services.cli.main import app
from stancestream.services.linking.kb.build import build
from stancestream.services.linking.kb.extra_sources import (
    Countries,
    find_files,
    read_cabinets,
    read_csc_states,
    read_executive,
    read_extra,
    read_nsi,
    read_officeholders,
    read_places,
    read_politician_bios,
    read_us_cities,
    read_us_newspapers,
    read_us_states,
    read_world_leaders,
)
from stancestream.services.linking.kb.linker import KbLinker
from stancestream.services.linking.kb.sources import FILES
from stancestream.services.linking.kb.store import KbIndex

USA, FRA = "Q1030", "Q1031"
COUNTRIES = Countries(
    iso3={"USA": USA, "FRA": FRA},
    iso2={"US": USA, "FR": FRA},
    names={"united states": USA, "france": FRA},
)


def _by_qid(records: list) -> dict:
    return {r.qid: r for r in records}


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


NSI = {
    "_meta": {"version": "test"},
    "nsi": {
        "brands/shop/supermarket": {
            "properties": {"path": "brands/shop/supermarket"},
            "items": [
                {
                    "displayName": "Examplemart",
                    "id": "examplemart-1",
                    "locationSet": {"include": ["us"]},
                    "matchNames": ["example mart"],
                    "tags": {
                        "brand": "Examplemart",
                        "brand:wikidata": "Q1001",
                        "name": "Examplemart",
                        "shop": "supermarket",
                    },
                },
                {
                    "displayName": "No Id Foods",
                    "id": "noidfoods-1",
                    "locationSet": {"include": ["001"]},
                    "tags": {"brand": "No Id Foods", "name": "No Id Foods", "shop": "supermarket"},
                },
            ],
        },
        "operators/office/government": {
            "properties": {"path": "operators/office/government"},
            "items": [
                {
                    "displayName": "Bureau of Examples",
                    "id": "bureauofexamples-1",
                    "locationSet": {"include": ["us"]},
                    "tags": {
                        "government": "investigation",
                        "office": "government",
                        "operator": "Bureau of Examples",
                        "operator:short": "BOE",
                        "operator:wikidata": "Q1002",
                    },
                },
                {
                    "displayName": "Пример",
                    "id": "primer-1",
                    "locationSet": {"include": ["ru"]},
                    "tags": {
                        "office": "government",
                        "operator": "Пример",
                        "operator:wikidata": "Q1009",
                    },
                },
            ],
        },
        "flags/man_made/flagpole": {
            "properties": {"path": "flags/man_made/flagpole"},
            "items": [
                {
                    "displayName": "US - Exampleshire",
                    "id": "exampleshire-1",
                    "locationSet": {"include": ["us"]},
                    "tags": {
                        "flag:type": "regional",
                        "flag:wikidata": "Q1004",
                        "man_made": "flagpole",
                        "subject": "Exampleshire",
                        "subject:wikidata": "Q1003",
                    },
                }
            ],
        },
    },
}

STATES_TSV = (
    "abbr\tAP\tstate\tlat\tlon\tFIPS\tqid\n"
    "EX\tExa.\tExampleshire\t1.0\t2.0\t01\tQ1003\n"
    "NO\tNo.\tNostate\t1.0\t2.0\t02\t\n"
)
CITIES_TSV = (
    "placeLabel\tstate-full\tstate\tWD-QID\tFIPS\n"
    "Uniqueton\tExampleshire\tEX\tQ1010\t01001\n"
    "Twinville\tExampleshire\tEX\tQ1011\t01003\n"
    "Twinville\tNostate\tNO\thttps://www.wikidata.org/entity/Q1012\t02003\n"
    "Lostville\tExampleshire\tEX\t\t01005\n"
)
PAPERS_TSV = (
    "WP-title\tstate\tpageid\tpath\tqid\n"
    "The Example Gazette (newspaper)\tExampleshire\t1\t/wiki/The_Example_Gazette\tQ1020\n"
    "Unlisted Weekly\tExampleshire\t\t\t\n"
)
EXECUTIVE_YAML = """\
- id:
    bioguide: X000001
    govtrack: 1
  name:
    first: Old
    last: Nowiki
  terms:
  - type: prez
    start: '1801-03-04'
    end: '1805-03-04'
    party: Federalist
- id:
    bioguide: X000002
    wikipedia: Alice Example
    wikidata: Q1040
  name:
    first: Alice
    middle: Beth
    last: Example
    nickname: Ally
  terms:
  - type: viceprez
    start: '2001-01-20'
    end: '2009-01-20'
    party: Republican
- id:
    wikipedia: Bob Sample
    wikidata: Q1041
  name:
    first: Bob
    last: Sample
  terms:
  - type: prez
    start: '2009-01-20'
    end: '2017-01-20'
    party: Democrat
"""
LEADERS_CSV = (
    "countryid,country,position,positionLabel,officeholder,officeholderLabel,start_year,end_year\n"
    "Q1031,France,Q1050,President of France,Q1051,Marie Exemple,2017,\n"
    "Q1031,France,Q1052,Minister of Examples of France,Q1053,Paul Essai,2020,\n"
    "Q1031,France,Q1054,Prime Minister of France,,Nobody Here,2020,\n"
)
HOLDERS_CSV = (
    "position,person,personID,start,end\n"
    "Secretary-General of the United Nations,Ana Ejemplo,Q1060,2017-01-01,\n"
    "Substitute member of the Parliamentary Assembly of the Council of Europe,"
    "Jan Beispiel,Q1061,2010,2012\n"
    "Substitute member of the Parliamentary Assembly of the Council of Europe,"
    "Jan Beispiel,Q1061,2014,2016\n"
    "Judge of the International Court of Justice,No Id,,2000,\n"
)
BIO_CSV = (
    "id,name,gender,dob,dobp,dod,dodp,image,enwiki\n"
    "Q1061,Jan Beispiel,male,1960,9,,,,Jan Beispiel (politician)\n"
    ",Nameless,female,1970,9,,,,\n"
)
CABINETS_CSV = (
    "item,itemLabel,itemDescription,jurisdiction,jurisdictionLabel,began,ended,type\n"
    'Q1070,Exemple Government,"government of France, 2022-",Q1031,France,2022-05-20,,cabinet\n'
    ",No Id Cabinet,,Q1031,France,2022-05-20,,cabinet\n"
)
COUNTRY_CABINETS_CSV = (
    "state,stateLabel,cabinet,cabinetLabel\nQ1031,France,Q1071,Cabinet of France\n"
)
STATES_CSV = (
    "id,name,country_id,country_code,country_name,iso2,iso3166_2,fips_code,type,level,"
    "parent_id,native,latitude,longitude,timezone,wikiDataId,population\n"
    "1,Exampleprovince,1,FR,France,EP,FR-EP,01,province,,,,1.0,2.0,Europe/Paris,Q1080,250000\n"
    "2,No Id Province,1,FR,France,NP,FR-NP,02,province,,,,1.0,2.0,Europe/Paris,,\n"
)


def _places(path: Path) -> Path:
    def feat(**p: object) -> dict:
        return {"type": "Feature", "properties": p, "geometry": None}

    data = {
        "type": "FeatureCollection",
        "features": [
            feat(
                NAME="Exampolis",
                NAMEASCII="Exampolis",
                NAME_EN="Exampolis",
                NAMEALT="Old Exampolis|Exampolis-Suburbia",
                FEATURECLA="Admin-0 capital",
                ADM0NAME="France",
                ADM0_A3="FRA",
                POP_MAX=5_000_000,
                wikidataid="Q1090",
            ),
            feat(
                NAME="Smallton",
                NAME_EN="Smallton",
                FEATURECLA="Populated place",
                ADM0NAME="United States of America",
                ADM0_A3="XXX",
                POP_MAX=2_000,
                wikidataid="Q1091",
            ),
            feat(NAME="Nowhere", FEATURECLA="Populated place", POP_MAX=10, wikidataid=None),
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        json.dump(data, fh)
    return path


def _extra_tree(root: Path) -> Path:
    """The kb-extra layout: one folder per upstream."""
    _write(root / "nsi" / "nsi.json", json.dumps(NSI, ensure_ascii=False))
    _write(root / "hearvox" / "wikidata-us-states.tsv", STATES_TSV)
    _write(root / "hearvox" / "wikidata-us-cities.tsv", CITIES_TSV)
    _write(root / "hearvox" / "wikipedia-us-newspapers.tsv", PAPERS_TSV)
    _write(root / "congress" / "executive.yaml", EXECUTIVE_YAML)
    _write(root / "everypolitician" / "world-leaders-2021.csv", LEADERS_CSV)
    _write(root / "everypolitician" / "world-holders21.csv", HOLDERS_CSV)
    _write(root / "everypolitician" / "world-bio.csv", BIO_CSV)
    _write(root / "everypolitician" / "world-2022-cabinets.csv", CABINETS_CSV)
    _write(root / "everypolitician" / "world-country-cabinets.csv", COUNTRY_CABINETS_CSV)
    _places(root / "naturalearth" / "ne_10m_populated_places.geojson.gz")
    _write(root / "csc" / "states.csv", STATES_CSV)
    return root


def test_nsi_brands_operators_flags(tmp_path: Path) -> None:
    path = _write(tmp_path / "nsi.json", json.dumps(NSI, ensure_ascii=False))
    recs = _by_qid(read_nsi(path, COUNTRIES))
    assert set(recs) == {"Q1001", "Q1002", "Q1003"}  # no id / no Latin name: skipped
    mart, bureau, shire = recs["Q1001"], recs["Q1002"], recs["Q1003"]
    assert (mart.name, mart.type, mart.country, mart.source) == ("Examplemart", "org", USA, "nsi")
    assert {"Examplemart", "example mart"} <= set(mart.aliases)
    assert (bureau.type, bureau.country) == ("gov", USA)
    assert bureau.aliases["BOE"] >= 1.0  # an agency's acronym is evidence
    assert (shire.name, shire.type) == ("Exampleshire", "location")
    assert "US - Exampleshire" not in shire.aliases  # a flag's label is not a name
    assert all(0 < r.prior <= 3 for r in recs.values())


def test_us_states_cities_newspapers(tmp_path: Path) -> None:
    states = read_us_states(_write(tmp_path / "wikidata-us-states.tsv", STATES_TSV), USA)
    assert [(r.qid, r.name, r.type, r.country) for r in states] == [
        ("Q1003", "Exampleshire", "location", USA)
    ]
    assert {"Exa.", "Exampleshire"} <= set(states[0].aliases)

    path = _write(tmp_path / "wikidata-us-cities.tsv", CITIES_TSV)
    cities = _by_qid(read_us_cities(path, USA, {"Exampleshire": "Exa."}))
    assert set(cities) == {"Q1010", "Q1011", "Q1012"}  # Lostville has no id; URL ids ok
    unique, twin = cities["Q1010"], cities["Q1011"]
    assert (unique.type, unique.country) == ("location", USA)
    assert unique.aliases["Uniqueton"] < 1.0  # one word of one small town: needs its state
    assert unique.aliases["Uniqueton, Exampleshire"] == 1.0
    assert twin.aliases["Twinville"] < 0.5  # a shared name is weak for each place
    assert {"Twinville, Exampleshire", "Twinville, Exa."} <= set(twin.aliases)
    spaced = _by_qid(read_us_cities(path, USA, {"Exampleshire": "E.Sh."}))["Q1011"]
    assert {"Twinville, E.Sh.", "Twinville, E. Sh."} <= set(spaced.aliases)

    papers = read_us_newspapers(_write(tmp_path / "wikipedia-us-newspapers.tsv", PAPERS_TSV), USA)
    assert [(r.qid, r.name, r.type, r.country) for r in papers] == [
        ("Q1020", "The Example Gazette", "media", USA)
    ]


def test_executive(tmp_path: Path) -> None:
    recs = _by_qid(read_executive(_write(tmp_path / "executive.yaml", EXECUTIVE_YAML), USA))
    assert set(recs) == {"Q1040", "Q1041"}  # the president without a wikidata id is skipped
    vp, prez = recs["Q1040"], recs["Q1041"]
    assert (vp.type, vp.country, vp.enwiki) == ("person", USA, "Alice Example")
    assert {"Alice Example", "Ally Example"} <= set(vp.aliases)
    assert prez.prior > vp.prior >= 2.0


def test_everypolitician(tmp_path: Path) -> None:
    leaders = _by_qid(read_world_leaders(_write(tmp_path / "world-leaders-2021.csv", LEADERS_CSV)))
    assert set(leaders) == {"Q1051", "Q1053"}
    head, minister = leaders["Q1051"], leaders["Q1053"]
    assert (head.name, head.type, head.country) == ("Marie Exemple", "person", FRA)
    assert head.prior > minister.prior

    holders = read_officeholders(_write(tmp_path / "world-holders21.csv", HOLDERS_CSV))
    by = _by_qid(holders)
    assert len(holders) == 2 and set(by) == {"Q1060", "Q1061"}  # one record per person
    assert by["Q1060"].prior > by["Q1061"].prior  # a UN chief above an assembly substitute
    assert by["Q1061"].aliases["Jan Beispiel"] == 1.0  # repeated terms do not add up

    bios = read_politician_bios(_write(tmp_path / "world-bio.csv", BIO_CSV))
    assert [(r.qid, r.type, r.enwiki) for r in bios] == [
        ("Q1061", "person", "Jan Beispiel (politician)")
    ]

    cab = read_cabinets(_write(tmp_path / "world-2022-cabinets.csv", CABINETS_CSV))
    cab += read_cabinets(_write(tmp_path / "world-country-cabinets.csv", COUNTRY_CABINETS_CSV))
    assert [(r.qid, r.type, r.country) for r in cab] == [
        ("Q1070", "gov", FRA),
        ("Q1071", "gov", FRA),
    ]


def test_natural_earth_places(tmp_path: Path) -> None:
    path = _places(tmp_path / "ne_10m_populated_places.geojson.gz")
    recs = _by_qid(read_places(path, COUNTRIES))
    assert set(recs) == {"Q1090", "Q1091"}
    big, small = recs["Q1090"], recs["Q1091"]
    assert (big.type, big.country) == ("location", FRA)
    assert small.country == USA  # by ADM0NAME where the code is unknown
    assert big.prior > 10 > small.prior
    assert big.aliases["Exampolis"] > 2 * small.aliases["Smallton"]
    assert "Old Exampolis" in big.aliases and "Exampolis-Suburbia" not in big.aliases


def test_odbl_only_on_request(tmp_path: Path) -> None:
    root = _extra_tree(tmp_path / "kb-extra")
    assert "csc_states" not in find_files([root])
    files = find_files([root], include_odbl=True)
    assert files["csc_states"] == [root / "csc" / "states.csv"]
    recs = read_csc_states(files["csc_states"][0], COUNTRIES)
    assert [(r.qid, r.type, r.country) for r in recs] == [("Q1080", "location", FRA)]


def test_find_files_nested_and_flat(tmp_path: Path) -> None:
    nested = _extra_tree(tmp_path / "kb-extra")
    flat = tmp_path / "flat"
    flat.mkdir()
    for p in nested.rglob("*"):
        if p.is_file() and p.name != "states.csv":
            shutil.copy(p, flat / p.name)
    a, b = find_files([nested]), find_files([flat])
    assert set(a) == set(b) and {"nsi", "places", "us_cities", "cabinets"} <= set(a)
    assert len(a["cabinets"]) == 2
    parts = read_extra(b, COUNTRIES)
    assert {r.qid for r in parts["executive"]} == {"Q1040", "Q1041"}


def test_build_with_extras_links_them(shared_data: Path, tmp_path: Path) -> None:
    kb = shared_data / "kb"
    if not all((kb / f).is_file() for f in FILES.values()):
        pytest.skip(f"curated KB source files missing in {kb}")
    curated = tmp_path / "curated"
    curated.mkdir()
    for f in FILES.values():
        shutil.copy(kb / f, curated / f)
    extra = _extra_tree(tmp_path / "extra")
    out = tmp_path / "kb"
    rep = build([curated, extra], out)
    assert rep.per_source["nsi"] == 3 and rep.per_source["places"] == 2
    assert "csc_states" not in rep.per_source  # ODbL: not without the opt-in
    index = KbIndex.open(out)
    assert index is not None and "Q1080" not in set(index.ids())
    assert index.meta()["source_dirs"] == [str(curated), str(extra)]
    linker = KbLinker.open(out)
    assert linker is not None
    assert linker.link("Exampolis", "location", "") == "Q1090"
    assert linker.link("Marie Exemple", "person", "") == "Q1051"
    assert linker.link("Bureau of Examples", "gov", "") == "Q1002"
    assert linker.link("Examplemart Inc.", "org", "") == "Q1001"
    assert linker.link("Syria", "country", "") is not None  # the curated sources are there


def test_build_command_repeatable_source_dir(shared_data: Path, tmp_path: Path) -> None:
    kb = shared_data / "kb"
    if not all((kb / f).is_file() for f in FILES.values()):
        pytest.skip(f"curated KB source files missing in {kb}")
    extra = _extra_tree(tmp_path / "extra")
    args = ["kb", "build", "--data-dir", str(tmp_path / "data")]
    args += ["--source-dir", str(kb), "--source-dir", str(extra), "--include-odbl"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "nsi 3" in res.output and "csc_states 1" in res.output
    index = KbIndex.open(tmp_path / "data" / "kb")
    assert index is not None and {"Q1080", "Q1090"} <= set(index.ids())
    assert index.meta()["odbl"] is True


def test_nsi_match_names_of_another_body_are_weak() -> None:
    from stancestream.services.linking.kb.extra_sources import _akin

    own = ["Example Medicine", None]
    assert not _akin("university of example", own)  # the body that runs the clinics
    assert _akin("example medicine corp", own) and _akin("examplemedicine", own)
    assert _akin("southeastern example transit authority", ["SETA"])  # spelled out
    assert _akin("seta", ["Southeastern Example Transit Authority"])  # its acronym
