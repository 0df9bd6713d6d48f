"""Name normalisation and the small word lists the actor rules need.

Kept apart from the spaCy code so the rules (titles, org keywords, "Department of X") are plain
string functions that are easy to test and that a KB linker can reuse for its alias keys.
"""

from __future__ import annotations

import re


def words(text: str, sep: str | None = None) -> frozenset[str]:
    """A word list written as one string (whitespace- or ``sep``-separated)."""
    return frozenset(w.strip() for w in text.split(sep) if w.strip())


_words = words

# Words that precede a person's name as a title; stripped from names, used to find affiliations.
TITLES = _words("""
president vice prime minister deputy foreign defense defence interior secretary general major
lieutenant colonel brigadier admiral commander chief spokesman spokeswoman spokesperson
ambassador envoy senator representative rep. sen. gov. governor mayor chancellor king queen prince
sheikh emir ayatollah pope director head chairman chairwoman chair leader official officer
lt. col. gen. maj. capt. captain sergeant adviser advisor aide press attorney justice judge
dr. dr mr. mr mrs. mrs ms. ms sir lord premier speaker executive ceo founder coordinator
commissioner special presidential state of for the senior top former acting
""")

# Nouns that describe a person ("the general", "the spokesman") and so resolve to a named person.
PERSON_NOUNS = _words("""
general spokesman spokeswoman spokesperson minister president official diplomat envoy ambassador
leader chief secretary commander premier chancellor governor senator mayor colonel admiral
officer adviser advisor aide lawmaker politician analyst expert source man woman prosecutor
judge director head chairman chairwoman representative king queen prince emir
""")

# Nouns that describe an organisation ("the ministry", "the department").
ORG_NOUNS = _words("""
ministry department government agency office committee military army navy company group
council administration cabinet parliament party organisation organization alliance coalition
commission service forces embassy kremlin pentagon
""")

GOV_WORDS = _words("""
ministry department government administration cabinet parliament senate congress kremlin
pentagon army navy military forces police office embassy bureau commission duma court customs
prosecutor prosecutors judiciary
""")

# Nouns that make "<country> <noun>" the name of a state institution ("U.S. military"), an actor
# of its own; the country inside it is not a separate named mention.
INSTITUTION_NOUNS = _words("""
government administration military army navy forces troops police parliament cabinet congress
senate embassy ministry department
""")
# "northern Italy", "southern Chile": a region, not the named place itself.
COMPASS = _words("""
north south east west northern southern eastern western northeastern northwestern southeastern
southwestern central
""")

# US states and their AP-style abbreviations: "SPRINGFIELD, Ill." is a US city, whatever else the
# KB knows by that name.
US_STATES = _words(
    """
alabama, ala., alaska, arizona, ariz., arkansas, ark., california, calif., colorado, colo.,
connecticut, conn., delaware, del., florida, fla., georgia, ga., hawaii, idaho, illinois, ill.,
indiana, ind., iowa, kansas, kan., kentucky, ky., louisiana, la., maine, maryland, md.,
massachusetts, mass., michigan, mich., minnesota, minn., mississippi, miss., missouri, mo.,
montana, mont., nebraska, neb., nevada, nev., new hampshire, n.h., new jersey, n.j., new mexico,
n.m., new york, n.y., north carolina, n.c., north dakota, n.d., ohio, oklahoma, okla., oregon,
ore., pennsylvania, pa., rhode island, r.i., south carolina, s.c., south dakota, s.d., tennessee,
tenn., texas, utah, vermont, vt., virginia, va., washington, wash., west virginia, w.va.,
wisconsin, wis., wyoming, wyo.
""",
    sep=",",
)

INTL_ACRONYMS = _words("UN NATO EU OSCE OPCW IAEA WHO UNESCO UNICEF UNHCR IMF WTO ASEAN OPEC ICC")
INTL_PHRASES = (
    "united nations",
    "european union",
    "world bank",
    "red cross",
    "arab league",
    "african union",
    "security council",
    "world health organization",
    "interpol",
    "nato",
    "red crescent",
)
MEDIA = _words("TASS Reuters AP AFP BBC CNN RIA Interfax Xinhua Bloomberg Sputnik RT")
GROUP_NOUNS = _words("""
group groups militants terrorists fighters rebels insurgents militia militias jihadists
faction movement front brigade brigades
""")

COUNTRY_ALIASES = {
    "us": "United States",
    "u.s.": "United States",
    "usa": "United States",
    "u.s.a.": "United States",
    "united states": "United States",
    "america": "United States",
    "uk": "United Kingdom",
    "u.k.": "United Kingdom",
    "britain": "United Kingdom",
    "great britain": "United Kingdom",
    "united kingdom": "United Kingdom",
    "russian federation": "Russia",
    "prc": "China",
    "dprk": "North Korea",
    "uae": "United Arab Emirates",
}
COUNTRY_NAMES = _words(
    """
afghanistan, albania, algeria, angola, argentina, armenia, australia, austria, azerbaijan,
bahrain, bangladesh, belarus, belgium, bolivia, bosnia, brazil, bulgaria, cambodia, cameroon,
canada, chad, chile, china, colombia, congo, croatia, cuba, cyprus, czech republic, denmark,
egypt, eritrea, estonia, ethiopia, finland, france, georgia, germany, ghana, greece, hungary,
iceland, india, indonesia, iran, iraq, ireland, israel, italy, japan, jordan, kazakhstan, kenya,
kosovo, kuwait, kyrgyzstan, latvia, lebanon, libya, lithuania, luxembourg, malaysia, mali,
mexico, moldova, mongolia, montenegro, morocco, myanmar, nepal, netherlands, new zealand, niger,
nigeria, north korea, norway, oman, pakistan, palestine, panama, peru, philippines, poland,
portugal, qatar, romania, russia, rwanda, saudi arabia, serbia, singapore, slovakia, slovenia,
somalia, south africa, south korea, south sudan, spain, sri lanka, sudan, sweden, switzerland,
syria, taiwan, tajikistan, tanzania, thailand, tunisia, turkey, turkmenistan, uganda, ukraine,
united arab emirates, united kingdom, united states, uruguay, uzbekistan, venezuela, vietnam,
yemen, zambia, zimbabwe, benin, togo, senegal, liberia, ecuador, paraguay, haiti, nicaragua,
guatemala, honduras, el salvador, jamaica, burkina faso, sierra leone, gabon, mozambique,
madagascar, malawi, namibia, botswana, laos, bhutan, brunei, costa rica, dominican republic,
malta, north macedonia, mauritania, djibouti, burundi, lesotho, mauritius
""",
    sep=",",
)
DEMONYMS = {
    "american": "United States",
    "russian": "Russia",
    "syrian": "Syria",
    "british": "United Kingdom",
    "french": "France",
    "german": "Germany",
    "chinese": "China",
    "iranian": "Iran",
    "iraqi": "Iraq",
    "turkish": "Turkey",
    "israeli": "Israel",
    "ukrainian": "Ukraine",
    "saudi": "Saudi Arabia",
    "egyptian": "Egypt",
    "japanese": "Japan",
    "indian": "India",
    "pakistani": "Pakistan",
    "afghan": "Afghanistan",
    "lebanese": "Lebanon",
    "jordanian": "Jordan",
    "qatari": "Qatar",
    "italian": "Italy",
    "spanish": "Spain",
    "polish": "Poland",
    "canadian": "Canada",
    "australian": "Australia",
    "korean": "South Korea",
    "libyan": "Libya",
    "yemeni": "Yemen",
    "palestinian": "Palestine",
    "belarusian": "Belarus",
    "georgian": "Georgia",
    "armenian": "Armenia",
    "azerbaijani": "Azerbaijan",
    "kazakh": "Kazakhstan",
    "greek": "Greece",
    "swedish": "Sweden",
    "dutch": "Netherlands",
    "mexican": "Mexico",
    "brazilian": "Brazil",
}
# more adjectives of countries ("_" joins a country's words), each kept only where its country
# is one of COUNTRY_NAMES
_MORE_DEMONYMS = """
nigerian:Nigeria ghanaian:Ghana kenyan:Kenya ethiopian:Ethiopia somali:Somalia sudanese:Sudan
algerian:Algeria moroccan:Morocco tunisian:Tunisia malian:Mali nigerien:Niger chadian:Chad
cameroonian:Cameroon congolese:Congo ugandan:Uganda rwandan:Rwanda tanzanian:Tanzania
zimbabwean:Zimbabwe zambian:Zambia angolan:Angola eritrean:Eritrea beninese:Benin
togolese:Togo senegalese:Senegal liberian:Liberia bahraini:Bahrain emirati:United_Arab_Emirates
kuwaiti:Kuwait omani:Oman venezuelan:Venezuela colombian:Colombia argentine:Argentina
argentinian:Argentina chilean:Chile peruvian:Peru bolivian:Bolivia cuban:Cuba
ecuadorian:Ecuador uruguayan:Uruguay paraguayan:Paraguay haitian:Haiti nicaraguan:Nicaragua
guatemalan:Guatemala honduran:Honduras salvadoran:El_Salvador panamanian:Panama
jamaican:Jamaica vietnamese:Vietnam thai:Thailand cambodian:Cambodia indonesian:Indonesia
malaysian:Malaysia filipino:Philippines singaporean:Singapore burmese:Myanmar
bangladeshi:Bangladesh nepalese:Nepal taiwanese:Taiwan mongolian:Mongolia uzbek:Uzbekistan
turkmen:Turkmenistan tajik:Tajikistan kyrgyz:Kyrgyzstan austrian:Austria swiss:Switzerland
belgian:Belgium danish:Denmark norwegian:Norway finnish:Finland icelandic:Iceland irish:Ireland
portuguese:Portugal hungarian:Hungary czech:Czech_Republic slovak:Slovakia slovenian:Slovenia
croatian:Croatia serbian:Serbia bosnian:Bosnia albanian:Albania bulgarian:Bulgaria
romanian:Romania moldovan:Moldova lithuanian:Lithuania latvian:Latvia estonian:Estonia
cypriot:Cyprus kosovar:Kosovo
"""
DEMONYMS.update(
    (adj, country.replace("_", " "))
    for adj, _, country in (pair.partition(":") for pair in _MORE_DEMONYMS.split())
    if country.replace("_", " ").lower() in COUNTRY_NAMES
)

# Party adjectives NER tags as NORP, as the party's plural name ("Republican senators",
# "the Democratic plan": the party acting or authoring, as "German officials" is Germany).
PARTY_ADJECTIVES = {
    "republican": "Republicans",
    "democratic": "Democrats",
    "democrat": "Democrats",
}

_POSSESSIVE = re.compile(r"(?:['’]s|s['’])$")
_BRACKETS = re.compile(r"[\[\]()]")
_SPACES = re.compile(r"\s+")


def clean(text: str) -> str:
    """Surface text without brackets, possessive and surrounding punctuation/whitespace."""
    t = _BRACKETS.sub("", text)
    t = _SPACES.sub(" ", t).strip(" ,.;:-–—\"'“”‘’")
    t = _POSSESSIVE.sub("", t).strip()
    return t


def normalise(text: str, person: bool = False) -> str:
    """Canonical display name: no leading "the", possessive, brackets or (for persons) titles."""
    t = clean(text)
    words = t.split(" ")
    if words and words[0].lower() == "the":
        words = words[1:]
    if person:
        while len(words) > 1 and words[0].lower() in TITLES:
            words = words[1:]
    return " ".join(words)


def key_tokens(name: str) -> list[str]:
    """Lowercase content tokens for matching; "Department of X" is rewritten "X Department"."""
    toks = [w for w in re.split(r"[\s\-]+", name.lower()) if w]
    if len(toks) >= 3 and toks[0] in {"department", "ministry"} and toks[1] == "of":
        toks = toks[2:] + [toks[0]]
    else:
        for i in range(1, len(toks) - 2):  # "US Department of State" -> "US State Department"
            if toks[i] in {"department", "ministry"} and toks[i + 1] == "of":
                toks = toks[:i] + toks[i + 2 :] + [toks[i]]
                break
    return [t for t in toks if t not in {"the", "of", "for", "and"}]


def country_name(name: str) -> str | None:
    """The canonical country name for a GPE/NORP surface form, else None."""
    low = name.lower()
    for form in (low, low + "."):  # "U.S" / "U.K": the sentence's full stop took the last dot
        if form in COUNTRY_ALIASES:
            return COUNTRY_ALIASES[form]
    if low in COUNTRY_NAMES:
        return name if name[:1].isupper() else name.title()
    return None


def org_type(name: str) -> str:
    """Contract type of an organisation name: intl_org, party, media, gov or org."""
    low = name.lower()
    words = set(re.split(r"[\s\-]+", low))
    if name in INTL_ACRONYMS or any(p in low for p in INTL_PHRASES):
        return "intl_org"
    if words & {"party"}:
        return "party"
    if name in MEDIA or words & {"news", "newspaper", "tv", "television", "radio"}:
        return "media"
    if words & GOV_WORDS:
        return "gov"
    return "org"


# A company's legal form, written without its dot: "Celanese Corp" is a company's full name.
LEGAL_FORMS = words("corp inc co ltd plc llc ag sa nv corporation")


def initials(name: str) -> str:
    """ "United Nations" -> "UN", "International Business Machines Corp" -> "IBM" (a legal form
    is no part of the acronym); used to match acronyms to a full name in the same text."""
    words = name.split()
    while len(words) > 1 and words[-1].lower().rstrip(".") in LEGAL_FORMS:
        words = words[:-1]
    return "".join(w[0] for w in words if w[:1].isupper())


# Seats of government that stand for the government when they act or speak ("Washington
# accused Moscow"), never when they are where something happens ("talks in Moscow").
METONYMS = {
    "washington": "United States",
    "white house": "United States",
    "moscow": "Russia",
    "kremlin": "Russia",
    "beijing": "China",
    "tehran": "Iran",
    "pyongyang": "North Korea",
    "damascus": "Syria",
    "ankara": "Turkey",
    "kiev": "Ukraine",
    "kyiv": "Ukraine",
    "tokyo": "Japan",
    "seoul": "South Korea",
    "downing street": "United Kingdom",
    "whitehall": "United Kingdom",
    "elysee": "France",
    "riyadh": "Saudi Arabia",
    "baghdad": "Iraq",
    "kabul": "Afghanistan",
    "islamabad": "Pakistan",
    "new delhi": "India",
    "madrid": "Spain",
    "ottawa": "Canada",
    "canberra": "Australia",
    "cairo": "Egypt",
    "jerusalem": "Israel",
    "caracas": "Venezuela",
    "havana": "Cuba",
    "minsk": "Belarus",
    "taipei": "Taiwan",
    "manila": "Philippines",
    "hanoi": "Vietnam",
    "brasilia": "Brazil",
    "warsaw": "Poland",
    "budapest": "Hungary",
    "athens": "Greece",
    "doha": "Qatar",
    "abu dhabi": "United Arab Emirates",
    "khartoum": "Sudan",
    "tripoli": "Libya",
    "beirut": "Lebanon",
    "amman": "Jordan",
}
