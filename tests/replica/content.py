"""Vocabulary and sentence templates for the replica's press releases.

Texts are made of clean sentences; the corpus corrupts them only while rendering
(soft hyphens, NFD, mojibake ...), so the ground truth is the clean text by
construction and never the output of a cleaning algorithm under test.
"""

from __future__ import annotations

import functools
import random
import string

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


def sample(rng: random.Random, population: list, k: int) -> list:
    """rng.sample(population, k), the same draws and result, without its checks: the
    selection-pool branch CPython takes for populations this small (n <= 21 for k <= 5),
    written out; any other size is left to rng.sample."""
    n = len(population)
    if n > 21 or not 0 <= k <= 5:
        return rng.sample(population, k)
    getrandbits = rng.getrandbits
    pool = list(population)
    result = [None] * k
    for i in range(k):
        m = n - i
        bits = m.bit_length()  # random._randbelow_with_getrandbits
        j = getrandbits(bits)
        while j >= m:
            j = getrandbits(bits)
        result[i] = pool[j]
        pool[j] = pool[m - 1]
    return result


def _draw(key: str, values: dict[str, str], rng: random.Random) -> str:
    """A placeholder's value, drawn when a template first uses it ("topic" and "Topic",
    "subj" and "subj_dat" share theirs)."""
    if key in ("topic", "Topic"):
        return values.get("topic") or values.get("Topic") or pick(rng, TOPICS)
    if key in ("subj", "subj_dat"):
        return values.get("subj") or values.get("subj_dat") or pick(rng, SUBJECTS)
    if key == "en_topic":
        return pick(rng, EN_TOPICS)
    if key == "num":
        return str(rint(rng, 120, 980))
    if key == "year":
        return str(rint(rng, 2015, 2026))
    if key == "place":
        return pick(rng, PLACES)
    raise KeyError(key)


@functools.lru_cache(maxsize=None)
def _pieces(template: str) -> tuple[tuple[str, str | None], ...]:
    """A template as (text, placeholder or None) pairs, parsed once (plain `{name}`s only)."""
    parsed = list(string.Formatter().parse(template))
    if any(spec or conversion for _, _, spec, conversion in parsed):
        raise ValueError(f"fill takes plain placeholders only: {template!r}")
    return tuple((text, key) for text, key, _, _ in parsed)


def fill(template: str, rng: random.Random) -> str:
    """The template with its placeholders drawn left to right (what format_map with a
    drawing dict did, without its per-call dict and lookups)."""
    pieces = _pieces(template)
    if len(pieces) == 1 and pieces[0][1] is None:
        return pieces[0][0]
    values: dict[str, str] = {}
    out = []
    for text, key in pieces:
        out.append(text)
        if key is not None:
            value = values.get(key)
            if value is None:
                value = values[key] = _draw(key, values, rng)
            out.append(value)
    return "".join(out)


def paragraph(rng: random.Random, sentences: list[str], n_min: int = 2, n_max: int = 4) -> str:
    picked = sample(rng, sentences, min(len(sentences), rint(rng, n_min, n_max)))
    return " ".join([fill(t, rng) for t in picked])


# ---- police and fire offices (Blaulicht), and company pages in other markup --------------------

POLICE_HEADLINES = [
    "Kiosk aufgebrochen",
    "Fahrrad gestohlen",
    "Verkehrsunfall mit zwei Leichtverletzten",
    "Zeugen nach Sachbeschädigung gesucht",
    "Betrüger am Telefon",
    "Einbruch in Gartenlaube",
    "Geldbörse entwendet",
    "Kontrollen auf dem Schulweg",
]

FIRE_HEADLINES = [
    "Brand in einer Lagerhalle",
    "Ölspur auf der Hauptstraße",
    "Wohnungsbrand ohne Verletzte",
    "Baum stürzt auf Fahrbahn",
    "Tag der offenen Tür bei der Feuerwache",
    "Keller nach Starkregen ausgepumpt",
]

WEEKDAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
STREETS = ["Hauptstraße", "Ringstraße", "Bahnhofstraße", "Schulstraße", "Lindenallee", "Gartenstraße"]
OBJECTS = ["Fahrrad", "Motorroller", "Rasenmäher", "Laptop", "Anhänger", "Werkzeugkoffer"]

POLICE_SENTENCES = [
    "Am {weekday} gegen {hour} Uhr wurde in der {street} ein {object} gestohlen.",
    "Die Polizei bittet Zeugen, sich unter der Rufnummer 0000 000-0 zu melden.",
    "Der Schaden wird auf etwa {num} Euro geschätzt.",
    "Die Ermittlungen dauern an.",
    "Eine Streife nahm den Sachverhalt auf.",
    "Hinweise nimmt jede Polizeidienststelle entgegen.",
    "Verletzt wurde niemand.",
    "Die Täter flüchteten in unbekannte Richtung.",
    "Ein Zeuge hatte verdächtige Geräusche gehört und die Polizei verständigt.",
    "Die Beamten sicherten Spuren am Tatort.",
]

FIRE_SENTENCES = [
    "Am {weekday} gegen {hour} Uhr wurde die Feuerwehr in die {street} alarmiert.",
    "Die Einsatzkräfte brachten die Lage schnell unter Kontrolle.",
    "Insgesamt waren {crew} Einsatzkräfte vor Ort.",
    "Verletzt wurde niemand.",
    "Die {street} war während der Löscharbeiten gesperrt.",
    "Zur Brandursache ermittelt die Polizei.",
    "Nach rund zwei Stunden war der Einsatz beendet.",
    "Die Feuerwehr dankt den Anwohnern für ihre Geduld.",
]

ADVICE = [
    "Schließen Sie Fenster und Türen ab.",
    "Lassen Sie keine Wertsachen im Auto liegen.",
    "Melden Sie verdächtige Beobachtungen unter 110.",
    "Sichern Sie Ihr Fahrrad mit einem guten Schloss.",
    "Geben Sie am Telefon keine Auskunft über Ihr Vermögen.",
]

WANTED = [
    "männlich",
    "etwa 30 Jahre alt",
    "ca. 180 cm groß",
    "schlanke Statur",
    "kurze dunkle Haare",
    "trug eine grüne Jacke",
    "sprach mit Akzent",
]

CLOSURES = [("Hauptstraße", "18 Uhr"), ("Ringweg", "20 Uhr"), ("Bahnhofstraße", "22 Uhr"), ("Am Markt", "Sonntag")]

# company pages in other markup (publisher 120501)
KEY_POINTS = [
    "Neue Ladesäulen in zwölf Städten",
    "Ökostrom für alle Privatkunden",
    "Investitionen von 40 Millionen Euro",
    "Mehr Ausbildungsplätze im Norden",
]
FIGURES = [("Umsatz", "1,2 Mrd. Euro"), ("Kunden", "480.000"), ("Mitarbeitende", "2.150")]
QUOTES = [
    "„Wir bringen die Energiewende in die Nachbarschaft.“",
    "„Jede neue Ladesäule ist ein Versprechen an unsere Kunden.“",
]
SUBHEADS_H = ["Hintergrund", "Zahlen und Fakten", "Ausblick"]


def office_values(rng: random.Random) -> dict[str, str]:
    """Placeholder values of the offices' sentences."""
    return {
        "weekday": pick(rng, WEEKDAYS),
        "hour": str(rint(rng, 6, 23)),
        "street": pick(rng, STREETS),
        "object": pick(rng, OBJECTS),
        "num": str(rint(rng, 3, 90) * 100),
        "crew": str(rint(rng, 12, 60)),
    }


def office_paragraph(rng: random.Random, sentences: list[str], n_min: int = 1, n_max: int = 3) -> str:
    picked = sample(rng, sentences, min(len(sentences), rint(rng, n_min, n_max)))
    return " ".join([t.format_map(office_values(rng)) for t in picked])
