from django.urls import reverse


def test_pages_carry_a_strict_content_security_policy(client, db):
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_pages_have_no_inline_script_the_policy_would_block(client, db):
    page = client.get(reverse("home")).content.decode()
    assert "onchange=" not in page and "onclick=" not in page
    assert "<script>" not in page
