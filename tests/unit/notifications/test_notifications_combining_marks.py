"""Jrai/Bahnar letters carry a breve (U+0306) over already-accented letters (ơ̆, ư̆) that has no
precomposed form: NFC must keep it, in order, through rendering and SMS segmentation."""

import unicodedata

import pytest

from services.notifications.domain.sms import SmsEncoding, clusters, prepare_sms, segment
from services.notifications.domain.templates import TemplateSet, render
from services.notifications.domain.translations import normalize_text
from services.notifications.domain.vocabulary import NoticeKind

BREVE = "\u0306"
JRAI_LIKE = ["Ơ̆i", "Pơ̆ng", "hơ̆k", "ư̆", "ĕ", "ŏ", "Hơ̆p kơ̆ng bơ̆n", "ƀôn ŭ"]


@pytest.mark.parametrize("word", JRAI_LIKE)
def test_nfc_keeps_breve_bytes(word: str) -> None:
    assert normalize_text(word).encode("utf-8") == word.encode("utf-8")
    # decomposed input (o + horn + breve) comes back to the same precomposed+breve bytes
    decomposed = unicodedata.normalize("NFD", word)
    assert normalize_text(decomposed).encode("utf-8") == word.encode("utf-8")


def test_breve_stays_after_horn_when_marks_arrive_out_of_order_in_nfd() -> None:
    # ccc(horn)=216 < ccc(breve)=230: canonical order puts the horn first, breve kept
    typed = "o" + BREVE + "\u031b"
    assert normalize_text(typed) == "ơ" + BREVE


def test_rendering_preserves_jrai_bytes() -> None:
    text = "Ơ̆i ama, Pơ̆ng hơ̆k bơ̆n ŭ ĕ ŏ"
    template = TemplateSet(NoticeKind.GUIDANCE, "jra", "{{ notice_subject }}", "{{ notice_body }}")
    message = render(template, {"notice_subject": text, "notice_body": text})
    assert message.subject.encode("utf-8") == text.encode("utf-8")
    assert message.text.rstrip("\n").encode("utf-8") == text.encode("utf-8")
    nfd = unicodedata.normalize("NFD", text)
    assert render(template, {"notice_subject": nfd, "notice_body": nfd}).subject == text


def test_sms_segmentation_never_separates_breve_from_its_letter() -> None:
    body = "Pơ̆ng hơ̆k " * 20
    message = prepare_sms(body)
    assert message.encoding is SmsEncoding.UCS2
    assert "".join(message.parts).encode("utf-8") == body.encode("utf-8")
    for part in message.parts:
        assert not unicodedata.combining(part[0])
    assert all(len(p.encode("utf-16-le")) // 2 <= 67 for p in message.parts)


def test_segment_boundary_falls_before_a_letter_with_breve() -> None:
    text = "a" * 66 + "ơ" + BREVE + "b" * 10  # ơ̆ would straddle units 67 and 68
    parts = segment(text, SmsEncoding.UCS2)
    assert parts[0] == "a" * 66
    assert parts[1].startswith("ơ" + BREVE)
    assert clusters("Ơ̆i") == ["Ơ̆", "i"]
