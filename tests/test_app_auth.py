"""Failed logins are throttled per user and per address, over HTTP as a script or the login page sends them."""

from __future__ import annotations

import httpx
import pytest
from browser_helpers import running_app

from qa.app.auth import LoginThrottle


class FakeClock:
    """A monotonic clock the test moves by hand, so lockouts pass without waiting."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def login_url(fake_assistant, tmp_path, clock):
    logins = tmp_path / "logins.txt"
    logins.write_text("reviewer:pa55word\neditor:ed1tor\n", encoding="utf-8")
    fake_assistant.settings = fake_assistant.settings.updated(app__auth_file=logins)
    with running_app(fake_assistant, login_throttle=LoginThrottle(clock=clock)) as url:
        yield f"{url}login"


def login(url: str, user: str, password: str, multipart: bool = False) -> httpx.Response:
    """POST the login form: URL-encoded as scripts (gradio_client, curl) send it, or multipart as the page does."""
    if multipart:
        return httpx.post(url, files={"username": (None, user), "password": (None, password)}, timeout=30)
    return httpx.post(url, data={"username": user, "password": password}, timeout=30)


def test_five_wrong_passwords_lock_the_user_for_a_growing_delay(login_url, clock):
    for attempt in range(5):
        assert login(login_url, "reviewer", f"guess{attempt}").status_code == 400
    refused = login(login_url, "reviewer", "pa55word")  # even the right password, or guessing would go on
    assert refused.status_code == 429 and refused.headers["retry-after"] == "30"
    assert refused.json()["detail"] == (
        "Logins are paused: too many failed logins for this user or from this address. Try again in 30 s."
    )
    assert login(login_url, "editor", "ed1tor").status_code == 200  # another user is not locked out

    clock.now += 31
    assert login(login_url, "reviewer", "pa55word").status_code == 200
    for attempt in range(5):
        assert login(login_url, "reviewer", f"again{attempt}", multipart=True).status_code == 400
    second = login(login_url, "reviewer", "pa55word")
    assert second.status_code == 429 and second.json()["detail"].endswith("Try again in 60 s.")  # twice as long
    clock.now += 31
    assert login(login_url, "reviewer", "pa55word", multipart=True).status_code == 429
    clock.now += 30
    assert login(login_url, "reviewer", "pa55word").status_code == 200


def test_failures_spread_over_many_names_lock_the_address(login_url):
    for i in range(20):
        assert login(login_url, f"user{i}", "password").status_code == 400
    refused = login(login_url, "editor", "ed1tor")
    assert refused.status_code == 429 and "from this address" in refused.json()["detail"]


def test_failures_older_than_the_window_do_not_count(login_url, clock):
    for attempt in range(4):
        assert login(login_url, "reviewer", f"guess{attempt}").status_code == 400
    clock.now += 61
    assert login(login_url, "reviewer", "guess4").status_code == 400
    assert login(login_url, "reviewer", "pa55word").status_code == 200


def test_login_page_states_the_rule(login_url):
    refused = httpx.get(login_url.removesuffix("login") + "config", timeout=30).json()  # before logging in
    assert "After 5 wrong passwords for a user within 60 seconds" in refused["detail"]["auth_message"]


def test_idle_records_are_forgotten(clock):
    throttle = LoginThrottle(clock=clock)
    for i in range(1_000):
        throttle.failed(f"user{i}", "10.0.0.1")
    clock.now += throttle.forget_s + throttle.max_delay_s
    assert throttle.wait_s("someone", "10.0.0.2") == 0
    assert len(throttle._records) == 0


def test_the_login_page_carries_the_script_that_says_logins_are_paused(login_url):
    page = httpx.get(login_url.removesuffix("login"), timeout=30)
    assert page.status_code == 200 and int(page.headers["content-length"]) == len(page.content)
    head = page.text.split("</head>")[0]
    assert "qa-login-paused" in head and "retry-after" in head
