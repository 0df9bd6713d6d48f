"""The words that carry stance, for ``readings``: verbs, nouns and adjectives with their polarity,
and the small closed lists the pair rules need. Plain data, so the rules stay readable."""

from __future__ import annotations

from stancestream.services.linking.names import PERSON_NOUNS, words

OPPOSE, SUPPORT = "oppose", "support"


def _polar(oppose: frozenset[str], support: frozenset[str]) -> dict[str, str]:
    return {**dict.fromkeys(oppose, OPPOSE), **dict.fromkeys(support, SUPPORT)}


# Verbs whose subject takes a stance toward their object (lemmas as spaCy gives them).
VERB_POLARITY_BASE = _polar(
    words("""
accuse blame criticize criticise condemn denounce attack sue sanction reject refute oppose fight
threaten slam blast mock ridicule dismiss challenge rebuke reprimand lambaste castigate vilify
disparage undermine obstruct veto resist confront counter contradict indict prosecute fine ban
outlaw expel boycott punish oust impeach bomb raid invade assail berate chastise deride decry
scold insult defy deny discredit target arrest detain jail kill ambush shell sideline snub
harass intimidate overturn overrule skewer ding malign excoriate destroy feud fire sack bench
deactivate demote evict murder shoot stab torture execute kidnap abduct behead strangle rape
massacre slaughter lynch assassinate wound injure maim persecute abuse mistreat taunt defame
smear slander
"""),
    words("""
praise support back endorse thank welcome applaud commend defend help aid assist fund finance
sponsor congratulate hail laud embrace champion rescue protect reward honor honour nominate
elect reinstate acquit exonerate salute celebrate admire cooperate ally partner befriend uphold
pardon vindicate recommend court cheer encourage
"""),
)
# Verbs that bind both ways: "A cooperates with B", "A settled with B".
SYMMETRIC_VERBS = words("""
agree ally collaborate cooperate feud partner settle
""")
# Symmetric verbs that carry oppose (the rest of SYMMETRIC_VERBS carry support).
SYMMETRIC_OPPOSE = words("""
feud
""")
# Acts of an authority: "X was charged/denied entry, police said" is the police's act.
AUTHORITY_VERBS = words("""
arrest ban bar charge convict deny deport detain expel fine indict jail prosecute punish
sanction sentence subpoena suspend
""")
VERB_POLARITY = {**dict.fromkeys(AUTHORITY_VERBS, OPPOSE), **VERB_POLARITY_BASE}
# Verbs under which a reported predicate is not asserted: "denied a report that he accused X".
DISOWNING = words("""
deny dismiss doubt refute reject
""")
# Verbs whose target may follow "with" ("sided with", "clashed with").
WITH_VERBS = words("""
agree ally clash collaborate cooperate feud partner settle side stand
""")
# Verb + particle/preposition with its polarity ("cracked down on", "sided with").
PHRASAL: dict[tuple[str, str], str] = {
    ("side", "with"): "support",
    ("stand", "with"): "support",
    ("stand", "by"): "support",
    ("clash", "with"): "oppose",
    ("crack", "on"): "oppose",
    ("lash", "at"): "oppose",
    ("hit", "at"): "oppose",
    ("turn", "on"): "oppose",
    ("vote", "for"): "support",
    ("vote", "against"): "oppose",
    ("campaign", "for"): "support",
    ("campaign", "against"): "oppose",
    ("object", "to"): "oppose",
    ("settle", "with"): "support",
    ("agree", "with"): "support",
    ("disagree", "with"): "oppose",
    ("complain", "about"): "oppose",
    ("complain", "of"): "oppose",
    ("protest", "against"): "oppose",
    ("rally", "behind"): "support",
    ("speak", "against"): "oppose",
    ("speak", "for"): "support",
    ("team", "with"): "support",
    ("rip", "into"): "oppose",
    ("push", "against"): "oppose",
    ("lash", "against"): "oppose",
}
# Verb + object noun + preposition idioms with their polarity ("took issue with B", "pointed
# the finger at B", "threw his support behind B"): the target is the preposition's object.
IDIOMS: dict[tuple[str, str, str], str] = {
    ("take", "issue", "with"): "oppose",
    ("take", "aim", "at"): "oppose",
    ("point", "finger", "at"): "oppose",
    ("find", "fault", "with"): "oppose",
    ("pour", "scorn", "on"): "oppose",
    ("heap", "scorn", "on"): "oppose",
    ("cast", "doubt", "on"): "oppose",
    ("declare", "war", "on"): "oppose",
    ("wage", "war", "on"): "oppose",
    ("level", "criticism", "at"): "oppose",
    ("throw", "support", "behind"): "support",
    ("throw", "weight", "behind"): "support",
    ("heap", "praise", "on"): "support",
    ("pay", "tribute", "to"): "support",
    ("give", "support", "to"): "support",
}
# Phrasal verbs that bind both ways ("A teamed up with B").
SYMMETRIC_PHRASAL = frozenset({("team", "with"), ("settle", "with"), ("agree", "with")})

# Nouns of stance: "X's criticism of Y", "US allegations", "a lawsuit against Y".
NOUN_POLARITY = _polar(
    words("""
criticism attack attacks lawsuit suit complaint allegation allegations accusation accusations
sanction sanctions war battle fight feud opposition condemnation protest boycott ban crackdown
offensive strike strikes airstrike airstrikes assault campaign charges indictment investigation
probe case challenge rebuke threat threats denunciation hostility dispute litigation rivalry
conflict
"""),
    words("""
support praise backing endorsement aid help funding assistance alliance partnership agreement
deal settlement pact treaty merger cooperation accord friendship solidarity sponsorship contract
venture memorandum
"""),
)
SYMMETRIC_NOUNS = words("""
accord agreement alliance conflict contract cooperation deal dispute feud friendship litigation
memorandum merger pact partnership rivalry settlement treaty venture
""")
# Nouns of a relation both parties hold, named by a hyphenated pair ("the U.S.-Japanese pact",
# "the Israel-Hamas war"); not joint acts ("a US-Iraqi offensive" is against a third party).
MUTUAL_NOUNS = SYMMETRIC_NOUNS | words("""
battle fight war
""")
# Nouns naming an actor by their stance: "X is a critic of Y", "X, a key Y backer", "Y's allies".
# The noun's holder is the actor it describes; its target its possessor, modifier or "of" object.
ROLE_POLARITY = _polar(
    words("""
critic critics opponent opponents foe foes enemy enemies detractor detractors adversary
adversaries
"""),
    words("""
backer backers supporter supporters ally allies defender defenders admirer admirers champion
loyalist loyalists
"""),
)
NOUN_PREPS = words("""
against for of on over to toward towards with
""")
# Light verbs: their subject holds the stance of their object noun ("waged a battle with B").
LIGHT_VERBS = words("""
announce bring build conclude develop express extend file forge form give have hold launch lead
lend level make mount offer pledge press provide reach renew seal sign step strike voice wage win
""")
# Document nouns whose possessor or modifier is their author: "refuted US allegations".
AUTHORED = words("""
accusation accusations allegation allegations argument arguments assertion assertions charges
claim claims comments criticism decision demand demands plan policies policy position proposal
remarks report statement statements version
""")
# Statement nouns whose "that" clause their author speaks: "Rove's claim that Ginsburg ...".
STATEMENT_NOUNS = words("""
accusation allegation argument assertion belief charge claim comment contention insistence
remark statement suggestion view warning
""")
# Participles that describe an actor by its relations: "affiliated with X", "linked to X".
DESCRIPTIVE = words("""
affiliate associate base connect headquarter know link loyal own tie
""")
# Transactions and holdings: what is bought, sold or owned is no stance target of the buyer
# ("purchased a majority interest in X", "agreed to acquire X", "made a bid for X"); the guide
# counts owning as a neutral relation, and a bid alone says neither friendly nor hostile.
ACQUIRING_VERBS = words("""
acquire buy purchase own sell
""")
HOLDING_NOUNS = {
    **dict.fromkeys(words("stake holding holdings shares stock control ownership"), "in"),
    **dict.fromkeys(words("bid offer"), "for"),
    **dict.fromkeys(words("acquisition purchase takeover buyout sale"), "of"),
}
# "interest in X" is a holding only as a share ("a majority interest", "a 20 pct interest"),
# not as attention ("more interest in the University of Alabama").
SHARE_WORDS = words("""
majority minority controlling equity ownership pct percent
""")
# Prefixes of stance on an actor's name: "anti-American", "pro-Kremlin".
STANCE_PREFIXES = {"anti": OPPOSE, "pro": SUPPORT}
# A country's agents: its demonym on these names the country acting ("Iraqi warplanes struck",
# "Russian and Syrian aircraft"), not a description ("Syrian civilians", "Iraqi lines").
STATE_AGENT_NOUNS = words("""
aircraft airstrike airstrikes army authorities bombers diplomats fighters forces government jets
leaders leadership military militia navy officials police regime soldiers troops warplanes
economy drones missiles warships tanks artillery helicopters inspectors investigators
prosecutors negotiators regulators lawmakers envoys senators legislators congressmen
""")
# Nouns for the people and offices that act for their possessor: "the Trump administration",
# "Christie's office attacked B", "the Clinton campaign said".
ACTING_FOR = words("""
administration campaign office camp aide adviser advisor spokesman spokeswoman spokesperson
""")
# Family and friends: people of someone, not agents of them (see NOT_ACTING_FOR, PEOPLE_NOUNS).
KIN = words("""
aunt brother child cousin daughter family father friend husband mother sister son uncle wife
""")
# Social platforms: "on Twitter" is where something is said, not whom it is aimed at.
PLATFORMS = words("""
twitter facebook instagram youtube tiktok snapchat reddit telegram whatsapp linkedin weibo
wechat threads bluesky truth
""")
# People a possessor has who do not act for it: "Walker's parents fought the Klan" is no
# stance of Walker's, "Trump's critics attacked him" none of Trump's.
NOT_ACTING_FOR = KIN | words("""
parent widow widower grandfather grandmother fiancee fiance girlfriend boyfriend neighbor
neighbour critic opponent rival enemy detractor victim accuser
""")
# Quantifiers whose "of" phrase is what they pick: "attacked one of B's proposals".
QUANTIFIERS = words("""
one some many all each none several most any both
""")
# Adjectives of stance with their preposition: "A is critical of B", "A is loyal to B".
ADJ_POLARITY = _polar(
    words("""
critical hostile opposed skeptical sceptical contemptuous dismissive furious angry
"""),
    words("""
supportive loyal grateful thankful sympathetic friendly favorable favourable
"""),
)
# Verbs that end a conflict named by their object: "resolve a dispute with B" is no opposition.
ENDING_VERBS = words("""
resolve settle end drop withdraw
""")
# Verbs whose object is the subject of their infinitive: "prompting Democrats to accuse them",
# "urged Congress to reject B" (Democrats accuse; Congress rejects).
OBJECT_CONTROL = words("""
ask beg challenge compel convince dare drive encourage force implore inspire invite lead order
persuade press pressure prompt push spur tell urge
""")
# Verbs by which their subject receives a stance noun: "won the endorsement of B", "drew
# criticism from B" (B's stance toward the subject); "have" too for support ("had the backing of").
RECEIVING = words("""
win gain earn enjoy receive draw get attract face garner secure
""")
# Verbs of reporting: their subject holds no stance toward whom it quotes or interviews.
REPORTING = words("""
quote cite interview
""")
# Object-control verbs that only ask for the act: its stance is the asker's ("urged Congress to
# condemn Russia": the one urging opposes Russia; Congress may not act). The others (prompt,
# force, persuade) bring the act about, so their object holds it.
REQUESTING = words("""
ask beg challenge dare encourage implore invite order press pressure tell urge
""")
# Adjectives by which a speaker rejects what another actor said: "the US allegations are untrue".
DISMISSIVE = words("""
absurd baseless fabricated false groundless inaccurate lies misleading nonsense ridiculous
unfounded untrue wrong unacceptable flawed biased
""")
LOCATIVE = words("""
across around at in inside into near outside throughout within
""")
PLACE_NOUNS = words("""
airbase airfield airspace area base border capital city coast district island islands province
region soil street streets territory town village waters
""")
# A possessor of these is not the target of what is done to them: "Sadr's father was killed".
PEOPLE_NOUNS = (
    PERSON_NOUNS
    | KIN
    | words("""
children employees friends members parents people relatives supporters
journalist reporter citizen national resident civilian tourist student worker businessman
businesswoman intellectual writer author artist activist hostage prisoner captive refugee
migrant immigrant athlete player fan voter patient doctor nurse teacher priest
""")
)
FIRST_PERSON = words("""
i me my our us we
""")
# A verb's children whose phrases hold what the verb is about (not its subject or adverbials).
COMPLEMENT_DEPS = words("""
acomp attr ccomp dative dobj oprd prep xcomp
""")
