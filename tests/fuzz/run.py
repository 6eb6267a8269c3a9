"""Fuzz the REST API with schemathesis against a live server, once per role (issue 10, CI).

    .venv/bin/python tests/fuzz/run.py                     # on the database of DATABASE_URL (or SQLite)
    .venv/bin/python tests/fuzz/run.py --max-examples 20   # longer

What it does:

1. makes a fresh database beside the configured one (PostgreSQL: ``<name>_fuzz``; SQLite: a file in a
   temporary folder), migrates it and loads the test world (``anjian.utilities.testing.make_world``:
   a district, two towns, two enterprises, one user per role) with one row of every scoped model for
   each enterprise (the ``make`` of every ``tests/scope_cases.py``);
2. starts ``anjian serve`` on a free port and asks ``POST /api/v1/auth/token/`` for a token of each
   persona;
3. runs ``schemathesis run /api/v1/schema/`` for each token, phases ``examples`` and ``fuzzing``,
   checks ``not_a_server_error``, ``status_code_conformance`` and ``response_schema_conformance``,
   one pass of at most ``--max-examples`` cases per operation (``--max-time``: repeat the fuzzing
   until that many seconds are spent), writes included (the database is thrown away afterwards).

Exit status 0 when no persona's run found a failure; otherwise the failures, and the server's
tracebacks of any 5xx, are printed and the status is 1.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# Who runs: every business role, and one system role (which sees no business data: 403/empty).
PERSONAS = ("district", "leader", "dept_mines", "town_north", "inspector", "ent_north", "auditor")
# No 5xx; every answer (its status code among those declared, its body) as the schema says.
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance"
# Operations left out: what is not JSON (file downloads) and what the schema documents as such.
EXCLUDE_PATH_REGEX = r"(/download/|/file/|/export)"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fuzz_database_url(url: str, workdir: Path) -> str:
    if url.startswith("postgres"):
        base, _, name = url.rpartition("/")
        return f"{base}/{(name or 'anjian')}_fuzz"
    return f"sqlite:///{workdir / 'fuzz.sqlite3'}"


def recreate_postgres(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def load_world() -> None:
    """(In a child process with DATABASE_URL set.) Migrate and load the small world."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anjian.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from anjian.utilities.testing import make_world
    from anjian.utilities.testing.scope import all_cases

    world = make_world()
    made = 0
    for case in all_cases():
        for enterprise in (world.ent_north, world.ent_south):
            try:
                case.make(world, enterprise)
                made += 1
            except Exception as exc:  # noqa: BLE001 -- a case that makes one row only (reference data)
                print(f"  {case.id}: {exc.__class__.__name__}", file=sys.stderr)
    print(f"loaded the world and {made} rows")


def token(base: str, username: str, password: str) -> str:
    body = json.dumps({"username": username, "password": password}).encode()
    request = urllib.request.Request(f"{base}/api/v1/auth/token/", body,  # noqa: S310 -- our own server
                                     {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 -- our own server
        return json.load(response)["token"]


def wait_until_up(base: str, server: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"anjian serve exited with {server.returncode}")
        try:
            urllib.request.urlopen(f"{base}/api/v1/schema/", timeout=5).close()  # noqa: S310
            return
        except urllib.error.HTTPError:
            return  # answering (401 without a token)
        except OSError:
            time.sleep(0.5)
    raise SystemExit("anjian serve did not answer in time")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=int(os.environ.get("FUZZ_MAX_EXAMPLES", "3")))
    parser.add_argument("--max-time", type=int, default=int(os.environ.get("FUZZ_MAX_TIME", "0")),
                        help="seconds per persona: fuzzing repeats until they are spent (0: one pass)")
    parser.add_argument("--personas", default=",".join(PERSONAS))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED", "2017")))
    parser.add_argument("--load-world", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load_world:
        load_world()
        return 0

    from anjian.utilities.testing import PASSWORD

    workdir = Path(tempfile.mkdtemp(prefix="anjian-fuzz-"))
    url = fuzz_database_url(os.environ.get("DATABASE_URL", ""), workdir)
    env = {**os.environ, "DATABASE_URL": url, "ANJIAN_VAR_DIR": str(workdir / "var"),
           "DJANGO_SETTINGS_MODULE": "anjian.settings", "PYTHONUNBUFFERED": "1", "DEBUG": "0"}
    if url.startswith("postgres"):
        recreate_postgres(url)
    started = time.monotonic()
    subprocess.run([sys.executable, __file__, "--load-world"], env=env, check=True, cwd=ROOT)
    print(f"database ready in {time.monotonic() - started:.0f} s ({url.split('@')[-1]})")

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = workdir / "server.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen([str(BIN / "anjian"), "serve", "--port", str(port)], env=env, cwd=ROOT,
                                  stdout=log, stderr=subprocess.STDOUT)
    failed: list[str] = []
    try:
        wait_until_up(base, server)
        for persona in args.personas.split(","):
            key = token(base, persona, PASSWORD)
            command = [
                str(BIN / "schemathesis"), "run", f"{base}/api/v1/schema/",
                "--header", f"Authorization: Token {key}",
                "--checks", os.environ.get("FUZZ_CHECKS", CHECKS),
                "--phases", "examples,fuzzing",
                "--max-examples", str(args.max_examples),
                *(["--max-time", str(args.max_time)] if args.max_time else []),
                "--seed", str(args.seed), "--workers", os.environ.get("FUZZ_WORKERS", "2"), "--request-timeout", "30",
                "--exclude-path-regex", EXCLUDE_PATH_REGEX,
                "--suppress-health-check", "all", "--no-shrink", "--warnings", "off",
                *os.environ.get("FUZZ_EXTRA", "").split(),
            ]
            print(f"\n== schemathesis as {persona}", flush=True)
            run = subprocess.run(command, cwd=workdir, env={**os.environ, "NO_COLOR": "1"})
            if run.returncode != 0:
                failed.append(persona)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
    if failed:
        print(f"\nschemathesis failed for: {', '.join(failed)}")
        log = log_path.read_text(errors="replace")
        tracebacks = [block for block in log.split("Internal Server Error") if "Traceback" in block]
        for block in tracebacks[:5]:
            print("---- server traceback" + block[:3000])
    else:
        print(f"\nschemathesis: no failure for {args.personas} in {time.monotonic() - started:.0f} s")
    shutil.rmtree(workdir, ignore_errors=True)
    personas = args.personas.split(",")
    print(f"schemathesis: {len(personas) - len(failed)} passed, {len(failed)} failed")  # one line per persona run
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
