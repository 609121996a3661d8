"""Token providers against a Keycloak-like token endpoint on 127.0.0.1."""

import logging
import socket
import threading

import pytest

from crop_confidence.plugin.net.auth import (
    AuthError,
    CdseTokenProvider,
    ClientCredentialsTokenProvider,
    CredentialsRejected,
    TotpRequired,
)
from crop_confidence.plugin.net.http import make_session
from servers.cdse_identity import IdentityServer, LeakGuard

PASSWORD = "pw-Sx81!quartz"
TOTP_PASSWORD = "pw-Otp55?lichen"
TOTP_CODE = "739215"
CLIENT_SECRET = "sh-secret-8c1f0e"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def guard(caplog):
    caplog.set_level(logging.DEBUG)
    leak_guard = LeakGuard(caplog)
    leak_guard.watch(PASSWORD, TOTP_PASSWORD, TOTP_CODE, CLIENT_SECRET)
    yield leak_guard
    leak_guard.check()


@pytest.fixture
def identity(guard):
    server = IdentityServer(expires_in=600, refresh_expires_in=3600)
    server.add_user("alice", PASSWORD)
    server.add_user("bob", TOTP_PASSWORD, totp=TOTP_CODE)
    server.add_client("sh-client", CLIENT_SECRET)
    guard.watch(server)
    with server:
        yield server


def fast_session():
    return make_session(retries=2, backoff_factor=0.01)


def cdse(identity, username="alice", password=PASSWORD, **kwargs):
    kwargs.setdefault("session", fast_session())
    return CdseTokenProvider(username, password, token_url=identity.token_url, **kwargs)


def raised(guard, exc_type, call, match=None):
    with pytest.raises(exc_type, match=match) as info:
        call()
    guard.record(info.value)
    return info.value


def test_password_grant_sends_the_documented_form_and_caches_the_token(identity, guard):
    clock = Clock()
    provider = cdse(identity, clock=clock)

    token = provider.token()

    assert identity.is_valid(token)
    assert identity.requests == [
        {
            "client_id": "cdse-public",
            "grant_type": "password",
            "username": "alice",
            "password": PASSWORD,
        }
    ]
    assert provider.headers() == {"Authorization": f"Bearer {token}"}
    clock.now += 500
    assert provider.token() == token
    assert identity.grants == {"password": 1}
    guard.record(provider)


def test_token_is_refreshed_a_little_before_it_expires(identity):
    clock = Clock()
    provider = cdse(identity, clock=clock)
    first = provider.token()
    first_refresh = identity.issued[1]

    clock.now += 600 - 31  # the margin is a tenth of the lifetime, at most 30 s
    assert provider.token() == first
    clock.now += 2
    second = provider.token()

    assert second != first and identity.is_valid(second)
    assert identity.grants == {"password": 1, "refresh_token": 1}
    assert identity.requests[-1] == {
        "client_id": "cdse-public",
        "grant_type": "refresh_token",
        "refresh_token": first_refresh,
    }


def test_invalidate_gets_a_new_token_through_the_refresh_grant(identity):
    provider = cdse(identity)
    first = provider.token()
    provider.invalidate()
    assert provider.token() != first
    assert identity.grants == {"password": 1, "refresh_token": 1}


def test_invalidating_a_stale_token_keeps_the_renewed_one(identity):
    provider = cdse(identity)
    stale = provider.token()
    provider.invalidate(stale)
    renewed = provider.token()
    provider.invalidate(stale)  # a second download thread reporting the same old token
    assert provider.token() == renewed
    assert identity.grants == {"password": 1, "refresh_token": 1}


def test_refused_refresh_token_falls_back_to_the_password_grant(identity):
    clock = Clock()
    provider = cdse(identity, clock=clock)
    provider.token()
    identity.expire_refresh_tokens()  # the server forgot the session
    clock.now += 600

    assert identity.is_valid(provider.token())
    assert [form["grant_type"] for form in identity.requests] == [
        "password",
        "refresh_token",
        "password",
    ]
    assert identity.grants == {"password": 2}


def test_expired_refresh_token_is_not_even_tried():
    server = IdentityServer(expires_in=300, refresh_expires_in=200)
    server.add_user("alice", PASSWORD)
    with server:
        clock = Clock()
        provider = cdse(server, clock=clock)
        provider.token()
        clock.now += 400
        provider.token()
        assert [form["grant_type"] for form in server.requests] == ["password", "password"]


def test_wrong_password_is_a_clear_error_without_the_password(identity, guard):
    provider = cdse(identity, password="not-the-password")
    guard.watch("not-the-password")

    error = raised(guard, CredentialsRejected, provider.token)

    assert "CDSE rejected the user name or password for 'alice'" in str(error)
    assert "Invalid user credentials" in str(error)
    assert len(identity.requests) == 1  # a 401 is not retried
    assert not provider.has_token


def test_totp_account_asks_the_callback_and_retries_once(identity, guard):
    codes = []

    def totp_callback():
        codes.append(TOTP_CODE)
        return TOTP_CODE

    clock = Clock()
    provider = cdse(identity, "bob", TOTP_PASSWORD, totp_callback=totp_callback, clock=clock)

    assert identity.is_valid(provider.token())
    assert len(codes) == 1
    assert [form.get("totp") for form in identity.requests] == [None, TOTP_CODE]
    assert identity.grants == {"password": 1}

    # Later logins of a known two-factor account ask for the code first: one request.
    identity.expire_refresh_tokens()
    clock.now += 600
    provider.token()
    assert len(codes) == 2
    assert [form.get("totp") for form in identity.requests[2:]] == [None, TOTP_CODE]
    assert identity.requests[2]["grant_type"] == "refresh_token"
    guard.record(provider)


def test_totp_required_flag_asks_for_the_code_on_the_first_login(identity):
    provider = cdse(
        identity, "bob", TOTP_PASSWORD, totp_callback=lambda: TOTP_CODE, totp_required=True
    )
    assert identity.is_valid(provider.token())
    assert [form.get("totp") for form in identity.requests] == [TOTP_CODE]


def test_totp_required_without_callback(identity, guard):
    provider = cdse(identity, "bob", TOTP_PASSWORD)
    error = raised(guard, TotpRequired, provider.token)
    assert "one-time code" in str(error) and "'bob'" in str(error)
    assert len(identity.requests) == 1


def test_totp_prompt_cancelled(identity, guard):
    provider = cdse(identity, "bob", TOTP_PASSWORD, totp_callback=lambda: None)
    error = raised(guard, TotpRequired, provider.token)
    assert "cancelled" in str(error)
    assert len(identity.requests) == 1


def test_wrong_totp_code_is_rejected(identity, guard):
    provider = cdse(identity, "bob", TOTP_PASSWORD, totp_callback=lambda: "000000")
    error = raised(guard, CredentialsRejected, provider.token)
    assert "one-time code" in str(error)
    assert len(identity.requests) == 2


def test_unreachable_login_server_names_the_host(guard):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    provider = CdseTokenProvider(
        "alice",
        PASSWORD,
        token_url=f"http://127.0.0.1:{port}/auth/realms/CDSE/protocol/openid-connect/token",
        session=fast_session(),
    )
    error = raised(guard, AuthError, provider.token)
    assert "Could not reach the CDSE login server 127.0.0.1 (Connection refused)" in str(error)
    assert "internet connection" in str(error)


def test_token_endpoint_503_is_retried_then_succeeds(identity):
    identity.forced.append((503, {"Retry-After": "0"}, {"error": "unavailable"}))
    provider = cdse(identity)
    assert identity.is_valid(provider.token())
    assert len(identity.requests) == 2


def test_token_endpoint_failing_after_retries(identity, guard):
    identity.forced += [(500, {}, {"error": "server_error"})] * 3
    provider = cdse(identity)
    error = raised(guard, AuthError, provider.token)
    assert "answered HTTP 500" in str(error) and "try again later" in str(error)
    assert len(identity.requests) == 3  # first try + 2 retries


def test_repr_shows_no_secret(identity):
    provider = cdse(identity)
    provider.token()
    text = repr(provider) + str(provider)
    assert "alice" in text and "has_token=True" in text
    assert PASSWORD not in text
    assert not any(secret in text for secret in identity.issued)


def test_concurrent_callers_share_one_grant(identity):
    identity.delay = 0.1
    provider = cdse(identity)
    tokens = []
    start = threading.Barrier(8)

    def caller():
        start.wait()
        tokens.append(provider.token())

    threads = [threading.Thread(target=caller) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(tokens)) == 1 and len(tokens) == 8
    assert identity.grants == {"password": 1}


def test_client_credentials_grant_and_renewal(identity, guard):
    clock = Clock()
    provider = ClientCredentialsTokenProvider(
        "sh-client",
        CLIENT_SECRET,
        token_url=identity.token_url,
        session=fast_session(),
        clock=clock,
    )
    first = provider.token()
    assert identity.is_valid(first)
    assert identity.requests == [
        {
            "grant_type": "client_credentials",
            "client_id": "sh-client",
            "client_secret": CLIENT_SECRET,
        }
    ]
    clock.now += 560
    assert provider.token() == first
    clock.now += 20
    second = provider.token()
    assert second != first
    assert identity.grants == {"client_credentials": 2}
    assert all(form["grant_type"] == "client_credentials" for form in identity.requests)
    assert CLIENT_SECRET not in repr(provider) and first not in repr(provider)
    guard.record(provider)


def test_client_credentials_rejected(identity, guard):
    provider = ClientCredentialsTokenProvider(
        "sh-client", "wrong-secret", token_url=identity.token_url, session=fast_session()
    )
    guard.watch("wrong-secret")
    error = raised(guard, CredentialsRejected, provider.token)
    assert "Sentinel Hub rejected the OAuth client id 'sh-client'" in str(error)


def test_leak_guard_catches_a_logged_secret(caplog):
    caplog.set_level(logging.DEBUG)
    leak_guard = LeakGuard(caplog)
    leak_guard.watch(PASSWORD)
    logging.getLogger("crop_confidence.test").debug("oops %s", PASSWORD)
    with pytest.raises(AssertionError, match="secrets leaked"):
        leak_guard.check()
    caplog.clear()
    leak_guard.record(RuntimeError(f"bad {PASSWORD}"))
    with pytest.raises(AssertionError, match="secrets leaked"):
        leak_guard.check()


def test_keycloak_wording_for_a_missing_code_still_asks_for_one(guard):
    # Keycloak's OTP step may answer a missing code like a wrong password.
    server = IdentityServer(missing_totp="Invalid user credentials")
    server.add_user("bob", TOTP_PASSWORD, totp=TOTP_CODE)
    asked = []

    def totp_callback(uncertain=False):
        asked.append(uncertain)
        return TOTP_CODE

    with server:
        provider = cdse(server, "bob", TOTP_PASSWORD, totp_callback=totp_callback)
        assert server.is_valid(provider.token())
        assert asked == [True]
        assert [form.get("totp") for form in server.requests] == [None, TOTP_CODE]
        # Now known to need a code: the next login asks first, in one request.
        server.expire_refresh_tokens()
        provider.invalidate(provider.token())
        provider.token()
        assert asked == [True, False]
        assert server.requests[-1]["totp"] == TOTP_CODE
        guard.record(provider)


def test_wrong_password_with_a_prompt_the_user_cancels(identity, guard):
    asked = []

    def totp_callback(uncertain=False):
        asked.append(uncertain)

    provider = cdse(identity, "alice", "not-the-password", totp_callback=totp_callback)
    error = raised(guard, CredentialsRejected, provider.token)
    assert "CDSE rejected the user name or password for 'alice'" in str(error)
    assert asked == [True]
    assert len(identity.requests) == 1
