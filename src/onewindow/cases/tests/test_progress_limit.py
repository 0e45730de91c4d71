"""The progress page's guessing limit (#7, point 8): counted where every worker process sees it,
keyed so that one address cannot lock a hall out, and the right code still works after other
addresses' wrong guesses. The rule is in ``cases/progress.py``'s docstring."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import override_settings
from django.utils import timezone, translation

from onewindow.cases.models import LookupCounter
from onewindow.cases.progress import (
    ADDRESS_MAX_FAILURES,
    NUMBER_MAX_FAILURES,
    PAIR_MAX_FAILURES,
    PROGRESS_FAILURE_WINDOW_SECONDS,
    TOO_MANY_MESSAGE,
    TooManyLookups,
    progress_lookup,
)
from onewindow.cases.services import case_accept
from onewindow.core.errors import NotFoundOrForbidden

PAGE = "/progress/"
API = "/api/progress"
JSON = "application/json"
GUESSER = "203.0.113.7"
OWNER = "198.51.100.20"


def fail(number: str, *, address: str, n: int = 1, now: dt.datetime | None = None) -> None:
    """``n`` wrong codes for ``number`` from ``address`` (each one answers "not found")."""
    for attempt in range(n):
        with pytest.raises(NotFoundOrForbidden):
            progress_lookup(number=number, code=f"Z{attempt:05d}", address=address, now=now)


def test_the_limits_are_the_documented_ones():
    assert (PAIR_MAX_FAILURES, ADDRESS_MAX_FAILURES, NUMBER_MAX_FAILURES) == (5, 100, 20)
    assert PROGRESS_FAILURE_WINDOW_SECONDS == 3600


def test_five_wrong_codes_refuse_the_guesser_even_the_right_code_and_nobody_else(client, city):
    case = case_accept(intake=city.intake())
    right = {"number": case.number, "code": case.query_code}
    for attempt in range(PAIR_MAX_FAILURES):
        guess = {"number": case.number, "code": f"A{attempt:05d}"}
        if attempt % 2:  # the page's form, sent by POST, counts exactly like the API
            assert client.post(PAGE, guess, REMOTE_ADDR=GUESSER).status_code == 404
        else:
            assert (
                client.post(API, content_type=JSON, data=guess, REMOTE_ADDR=GUESSER).status_code
                == 404
            )
    page = client.post(PAGE, right, REMOTE_ADDR=GUESSER)
    assert page.status_code == 429
    with translation.override("zh-hans"):
        assert str(TOO_MANY_MESSAGE).split("%(number)s")[0] in page.content.decode()
    assert "既有住宅增设电梯" not in page.content.decode()
    api = client.post(API, content_type=JSON, data=right, REMOTE_ADDR=GUESSER)
    assert (api.status_code, api.json()["code"]) == (429, "too_many_lookups")
    # The right pair from another address works after the guesser's failures.
    owner = client.post(PAGE, right, REMOTE_ADDR=OWNER)
    assert owner.status_code == 200
    assert "既有住宅增设电梯" in owner.content.decode()
    # The guesser's address is not locked out of every case: a citizen behind the same
    # address (a hall's Wi-Fi) still looks up their own case.
    other_case = case_accept(intake=city.intake())
    neighbour = {"number": other_case.number, "code": other_case.query_code}
    assert (
        client.post(API, content_type=JSON, data=neighbour, REMOTE_ADDR=GUESSER).status_code == 200
    )


def test_four_wrong_codes_still_let_the_right_code_through(city):
    case = case_accept(intake=city.intake())
    fail(case.number, address=GUESSER, n=PAIR_MAX_FAILURES - 1)
    found = progress_lookup(number=case.number, code=case.query_code, address=GUESSER)
    assert found.number == case.number


def test_an_address_guessing_across_numbers_is_refused_after_a_hundred_failures(city):
    case = case_accept(intake=city.intake())
    for n in range(ADDRESS_MAX_FAILURES // PAIR_MAX_FAILURES):
        fail(f"44010420261201{n:05d}", address=GUESSER, n=PAIR_MAX_FAILURES)
    with pytest.raises(TooManyLookups):
        progress_lookup(number=case.number, code=case.query_code, address=GUESSER)
    assert progress_lookup(number=case.number, code=case.query_code, address=OWNER)


def test_ninety_nine_failures_across_numbers_do_not_refuse_the_address(city):
    case = case_accept(intake=city.intake())
    for n in range(ADDRESS_MAX_FAILURES // PAIR_MAX_FAILURES - 1):
        fail(f"44010420261201{n:05d}", address=GUESSER, n=PAIR_MAX_FAILURES)
    fail("4401042026120199999", address=GUESSER, n=PAIR_MAX_FAILURES - 1)
    assert progress_lookup(number=case.number, code=case.query_code, address=GUESSER)


def test_a_number_guessed_from_many_addresses_gives_each_guesser_one_try(city):
    case = case_accept(intake=city.intake())
    right = {"number": case.number, "code": case.query_code}
    botnet = [f"192.0.2.{n}" for n in range(1, NUMBER_MAX_FAILURES + 1)]
    for address in botnet:
        fail(case.number, address=address)
    # Each address that failed on this number is refused now, even with the right code.
    with pytest.raises(TooManyLookups):
        progress_lookup(**right, address=botnet[0])
    # A new address gets one wrong try, then it is refused too.
    fail(case.number, address="192.0.2.200")
    with pytest.raises(TooManyLookups):
        progress_lookup(**right, address="192.0.2.200")
    # The owner, who never failed on it, still gets the case.
    assert progress_lookup(**right, address=OWNER).number == case.number


def test_nineteen_failures_on_a_number_leave_other_guessers_their_five_tries(city):
    case = case_accept(intake=city.intake())
    for n in range(1, NUMBER_MAX_FAILURES):
        fail(case.number, address=f"192.0.2.{n}")
    assert progress_lookup(number=case.number, code=case.query_code, address="192.0.2.1")


def test_an_ipv6_subscriber_counts_as_one_address_per_64_network(city):
    case = case_accept(intake=city.intake())
    for n in range(1, PAIR_MAX_FAILURES + 1):
        fail(case.number, address=f"2001:db8:1:2::{n:x}")
    with pytest.raises(TooManyLookups):
        progress_lookup(number=case.number, code=case.query_code, address="2001:db8:1:2::ffff")
    assert progress_lookup(number=case.number, code=case.query_code, address="2001:db8:1:3::1")


def test_failures_count_for_one_hour_from_the_first_one(city):
    case = case_accept(intake=city.intake())
    start = timezone.now()
    fail(case.number, address=GUESSER, n=PAIR_MAX_FAILURES, now=start)
    with pytest.raises(TooManyLookups):
        progress_lookup(
            number=case.number,
            code=case.query_code,
            address=GUESSER,
            now=start + dt.timedelta(seconds=PROGRESS_FAILURE_WINDOW_SECONDS - 1),
        )
    later = start + dt.timedelta(seconds=PROGRESS_FAILURE_WINDOW_SECONDS)
    assert progress_lookup(number=case.number, code=case.query_code, address=GUESSER, now=later)
    # The next failure starts a new window and removes the ended rows.
    fail(case.number, address=GUESSER, now=later)
    assert sorted(LookupCounter.objects.values_list("count", flat=True)) == [1, 1, 1]


def test_the_refusal_names_the_number_the_time_it_ends_and_what_else_to_do(client, city):
    """The refusal is of this number from this network (not the whole network), says when
    it may be tried again (the end of the first failure's hour) and offers the window and the
    hotline; the page shows it in zh-Hans, the API in both languages."""
    case = case_accept(intake=city.intake())
    start = timezone.now()
    fail(case.number, address=GUESSER, n=PAIR_MAX_FAILURES, now=start)
    later = start + dt.timedelta(minutes=10)
    with pytest.raises(TooManyLookups) as refused:
        progress_lookup(number=case.number, code=case.query_code, address=GUESSER, now=later)
    window_end = LookupCounter.objects.order_by("window_ends_at").first().window_ends_at
    assert refused.value.retry_at == window_end
    clock = timezone.localtime(window_end).strftime("%H:%M")
    text = refused.value.as_dict()
    assert text["message"] == (
        f"您所在网络对办件编号 {case.number} 输错查询码的次数过多，{clock} 前不能在此查询该编号。"
        "其他办件编号和其他网络不受影响。如不便等待，可携带身份证到服务中心任一窗口办理，"
        "或拨打 12345 热线。"
    )
    assert text["message_en"] == (
        f"Too many wrong query codes were tried for case number {case.number} from your "
        f"network, so this case number cannot be looked up from here until {clock}. Other case "
        "numbers, and other networks, are not affected. If you cannot wait, bring your ID card "
        "to any window of the service centre, or call the 12345 hotline."
    )
    page = client.post(PAGE, {"number": case.number, "code": case.query_code}, REMOTE_ADDR=GUESSER)
    assert page.status_code == 429
    assert text["message"] in page.content.decode()
    assert "%(" not in page.content.decode()
    api = client.post(
        API,
        content_type=JSON,
        data={"number": case.number, "code": case.query_code},
        REMOTE_ADDR=GUESSER,
    )
    assert api.json()["message_en"] == text["message_en"]


def test_the_retry_time_of_an_address_refused_on_every_number_is_its_own_window(city):
    start = timezone.now()
    for attempt in range(ADDRESS_MAX_FAILURES):
        fail(f"NO-SUCH-{attempt}", address=GUESSER, now=start + dt.timedelta(seconds=attempt))
    case = case_accept(intake=city.intake())
    with pytest.raises(TooManyLookups) as refused:
        progress_lookup(number=case.number, code=case.query_code, address=GUESSER, now=start)
    assert refused.value.retry_at == start + dt.timedelta(seconds=PROGRESS_FAILURE_WINDOW_SECONDS)
    # Not "other case numbers are not affected": here every number is refused from there.
    clock = timezone.localtime(refused.value.retry_at).strftime("%H:%M")
    assert refused.value.as_dict()["message"] == (
        f"您所在网络输错办件编号或查询码的次数过多，{clock} 前不能在此查询任何办件"
        f"（包括办件编号 {case.number}）。如不便等待，可携带身份证到服务中心任一窗口办理，"
        "或拨打 12345 热线。"
    )


def test_successful_and_refused_lookups_count_nothing(city):
    case = case_accept(intake=city.intake())
    for _ in range(PAIR_MAX_FAILURES + 5):
        progress_lookup(number=case.number, code=case.query_code, address=GUESSER)
    assert LookupCounter.objects.count() == 0
    fail(case.number, address=GUESSER, n=PAIR_MAX_FAILURES)
    for _ in range(3):
        with pytest.raises(TooManyLookups):
            progress_lookup(number=case.number, code="Z00000", address=GUESSER)
    assert sorted(LookupCounter.objects.values_list("count", flat=True)) == [5, 5, 5]


def test_the_counters_hold_no_address_or_number_in_clear(city):
    case = case_accept(intake=city.intake())
    fail(case.number, address=GUESSER, n=2)
    keys = list(LookupCounter.objects.values_list("key", flat=True))
    assert len(keys) == 3
    for key in keys:
        assert len(key) == 64
        assert case.number not in key and GUESSER not in key


def test_the_count_survives_a_cleared_process_cache(city):
    """Counting does not live in the process's local cache: clearing every cache of this
    process (what another worker would see: none of it) between failures changes nothing."""
    case = case_accept(intake=city.intake())
    for _attempt in range(PAIR_MAX_FAILURES):
        for cache in caches.all(initialized_only=True):
            cache.clear()
        fail(case.number, address=GUESSER)
    for cache in caches.all(initialized_only=True):
        cache.clear()
    with pytest.raises(TooManyLookups):
        progress_lookup(number=case.number, code=case.query_code, address=GUESSER)


WORKER_SCRIPT = """
import sys
import django

django.setup()
from onewindow.cases.progress import progress_lookup
from onewindow.core.errors import NotFoundOrForbidden

number, address, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
failed = 0
for attempt in range(count):
    try:
        progress_lookup(number=number, code=f"W{attempt:05d}", address=address)
    except NotFoundOrForbidden:
        failed += 1
print(failed)
"""


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    assert connection.vendor == "postgresql"
    user = quote(db["USER"] or "", safe="")
    password = quote(db["PASSWORD"] or "", safe="")
    where = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    return f"postgres://{user}:{password}@{where}/{db['NAME']}"


def run_worker(number: str, address: str, count: int) -> str:
    """Another worker process on the same database: ``count`` wrong codes from ``address``."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="onewindow.config.settings",
        DATABASE_URL=_database_url(),
        TASK_BACKEND="sync",
    )
    env.pop("CACHE_REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", WORKER_SCRIPT, number, address, str(count)],
        env=env,
        cwd=Path(__file__).resolve().parents[4],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.django_db(transaction=True)
def test_failures_counted_by_two_worker_processes_add_up(city):
    case = case_accept(intake=city.intake())
    # Two other processes each fail twice; this one fails once: five in all.
    assert run_worker(case.number, GUESSER, 2) == "2"
    assert run_worker(case.number, GUESSER, 2) == "2"
    fail(case.number, address=GUESSER)
    with pytest.raises(TooManyLookups):
        progress_lookup(number=case.number, code=case.query_code, address=GUESSER)
    # The owner, from another address, still gets the case after the guesser's failures.
    assert progress_lookup(number=case.number, code=case.query_code, address=OWNER)


LIMITS_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "limits": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "progress-limits-test",
    },
}


@override_settings(CACHES=LIMITS_CACHE)
def test_with_a_limits_cache_the_same_rule_counts_in_that_cache(city):
    """With a ``"limits"`` alias (Redis when ``CACHE_REDIS_URL`` is set; a local cache here,
    to check the rule, not the sharing) nothing is written to the database."""
    caches["limits"].clear()
    try:
        case = case_accept(intake=city.intake())
        start = timezone.now()
        fail(case.number, address=GUESSER, n=PAIR_MAX_FAILURES, now=start)
        with pytest.raises(TooManyLookups) as refused:
            progress_lookup(number=case.number, code=case.query_code, address=GUESSER)
        assert refused.value.retry_at == start + dt.timedelta(
            seconds=PROGRESS_FAILURE_WINDOW_SECONDS
        )
        assert progress_lookup(number=case.number, code=case.query_code, address=OWNER)
        caches["default"].clear()
        with pytest.raises(TooManyLookups):
            progress_lookup(number=case.number, code=case.query_code, address=GUESSER)
        assert LookupCounter.objects.count() == 0
    finally:
        caches["limits"].clear()


@override_settings(TRUSTED_PROXIES=["10.0.0.5"])
def test_behind_a_trusted_proxy_the_limit_counts_the_client_the_proxy_saw():
    from django.test import RequestFactory

    from onewindow.cases.progress import client_address

    behind = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7"
    )
    direct = RequestFactory().get("/", REMOTE_ADDR="198.51.100.8")
    assert (client_address(behind), client_address(direct)) == ("198.51.100.7", "198.51.100.8")
