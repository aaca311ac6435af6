"""A thread that drifts: a Lisbon tram crash, then the mayor's housing plan, told in updates
that each name the mayor, so every one of them resembles the thread it joins while the two
stories have little in common."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from reader.topics import TopicDoc

T0 = datetime(2025, 9, 3, 18, 0, tzinfo=UTC)

# (id, title, text, hours after T0)
DRIFT = [
    ("t1", "Tram derails in Lisbon", "A Lisbon tram derailed on the Gloria line, injuring 20.", 0),
    (
        "t2",
        "Lisbon tram crash: cable snapped",
        "Investigators said a cable snapped before the Gloria tram derailed in Lisbon.",
        1,
    ),
    (
        "t3",
        "Gloria line closed after tram derailment",
        "The Gloria tram line stays closed while investigators examine the derailment.",
        2,
    ),
    (
        "t4",
        "Mayor Moedas visits tram crash site",
        "Mayor Carlos Moedas visited the Gloria tram crash site and met investigators.",
        3,
    ),
    (
        "h1",
        "Moedas unveils housing plan",
        "Carlos Moedas unveiled a housing plan for Lisbon with 2,000 affordable flats.",
        4,
    ),
    (
        "h2",
        "Moedas housing plan: 2,000 flats and rent caps",
        "The housing plan Moedas presented caps rents on affordable flats built by the city.",
        5,
    ),
    (
        "h3",
        "Landlords criticise Moedas rent caps",
        "Landlords said the rent caps in the Moedas housing plan would halt new flats.",
        6,
    ),
    (
        "h4",
        "City council to vote on housing plan",
        "The council votes next week on the housing plan, its rent caps and affordable flats.",
        7,
    ),
]


def drift_docs() -> list[TopicDoc]:
    return [
        TopicDoc(doc_id, title, text, T0 + timedelta(hours=hours), "lisbon-news")
        for doc_id, title, text, hours in DRIFT
    ]
