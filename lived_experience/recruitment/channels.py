"""'How did you hear about us?' as a recruitment channel.

Applicants answer in their own words ("saw it on Facebook", "my ISVA told me",
"PCC website") or pick a Forms choice ("OPCC website;Social media"). The
representativeness reports need one of the channels (``db.enums.Channel``), so
this module maps free text to a channel:

- ``channel_from_text(text)`` -> the channel, or ``None`` when nothing was
  written (a blank answer is "not stated" and is counted as such, never
  guessed). Text that names no known channel is ``Channel.OTHER``; keep the
  original words in ``Application.how_heard_other`` (``how_heard_from_text``
  gives both).
- ``channels_from_text(text)`` -> every channel the text names, in the order
  written (a multi-choice answer names several).

Matching ignores case, accents, punctuation and spacing. The first channel the
text names wins: "Facebook, then a friend" is social media.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from db.enums import Channel
from db.functions import fold_text

# Phrases, already folded (lower case, no accents, single spaces, punctuation as spaces).
# Longer, more specific phrases are listed first within each channel; across channels
# the position in the applicant's text decides.
_PHRASES: dict[Channel, tuple[str, ...]] = {
    Channel.PEOPLE_ZONES: ("people zones", "peoplezones", "people zone", "peoplezone"),
    Channel.NEIGHBOURHOOD_LINK: (
        "neighbourhood link", "neighborhood link", "neighbourhoodlink", "neighborhoodlink",
        "n link", "nlink",
    ),
    Channel.OPCC_WEBSITE: (
        "opcc", "pcc website", "pcc site", "pcc web", "police and crime commissioner",
        "police crime commissioner", "commissioner s website", "commissioners website",
        "commissioner website", "commissioner s office", "commissioners office", "leics pcc",
        "leicestershire pcc", "pcc",
    ),
    Channel.SOCIAL_MEDIA: (
        "social media", "socials", "facebook", "fb", "twitter", "tweet", "instagram", "insta",
        "linkedin", "linked in", "tiktok", "tik tok", "youtube", "you tube", "nextdoor", "next door app",
        "whatsapp", "whats app", "snapchat", "threads", "bluesky", "mastodon", "x com",
    ),
    Channel.WORD_OF_MOUTH: (
        "word of mouth", "friend", "family", "relative", "colleague", "co worker", "coworker",
        "partner told", "my partner", "husband", "wife", "mum", "dad", "mother", "father", "sister",
        "brother", "daughter", "son", "neighbour told", "a neighbour", "my neighbour", "someone told",
        "was told", "told me", "told by", "previous member", "former member", "member of the group",
    ),
    Channel.PARTNER_ORGANISATION: (
        "partner organisation", "partner organization", "charity", "victim support", "victim first",
        "victims first", "isva", "idva", "chisva", "advocate", "support worker", "caseworker",
        "case worker", "key worker", "keyworker", "sarc", "women s aid", "womens aid", "refuge",
        "council", "nhs", "gp", "doctor", "hospital", "police officer", "pcso",
        "police", "probation", "voluntary", "community group", "organisation", "organization",
        "job centre", "jobcentre", "library", "newsletter", "leaflet", "poster", "flyer",
    ),
}

# Whole-word matching on the folded text; built once.
_PATTERNS: list[tuple[Channel, re.Pattern[str]]] = [
    (channel, re.compile(r"\b" + re.escape(phrase) + r"\b"))
    for channel, phrases in _PHRASES.items()
    for phrase in phrases
]

_BLANK = {"", "n a", "na", "none", "no answer", "not stated", "blank", "nil"}


@dataclass(frozen=True)
class HowHeard:
    channel: Channel | None  # None: not stated
    other_text: str | None  # the applicant's own words, kept when the channel is OTHER


def _fold(text: str) -> str:
    folded = fold_text(text) or ""
    folded = re.sub(r"[^a-z0-9]+", " ", folded)
    return " ".join(folded.split())


def _exact(text: str) -> Channel | None:
    try:
        return Channel.parse(text)  # the stored value or the label, as a Forms choice gives it
    except ValueError:
        return None


def channels_from_text(text: str | None) -> list[Channel]:
    """Every channel the answer names, in the order written (no repeats)."""
    if text is None:
        return []
    raw = str(text).strip()
    if _fold(raw) in _BLANK:
        return []
    # Multi-choice answers: Microsoft Forms joins choices with ';', Google Forms with ', '.
    parts = [p.strip() for p in re.split(r"[;\n|]", raw) if p.strip()]
    found: list[Channel] = []
    for part in parts:
        exact = _exact(part)
        if exact is not None:
            hits = [(0, 0, exact)]
        else:
            folded = _fold(part)
            hits = []
            for channel, pattern in _PATTERNS:
                m = pattern.search(folded)
                if m:
                    hits.append((m.start(), m.start() - m.end(), channel))
            # Earliest first; at the same place, the longer phrase ("police and crime
            # commissioner" rather than "police").
            hits.sort(key=lambda h: (h[0], h[1]))
        for *_where, channel in hits:
            if channel not in found:
                found.append(channel)
    if not found:
        return [Channel.OTHER]
    return found


def channel_from_text(text: str | None) -> Channel | None:
    """The channel an answer to "How did you hear about us?" names.

    ``None`` for a blank answer (not stated); ``Channel.OTHER`` for words that
    name no known channel. A named channel wins over OTHER.
    """
    found = channels_from_text(text)
    named = [c for c in found if c is not Channel.OTHER]
    if named:
        return named[0]
    return found[0] if found else None


def how_heard_from_text(text: str | None) -> HowHeard:
    """The channel, and the applicant's own words when they are needed (OTHER)."""
    channel = channel_from_text(text)
    other = None
    if channel is Channel.OTHER:
        raw = " ".join(str(text).split())
        other = raw[:200] if raw and _fold(raw) != "other" else None
    return HowHeard(channel, other)
