"""A story told in two threads that grow together: an Athens wildfire, and its first reports
from one suburb (Penteli) that do not name the city, joined later by updates naming both."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from reader.topics import TopicDoc

T0 = datetime(2025, 3, 14, 8, 0, tzinfo=UTC)

# (id, title, text, hours after T0)
WILDFIRE = [
    (
        "a1",
        "Wildfire spreads near Athens",
        "A wildfire near Athens forced the evacuation of Varnavas and Marathon on Sunday.",
        0,
    ),
    (
        "a2",
        "Athens wildfire reaches Marathon",
        "The wildfire north of Athens reached Marathon as winds picked up.",
        1,
    ),
    (
        "b1",
        "Residents flee as flames close in on suburbs",
        "Firefighters ordered residents of Penteli to leave their homes as flames closed in "
        "on the suburbs.",
        2,
    ),
    (
        "b2",
        "Penteli residents flee flames",
        "Residents of Penteli fled the flames overnight, firefighters said.",
        3,
    ),
    (
        "c1",
        "Athens wildfire: Penteli and Marathon evacuated as flames close in",
        "The wildfire near Athens forced residents of Penteli and Marathon to flee the "
        "flames, firefighters said.",
        4,
    ),
    (
        "c2",
        "Athens wildfire flames reach Penteli suburbs",
        "Firefighters fought flames in Penteli, near Athens, as the wildfire reached the suburbs.",
        5,
    ),
]


def wildfire_docs() -> list[TopicDoc]:
    return [
        TopicDoc(i, title, text, T0 + timedelta(hours=hours), "s")
        for i, title, text, hours in WILDFIRE
    ]
