"""Backfill benchmarks (driven by scripts/bench/backfill; see docs/benchmarks.md, "Backfill").

Every scenario runs the release `optout-sync` against `optout-sync emulator --latency-ms 50` and a throwaway
PostgreSQL, each with its own legacy table and state schema, and reads the emulator's statistics
(`/_emulator/stats`, `/_emulator/state`) to count what reached "AWS".

    python backfill.py --bin OPTOUT_SYNC --conninfo CONNINFO [SCENARIO [ARG...]]...

Scenarios: rate [Q...] (default 10 100 1000), adaptive, waste, chaos, side [Q] (default 100), scale [ROWS], all.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import datetime

import boto3
import phonenumbers
from botocore.config import Config

AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
LATENCY_MS = 50
LIST = "bench-optouts"
SECONDS = int(os.environ.get("BENCH_SECONDS", "60"))  # N = SECONDS·Q; the figures use 60


def us_number(i):
    """The i-th distinct valid US number: +1 206, exchange 200–999, line 0000–9999."""
    return f"+1206{200 + i // 10000}{i % 10000:04d}"


class Emulator:
    def __init__(self, binary, workdir):
        self.out = open(os.path.join(workdir, "emulator.out"), "w+")
        self.proc = subprocess.Popen([binary, "emulator", "--port", "0", "--latency-ms", str(LATENCY_MS),
                                      "--log-format", "json"],
                                     stdout=self.out, stderr=subprocess.DEVNULL)
        for _ in range(200):
            self.out.seek(0)
            line = self.out.readline()
            if line.startswith("listening on "):
                self.url = line.split()[-1]
                return
            time.sleep(0.05)
        raise SystemExit("emulator did not start")

    def control(self, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + "/_emulator/" + path, data=data, method="GET" if body is None else "POST")
        with urllib.request.urlopen(req) as r:
            return json.load(r)

    def configure(self, quotas):
        self.control("reset", {})
        self.control("config", {"quotas": quotas, "latencyMs": LATENCY_MS, "jitterMs": 0, "faultRate": 0})

    def listed(self, name=LIST):
        state = self.control("state")
        for lst in state["lists"] if isinstance(state["lists"], list) else state["lists"].values():
            if lst.get("name", lst.get("optOutListName")) == name:
                numbers = lst["numbers"]
                return set(numbers.keys() if isinstance(numbers, dict) else (n.get("number", n.get("optedOutNumber")) for n in numbers))
        return set()

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


class Bench:
    def __init__(self, binary, conninfo, workdir):
        self.bin = binary
        self.conninfo = conninfo
        self.work = workdir
        self.emu = Emulator(binary, workdir)
        self.results = []  # rows for the final table
        self.env = dict(os.environ, AWS_ACCESS_KEY_ID=AKID, AWS_SECRET_ACCESS_KEY=SECRET)
        self.env.pop("OPTOUT_SYNC_CONFIG", None)

    # --- plumbing -------------------------------------------------------------------------------------------

    def psql(self, sql):
        return subprocess.run(["psql", self.conninfo, "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql],
                              check=True, capture_output=True, text=True, env=dict(os.environ, PGOPTIONS="-c client_min_messages=warning")).stdout

    def legacy_table(self, name, rows_sql):
        """bench.NAME(phone text) filled by rows_sql (a SELECT of one text column)."""
        self.psql(f"CREATE SCHEMA IF NOT EXISTS bench; DROP TABLE IF EXISTS bench.{name};"
                  f"CREATE TABLE bench.{name} (id bigserial PRIMARY KEY, phone text NOT NULL);"
                  f"INSERT INTO bench.{name} (phone) {rows_sql}; ANALYZE bench.{name};")
        return f"bench.{name}"

    def config(self, name, table, put_rate, max_in_flight=64, describe_rate=1):
        path = os.path.join(self.work, f"{name}.json")
        schema = f"optout_sync_{name}"
        self.psql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        with open(path, "w") as f:
            json.dump({
                "state_database": {"conninfo": self.conninfo, "schema": schema},
                "aws": {"region": "us-east-1", "endpoint_url": self.emu.url, "max_in_flight": max_in_flight,
                        "rate_limits": {"PutOptedOutNumber": put_rate, "DescribeOptedOutNumbers": describe_rate}},
                "sync": {"write_back": False},
                "metrics": {"listen": None},
                "business_units": [{"name": "bench", "default_region": "US", "opt_out_list": LIST,
                                    "legacy": {"table": table, "phone_column": "phone"}}],
            }, f, indent=1)
        for command in ("migrate", "provision"):
            r = subprocess.run([self.bin, "--config", path, "--log-format", "json", command],
                               capture_output=True, text=True, env=self.env)
            if r.returncode != 0:
                raise SystemExit(f"{command} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
        return path

    def start_backfill(self, config, log):
        return subprocess.Popen([self.bin, "--config", config, "--log-format", "json", "backfill"],
                                stdout=subprocess.DEVNULL, stderr=log, env=self.env)

    def backfill(self, config, tag):
        """Runs backfill to the end; wall time of the process and the phase times from its JSON log."""
        log_path = os.path.join(self.work, f"{tag}.log")
        with open(log_path, "w") as log:
            start = time.time()
            proc = self.start_backfill(config, log)
            _, status, usage = os.wait4(proc.pid, 0)
            code = os.waitstatus_to_exitcode(status)
            end = time.time()
        phases = phase_times(log_path)
        if code not in (0, 2) or "backfill done" not in phases:
            sys.stdout.write(open(log_path).read()[-3000:])
            raise SystemExit(f"backfill {tag} exited {code}")
        dispatch = phases["backfill done"] - phases["backfill planned"]
        return {"wall": end - start, "dispatch": dispatch, "cpu": usage.ru_utime + usage.ru_stime, "local": end - start - dispatch, "code": code,
                "phases": {k: v - start for k, v in phases.items()}, "log": log_path}

    def delta(self, before, after, key, op="PutOptedOutNumber"):
        return after[key].get(op, 0) - before[key].get(op, 0)

    # --- scenarios ------------------------------------------------------------------------------------------

    def rate(self, q):
        """Configured rate = quota = Q, N = 60·Q numbers: dispatch ≤ 1.03·N/Q, nothing throttled."""
        n = SECONDS * q
        table = self.legacy_table(f"rate_{q}", f"SELECT '+1206' || (200 + i / 10000) || lpad((i % 10000)::text, 4, '0') FROM generate_series(0, {n - 1}) i")
        self.emu.configure({"PutOptedOutNumber": q})
        config = self.config(f"rate_{q}", table, q)
        before = self.emu.control("stats")
        sampler = ConcurrencySampler(self.emu)
        r = self.backfill(config, f"rate_{q}")
        in_flight = sampler.stop()
        after = self.emu.control("stats")
        puts = self.delta(before, after, "requestsByOperation")
        throttled = self.delta(before, after, "throttledByOperation")
        describes = self.delta(before, after, "requestsByOperation", "DescribeOptedOutNumbers")
        exact = self.emu.listed() == {us_number(i) for i in range(n)}
        target = 1.03 * n / q
        r.update(q=q, n=n, puts=puts, throttled=throttled, describes=describes, exact=exact, target=target)
        print(f"rate Q={q}: N={n} wall {r['wall']:.2f} s = dispatch {r['dispatch']:.2f} s + local {r['local']:.2f} s "
              f"(target dispatch ≤ {target:.2f} s); {n / r['dispatch']:.1f}/s; puts {puts}, throttled {throttled}, "
              f"describe {describes}; list exact: {exact}; phases {fmt_phases(r['phases'])}; optout-sync CPU {r['cpu']:.1f} s; "
              f"requests at the emulator (sampled every 100 ms while busy): mean {in_flight[0]:.1f}, peak {after['peakConcurrency']}", flush=True)
        ok = r["dispatch"] <= target and throttled == 0 and exact
        self.results.append((f"rate Q={q}/s, N={n}",
                             f"wall {r['wall']:.1f} s = dispatch {r['dispatch']:.2f} s ({n / r['dispatch']:.1f}/s) + local {r['local']:.2f} s; "
                             f"throttled {throttled}", f"dispatch ≤ {target:.1f} s, 0 throttled", ok))
        self.waste_row(f"rate Q={q}", n, puts, describes, 1)
        return r

    def waste_row(self, label, missing, puts, describes, pages):
        """API calls (throttled ones included) against 1.01 × numbers missing from AWS + pages of the list."""
        calls = puts + describes
        limit = 1.01 * missing + pages
        self.results.append((f"no waste ({label})", f"{calls} calls ({puts} puts + {describes} describe) for {missing} missing, {pages} pages",
                             f"≤ {limit:.0f}", calls <= limit))

    def adaptive(self):
        """Configured 2Q against quota Q = 100: achieved ≥ 0.97·Q, ≤ 1 % throttled."""
        q = 100
        n = SECONDS * q
        table = self.legacy_table("adaptive", f"SELECT '+1206' || (200 + i / 10000) || lpad((i % 10000)::text, 4, '0') FROM generate_series(0, {n - 1}) i")
        self.emu.configure({"PutOptedOutNumber": q})
        config = self.config("adaptive", table, 2 * q)
        before = self.emu.control("stats")
        r = self.backfill(config, "adaptive")
        after = self.emu.control("stats")
        requests = self.delta(before, after, "requestsByOperation")
        throttled = self.delta(before, after, "throttledByOperation")
        accepted = requests - throttled
        achieved = n / r["dispatch"]
        share = throttled / requests
        exact = self.emu.listed() == {us_number(i) for i in range(n)}
        # Steady state: accepted puts per second after the first 10 s of dispatch, from the emulator's timeline.
        timeline = {int(k): v for k, v in after.get("timeline", {}).items()}
        secs = sorted(timeline)
        steady = [timeline[t] for t in secs[11:-1]]  # full seconds after the first 10 of dispatch
        steady_rate = sum(steady) / len(steady) if steady else float("nan")
        print(f"adaptive 2Q→Q={q}: N={n} dispatch {r['dispatch']:.2f} s → {achieved:.1f}/s ({achieved / q:.3f}·Q); "
              f"requests {requests}, throttled {throttled} ({share * 100:.2f} %), accepted {accepted}; exact {exact}; "
              f"wall {r['wall']:.2f} s; requests/s after the first 10 s {steady_rate:.1f}; timeline/s {[timeline[t] for t in secs][-75:]}", flush=True)
        self.results.append((f"adaptive: rate 2Q={2 * q}/s, quota Q={q}/s, N={n}",
                             f"{achieved:.1f}/s = {achieved / q:.3f}·Q (sent after 10 s: {steady_rate:.1f}/s); throttled {throttled}/{requests} = {share * 100:.2f} %",
                             "≥ 0.97·Q, ≤ 1 % throttled", achieved >= 0.97 * q and share <= 0.01 and exact))
        return r

    def waste(self):
        """Part of the list already in AWS, duplicates and invalid rows in legacy: calls ≤ 1.01·missing + pages."""
        q, distinct, present, foreign, dup, bad = 100, 3000, 1000, 200, 300, 100
        rows = (f"SELECT '+1206' || (200 + i / 10000) || lpad((i % 10000)::text, 4, '0') FROM generate_series(0, {distinct - 1}) i"
                f" UNION ALL SELECT '(206) ' || (200 + i / 10000) || '-' || lpad((i % 10000)::text, 4, '0') FROM generate_series(0, {dup - 1}) i"
                f" UNION ALL SELECT 'n/a ' || i FROM generate_series(1, {bad}) i")
        table = self.legacy_table("waste", rows)
        self.emu.configure({})
        config = self.config("waste", table, q)
        # Already in AWS: every third legacy number, plus numbers the legacy table does not have.
        client = self.boto3_client()
        in_aws = [us_number(i) for i in range(0, distinct, 3)][:present] + [us_number(500000 + i) for i in range(foreign)]
        self.emu.control("config", {"quotas": {}, "latencyMs": 0})
        for number in in_aws:
            client.put_opted_out_number(OptOutListName=LIST, OptedOutNumber=number)
        self.emu.control("config", {"quotas": {"PutOptedOutNumber": q, "DescribeOptedOutNumbers": 1}, "latencyMs": LATENCY_MS})
        before = self.emu.control("stats")
        r = self.backfill(config, "waste")
        after = self.emu.control("stats")
        puts = self.delta(before, after, "requestsByOperation")
        describes = self.delta(before, after, "requestsByOperation", "DescribeOptedOutNumbers")
        throttled = self.delta(before, after, "throttledByOperation") + self.delta(before, after, "throttledByOperation", "DescribeOptedOutNumbers")
        pages = -(-(present + foreign) // 100)  # the whole list, 100 a page
        dups = after["duplicatePuts"] - before["duplicatePuts"]
        missing = len({us_number(i) for i in range(distinct)} - set(in_aws))
        exact = self.emu.listed() == {us_number(i) for i in range(distinct)} | set(in_aws)
        print(f"waste: legacy {distinct + dup + bad} rows ({distinct} distinct valid, {dup} duplicates, {bad} invalid); "
              f"AWS had {len(in_aws)} ({present} of them legacy); missing {missing}; puts {puts}, describe calls {describes} for {pages} pages, "
              f"throttled {throttled}, duplicate puts {dups}; exact {exact}; wall {r['wall']:.2f} s, phases {fmt_phases(r['phases'])}", flush=True)
        self.waste_row(f"{missing} of {distinct} missing, {present + foreign} in AWS", missing, puts, describes, pages)
        self.results[-1] = self.results[-1][:3] + (self.results[-1][3] and exact and dups == 0,)
        return r

    def chaos(self, kills=20):
        """20 × kill -9 at random moments of one backfill; the list ends exact; re-sent ≤ 20 × max_in_flight."""
        q, n, window = 100, SECONDS * 100, 64
        table = self.legacy_table("chaos", f"SELECT '+1206' || (200 + i / 10000) || lpad((i % 10000)::text, 4, '0') FROM generate_series(0, {n - 1}) i")
        self.emu.configure({"PutOptedOutNumber": q})
        config = self.config("chaos", table, q, max_in_flight=window)
        rng = random.Random(int(os.environ.get("BENCH_SEED", "20261203")))
        before = self.emu.control("stats")
        log_path = os.path.join(self.work, "chaos.log")
        start = time.time()
        killed_in = []
        with open(log_path, "w") as log:
            for k in range(kills):
                mark = log.tell()
                proc = self.start_backfill(config, log)
                # The first kills come early, so some land in the snapshot, scan and plan phases.
                time.sleep(rng.uniform(0.05, 0.7) if k < 4 else rng.uniform(0.2, 3.0))
                proc.kill()
                proc.wait()
                log.flush()
                with open(log_path) as f:
                    f.seek(mark)
                    records = [json.loads(l) for l in f if l.startswith("{")]
                last = next((r for r in reversed(records) if r.get("msg") in PHASES), None)
                # The phase the process was in: after the last phase line it logged (a resumed run
                # logs the phase it resumes in); "start" when it was killed before logging one.
                if last is None:
                    killed_in.append("start")
                elif last["msg"] == "resuming backfill":
                    killed_in.append({"plan": "dispatch"}.get(last.get("phase"), last.get("phase", "?")))
                else:
                    killed_in.append(NEXT_PHASE[PHASES[last["msg"]]])
            final = self.start_backfill(config, log)
            code = final.wait()
        wall = time.time() - start
        after = self.emu.control("stats")
        puts = self.delta(before, after, "requestsByOperation")
        throttled = self.delta(before, after, "throttledByOperation")
        dups = after["duplicatePuts"] - before["duplicatePuts"]
        listed = self.emu.listed()
        exact = listed == {us_number(i) for i in range(n)}
        phases_killed = {p: killed_in.count(p) for p in dict.fromkeys(killed_in)}
        print(f"chaos: {kills} kill -9, killed during {phases_killed}; final exit {code}; list has {len(listed)} of {n}, exact {exact}; "
              f"put requests {puts} (throttled {throttled}), re-sent numbers (duplicate puts) {dups}; total {wall:.1f} s", flush=True)
        self.results.append((f"chaos: {kills} × kill -9, N={n}, max_in_flight {window}",
                             f"exact: {exact}; re-sent {dups} (killed during: {', '.join(f'{p} {c}' for p, c in phases_killed.items())})",
                             f"exact, re-sent ≤ {kills * window}", exact and dups <= kills * window and code in (0, 2)))

    def scale(self, rows=2_000_000):
        """A ROWS-row BU (10% invalid, ~70% distinct numbers in five spellings, as `Benchmarks snapshot`):
        a real backfill, stopped with SIGTERM once the plan is committed; local phases ≤ 60 s, peak RSS ≤ 150 MB."""
        numbers = rows * 76 // 100
        table = self.legacy_table("scale", f"""
            SELECT CASE WHEN g % 10 = 0 THEN
                        CASE (g / 10) % 4 WHEN 0 THEN 'N/A' WHEN 1 THEN '' WHEN 2 THEN '555-' || lpad((g % 10000)::text, 4, '0')
                             ELSE (g % 100000)::text END
                   ELSE CASE (g + (g / {numbers}) * (g % 2)) % 5
                            WHEN 0 THEN '+1' || area || ex || line
                            WHEN 1 THEN '(' || area || ') ' || ex || '-' || line
                            WHEN 2 THEN area || ex || line
                            WHEN 3 THEN '+1 ' || area || ' ' || ex || ' ' || line
                            ELSE '1-' || area || '-' || ex || '-' || line END END
            FROM generate_series(1, {rows}) g,
                 LATERAL (SELECT (g::bigint * 7919) % {numbers} AS k) n,
                 LATERAL (SELECT (ARRAY['206', '212', '415', '312', '617'])[k % 5 + 1] AS area,
                                 (230 + (k / 5) % 700)::text AS ex, lpad(((k / 3500) % 10000)::text, 4, '0') AS line) f""")
        self.emu.configure({"PutOptedOutNumber": 100})
        config = self.config("scale", table, 100)
        log_path = os.path.join(self.work, "scale.log")
        with open(log_path, "w") as log:
            start = time.time()
            proc = self.start_backfill(config, log)
            planned = None
            while proc.poll() is None and planned is None:
                time.sleep(0.2)
                planned = phase_times(log_path).get("backfill planned")
            if planned is not None:
                proc.send_signal(15)
            _, status, usage = os.wait4(proc.pid, 0)
            code = os.waitstatus_to_exitcode(status)
        phases = phase_times(log_path)
        if planned is None:
            sys.stdout.write(open(log_path).read()[-3000:])
            raise SystemExit(f"scale: backfill exited {code} before planning")
        local = planned - start
        rss_mb = usage.ru_maxrss / 1024
        print(f"scale: {rows} rows; local phases {local:.1f} s ({fmt_phases({k: v - start for k, v in phases.items()})}); "
              f"peak RSS {rss_mb:.0f} MB; CPU {usage.ru_utime + usage.ru_stime:.1f} s; stopped by SIGTERM, exit {code}", flush=True)
        self.results.append((f"scale: {rows:,}-row BU, local phases", f"{local:.1f} s", "≤ 60 s", local <= 60))
        self.results.append((f"scale: {rows:,}-row BU, peak RSS", f"{rss_mb:.0f} MB", "≤ 150 MB", rss_mb <= 150))

    def boto3_client(self):
        return boto3.client("pinpoint-sms-voice-v2", endpoint_url=self.emu.url, region_name="us-east-1",
                            aws_access_key_id=AKID, aws_secret_access_key=SECRET)

    def side(self, q=100, ours=None):
        """The same one-minute job with a sequential boto3 loop (the script a user would write)."""
        n = SECONDS * q
        if ours is None:
            ours = self.rate(q)
        self.emu.configure({"PutOptedOutNumber": q})
        client = self.boto3_client()
        before = self.emu.control("stats")
        start = time.time()
        # The user's script: read the legacy rows, normalise, create the list, put each number.
        rows = self.psql(f"SELECT phone FROM bench.rate_{q} ORDER BY id").split()
        client.create_opt_out_list(OptOutListName=LIST)
        errors = 0
        for raw in rows:
            number = phonenumbers.format_number(phonenumbers.parse(raw, "US"), phonenumbers.PhoneNumberFormat.E164)
            try:
                client.put_opted_out_number(OptOutListName=LIST, OptedOutNumber=number)
            except client.exceptions.ClientError:
                errors += 1
        wall = time.time() - start
        after = self.emu.control("stats")
        throttled = self.delta(before, after, "throttledByOperation")
        exact = self.emu.listed() == {us_number(i) for i in range(n)}
        print(f"side by side Q={q}: optout-sync backfill {ours['wall']:.2f} s, boto3 sequential loop {wall:.2f} s "
              f"({n / wall:.1f}/s, throttled {throttled}, errors {errors}, exact {exact}); ratio {wall / ours['wall']:.2f}×", flush=True)
        self.results.append((f"side by side: quota {q}/s, N={n}",
                             f"optout-sync {ours['wall']:.1f} s; boto3 loop {wall:.1f} s ({n / wall:.1f}/s, {errors} lost); {wall / ours['wall']:.1f}× faster",
                             "report", exact))


class ConcurrencySampler:
    """Polls the emulator's currentConcurrency every 100 ms; stop() gives (mean while > 0, samples)."""

    def __init__(self, emu):
        self.emu, self.samples, self.done = emu, [], threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.done.wait(0.1):
            c = self.emu.control("stats")["currentConcurrency"]
            if c > 0:
                self.samples.append(c)

    def stop(self):
        self.done.set()
        self.thread.join()
        return (sum(self.samples) / len(self.samples) if self.samples else 0.0, len(self.samples))


# Phase lines of the backfill log: the message → the phase it ends.
PHASES = {"legacy snapshot taken": "snapshot", "AWS list scanned": "scan", "AWS scan stopped early": "scan",
          "AWS scan skipped: nothing to send": "scan", "backfill planned": "plan", "resuming backfill": "resume",
          "backfill done": "dispatch"}
NEXT_PHASE = {"snapshot": "scan", "scan": "plan", "plan": "dispatch", "dispatch": "done"}


def phase_times(log_path):
    times = {}
    with open(log_path) as f:
        for line in f:
            if not line.startswith("{"):
                continue
            rec = json.loads(line)
            if rec.get("msg") in PHASES:
                times[rec["msg"]] = datetime.fromisoformat(rec["ts"].replace("Z", "+00:00")).timestamp()
    return times


def fmt_phases(phases):
    return ", ".join(f"{PHASES[k]} {v:.2f}" for k, v in sorted(phases.items(), key=lambda kv: kv[1]))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--conninfo", required=True)
    parser.add_argument("scenario", nargs="*")
    args = parser.parse_args()
    words = args.scenario or ["all"]
    plan = []
    i = 0
    while i < len(words):
        name = words[i]
        i += 1
        numbers = []
        while i < len(words) and words[i].isdigit():
            numbers.append(int(words[i]))
            i += 1
        if name == "all":
            plan += [("rate", [10, 100, 1000]), ("adaptive", []), ("waste", []), ("chaos", []), ("side", [100]), ("scale", [])]
        elif name in ("rate", "side"):
            plan.append((name, numbers or ([10, 100, 1000] if name == "rate" else [100])))
        elif name in ("adaptive", "waste", "chaos", "scale"):
            plan.append((name, numbers))
        else:
            raise SystemExit(f"unknown scenario {name!r}: rate [Q...] | adaptive | waste | chaos | side [Q] | scale [ROWS] | all")

    with tempfile.TemporaryDirectory(prefix="bench-backfill.") as work:
        bench = Bench(args.bin, args.conninfo, work)
        print(f"load average at start: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}", flush=True)
        ran = {}
        try:
            for name, numbers in plan:
                if name == "rate":
                    for q in numbers:
                        ran[q] = bench.rate(q)
                elif name == "side":
                    for q in numbers:
                        bench.side(q, ran.get(q))
                elif name in ("chaos", "scale"):
                    getattr(bench, name)(*numbers)
                else:
                    getattr(bench, name)()
                print(f"  (load average {os.getloadavg()[0]:.2f})", flush=True)
        finally:
            bench.emu.stop()
            if os.environ.get("KEEP"):
                subprocess.run(["cp", "-r", work, work + ".kept"])
                print(f"logs kept in {work}.kept")
        print(f"\nload average at end: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}\n")
        width = max(len(r[0]) for r in bench.results)
        print(f"| {'benchmark':<{width}} | result | target | met |")
        print(f"|{'-' * (width + 2)}|---|---|---|")
        for label, result, target, ok in bench.results:
            print(f"| {label:<{width}} | {result} | {target} | {'yes' if ok else 'NO'} |")
        return 0 if all(r[3] for r in bench.results) else 1


if __name__ == "__main__":
    sys.exit(main())
