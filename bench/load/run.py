"""Load test: the app under gunicorn (2 workers) on a grown copy of the demo, driven over HTTP.

Run: ``make load`` (or ``python bench/load/run.py [--seconds 20] [--users 4]``).

1. Builds a database in a temporary directory: migrations, the Bolton demo, then
   bench/load/grow.py up to 10,000 services and 50,000 referrals. SQLite by default;
   ``LOAD_DATABASE_URL=postgresql://…`` uses that database instead (its public
   schema is dropped and rebuilt: give it a throw-away database).
2. Serves it with ``gunicorn --workers 2 wsgi:app`` on 127.0.0.1 (a free port).
3. ``--users`` concurrent clients per scenario send requests for ``--seconds`` each
   (after a 2 s warm-up that is not counted): wrk (bench/load/wrk_driver.py) for the
   first three scenarios when it is installed, otherwise threads of this process;

   - search: signed-in school staff POST /search (CSRF token, postcode, needs, age);
   - search+capacity: the same search while a thread of this process changes capacity
     (takes a place, gives one back or saves new figures, each committed) at
     ``--change-rate`` a second (5): each change is patched into every worker's index;
   - family page: POST /progress/<token> with the right date of birth, the page a
     family sees once the check is done (the app keeps no state after the check);
   - provider inbox: GET /referrals/inbox as the NHS trust's manager;
   - send referral: the final step of the form, POST /referrals/drafts/<id>/check,
     on complete drafts cloned from one made through the whole form over HTTP.

4. Prints requests a second, p50/p95/p99 and errors per scenario, checks that every
   referral sent arrived in the database (zero lost), stops gunicorn and exits 1 on
   any error or lost referral.
"""

from __future__ import annotations

import argparse
import copy
import http.client
import os
import queue
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.load.results import Result  # noqa: E402
from bench.load.wrk_driver import WrkRequest, drive_wrk  # noqa: E402
from bench.load.wrk_driver import available as wrk_available  # noqa: E402

PASSWORD = "demo-password"  # noqa: S105  (the public demo log-ins)
STAFF = "staff.tongemoor@demo.familyhub.test"
PROVIDER = "manager.nhs@demo.familyhub.test"
NEEDS = ["MHW", "SEMH", "SEND", "HOUSING", "PARENTING", "MONEY", "HEALTH", "ACTIVITY",
         "MHW.ANX", "SEND.AUTISM", "ATTEND.PERSIST", "CARERS"]
# Importing the app takes 2 to 3 s of CPU; on cores shared with other work, over 30 s.
START_SECONDS = 180
WORKER_TIMEOUT = 300
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


# --- A small HTTP client: one connection a request (gunicorn's sync workers close them) --


@dataclass
class Client:
    host: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 30

    def request(self, method: str, path: str, form: list[tuple[str, str]] | None = None,
                ) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        headers = {"Host": f"{self.host}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key] = rest.split(";", 1)[0]
            return response.status, {k.lower(): v for k, v in response.getheaders()}, text
        finally:
            connection.close()

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def csrf(self, path: str) -> str:
        status, _, text = self.request("GET", path)
        match = CSRF.search(text)
        if status != 200 or not match:
            raise RuntimeError(f"no CSRF token on {path} ({status})")
        return match.group(1) or match.group(2)

    def log_in(self, email: str) -> None:
        token = self.csrf("/login")
        status, _, _ = self.request(
            "POST", "/login", [("csrf_token", token), ("email", email), ("password", PASSWORD)]
        )
        if status != 302:
            raise RuntimeError(f"could not sign in as {email} ({status})")


# --- The served app -------------------------------------------------------------------


def _run(env: dict[str, str], *args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stderr}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prepare_database(workdir: Path, url: str | None, services: int, referrals: int,
                     env: dict[str, str]) -> str:
    if url is None:
        url = f"sqlite:///{workdir / 'load.db'}"
    else:
        from sqlalchemy import create_engine, text

        from hub.settings import normalise_database_url

        engine = create_engine(normalise_database_url(url))
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    env["DATABASE_URL"] = url
    started = time.perf_counter()
    _run(env, "db", "upgrade")
    _run(env, "demo", "load")
    print(f"demo loaded in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    from bench.load.grow import grow
    from hub import create_app
    from hub.extensions import db

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": env["SECRET_KEY"]})
    with app.app_context():
        grown = grow(db.session, services, referrals)
        db.session.commit()
        db.engine.dispose()
    print(f"grown by {grown.services} services, {grown.referrals} referrals and "
          f"{grown.children} children in {time.perf_counter() - started:.1f} s", flush=True)
    return url


@contextmanager
def served(env: dict[str, str], workers: int, workdir: Path) -> Iterator[Client]:
    port = _free_port()
    log = (workdir / "gunicorn.log").open("wb")
    # A worker's first search reads and indexes the whole directory (seconds at 100,000
    # services, more on shared cores): gunicorn's default 30 s would kill it mid-read.
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
         f"127.0.0.1:{port}", "--backlog", "256", "--timeout", str(WORKER_TIMEOUT),
         "wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        client = Client("127.0.0.1", port)
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                if client.request("GET", "/login")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                # The work folder (and the log in it) is removed on the way out: show it.
                log.flush()
                tail = (workdir / "gunicorn.log").read_text(errors="replace")[-3000:]
                raise SystemExit(f"gunicorn did not start in {START_SECONDS} s:\n{tail}")
            time.sleep(0.2)
        yield client
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


# --- Set-up through the app and the database -------------------------------------------


# Answers for every step of the referral form before "Choose services" (a test checks
# that no step is missing: a new step would make every send a 400).
FORM_STEPS: list[tuple[str, list[tuple[str, str]]]] = [
    ("child", [("first_name", "Load"), ("last_name", "Template"), ("dob-day", "2"),
               ("dob-month", "5"), ("dob-year", "2014"), ("home_postcode", "BL1 1SE"),
               ("attendance_concern", "no"), ("missing_education", "no")]),
    ("family", [("carer-0-name", "Load Parent"), ("carer-0-relationship", "Mother"),
                ("carer-0-parental_responsibility", "yes"),
                ("carer-0-phone", "07700 900982")]),
    ("needs", [("needs", "MHW"), ("needs", "HOUSING"), ("family_wants", "Support")]),
    ("urgency", [("urgent", "MHW")]),
    ("profile", [("strengths", "Music")]),
    ("risk", [("to_self_level", "low"), ("to_others_level", "none"),
              ("from_others_level", "none")]),
    ("safeguarding", [("significant_harm", "no")]),
    ("consent", [("lawful_basis", "consent"), ("family_agreed", "yes"),
                 ("agreed_by", "Parent")]),
    ("contact", [("person", "carer-0"), ("ways", "phone"), ("times", "After school")]),
]


def send_fields(send_key: str) -> list[tuple[str, str]]:
    """The check-your-answers page's fields that send a complete draft."""
    return [("send_key", send_key), ("declaration", "yes")]


def make_draft_over_http(client: Client) -> int:
    """Go through every step of the referral form once; return the completed draft's id."""
    token = client.csrf("/referrals/new")
    start_page = client.request("GET", "/referrals/new")[2]
    key = re.search(r'name="start_key" value="([^"]+)"', start_page)
    assert key is not None
    status, headers, _ = client.request(
        "POST", "/referrals/new", [("csrf_token", token), ("start_key", key.group(1))]
    )
    assert status == 302, status
    base = headers["location"].rsplit("/", 1)[0]
    base = urllib.parse.urlsplit(base).path
    for step, data in FORM_STEPS:
        status, _, _ = client.request("POST", f"{base}/{step}", [("csrf_token", token), *data])
        assert status == 302, (step, status)
    page = client.request("GET", f"{base}/providers")[2]
    choices = []
    for code in ("MHW", "HOUSING"):
        match = re.search(rf'name="need-{re.escape(code)}" type="radio" value="(\d+)"', page)
        if match:
            choices.append((f"need-{code}", match.group(1)))
    status, _, _ = client.request("POST", f"{base}/providers", [("csrf_token", token), *choices])
    assert status == 302, ("providers", status)
    return int(base.rsplit("/", 1)[1])


def clone_drafts(url: str, secret: str, template_id: int, count: int,
                 ) -> tuple[list[tuple[int, str]], int]:
    """``count`` complete drafts like the template, each for a new child: ([(id, send key)],
    how many referrals sending one makes)."""
    from sqlalchemy import func, insert, select

    from hub import create_app
    from hub.extensions import db
    from routing.referrals.models import ReferralRequest

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secret})
    with app.app_context():
        session = db.session
        template = session.get(ReferralRequest, template_id)
        assert template is not None
        per_draft = len(set(template.answers["providers"].values()))
        first_draft = int(session.execute(select(func.max(ReferralRequest.id))).scalar_one()) + 1

        def answers_for(n: int) -> dict[str, object]:
            # A draft keeps its child as typed until it is sent (no child row yet):
            # each clone is a different child, so sending never asks "same child?".
            answers = copy.deepcopy(template.answers)
            answers["child"]["first_name"] = f"Send{n}"
            answers["child"]["last_name"] = "Load"
            for key in ("upn", "nhs_number", "existing_child_id"):
                answers["child"].pop(key, None)
            return answers

        drafts = [
            {"id": first_draft + n, "start_key": secrets.token_urlsafe(24),
             "send_key": secrets.token_urlsafe(24), "status": template.status,
             "child_id": None, "school_id": template.school_id,
             "referrer_id": template.referrer_id, "answers": answers_for(n)}
            for n in range(count)
        ]
        session.execute(insert(ReferralRequest), drafts)
        session.commit()
        db.engine.dispose()
    return [(d["id"], d["send_key"]) for d in drafts], per_draft


def issue_progress_links(url: str, secret: str, count: int) -> list[tuple[str, date]]:
    """Progress links for children with two or more referrals still open: (token, date of birth).

    A link whose referrals all closed long ago has expired: a check on it counts as a
    failure, and five failures lock out the address (127.0.0.1 here) for 15 minutes.
    """
    from sqlalchemy import func, select

    from hub import create_app
    from hub.extensions import db
    from routing.referrals.models import Child, ProgressLink, Referral, Status
    from routing.referrals.progress import hash_token

    open_statuses = [s for s in Status if not s.ended and s is not Status.DRAFT]

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secret})
    links = []
    with app.app_context():
        rows = db.session.execute(
            select(Referral.child_id, func.min(Referral.referrer_id))
            .where(Referral.status.in_(open_statuses))
            .group_by(Referral.child_id).having(func.count(Referral.id) >= 2)
            .order_by(Referral.child_id).limit(count)
        ).all()
        for child_id, referrer_id in rows:
            token = secrets.token_urlsafe(32)
            # A link shows only the referrals chosen when it was made: choose the
            # referrer's open ones, as staff would.
            chosen = db.session.execute(select(Referral).where(
                Referral.child_id == child_id, Referral.referrer_id == referrer_id,
                Referral.status.in_(open_statuses))).scalars().all()
            db.session.add(ProgressLink(token_hash=hash_token(token), child_id=child_id,
                                        referrer_id=referrer_id, referrals=list(chosen)))
            child = db.session.get(Child, child_id)
            assert child is not None
            links.append((token, child.date_of_birth))
        db.session.commit()
        db.engine.dispose()
    return links


def count_referrals(url: str, secret: str) -> int:
    from sqlalchemy import func, select

    from hub import create_app
    from hub.extensions import db
    from routing.referrals.models import Referral

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secret})
    with app.app_context():
        total = int(db.session.execute(select(func.count(Referral.id))).scalar_one())
        db.engine.dispose()
    return total


class CapacityChanges:
    """Providers changing capacity at ``rate`` a second while another scenario runs: a
    thread of this process taking a place (an acceptance), giving one back (a close) or
    saving new figures, each committed on its own, as the app's operations do."""

    def __init__(self, url: str, secret: str, rate: float) -> None:
        self._url, self._secret, self._interval = url, secret, 1.0 / rate
        self._stop = threading.Event()
        self.made = 0
        self.errors: list[str] = []
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from sqlalchemy import select

        from hub import create_app
        from hub.extensions import db
        from routing.referrals import capacity as places
        from services.capacity_ops import update_capacity
        from services.listings import Capacity, Service

        rng = secrets.SystemRandom()
        app = create_app({"DATABASE_URL": self._url, "SECRET_KEY": self._secret})
        with app.app_context():
            ids = list(db.session.execute(select(Capacity.service_id)).scalars())
            due = time.perf_counter()
            while not self._stop.is_set():
                service_id = rng.choice(ids)
                try:
                    kind = rng.randrange(3)
                    if kind == 0:  # an acceptance, or a close when none is free
                        if not places.take_place(db.session, service_id):
                            places.free_place(db.session, service_id)
                    elif kind == 1:
                        places.free_place(db.session, service_id)
                    else:
                        service = db.session.get(Service, service_id)
                        assert service is not None
                        update_capacity(db.session, service, accepting=rng.random() < 0.9,
                                        free_places=rng.randint(0, 12),
                                        waitlist_length=rng.randint(0, 20),
                                        typical_wait_days=rng.randint(5, 60), user_id=None,
                                        user_name="Load generator")
                    db.session.commit()
                    self.made += 1
                except Exception as error:  # counted and reported, the run goes on
                    db.session.rollback()
                    self.errors.append(repr(error))
                due += self._interval
                self._stop.wait(max(0.0, due - time.perf_counter()))
            db.engine.dispose()

    @contextmanager
    def running(self) -> Iterator[CapacityChanges]:
        started = time.perf_counter()
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join()
            self.seconds = time.perf_counter() - started


# --- The driver -----------------------------------------------------------------------


Call = Callable[[], tuple[bool, str]]


def drive(name: str, calls: list[Call], seconds: float, warmup: float = 2.0) -> Result:
    """Run each call in its own thread in a loop; count only after the warm-up."""
    result = Result(name, seconds)
    lock = threading.Lock()
    start = time.perf_counter() + warmup
    stop = start + seconds

    sent = [0]

    def loop(call: Call) -> None:
        while True:
            began = time.perf_counter()
            if began >= stop:
                return
            try:
                with lock:
                    sent[0] += 1
                ok, why = call()
            except (OSError, http.client.HTTPException) as error:
                ok, why = False, type(error).__name__
            except queue.Empty:
                return
            ended = time.perf_counter()
            if began < start:
                continue
            with lock:
                if ok:
                    result.latencies.append((ended - began) * 1000)
                else:
                    result.errors[why] = result.errors.get(why, 0) + 1

    threads = [threading.Thread(target=loop, args=(call,), daemon=True) for call in calls]
    cpu = time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.driver_cpu_ms = (time.process_time() - cpu) * 1000 / max(sent[0], 1)
    result.latencies = result.latencies or []
    return result


def main() -> int:
    # Links are never built from the Host header; the app needs its address given.
    os.environ.setdefault("PUBLIC_BASE_URL", "http://127.0.0.1")
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20, help="per scenario")
    parser.add_argument("--users", type=int, default=4, help="threads per scenario")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--referrals", type=int, default=50_000)
    parser.add_argument("--drafts", type=int, default=3_000, help="drafts ready to send")
    parser.add_argument("--only", default="", help="comma-separated scenarios to run "
                        "(search, mixed, family, inbox, send); all by default")
    parser.add_argument("--change-rate", type=float, default=5.0,
                        help="capacity changes a second during the mixed scenario")
    parser.add_argument("--generator", choices=("auto", "wrk", "python"), default="auto",
                        help="wrk (Debian's package) for search, family page and inbox when "
                        "it is installed (auto), or Python threads for every scenario")
    options = parser.parse_args()
    use_wrk = options.generator == "wrk" or (options.generator == "auto" and wrk_available())
    if use_wrk and not wrk_available():
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    only = {name.strip() for name in options.only.split(",") if name.strip()}

    def wanted(name: str) -> bool:
        return not only or name in only

    workdir = Path(tempfile.mkdtemp(prefix="family-hub-load-"))
    secret = secrets.token_hex(32)
    env = {k: v for k, v in os.environ.items() if k != "FAMILY_HUB_DEMO"}
    env.update(SECRET_KEY=secret, SESSION_COOKIE_SECURE="0", FLASK_APP="wsgi:app")
    try:
        url = prepare_database(workdir, os.environ.get("LOAD_DATABASE_URL"),
                               options.services, options.referrals, env)
        backend = url.split(":", 1)[0]
        # Only what the chosen scenarios use: links for the family page, drafts for send.
        links = issue_progress_links(url, secret, 50) if wanted("family") else []
        with served(env, options.workers, workdir) as anonymous:
            staff = Client(anonymous.host, anonymous.port)
            staff.log_in(STAFF)
            staff_token = staff.csrf("/search")
            provider = Client(anonymous.host, anonymous.port)
            provider.log_in(PROVIDER)
            drafts: queue.Queue[tuple[int, str]] = queue.Queue()
            per_draft = 0
            if wanted("send"):
                template = make_draft_over_http(staff)
                ready, per_draft = clone_drafts(url, secret, template, options.drafts)
                for draft in ready:
                    drafts.put(draft)
            postcodes = _postcodes(url, secret)
            started = time.perf_counter()
            warm_workers(staff, staff_token, postcodes, options.workers)
            print(f"every worker read and indexed the directory in "
                  f"{time.perf_counter() - started:.1f} s", flush=True)
            print(f"serving on 127.0.0.1:{anonymous.port} with {options.workers} workers "
                  f"({backend}); {options.users} users a scenario, {options.seconds:.0f} s each",
                  flush=True)

            def search() -> tuple[bool, str]:
                rng = secrets.SystemRandom()
                form = search_form(staff_token, rng.choice(postcodes), rng)
                status, _, text = Client(staff.host, staff.port, dict(staff.cookies)).request(
                    "POST", "/search", form)
                ok = status == 200 and "found" in text and "There is a problem" not in text
                return ok, f"HTTP {status}" if status != 200 else "no results page"

            def family_call() -> Call:
                token, born = links[secrets.randbelow(len(links))]
                family = Client(anonymous.host, anonymous.port)
                csrf = family.csrf(f"/progress/{token}")
                form = [("csrf_token", csrf), ("dob-day", str(born.day)),
                        ("dob-month", str(born.month)), ("dob-year", str(born.year))]

                def call() -> tuple[bool, str]:
                    status, _, text = family.request("POST", f"/progress/{token}", form)
                    return status == 200 and "Reference" in text, f"HTTP {status}"
                return call

            def inbox() -> tuple[bool, str]:
                status, _, text = Client(provider.host, provider.port,
                                         dict(provider.cookies)).request(
                    "GET", "/referrals/inbox")
                return status == 200 and "Referral inbox" in text, f"HTTP {status}"

            sent: list[int] = []

            def send() -> tuple[bool, str]:
                draft_id, key = drafts.get_nowait()
                status, headers, _ = Client(staff.host, staff.port, dict(staff.cookies)).request(
                    "POST", f"/referrals/drafts/{draft_id}/check",
                    [("csrf_token", staff_token), *send_fields(key)])
                ok = status == 302 and headers.get("location", "").endswith("/sent")
                if ok:
                    sent.append(draft_id)
                return ok, f"HTTP {status}"

            results = []
            base = f"http://{anonymous.host}:{anonymous.port}"
            if wanted("search"):
                results.append(
                    drive_wrk("search", base, search_requests(staff, staff_token, postcodes),
                              marker='id="results-map"', seconds=options.seconds,
                              connections=options.users)
                    if use_wrk else drive("search", [search] * options.users, options.seconds))
            changes = None
            if wanted("mixed"):
                # Search at full rate while capacity changes: every change reaches every
                # worker's index as a patch, so search should hardly notice.
                with CapacityChanges(url, secret, options.change_rate).running() as changes:
                    name = "search+capacity"
                    results.append(
                        drive_wrk(name, base, search_requests(staff, staff_token, postcodes),
                                  marker='id="results-map"', seconds=options.seconds,
                                  connections=options.users)
                        if use_wrk else drive(name, [search] * options.users, options.seconds))
            if wanted("family"):
                results.append(
                    drive_wrk("family page", base, family_requests(anonymous, links),
                              marker="Reference", seconds=options.seconds,
                              connections=options.users)
                    if use_wrk else drive("family page",
                                          [family_call() for _ in range(options.users)],
                                          options.seconds))
            if wanted("inbox"):
                results.append(
                    drive_wrk("provider inbox", base, [WrkRequest(
                        "GET", "/referrals/inbox", {"Cookie": provider.cookie_header()})],
                        marker="Referral inbox", seconds=options.seconds,
                        connections=options.users)
                    if use_wrk else drive("provider inbox", [inbox] * options.users,
                                          options.seconds))
            before = count_referrals(url, secret)
            if wanted("send"):
                results.append(drive("send referral", [send] * options.users, options.seconds,
                                     warmup=0))
            after = count_referrals(url, secret)
        expected = len(sent) * per_draft
        print()
        for result in results:
            print(result.line())
        lost = expected - (after - before)
        if changes is not None:
            print(f"\ncapacity changes during search+capacity: {changes.made} in "
                  f"{changes.seconds:.1f} s ({changes.made / changes.seconds:.1f}/s), "
                  f"{len(changes.errors)} failed {changes.errors[:3]}")
            by_name = {result.name: result for result in results}
            if "search" in by_name:
                alone, mixed = by_name["search"], by_name["search+capacity"]
                share = mixed.rate / alone.rate if alone.rate else float("nan")
                print(f"search+capacity: {share:.0%} of search's rate (goal at least 90%), "
                      f"p99 {mixed.percentile(0.99):.1f} ms (goal at most 100 ms)")
        print(f"\nreferrals in the database: {before} before, {after} after; {len(sent)} forms "
              f"sent x {per_draft} services = {expected} expected; lost: {lost}")
        errors = sum(sum(r.errors.values()) for r in results) + (
            len(changes.errors) if changes is not None else 0)
        return 1 if errors or lost else 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def warm_workers(staff: Client, token: str, postcodes: list[str], workers: int) -> None:
    """Search until every worker has read and indexed the directory, so that no scenario
    counts a worker's first read (seconds at 100,000 services): rounds of as many
    concurrent searches as there are workers (a busy sync worker takes no other), until
    a round comes back as fast as a search does."""
    rng = secrets.SystemRandom()
    forms = [search_form(token, rng.choice(postcodes), rng) for _ in range(workers)]

    def search(form: list[tuple[str, str]], took: list[float]) -> None:
        started = time.perf_counter()
        status, _, _ = Client(staff.host, staff.port, dict(staff.cookies),
                              timeout=WORKER_TIMEOUT).request("POST", "/search", form)
        took.append(time.perf_counter() - started if status == 200 else float("inf"))

    for _ in range(10):
        took: list[float] = []
        threads = [threading.Thread(target=search, args=(form, took)) for form in forms]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if float("inf") in took or len(took) < workers:
            raise SystemExit("a warm-up search failed (an HTTP error or no answer)")
        if max(took) < 1.0:
            return


def search_form(token: str, postcode: str, rng: random.Random) -> list[tuple[str, str]]:
    """A staff search: a Bolton postcode, one or two needs, an age, within 5 miles."""
    form = [("csrf_token", token), ("postcode", postcode),
            ("age", str(rng.randint(2, 16))), ("radius", "5"), ("mode", "")]
    return form + [("needs", code) for code in rng.sample(NEEDS, rng.choice((1, 2)))]


def search_requests(staff: Client, token: str, postcodes: list[str]) -> list[WrkRequest]:
    """500 searches drawn as the Python driver draws them, for wrk to pick from."""
    rng = secrets.SystemRandom()
    headers = {"Cookie": staff.cookie_header(),
               "Content-Type": "application/x-www-form-urlencoded"}
    return [WrkRequest("POST", "/search", headers,
                       urllib.parse.urlencode(search_form(token, rng.choice(postcodes), rng)))
            for _ in range(500)]


def family_requests(anonymous: Client, links: list[tuple[str, date]]) -> list[WrkRequest]:
    """One family a link: its own session and CSRF token, the right date of birth."""
    requests = []
    for token, born in links:
        family = Client(anonymous.host, anonymous.port)
        csrf = family.csrf(f"/progress/{token}")
        body = urllib.parse.urlencode([
            ("csrf_token", csrf), ("dob-day", str(born.day)), ("dob-month", str(born.month)),
            ("dob-year", str(born.year))])
        requests.append(WrkRequest("POST", f"/progress/{token}", {
            "Cookie": family.cookie_header(),
            "Content-Type": "application/x-www-form-urlencoded"}, body))
    return requests


def _postcodes(url: str, secret: str) -> list[str]:
    from sqlalchemy import select

    from hub import create_app
    from hub.extensions import db
    from routing.gazetteer.models import GazetteerPostcode

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secret})
    with app.app_context():
        rows = list(db.session.execute(
            select(GazetteerPostcode.postcode).where(GazetteerPostcode.postcode.like("BL1 %"))
            .limit(400)
        ).scalars())
        db.engine.dispose()
    return rows


if __name__ == "__main__":
    sys.exit(main())
