"""The kinds of text independent corpora missed (issue 20): phone-typed posts, slang, panic
rumours, violence against officers told plainly, and the false hits beside them."""

import pytest

from services.monitoring.domain.harmful import HarmfulScore
from services.monitoring.domain.pipeline import Pipeline
from services.monitoring.domain.query import parse_query, phrase_spans
from services.monitoring.domain.text import normalise


def topics(pipeline: Pipeline, text: str) -> set[str]:
    return {t.topic for t in pipeline.classifier.classify(normalise(text))}


def harm(pipeline: Pipeline, text: str) -> HarmfulScore:
    return pipeline.scorer.score(normalise(text), text)


def test_social_abbreviations_are_read_as_words_without_changing_the_diacritic_share() -> None:
    doc = normalise("ae oi cs dang chan duong, ko dc di qua")
    assert doc.tokens[:4] == ("anh", "em", "oi", "công")
    assert "không" in doc.tokens and "được" in doc.tokens
    assert doc.lacks_diacritics  # judged on what was typed, not on the expansions
    assert normalise("Ae cẩn thận").tokens[:2] == ("anh", "em")


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("thang em vay app 3 trieu, gio bi khung bo ca danh ba, ae nao biet cach xu ly ko",
         "loan_sharking"),
        ("hs lop 9 cam dao dam ban cung lop ngay trong gio ra choi", "youth_crime"),
        ("bi tk gia danh ngan hang lua dao chiem doat tien qua fb", "high_tech_crime"),
        ("nghe noi tui no mang ma tau voi phong lon di gay su o cho", "weapons_gangs"),
        ("thua ca do online tren may trang nha cai mat het 200 trieu", "gambling"),
    ],
)
def test_phone_typed_posts_keep_their_topic(pipeline: Pipeline, text: str, topic: str) -> None:
    assert topic in topics(pipeline, text)


@pytest.mark.parametrize(
    "text",
    [
        "Tài xế không dừng xe theo hiệu lệnh, tông thẳng vào chiến sĩ CSGT rồi kéo lê cả chục mét",
        "Bị phát hiện chở gỗ lậu, nhóm lâm tặc dùng dao chém kiểm lâm rồi bỏ trốn vào rừng",
        "Trong lúc kiểm tra hành chính, hai cán bộ công an bị đối tượng say rượu đánh trọng thương",
    ],
)
def test_violence_against_officers_without_the_legal_term(pipeline: Pipeline, text: str) -> None:
    assert "resisting_officers" in topics(pipeline, text)


def test_child_sale_is_trafficking_and_livestock_is_not(pipeline: Pipeline) -> None:
    sale = "Người mẹ trẻ bán con mới sinh cho một phụ nữ ở tỉnh khác với giá 30 triệu đồng"
    assert "human_trafficking" in topics(pipeline, sale)
    assert topics(pipeline, "Cuối năm bà con bán con heo, con gà được giá") == set()


def test_negation_cancels_and_prevention_keeps_the_topic(pipeline: Pipeline) -> None:
    assert "drugs" not in topics(
        pipeline, "Kết quả giám định xác định gói bột trắng không phải ma túy mà là bột ngọt")
    talk = "Hội nghị tuyên truyền phòng chống ma túy cho học sinh, nói không với ma túy"
    assert "drugs" in topics(pipeline, talk)
    assert not harm(pipeline, talk).harmful


def test_fiction_is_no_crime_but_an_actor_arrested_is(pipeline: Pipeline) -> None:
    review = (
        "Review phim: bộ phim hành động kể về nhân vật trùm ma túy bị truy sát, đạo diễn dựng "
        "cảnh đấu súng mãn nhãn, khán giả ra rạp đông"
    )
    assert topics(pipeline, review) == set()
    assert not harm(pipeline, review).harmful
    real = "Diễn viên của nhiều bộ phim truyền hình bị bắt vì sử dụng ma túy trong quán bar"
    assert "drugs" in topics(pipeline, real)


@pytest.mark.parametrize(
    "text",
    [
        "Khẩn cấp!! Đập thủy điện ở thượng nguồn sắp vỡ, bà con vùng hạ du sơ tán gấp, chia sẻ "
        "ngay cho người thân!",
        "KHAN CAP: dap thuy dien sap vo, ba con ha du so tan gap, chia se ngay cho nguoi than",
        "Nghe nói công an xã đang bắt hết thanh niên trong làng đưa đi, ai ở Ia Pa cẩn thận, "
        "share gấp",
        "Tối nay 9h sân bóng làng, ae mang đồ đầy đủ, hẹn kèo với tụi nó bên kia sông",
        "Tụi nó chơi mình trước, ae qua chiến luôn, xử đẹp hết cho tụi nó biết tay",
    ],
)
def test_panic_rumours_and_calls_to_fight_are_harmful(pipeline: Pipeline, text: str) -> None:
    assert harm(pipeline, text).harmful


@pytest.mark.parametrize(
    "text",
    [
        "Ban Chỉ huy phòng chống thiên tai tỉnh đề nghị người dân vùng hạ du chủ động sơ tán khi "
        "thủy điện xả lũ theo thông báo",
        "Công an tỉnh khẳng định tin đồn nghe nói sắp vỡ đập là sai sự thật, đề nghị người dân "
        "không chia sẻ",
        "Canh bao: co nguoi goi xung la can bo cong an bat cai app, nghe noi nhieu nguoi mat "
        "tien. Ae cup may ngay, khong cung cap ma OTP, bao ngay cho cong an phuong nha",
        "Chiến sĩ công an xã tham gia chiến dịch mùa hè xanh, xử lý rác thải cùng đoàn viên",
    ],
)
def test_warnings_debunks_and_plain_news_are_not_harmful(pipeline: Pipeline, text: str) -> None:
    assert not harm(pipeline, text).harmful


def test_hearsay_reason_is_given_when_reporting_markers_are_set_aside(pipeline: Pipeline) -> None:
    result = harm(pipeline, "Nghe nói công an xã bảo kê cho sới bạc, share gấp cho bà con")
    kinds = {r.kind for r in result.reasons}
    assert "hearsay" in kinds and "reporting" not in kinds


def test_before_is_near_in_one_order() -> None:
    node = parse_query('"tông" BEFORE/2 ("cảnh sát" OR "kiểm lâm")')

    def hits(text: str) -> bool:
        tokens = text.split()
        return bool(node.evaluate(phrase_spans(tokens, node.phrases()), " ".join))

    assert hits("tông vào cảnh sát")
    assert not hits("cảnh sát tông")


def test_paying_an_online_seller_who_then_blocks_is_high_tech_crime(pipeline: Pipeline) -> None:
    post = "Mua vé trên một page, chuyển khoản 2 triệu xong nó block luôn, ae cẩn thận"
    assert "high_tech_crime" in topics(pipeline, post)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        # "co bac" is "cờ bạc" (gambling) or "cô bác" (aunts and uncles)
        pytest.param("Ba con co bac trong xom deu biet chuyen nay roi", "gambling",
                     id="short folded words that read two ways are weak"),
        pytest.param("Công an huyện bắt đối tượng đâm chết người sau cuộc nhậu; cán bộ công an "
                     "lấy lời khai", "resisting_officers",
                     id="an arrest for a stabbing is not resistance"),
        pytest.param("Để có tiền cá độ bóng đá, Nam đột nhập nhà hàng xóm lấy trộm chiếc xe máy",
                     "gambling", id="a crime named only as a motive is weakened"),
        pytest.param("Người dân nghi gói bột bị vứt ven đường là ma túy nên báo công an. Kết quả "
                     "giám định cho thấy đó không phải ma túy mà là bột giặt", "drugs",
                     id="a denial holds for the whole item"),
    ],
)
def test_words_near_a_topic_do_not_make_it(pipeline: Pipeline, text: str, topic: str) -> None:
    assert topic not in topics(pipeline, text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Đội Cảnh sát điều tra tội phạm về ma túy giao hữu bóng đá với đoàn thanh "
                     "niên xã, tặng quà cho các em học sinh nghèo", id="a unit name alone"),
        pytest.param("Công an huyện khẳng định thông tin nhóm người lạ dụ dỗ trẻ em lên ô tô "
                     "trước cổng trường là hoàn toàn sai sự thật", id="a denied rumour"),
        # folded look-alikes of crime words
        "Toi da nop ho so de xin cap lai giay phep kinh doanh o phuong",  # hồ sơ để, not số đề
        "Chuyen do khong kho, ma tuy theo tung nguoi thoi",  # mà tùy theo, not ma túy
        "Anh ay vay ngan hang roi lai ngay thang sau tra het",  # lại ngay, not lãi ngày
    ],
)
def test_texts_that_only_look_like_crime_have_no_topic(pipeline: Pipeline, text: str) -> None:
    assert topics(pipeline, text) == set()


def test_a_bank_loan_with_a_date_is_not_usury(pipeline: Pipeline) -> None:
    # "%/ngày" in a saved query once read as the bare word "ngày"
    assert topics(pipeline, "Chị vay ngân hàng 50 triệu, ngày 5/3 đã trả đủ cả gốc") == set()
    assert "loan_sharking" in topics(pipeline, "Nhóm này cho vay lãi 3%/ngày, chậm trả là bị dọa")
