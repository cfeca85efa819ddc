"""Domain normalisation for similarity: openers and stop words, a light stemmer, and a concept lexicon.

Recommendations from different events say the same thing in different words ("sensitization of
travellers", "awareness-raising campaigns"; "train police", "capacity-building of law enforcement").
Plain string matching sees different words; this module maps both to the same concept token, and drops
the words every recommendation shares ("Ensure that", "Strengthen", "trafficking in persons"), which
otherwise make unrelated items look alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import utils

# Leading phrases that carry no idea of their own; stripped (repeatedly) from the start of a text.
OPENERS = (
    "it is important to note that",
    "there was widespread agreement that",
    "it was agreed that",
    "emphasis was placed on",
    "efforts must be made to",
    "make all efforts towards",
    "work towards",
    "call upon all concerned including",
    "call upon all concerned",
    "to the extent possible and",
    "ensure that",
    "ensuring that",
    "ensure",
    "ensuring",
    "strengthen",
    "strengthening",
    "develop",
    "developing",
    "development of",
    "promote",
    "promoting",
    "encourage",
    "encouraging",
    "undertake",
    "create",
    "creating",
    "creation of",
    "provide",
    "provision of",
    "establish",
    "establishment of",
    "elaboration of",
    "initiate",
    "launch",
    "implement",
    "introduce",
    "devise",
    "build",
    "urge",
    "increase",
    "recognize",
    "recognizing",
    "understand",
    "realize",
    "help to",
    "help",
    "mobilize",
    "reach out and",
    "embark upon or commission",
    "undertake the necessary measures to",
)

# Function words plus words that nearly every item in this field uses; they say nothing about which idea
# an item expresses. Matched after stemming (see ``stem``), so list base forms.
STOP_WORDS = frozenset(
    """
a about across against all also among an and any are as at be been being both but by can could do
does each either for from further had has have in into is it its itself may more most must need no
not of on or other our over own same shall should so some such than that the their them themselves
then there these they this those through to toward towards under until upon very was way we were
what when where whether which while who whom will with within would
traffick trafficking trafficked human person people combat combating fight fighting counter
effort measure ensure effective effectively efficient efficiently national relevant specific
appropriate necessary include including strengthen develop development promote encourage undertake
create provide establish establishment implement implementation initiate launch support well
issue issues order view possible extent particular especially order based towards also
""".split()
)


@lru_cache(maxsize=1 << 16)  # corpora repeat their words; this is the hot loop of normalise
def stem(word: str) -> str:
    """A light suffix stripper: enough to equate plural/singular and -ing/-ed/-ize/-ise forms.

    Deliberately weak (no Porter): an over-eager stemmer merges words practitioners keep apart
    (``prosecution`` vs ``prosecutor``).
    """
    if len(word) <= 4:
        return word
    if word.endswith("ies"):
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix, replacement in (
        ("isation", "ize"),
        ("ization", "ize"),
        ("ised", "ize"),
        ("ized", "ize"),
        ("ising", "ize"),
        ("izing", "ize"),
        ("ise", "ize"),
        ("ing", ""),
        ("ed", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + replacement
    return word


@dataclass(frozen=True)
class Concept:
    """One idea and the phrases that name it (base forms; matched on stemmed tokens)."""

    key: str
    label: str
    phrases: tuple[str, ...]


# The concept lexicon. Phrases are matched on whole stemmed tokens, longest phrase first; a phrase may
# name several concepts (e.g. "child soldiers" is about children and about armed conflict).
CONCEPTS = (
    Concept(
        "awareness",
        "awareness-raising",
        (
            "awareness",
            "awareness raising",
            "raise awareness",
            "public awareness",
            "sensitization",
            "sensitize",
            "campaign",
            "information campaign",
            "message",
            "announcement",
            "information booth",
            "alert",
            "international week",
        ),
    ),
    Concept(
        "training",
        "training and capacity-building",
        (
            "train",
            "training",
            "capacity building",
            "build capacity",
            "national capacity",
            "equip",
            "learning module",
            "skill",
            "upgrade",
        ),
    ),
    Concept(
        "legislation",
        "legislation",
        (
            "legislation",
            "law",
            "legal framework",
            "penal code",
            "criminal code",
            "legal process",
            "criminalize",
            "legal",
            "domestic law",
            "legislative",
        ),
    ),
    Concept(
        "instruments",
        "international instruments",
        (
            "protocol",
            "convention",
            "ratification",
            "ratify",
            "international standard",
            "international instrument",
            "international legal instrument",
            "treaty",
            "conventions and protocols",
            "rome statute",
        ),
    ),
    Concept(
        "law_enforcement",
        "law enforcement",
        (
            "police",
            "law enforcement",
            "enforcement",
            "front line",
            "security force",
            "investigation",
            "investigative",
            "criminal justice",
            "impunity",
            "no safe haven",
            "offender",
            "rule of law",
        ),
    ),
    Concept(
        "prosecution",
        "prosecution and courts",
        (
            "prosecutor",
            "prosecution",
            "prosecutorial",
            "judiciary",
            "judicial",
            "judge",
            "adjudication",
            "punish",
            "punished",
            "court",
            "criminal database",
        ),
    ),
    Concept(
        "peacekeepers",
        "military and peacekeepers",
        ("peacekeeping", "peacekeeper", "peace keeper", "military", "armed force"),
    ),
    Concept(
        "research",
        "research and analysis",
        (
            "research",
            "study",
            "analysis",
            "situational analysis",
            "analyse",
            "evidence based",
            "trend",
            "pattern",
            "knowledge",
            "information gap",
            "evidenced based",
            "linkage",
        ),
    ),
    Concept("data", "data collection", ("data", "data collection", "database", "statistic", "indicator", "baseline")),
    Concept(
        "monitoring",
        "monitoring and evaluation",
        ("monitoring", "evaluation", "evaluate", "assess", "report back", "compliance", "control mechanism"),
    ),
    Concept(
        "risk_mapping",
        "identifying people and places at risk",
        (
            "at risk",
            "vulnerable area",
            "geographical area",
            "route",
            "source transit and destination",
            "point of origin",
            "identify vulnerable",
        ),
    ),
    Concept(
        "reintegration",
        "rehabilitation and reintegration",
        (
            "reintegration",
            "reintegrate",
            "rehabilitation",
            "rehabilitate",
            "re victimization",
            "integration",
            "social reinsertion",
            "reunification",
        ),
    ),
    Concept(
        "repatriation",
        "rescue and repatriation",
        ("repatriation", "repatriate", "rescue", "return", "travel document", "guardian"),
    ),
    Concept(
        "victim_support",
        "assistance to victims",
        (
            "assistance",
            "assist",
            "care",
            "caring",
            "welfare",
            "psychological",
            "service provider",
            "protection of victim",
            "support victim",
            "victim centred",
        ),
    ),
    Concept("victims", "victims", ("victim", "survivor", "trafficked person")),
    Concept(
        "identification", "victim identification", ("identification", "identify", "detect", "detecting", "referral")
    ),
    Concept("witness", "victims as witnesses", ("witness",)),
    Concept(
        "children",
        "children",
        (
            "child",
            "children",
            "girl child",
            "adolescent",
            "minor",
            "orphan",
            "boy",
            "girl",
            "youth",
            "young people",
            "street children",
        ),
    ),
    Concept(
        "armed_conflict",
        "children and armed conflict",
        (
            "child soldier",
            "armed group",
            "armed conflict",
            "combat",
            "combatant",
            "recruitment of children",
            "ddr",
            "demobilization",
            "demobilize",
            "disarmament",
            "small arm",
            "recruited",
            "use in combat",
        ),
    ),
    Concept("conflict", "conflict settings", ("conflict", "post conflict", "peaceful resolution")),
    Concept(
        "private_sector",
        "private sector",
        (
            "private sector",
            "business",
            "employer",
            "company",
            "corporate",
            "public private partnership",
            "business coalition",
            "labour market stakeholder",
            "trade practice",
            "ethical trade",
        ),
    ),
    Concept(
        "codes_of_conduct",
        "codes of conduct",
        ("code of conduct", "codes of conduct", "ethical trade", "ethical employer", "ethical"),
    ),
    Concept(
        "labour",
        "labour rights",
        (
            "labour",
            "labor",
            "worker",
            "labour law",
            "labour legislation",
            "labour right",
            "trade union",
            "decent job",
            "work activity",
            "slave labour",
        ),
    ),
    Concept(
        "livelihoods",
        "livelihoods and employment",
        (
            "employment",
            "livelihood",
            "job",
            "vocational",
            "socio economic",
            "income",
            "economic empowerment",
            "economic life",
            "local economy",
            "job placement",
            "life skill",
        ),
    ),
    Concept(
        "education",
        "education",
        ("education", "educational", "educate", "school", "curriculum", "curricula", "literacy", "educator"),
    ),
    Concept(
        "cooperation",
        "international cooperation",
        (
            "cooperation",
            "bilateral",
            "multilateral",
            "international cooperation",
            "cross border",
            "memorandum of understanding",
            "agreement",
            "inter state",
            "intra state",
            "network",
            "alliance",
            "international level",
            "across national border",
        ),
    ),
    Concept(
        "coordination",
        "co-ordination",
        (
            "coordination",
            "coordinate",
            "coordinated",
            "synergy",
            "synergistic",
            "task force",
            "intersectoral",
            "collaboration",
            "collaborative",
            "concert",
            "concerted",
        ),
    ),
    Concept(
        "action_plans",
        "action plans and policies",
        (
            "plan of action",
            "action plan",
            "national plan",
            "national policy",
            "policy",
            "national agenda",
            "sector policies",
        ),
    ),
    Concept("demand", "demand reduction", ("demand", "consumer", "product and service", "goods or service")),
    Concept(
        "migration",
        "migration and movement",
        ("migration", "migrant", "traveller", "movement", "frontier", "border", "transport", "mobility"),
    ),
    Concept(
        "recruiters",
        "recruitment agencies and brokers",
        ("recruitment agency", "broker", "intermediary", "intermediaries", "licensing", "registration"),
    ),
    Concept(
        "media",
        "media and advocacy",
        ("media", "film", "communications strategy", "popular personality", "advocate", "web page"),
    ),
    Concept(
        "community",
        "community mobilisation",
        (
            "community",
            "communities",
            "community leader",
            "religious leader",
            "local body",
            "inter faith",
            "mobilize",
            "mobilization",
            "hearts minds",
        ),
    ),
    Concept(
        "civil_society",
        "civil society and NGOs",
        ("ngo", "non governmental organization", "civil society", "voluntary organization"),
    ),
    Concept(
        "funding",
        "funds and resources",
        ("fund", "funding", "budget", "resource", "financial", "cost", "compensation", "recoup", "repossess"),
    ),
    Concept("health", "health and HIV", ("hiv", "aids", "health", "medical")),
    Concept("governance", "governance and corruption", ("corruption", "good governance", "governance")),
    Concept(
        "sexual_exploitation",
        "sexual exploitation",
        ("sexual exploitation", "prostitution", "prostitute", "commercial sexual", "sex"),
    ),
    Concept(
        "forced_labour",
        "forced labour",
        (
            "forced labour",
            "slave labour",
            "child labour",
            "exploitative",
            "labour exploitation",
            "domestic child labour",
        ),
    ),
    Concept(
        "human_rights",
        "human rights approach",
        ("human right", "rights based", "basic right", "rights of the child", "victim centred"),
    ),
    Concept("gender", "gender equality", ("gender", "women", "woman", "girl", "sex selection")),
    Concept(
        "root_causes",
        "root causes and vulnerability",
        ("root cause", "underlying cause", "vulnerability", "vulnerable", "cause", "excluded", "poverty"),
    ),
)

CONCEPT_LABELS = {concept.key: concept.label for concept in CONCEPTS}

# Concepts close enough that asking for one should also find the others, more weakly (search): the actors
# of criminal justice and security, evidence, the legal frame, working together, care for victims.
FAMILIES = (
    ("law_enforcement", "prosecution", "peacekeepers"),
    ("research", "data", "monitoring"),
    ("legislation", "instruments"),
    ("cooperation", "coordination"),
    ("victim_support", "reintegration", "repatriation", "witness"),
    ("labour", "forced_labour"),
    ("awareness", "media"),
)
RELATED = {
    key: frozenset(other for family in FAMILIES if key in family for other in family if other != key)
    for key in CONCEPT_LABELS
}


def tokens(text: str) -> list[str]:
    """Lower-cased alphanumeric words of ``text`` (rapidfuzz's default processing), stemmed."""
    return [stem(word) for word in utils.default_process(str(text)).split()]


@lru_cache(maxsize=1)
def _phrase_table() -> tuple[dict[tuple[str, ...], tuple[str, ...]], dict[str, int]]:
    """Stemmed phrase -> concept keys, and for each first word the longest phrase it starts."""
    table: dict[tuple[str, ...], list[str]] = {}
    for concept in CONCEPTS:
        for phrase in concept.phrases:
            key = tuple(tokens(phrase))
            table.setdefault(key, [])
            if concept.key not in table[key]:
                table[key].append(concept.key)
    longest: dict[str, int] = {}
    for key in table:
        longest[key[0]] = max(longest.get(key[0], 0), len(key))
    return {key: tuple(value) for key, value in table.items()}, longest


def concept_spans(stems: list[str]) -> list[tuple[int, int, tuple[str, ...]]]:
    """Concept phrases found in stemmed words, left to right, longest phrase first and never overlapping:
    (start, end, concept keys) with ``stems[start:end]`` the phrase. Shared by similarity and search."""
    table, longest = _phrase_table()
    spans = []
    i = 0
    while i < len(stems):
        for length in range(min(longest.get(stems[i], 0), len(stems) - i), 0, -1):
            keys = table.get(tuple(stems[i : i + length]))
            if keys:
                spans.append((i, i + length, keys))
                i += length
                break
        else:
            i += 1
    return spans


@lru_cache(maxsize=1 << 17)  # search reads the same texts on every page run
def concept_words(text: str) -> dict[str, str]:
    """Concept key -> the first words of ``text`` that name it, as written (lower case): {"law_enforcement":
    "front line"} for "Ensure that front-line law enforcement officials …"."""
    words = utils.default_process(str(text)).split()
    found: dict[str, str] = {}
    for start, end, keys in concept_spans([stem(w) for w in words]):
        for key in keys:
            found.setdefault(key, " ".join(words[start:end]))
    return found


@lru_cache(maxsize=1)
def _openers_by_first_word() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Stemmed openers grouped by their first word, longest first."""
    grouped: dict[str, list[tuple[str, ...]]] = {}
    for opener in sorted({tuple(tokens(o)) for o in OPENERS}, key=len, reverse=True):
        grouped.setdefault(opener[0], []).append(opener)
    return {first: tuple(openers) for first, openers in grouped.items()}


def _strip_openers(words: list[str]) -> list[str]:
    by_first = _openers_by_first_word()
    while words:
        opener = next((o for o in by_first.get(words[0], ()) if tuple(words[: len(o)]) == o), None)
        if opener is None:
            return words
        words = words[len(opener) :]
    return words


_DIGITS = re.compile(r"^\d+$")


@dataclass(frozen=True)
class Normalised:
    """What similarity sees of one text.

    ``terms``: content stems (openers and stop words gone); ``concepts``: concept keys found;
    ``fuzzy``: the string rapidfuzz compares, with each concept phrase replaced by its concept key so
    that synonyms compare equal; ``surface``: stem -> a word as written, to show terms to people.
    """

    terms: tuple[str, ...]
    concepts: tuple[str, ...]
    fuzzy: str
    surface: dict[str, str]


def normalise(text: str) -> Normalised:
    """Strip openers and stop words, stem, and find concepts; deterministic and independent of corpus."""
    raw_words = utils.default_process(str(text)).split()
    surface: dict[str, str] = {}
    stems = []
    for word in raw_words:
        s = stem(word)
        stems.append(s)
        surface.setdefault(s, word)
    stems = _strip_openers(stems)
    spans = {start: (end, keys) for start, end, keys in concept_spans(stems)}
    concepts: list[str] = []
    fuzzy: list[str] = []
    terms: list[str] = []
    i = 0
    while i < len(stems):
        if i in spans:
            end, keys = spans[i]
            concepts.extend(k for k in keys if k not in concepts)
            fuzzy.extend(keys)
            terms.extend(s for s in stems[i:end] if s not in STOP_WORDS)
            i = end
            continue
        word = stems[i]
        if word not in STOP_WORDS and not _DIGITS.match(word) and len(word) > 1:
            terms.append(word)
            fuzzy.append(word)
        i += 1
    return Normalised(tuple(terms), tuple(concepts), " ".join(fuzzy), surface)
