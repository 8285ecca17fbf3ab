"""'How did you hear about us?' mapped to a recruitment channel."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from db.enums import Channel
from lived_experience.recruitment.channels import (
    channel_from_text,
    channels_from_text,
    how_heard_from_text,
)


@pytest.mark.parametrize("text,channel", [
    ("OPCC website", Channel.OPCC_WEBSITE),
    ("opcc_website", Channel.OPCC_WEBSITE),
    ("The Police and Crime Commissioner's website", Channel.OPCC_WEBSITE),
    ("People Zones website", Channel.PEOPLE_ZONES),
    ("peoplezones.co.uk", Channel.PEOPLE_ZONES),
    ("Saw it on Facebook", Channel.SOCIAL_MEDIA),
    ("twitter / X", Channel.SOCIAL_MEDIA),
    ("Neighbourhood Link email", Channel.NEIGHBOURHOOD_LINK),
    ("neighborhood link", Channel.NEIGHBOURHOOD_LINK),
    ("A friend told me", Channel.WORD_OF_MOUTH),
    ("My ISVA", Channel.PARTNER_ORGANISATION),
    ("Victim First", Channel.PARTNER_ORGANISATION),
    ("OPCC website;Social media", Channel.OPCC_WEBSITE),
    ("Community radio", Channel.OTHER),
    ("Other", Channel.OTHER),
])
def test_free_text_maps_to_a_channel(text, channel):
    assert channel_from_text(text) is channel


@pytest.mark.parametrize("blank", [None, "", "   ", "n/a", "N/A", "none"])
def test_blank_answers_are_not_stated_never_guessed(blank):
    assert channel_from_text(blank) is None
    assert how_heard_from_text(blank).channel is None


def test_other_keeps_the_applicants_words():
    h = how_heard_from_text("  Community   radio ")
    assert h.channel is Channel.OTHER and h.other_text == "Community radio"
    assert how_heard_from_text("Facebook").other_text is None


def test_several_channels_in_the_order_written():
    assert channels_from_text("Instagram, then a poster at my GP") == [Channel.SOCIAL_MEDIA,
                                                                        Channel.PARTNER_ORGANISATION]
    assert channels_from_text("Social media;People Zones website") == [Channel.SOCIAL_MEDIA, Channel.PEOPLE_ZONES]


@given(st.text(max_size=60))
def test_any_text_gives_a_channel_or_none(text):
    out = channel_from_text(text)
    assert out is None or isinstance(out, Channel)
