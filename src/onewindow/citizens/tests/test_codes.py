"""Sign-in codes: one-time, expiring, limited tries, sending limits, no account enumeration."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from onewindow.citizens import services
from onewindow.citizens.errors import CodeRefused, TooManyCodes
from onewindow.citizens.models import AccessToken, CitizenAccount, SignInCode
from onewindow.citizens.tests.conftest import OTHER_PHONE, PHONE, api_post, last_code
from onewindow.core.errors import ValidationFailed
from onewindow.core.models import AuditLog
from onewindow.notify.models import Notification

pytestmark = pytest.mark.django_db
ADDRESS = "203.0.113.7"


def test_the_first_right_code_creates_the_account_and_signs_in():
    sent = services.sign_in_code_request(phone=PHONE, address=ADDRESS)
    assert (sent.resend_after, sent.expires_in) == (60, 300)
    assert CitizenAccount.objects.count() == 0
    done = services.sign_in_with_code(phone=PHONE, code=last_code(), address=ADDRESS)
    assert done.created is True
    account = CitizenAccount.objects.get()
    assert account.phone_masked == "139****5678"
    assert PHONE not in account.phone_encrypted and PHONE not in account.phone_index
    assert done.token.account == account
    assert done.token.token_hash != done.secret
    assert set(AuditLog.objects.values_list("action", flat=True)) >= {
        "citizens.code_sent",
        "citizens.account_create",
        "citizens.sign_in",
    }


def test_the_code_is_stored_only_hashed_and_masked_in_what_the_outbox_shows():
    services.sign_in_code_request(phone=PHONE, address=ADDRESS)
    code = last_code()
    row = SignInCode.objects.get()
    assert code not in row.code_hash
    message = Notification.objects.get()
    assert code not in message.text_shown
    assert "******" in message.text_shown
    assert message.recipient_masked == "139****5678"


def test_a_replayed_code_is_refused_and_signs_nobody_in_again():
    services.sign_in_code_request(phone=PHONE, address=ADDRESS)
    code = last_code()
    services.sign_in_with_code(phone=PHONE, code=code, address=ADDRESS)
    with pytest.raises(CodeRefused) as refused:
        services.sign_in_with_code(phone=PHONE, code=code, address=ADDRESS)
    assert refused.value.code == "code_used"
    assert AccessToken.objects.count() == 1


def test_an_expired_code_is_refused_in_chinese_and_english_and_writes_nothing(client):
    past = timezone.now() - dt.timedelta(minutes=6)
    services.sign_in_code_request(phone=PHONE, address=ADDRESS, now=past)
    answer = api_post(client, "tokens", {"phone": PHONE, "code": last_code()})
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "code_expired"
    assert body["message"] == "验证码已过期（验证码 5 分钟内有效）。请重新获取验证码。"
    assert body["message_en"] == (
        "The code has expired (codes work for 5 minutes). Ask for a new code."
    )
    assert CitizenAccount.objects.count() == 0
    assert AccessToken.objects.count() == 0
    assert SignInCode.objects.get().used_at is None
    assert AuditLog.objects.filter(action="denied:citizens.sign_in", allowed=False).count() == 1


def test_wrong_codes_are_counted_and_the_fifth_kills_the_code():
    services.sign_in_code_request(phone=PHONE, address=ADDRESS)
    right = last_code()
    wrong = "000000" if right != "000000" else "111111"
    lefts = []
    for _ in range(4):
        with pytest.raises(CodeRefused) as refused:
            services.sign_in_with_code(phone=PHONE, code=wrong, address=ADDRESS)
        lefts.append((refused.value.code, refused.value.params["left"]))
    assert lefts == [("code_wrong", 4), ("code_wrong", 3), ("code_wrong", 2), ("code_wrong", 1)]
    with pytest.raises(CodeRefused) as fifth:
        services.sign_in_with_code(phone=PHONE, code=wrong, address=ADDRESS)
    assert fifth.value.code == "code_locked"
    with pytest.raises(CodeRefused) as even_right:
        services.sign_in_with_code(phone=PHONE, code=right, address=ADDRESS)
    assert even_right.value.code == "code_locked"
    assert CitizenAccount.objects.count() == 0
    assert SignInCode.objects.get().attempts == 5


def test_a_code_of_another_number_does_not_sign_in():
    services.sign_in_code_request(phone=PHONE, address=ADDRESS)
    code = last_code()
    with pytest.raises(CodeRefused) as refused:
        services.sign_in_with_code(phone=OTHER_PHONE, code=code, address=ADDRESS)
    assert refused.value.code == "code_missing"


def test_only_the_newest_code_works():
    earlier = timezone.now() - dt.timedelta(seconds=90)
    services.sign_in_code_request(phone=PHONE, address=ADDRESS, now=earlier)
    first = last_code()
    services.sign_in_code_request(phone=PHONE, address=ADDRESS)
    second = last_code()
    if first != second:
        with pytest.raises(CodeRefused):
            services.sign_in_with_code(phone=PHONE, code=first, address=ADDRESS)
    assert services.sign_in_with_code(phone=PHONE, code=second, address=ADDRESS).created


def test_a_malformed_code_or_number_is_refused_before_anything_is_counted():
    services.sign_in_code_request(phone=PHONE, address=ADDRESS)
    with pytest.raises(ValidationFailed) as bad_code:
        services.sign_in_with_code(phone=PHONE, code="12ab", address=ADDRESS)
    assert [e.code for e in bad_code.value.errors] == ["invalid_code"]
    with pytest.raises(ValidationFailed) as bad_phone:
        services.sign_in_code_request(phone="020-81234567", address=ADDRESS)
    assert [e.code for e in bad_phone.value.errors] == ["invalid_mobile"]
    assert SignInCode.objects.get().attempts == 0
    assert SignInCode.objects.count() == 1


def test_one_code_a_minute_per_number():
    now = timezone.now()
    services.sign_in_code_request(phone=PHONE, address=ADDRESS, now=now)
    with pytest.raises(TooManyCodes) as refused:
        services.sign_in_code_request(
            phone=PHONE, address="198.51.100.1", now=now + dt.timedelta(seconds=20)
        )
    assert refused.value.reason == "resend_too_soon"
    assert refused.value.params["seconds"] == 40
    assert SignInCode.objects.count() == 1
    services.sign_in_code_request(phone=PHONE, address=ADDRESS, now=now + dt.timedelta(seconds=61))
    assert SignInCode.objects.count() == 2


def test_ten_codes_a_day_per_number(settings):
    start = timezone.now() - dt.timedelta(hours=20)
    for minute in range(10):
        services.sign_in_code_request(
            phone=PHONE,
            address=f"198.51.100.{minute}",
            now=start + dt.timedelta(minutes=2 * minute),
        )
    with pytest.raises(TooManyCodes) as refused:
        services.sign_in_code_request(phone=PHONE, address="192.0.2.1")
    assert refused.value.reason == "per_day"
    assert SignInCode.objects.count() == 10
    assert AuditLog.objects.filter(action="denied:citizens.code_send").count() == 1


def test_codes_per_client_address_are_limited_across_numbers(settings):
    settings.CITIZEN_CODES_PER_ADDRESS_HOUR = 3
    for serial in range(3):
        services.sign_in_code_request(phone=f"1391234000{serial}", address=ADDRESS)
    with pytest.raises(TooManyCodes) as refused:
        services.sign_in_code_request(phone="13912340009", address=ADDRESS)
    assert refused.value.reason == "per_address"
    assert refused.value.status == 429
    services.sign_in_code_request(phone="13912340009", address="198.51.100.9")


def test_asking_for_a_code_answers_the_same_for_a_number_with_and_without_an_account():
    services.sign_in_code_request(phone=PHONE, address=ADDRESS)
    services.sign_in_with_code(phone=PHONE, code=last_code(), address=ADDRESS)
    assert CitizenAccount.objects.filter(phone_masked="139****5678").exists()

    def ask(phone: str) -> tuple[int, bytes, str]:
        answer = api_post(Client(REMOTE_ADDR="198.51.100.20"), "codes", {"phone": phone})
        return answer.status_code, answer.content, answer["Cache-Control"]

    later = timezone.now() + dt.timedelta(minutes=2)
    SignInCode.objects.update(created_at=later - dt.timedelta(minutes=5))
    with_account = ask(PHONE)
    without_account = ask(OTHER_PHONE)
    assert with_account == without_account
    assert with_account[0] == 202
    assert with_account[1] == b'{"resend_after": 60, "expires_in": 300}'
    # Refusals by the limits are the same, too.
    assert ask(PHONE) == ask(OTHER_PHONE)
    assert ask(PHONE)[0] == 429
