import pytest

from services.runtime.ssrf import UrlNotAllowed, check_url_allowed


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
