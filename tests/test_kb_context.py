"""What the words around a mention tell the linker: a place name in sports talk is the team,
a dateline or "in <place>" stays the place, and "<town>, <state>" is the town's full name."""

from __future__ import annotations

from stancestream.services.linking.kb.context import names_a_team, qualified_forms, sports_context


def _spans(text: str, word: str) -> list[tuple[int, int]]:
    out, i = [], text.find(word)
    while i >= 0:
        out.append((i, i + len(word)))
        i = text.find(word, i + 1)
    return out


def test_a_place_name_among_coaches_and_seasons_names_the_team() -> None:
    text = (
        "Ohio hired a new coach on Monday. Ohio has not won the league in three seasons, "
        "and Ohio fans want a title."
    )
    assert names_a_team(text, _spans(text, "Ohio"))


def test_a_place_in_ordinary_news_is_the_place() -> None:
    text = "Flooding closed roads across Ohio, and Ohio officials asked drivers to stay home."
    assert not names_a_team(text, _spans(text, "Ohio"))
    assert not sports_context(text, 30, 34)


def test_one_sports_word_is_not_enough_but_a_score_with_a_result_is() -> None:
    assert not sports_context("The election was a game of nerves in Utah.", 37, 41)
    text = "Utah lost 98-87 at home on Sunday."
    assert sports_context(text, 0, 4)


def test_after_in_or_to_and_in_a_dateline_the_name_is_the_place() -> None:
    text = "DENVER - The coach flew to Denver. The team opens its season in Denver on Friday."
    assert not names_a_team(text, _spans(text, "Denver"))


def test_a_state_after_a_town_gives_its_full_name() -> None:
    text = "She grew up in Dover, Del., and later moved to Paris."
    assert qualified_forms(text, _spans(text, "Dover")) == ["Dover, Del."]
    assert qualified_forms(text, _spans(text, "Paris")) == []
    text = "a plant outside Springfield, Illinois"
    assert qualified_forms(text, _spans(text, "Springfield")) == ["Springfield, Illinois"]


def test_a_country_in_brackets_after_a_player_is_the_country() -> None:
    text = "Ana Lopez (Chile) beat Mia Berg (Norway) 6-3 6-4 to win the title."
    assert not names_a_team(text, _spans(text, "Chile"))


def test_the_linker_leaves_a_team_unlinked_unless_the_kb_holds_a_non_place(tmp_path) -> None:
    from stancestream.services.linking.kb.build import merge, write_index
    from stancestream.services.linking.kb.linker import KbLinker, Query
    from stancestream.services.linking.kb.sources import Record
    from stancestream.services.linking.kb.store import KbIndex

    def index(*records: Record) -> KbLinker:
        path = tmp_path / f"{len(records)}.sqlite"
        write_index(merge(records), path, {"test": True})
        return KbLinker(KbIndex(path))

    place = Record("Q900020", "Ohio", "location", "us_states", prior=5.0)
    place.aliases["Ohio"] = 2.0
    team = Record("Q900021", "Ohio Bobcats", "org", "wikidata", prior=1.0)
    team.aliases["Ohio"] = 1.0
    plain, sport = Query("Ohio", "location", ["Ohio"]), Query("Ohio", "location", ["Ohio"])
    sport.team = True
    assert index(place).link_queries([plain, sport]) == ["Q900020", None]
    assert index(place, team).link_queries([sport]) == ["Q900021"]


def test_a_big_city_beats_its_many_small_namesakes(tmp_path) -> None:
    from stancestream.services.linking.kb.build import merge, write_index
    from stancestream.services.linking.kb.linker import KbLinker, Query
    from stancestream.services.linking.kb.sources import Record
    from stancestream.services.linking.kb.store import KbIndex

    def rec(qid: str, count: float, prior: float) -> Record:
        r = Record(qid, "Arden", "location", "places", prior=prior)
        r.aliases["Arden"] = count
        return r

    towns = [rec(f"Q90010{i}", 0.7, 0.0) for i in range(4)]  # many weak rivals
    path = tmp_path / "index.sqlite"
    write_index(merge([rec("Q900100", 6.0, 12.0), rec("Q900109", 2.0, 5.0), *towns]), path, {})
    linker = KbLinker(KbIndex(path))
    assert linker.link_queries([Query("Arden", "location", ["Arden"])]) == ["Q900100"]
    path2 = tmp_path / "close.sqlite"
    write_index(merge([rec("Q900100", 3.0, 6.0), rec("Q900109", 2.5, 5.0)]), path2, {})
    assert KbLinker(KbIndex(path2)).link_queries([Query("Arden", "location", ["Arden"])]) == [
        None
    ]  # two close candidates: unlinked


def test_football_words_make_a_sports_context() -> None:
    text = "Mauritania drew with Benin in their African Nations Cup qualifier on Friday."
    s = text.index("Benin")
    assert sports_context(text, s, s + 5)
    talk = "Mauritania signed a trade pact with Benin on Friday after long talks."
    s = talk.index("Benin")
    assert not sports_context(talk, s, s + 5)


def test_cricket_and_club_football_make_a_sports_context() -> None:
    cricket = "Sri Lanka beat Australia by four wickets in the one-day series."
    assert names_a_team(cricket, _spans(cricket, "Sri Lanka"))
    club = "The coach left after Nice's home defeat to Guingamp 2-1. Nice have not won since."
    assert names_a_team(club, _spans(club, "Nice"))
    talks = "Sri Lanka and Australia signed a trade deal in Colombo on Friday."
    assert not names_a_team(talks, _spans(talks, "Sri Lanka"))


def test_a_country_after_a_datelines_city_is_the_country() -> None:
    text = (
        "CHISINAU, Moldova. England's midfielder Paul Gascoigne pulled down a team mate's "
        "trousers before the under-21 match."
    )
    assert not names_a_team(text, _spans(text, "Moldova"))
