import pytest

from services.runtime.ssrf import UrlNotAllowed, check_url, check_url_allowed


@pytest.mark.parametrize(
    ("url", "ips", "reason"),
    [
        ("ftp://x.vn/a", [], "scheme_not_allowed"),
        ("file:///etc/passwd", [], "scheme_not_allowed"),
        ("http://x.vn", ["10.1.2.3"], "private"),
        ("http://x.vn", ["127.0.0.1"], "loopback"),
        ("http://x.vn", ["::1"], "loopback"),
        ("http://x.vn", ["169.254.1.1"], "link_local"),
        ("http://169.254.169.254/latest/meta-data", [], "cloud_metadata"),
        ("http://[fd00:ec2::254]/", [], "cloud_metadata"),
        ("http://metadata.google.internal/", ["8.8.8.8"], "cloud_metadata"),
        ("http://x.vn", ["224.0.0.1"], "multicast"),
        ("http://x.vn", ["::ffff:127.0.0.1"], "ipv4_embedded_loopback"),
        ("http://x.vn", ["::ffff:10.0.0.1"], "ipv4_embedded_private"),
        ("http://x.vn", ["8.8.8.8", "192.168.1.1"], "private"),
        ("http://x.vn", [], "unresolved"),
    ],
)
def test_refused(url: str, ips: list[str], reason: str) -> None:
    with pytest.raises(UrlNotAllowed) as err:
        check_url_allowed(url, ips)
    assert err.value.reason == reason


def test_public_and_allowlisted() -> None:
    check_url_allowed("https://baogialai.com.vn/rss", ["203.162.0.1"])
    check_url_allowed("http://feeds.local/rss", ["10.0.0.5"], ["10.0.0.0/24"])
    check_url_allowed("http://intranet.gialai.gov.vn/", ["192.168.1.9"], [".gialai.gov.vn"])


@pytest.mark.parametrize(("url", "meaning"), [
    ("http://2130706433/", "127.0.0.1"), ("http://0x7f000001/", "127.0.0.1"),
    ("http://0177.0.0.1/", "127.0.0.1"), ("http://127.1/", "127.0.0.1"),
    ("http://0/", "0.0.0.0"), ("http://10.1/", "10.0.0.1"),
    ("http://0x0a000001/", "10.0.0.1"), ("http://2852039166/", "169.254.169.254"),
    ("http://0xa9fea9fe/", "169.254.169.254"), ("http://134744072/", "8.8.8.8"),
])
def test_an_address_written_as_a_number_is_refused_even_if_allowlisted(url, meaning):
    # Resolvers disagree on these forms (eventlet's green resolver reads none of them).
    with pytest.raises(UrlNotAllowed, match=f"write the address as {meaning}") as err:
        check_url(url, ["0.0.0.0/0"], resolve=lambda host: [], unresolved_ok=True)
    assert err.value.reason == "ip_not_canonical"


def test_a_percent_encoded_host_is_read_as_a_client_reads_it():
    with pytest.raises(UrlNotAllowed) as err:
        check_url("http://%31%30.0.0.1/", [], resolve=lambda host: [], unresolved_ok=True)
    assert err.value.reason == "private"


def test_unresolved_names_are_refused_unless_registered_ahead_of_time():
    def nowhere(host):
        raise UrlNotAllowed("unresolved", host)
    assert check_url("http://chua-co.example/", [], resolve=nowhere, unresolved_ok=True) == []
    with pytest.raises(UrlNotAllowed, match="unresolved"):
        check_url("http://chua-co.example/", [], resolve=nowhere)


def test_ipv4_inside_ipv6_is_still_read_as_ipv6():
    with pytest.raises(UrlNotAllowed) as err:
        check_url("http://[::ffff:192.168.1.1]/hook", [], resolve=lambda host: [])
    assert err.value.reason == "ipv4_embedded_private"
