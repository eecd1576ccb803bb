import unicodedata

from services.monitoring.domain.text import (
    PhraseMatcher,
    canonical_syllable,
    fold_syllable,
    normalise,
    normalise_phrase,
)


def test_nfd_input_equals_nfc() -> None:
    text = "Công an tỉnh Gia Lai bắt giữ đối tượng tàng trữ ma túy"
    assert normalise(unicodedata.normalize("NFD", text)).tokens == normalise(text).tokens


def test_old_and_new_tone_placement_are_one_form() -> None:
    pairs = [("hòa", "hoà"), ("thúy", "thuý"), ("òa", "oà"), ("ùy", "uỳ"), ("óe", "oé")]
    for old, new in pairs:
        assert canonical_syllable(old) == canonical_syllable(new)
    # syllables with a final consonant or a modified vowel are unaffected
    assert canonical_syllable("hoàng") == "hoàng"
    assert canonical_syllable("người") == "người"
    assert canonical_syllable("của") == "của"
    assert canonical_syllable("quý") == "quý"
    assert canonical_syllable("già") == "già"


def test_casefold_punctuation_and_whitespace() -> None:
    doc = normalise("  MA TÚY!!!  đá,\n(Theo Báo)  ")
    assert doc.tokens == ("ma", "tuý", "đá", "theo", "báo")


def test_fold_removes_all_diacritics() -> None:
    assert fold_syllable("Đắk") == "dak"
    assert normalise("Đức Cơ").folded == ("duc", "co")


def test_diacritic_share_detects_unaccented_text() -> None:
    assert normalise("cong an bat giu doi tuong mua ban ma tuy").lacks_diacritics
    assert not normalise("công an bắt giữ đối tượng mua bán ma túy").lacks_diacritics


def test_apostrophes_kept_inside_words() -> None:
    assert normalise("huyện K’Bang").tokens == ("huyện", "k'bang")


def test_phrase_matcher_respects_syllable_boundaries() -> None:
    matcher: PhraseMatcher[str] = PhraseMatcher()
    matcher.add(normalise_phrase("ma túy"), "drugs")
    assert matcher.find(normalise("khu vực ma túy đá").tokens) == [(2, 4, "drugs")]
    assert matcher.find(normalise("hình ma trận túy").tokens) == []
    assert matcher.find(normalise("soma túyx").tokens) == []
