"""Vocabulary and sentence templates for the replica's press releases.

Texts are made of clean sentences; the corpus corrupts them only while rendering
(soft hyphens, NFD, mojibake ...), so the ground truth is the clean text by
construction and never the output of a cleaning algorithm under test.
"""

from __future__ import annotations

import random

SUBJECTS = [
    "Kommunen",
    "Landkreise",
    "Stadtwerke",
    "Hochschulen",
    "Ministerien",
    "Sparkassen",
    "Verkehrsverbünde",
    "Krankenkassen",
    "Städte und Gemeinden",
    "Behörden",
]

TOPICS = [
    "Öffentlichkeitsarbeit",
    "Bürgerbeteiligung",
    "Social Media",
    "Stadtmarketing",
    "Personalgewinnung",
    "Krisenkommunikation",
    "Barrierefreiheit",
    "Employer Branding",
    "Digitalisierung",
    "Kampagnenplanung",
    "Pressearbeit",
    "Markenführung",
]

TITLE_TEMPLATES = [
    "{Topic}: {subj} setzen verstärkt auf neue Formate",
    "Studie zur {topic}: Große Unterschiede zwischen Nord und Süd",
    "{subj} im Wettbewerb um Fachkräfte: Was die {topic} leisten muss",
    "Preis für {topic} {year} geht nach {place}",
    "Neue Ausgabe: Schwerpunkt {topic} in {subj_dat}",
    "Fünf Thesen zur {topic} im öffentlichen Sektor",
    "Fachkongress {year}: {topic} zwischen Anspruch und Wirklichkeit",
    "Umfrage: {subj} wollen ihre {topic} stärker professionalisieren",
]

SENTENCES = [
    "Immer mehr {subj} überdenken ihre Strategie in der {topic} und setzen auf klare Botschaften.",
    "Das zeigt eine aktuelle Umfrage unter {num} Verantwortlichen aus ganz Deutschland.",
    "Besonders gefragt sind Maßnahmen, die Bürgerinnen und Bürger direkt erreichen.",
    "Die Redaktion hat dazu Fachleute aus {place} und anderen Städten befragt.",
    "Außerdem stellt das Heft gelungene Beispiele aus der Praxis vor.",
    "Schließlich geht es um Vertrauen, und das entsteht nicht über Nacht.",
    "Viele Verwaltungen haben ihre Budgets für die {topic} seit {year} deutlich erhöht.",
    "Gleichzeitig fehlen in zahlreichen Pressestellen qualifizierte Mitarbeiterinnen und Mitarbeiter.",
    "Der Wettbewerb würdigt Projekte, die mit kleinem Etat große Wirkung erzielen.",
    "Die Jury bewertete Kreativität, Zielgruppennähe und die Messbarkeit der Ergebnisse.",
    "Mehr als {num} Einsendungen gingen in diesem Jahr bei der Geschäftsstelle ein.",
    "Die Gewinner werden im Rahmen einer Feierstunde in {place} ausgezeichnet.",
    "Für {subj} ist das ein wichtiges Signal an die Öffentlichkeit.",
    "Künftig sollen auch kleinere Gemeinden von den Erfahrungen profitieren.",
    "Die Ergebnisse werden auf dem Fachkongress im Herbst ausführlich diskutiert.",
    "Gerade in Krisenzeiten müssen Informationen schnell und verständlich fließen.",
]

EN_TITLES = [
    "Survey: public bodies rethink their {en_topic}",
    "{year} award for {en_topic} goes to {place}",
    "New issue focuses on {en_topic} in the public sector",
]

EN_SENTENCES = [
    "More and more public authorities are rethinking their approach to {en_topic}.",
    "This is the result of a survey among {num} communication managers across Germany.",
    "Measures that reach citizens directly are in particular demand.",
    "The editors spoke to experts from {place} and other cities.",
    "The magazine also presents successful examples from everyday practice.",
    "The results will be discussed in detail at the autumn conference.",
]

EN_TOPICS = ["public relations", "citizen participation", "crisis communication", "employer branding"]

PLACES = ["Hamburg", "Lübeck", "Köln", "München", "Düsseldorf", "Bremen", "Nürnberg", "Göttingen"]

SUBHEADS = [
    "Ergebnisse im Überblick",
    "Hintergrund der Studie",
    "Stimmen aus der Praxis",
    "Ausblick auf das kommende Jahr",
]

PEOPLE = [
    ("Annette", "Müller"),
    ("Jörg", "Weißenborn"),
    ("Sören", "Haß"),
    ("Katrin", "Schröder"),
    ("Björn", "Köhler"),
    ("Jana", "Groß"),
]

CATEGORIES = [
    ("/t/politik", "Politik"),
    ("/t/medien-kultur", "Medien / Kultur"),
    ("/t/wirtschaft", "Wirtschaft"),
    ("/t/marketing", "Marketing"),
]


def pick(rng: random.Random, seq: list):
    """rng.choice, faster (random() is one C call)."""
    return seq[int(rng.random() * len(seq))]


def rint(rng: random.Random, a: int, b: int) -> int:
    return a + int(rng.random() * (b - a + 1))


class _Values(dict):
    """Placeholder values drawn only when a template uses them (cheap and deterministic)."""

    def __init__(self, rng: random.Random) -> None:
        super().__init__()
        self.rng = rng

    def __missing__(self, key: str) -> str:
        rng = self.rng
        if key in ("topic", "Topic"):
            value = self.get("topic") or self.get("Topic") or pick(rng, TOPICS)
        elif key in ("subj", "subj_dat"):
            value = self.get("subj") or self.get("subj_dat") or pick(rng, SUBJECTS)
        elif key == "en_topic":
            value = pick(rng, EN_TOPICS)
        elif key == "num":
            value = str(rint(rng, 120, 980))
        elif key == "year":
            value = str(rint(rng, 2015, 2026))
        elif key == "place":
            value = pick(rng, PLACES)
        else:
            raise KeyError(key)
        self[key] = value
        return value


def fill(template: str, rng: random.Random) -> str:
    return template.format_map(_Values(rng))


def paragraph(rng: random.Random, sentences: list[str], n_min: int = 2, n_max: int = 4) -> str:
    picked = rng.sample(sentences, min(len(sentences), rint(rng, n_min, n_max)))
    return " ".join(fill(t, rng) for t in picked)
