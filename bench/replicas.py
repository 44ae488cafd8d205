"""`python -m bench.replicas`: issue 17's numbers. Real `python -m bot` processes take updates
(`/add Task N`, each saved and answered) from this process, which plays Telegram and a
canned Bot API (answers sendMessage at once, no rate limit, like a self-hosted Bot API
server): one replica vs two in webhook mode (with Redis), and polling vs webhook on one
replica (without Redis, so only the way updates arrive differs).

Load is closed-loop: LANES people, each sending its next update once the last was answered
(webhook: the POST's 200, which comes after the update was handled; polling: the reply
reaching the Bot API), so LANES updates are always in flight. Webhook posts go to the
replica with fewest in flight, as the proxy (nginx's `least_conn`) sends them. CPU use of
every process involved is read from /proc around the timed part, so a saturated database,
Redis or this process shows.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import secrets
import signal
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bench.harness import DEFAULT_POSTGRES_URL, fresh_database, progress
from tests.conftest import delete_redis_keys, free_port

TOKEN = "123456:BENCH-replicas-token-0123456789"
SECRET = "bench-secret"
PATH = "/telegram"
BOT = {"id": 123456, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}
FIRST_PERSON = 900_000
START_TIMEOUT = 90.0


# -- the Bot API and Telegram's side -----------------------------------------------------------


@dataclass
class BotApi:
    """Answers what the bot calls; serves getUpdates from `queue` (polling); tells waiting
    lanes when their chat got a message."""

    queue: list[dict[str, Any]] = field(default_factory=list)
    waiting: dict[int, asyncio.Future[None]] = field(default_factory=dict)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    sent: int = 0
    _message_id: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"].lower()
        params = await request.post()
        result: Any = True
        if method == "getme":
            result = BOT
        elif method == "getwebhookinfo":
            result = {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        elif method == "getupdates":
            result = await self._updates(int(str(params.get("offset", "0")) or 0))
        elif method == "sendmessage":
            chat_id = int(str(params["chat_id"]))
            self.sent += 1
            result = {
                "message_id": next(self._message_id),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "from": BOT,
                "text": "ok",
            }
            waiter = self.waiting.pop(chat_id, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
        return web.json_response({"ok": True, "result": result})

    async def _updates(self, offset: int) -> list[dict[str, Any]]:
        self.queue = [u for u in self.queue if u["update_id"] >= offset]
        if not self.queue:
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), 1.0)
            except TimeoutError:
                return []
        return self.queue[:100]

    def push(self, update: dict[str, Any]) -> None:
        self.queue.append(update)
        self.arrived.set()


def message_update(update_id: int, person: int, text: str) -> dict[str, Any]:
    command = text.split()[0]
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": person, "type": "private", "first_name": "P"},
            "from": {"id": person, "is_bot": False, "first_name": "P", "language_code": "en"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}],
        },
    }


@asynccontextmanager
async def bot_api() -> AsyncIterator[tuple[BotApi, str]]:
    api = BotApi()
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", api.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield api, f"http://{host}:{port}"
    finally:
        await runner.cleanup()


# -- processes ---------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pids_named(name: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def machine_cpu() -> float:
    """CPU seconds the whole machine has been busy so far (all cores, every process)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def total_cpu(pids: Sequence[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            total += cpu_seconds(pid)
        except OSError:  # gone meanwhile (a PostgreSQL backend that closed)
            continue
    return total


@asynccontextmanager
async def replicas(
    count: int, env: dict[str, str], workdir: Path, *, webhook: bool
) -> AsyncIterator[tuple[list[asyncio.subprocess.Process], list[str]]]:
    processes: list[asyncio.subprocess.Process] = []
    urls: list[str] = []
    try:
        for index in range(count):
            port = free_port()
            extra = {"WEBHOOK_PORT": str(port), "WEBHOOK_HOST": "127.0.0.1"} if webhook else {}
            log = (workdir / f"replica-{index}.log").open("ab")
            processes.append(
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "bot",
                    cwd=workdir,
                    env={**os.environ, **env, **extra},
                    stdout=log,
                    stderr=asyncio.subprocess.STDOUT,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        try:
            yield processes, urls
        except BaseException:
            for index in range(len(processes)):
                tail = (workdir / f"replica-{index}.log").read_text(errors="replace")[-3000:]
                progress(f"replica {index} log:\n{tail}")
            raise
    finally:
        for process in processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()


async def wait_healthy(http: aiohttp.ClientSession, urls: Sequence[str]) -> None:
    async with asyncio.timeout(START_TIMEOUT):
        for url in urls:
            while True:
                try:
                    async with http.get(url + "/healthz") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.2)


# -- load --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    name: str
    updates: int
    seconds: float
    latencies_ms: list[float]
    cpu: dict[str, float]  # process group -> CPU seconds during the timed part

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def bot_cpu_ms_per_update(self) -> float:
        return self.cpu["bot"] * 1000 / self.updates

    def render(self) -> str:
        busy = ", ".join(
            f"{name} {seconds / self.seconds:.0%}" for name, seconds in self.cpu.items()
        )
        return (
            f"{self.name:<34} {self.per_second:7.0f} upd/s  p50 {self.percentile(0.5):6.1f} ms  "
            f"p99 {self.percentile(0.99):6.1f} ms  bot CPU {self.bot_cpu_ms_per_update():5.2f} "
            f"ms/upd  (CPU busy: {busy})"
        )


class Load:
    def __init__(self, api: BotApi, http: aiohttp.ClientSession, urls: Sequence[str]) -> None:
        self._api = api
        self._http = http
        self._urls = list(urls)
        # Updates posted to each replica and not answered yet: the next goes to the replica
        # with fewest (the first of them on a tie), as nginx's `least_conn` sends it.
        self._in_flight = [0] * len(urls)
        self._update_ids = itertools.count(1)
        self._task_numbers = itertools.count(1)

    async def one(self, person: int) -> float:
        """Send one update as `person` and wait until it was handled; milliseconds."""
        update = message_update(
            next(self._update_ids), person, f"/add Task {next(self._task_numbers)}"
        )
        started = time.perf_counter()
        if self._urls:  # webhook: the 200 comes once the update was handled
            replica = self._in_flight.index(min(self._in_flight))
            self._in_flight[replica] += 1
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            try:
                async with self._http.post(
                    self._urls[replica] + PATH, json=update, headers=headers
                ) as response:
                    await response.read()
                    assert response.status == 200, response.status
            finally:
                self._in_flight[replica] -= 1
        else:  # polling: the bot fetches it; handled when its reply reaches the Bot API
            replied = asyncio.get_running_loop().create_future()
            self._api.waiting[person] = replied
            self._api.push(update)
            await replied
        return (time.perf_counter() - started) * 1000

    async def run(self, lanes: int, per_lane: int) -> tuple[float, list[float]]:
        latencies: list[float] = []

        async def lane(person: int) -> None:
            for _ in range(per_lane):
                latencies.append(await self.one(person))

        started = time.perf_counter()
        await asyncio.gather(*(lane(FIRST_PERSON + n) for n in range(lanes)))
        return time.perf_counter() - started, latencies


async def measure(
    name: str,
    *,
    count: int,
    webhook: bool,
    redis_url: str | None,
    postgres_url: str,
    lanes: int,
    per_lane: int,
    workdir: Path,
) -> Result:
    progress(f"replicas: {name}")
    async with (
        fresh_database("postgresql", postgres_url=postgres_url, workdir=workdir) as database,
        bot_api() as (api, api_url),
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=lanes * 2)) as http,
    ):
        env = {
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": api_url,
            "DATABASE_URL": database.url,
            "LOG_LEVEL": "WARNING",
            "SEND_RATE": "1000",  # the canned Bot API has no limit; the bot is what is measured
            "RATE_LIMIT_UPDATES": "10000",  # a second: no person is slowed down
            "RATE_LIMIT_SECONDS": "1",
            "MAX_CONCURRENT_UPDATES": str(lanes),
            "DB_POOL_SIZE": str(lanes),
            "POLLING_TIMEOUT": "1",
            "REMINDER_INTERVAL": "60",
        }
        if webhook:
            env |= {"WEBHOOK_URL": "http://127.0.0.1:1/telegram", "WEBHOOK_SECRET": SECRET}
        if redis_url is not None:
            env |= {"REDIS_URL": redis_url, "REDIS_PREFIX": f"bench-{secrets.token_hex(6)}"}
        try:
            return await _timed(name, count, env, api, http, lanes, per_lane, workdir, webhook)
        finally:
            if redis_url is not None:
                await delete_redis_keys(redis_url, env["REDIS_PREFIX"])


async def _timed(
    name: str,
    count: int,
    env: dict[str, str],
    api: BotApi,
    http: aiohttp.ClientSession,
    lanes: int,
    per_lane: int,
    workdir: Path,
    webhook: bool,
) -> Result:
    async with replicas(count, env, workdir, webhook=webhook) as (processes, urls):
        if webhook:
            await wait_healthy(http, urls)
        load = Load(api, http, urls if webhook else [])
        if not webhook:  # polling: up once its first update is answered
            async with asyncio.timeout(START_TIMEOUT):
                await load.one(FIRST_PERSON)
        await load.run(lanes, 4)  # warm-up: every person registered, pools filled
        groups = {
            "bot": [p.pid for p in processes],
            "postgres": pids_named("postgres"),
            "redis": pids_named("redis-server"),
            "bench (API + load)": [os.getpid()],
        }
        before = {group: total_cpu(pids) for group, pids in groups.items()}
        machine_before = machine_cpu()
        seconds, latencies = await load.run(lanes, per_lane)
        cpu = {group: total_cpu(pids) - before[group] for group, pids in groups.items()}
        # Everything, other tenants of the machine included: 200% is both cores full.
        cpu["machine"] = machine_cpu() - machine_before
        return Result(name, lanes * per_lane, seconds, latencies, cpu)


def verdicts(results: dict[str, Result]) -> list[str]:
    one, two = results["webhook, 1 replica"], results["webhook, 2 replicas"]
    polling, webhook = results["polling, 1 process"], results["webhook, 1 replica, no Redis"]
    speedup = two.per_second / one.per_second
    p99 = two.percentile(0.99) / one.percentile(0.99)
    cost = webhook.bot_cpu_ms_per_update() / polling.bot_cpu_ms_per_update()
    return [
        f"2 replicas / 1: {speedup:.2f}x updates per second (target >= 1.4x): "
        + ("met" if speedup >= 1.4 else "MISSED"),
        f"p99 at the same load, 2 replicas / 1: {p99:.2f} "
        "(target <= 1.0): " + ("met" if p99 <= 1.0 else "MISSED"),
        f"webhook / polling bot CPU per update, 1 process: {cost:.2f} (target <= 1.3): "
        + ("met" if cost <= 1.3 else "MISSED"),
    ]


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-replicas-") as folder:
        workdir = Path(folder)
        common = {
            "postgres_url": args.postgres_url,
            "lanes": args.lanes,
            "per_lane": args.updates // args.lanes,
            "workdir": workdir,
        }
        plans: list[tuple[str, int, bool, str | None]] = [
            ("polling, 1 process", 1, False, None),
            ("webhook, 1 replica, no Redis", 1, True, None),
            ("webhook, 1 replica", 1, True, args.redis_url),
            ("webhook, 2 replicas", 2, True, args.redis_url),
        ]
        results: dict[str, Result] = {}
        for name, count, webhook, redis_url in plans:
            results[name] = await measure(
                name, count=count, webhook=webhook, redis_url=redis_url, **common
            )
    print(f"{args.lanes} updates in flight, {args.updates} timed per run (/add Task N):")
    for result in results.values():
        print("  " + result.render())
    for line in verdicts(results):
        print("  " + line)
    return {
        name: {
            "updates_per_second": r.per_second,
            "p50_ms": r.percentile(0.5),
            "p99_ms": r.percentile(0.99),
            "bot_cpu_ms_per_update": r.bot_cpu_ms_per_update(),
            "cpu_busy": {group: s / r.seconds for group, s in r.cpu.items()},
        }
        for name, r in results.items()
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.replicas", description=__doc__)
    parser.add_argument("--lanes", type=int, default=50, help="updates in flight (default 50)")
    parser.add_argument("--updates", type=int, default=3000, help="timed updates per run")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_POSTGRES_URL),
        help="where each run creates (and drops) its database",
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also save the numbers")
    args = parser.parse_args(argv)
    numbers = asyncio.run(main_async(args))
    if args.json is not None:
        args.json.write_text(json.dumps(numbers, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
