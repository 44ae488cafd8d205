"""A round-robin HTTP load balancer a test owns, in front of the bot's replicas, like nginx
in the compose file's `scale` profile (which picks the least busy replica instead: a test
wants every replica to get its turn): each request goes to the next replica; one that
refuses the connection (it died) is skipped for the next (nginx's `proxy_next_upstream
error`), and with none left the answer is 502, which Telegram retries.

    async with Balancer(["http://127.0.0.1:8081", "http://127.0.0.1:8082"]) as balancer:
        balancer.url        # what Telegram (the fake) posts to
        balancer.answered   # per replica: requests it answered
"""

from __future__ import annotations

import itertools

import aiohttp
from aiohttp import web


class Balancer:
    def __init__(self, upstreams: list[str]) -> None:
        self.upstreams = upstreams
        self.answered = [0] * len(upstreams)
        self._next = itertools.cycle(range(len(upstreams)))
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        assert self._runner is not None
        host, port = self._runner.addresses[0][:2]
        return f"http://{host}:{port}"

    async def __aenter__(self) -> Balancer:
        self._client = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._client is not None:
            await self._client.close()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._client is not None
        body = await request.read()
        headers = {
            name: value
            for name, value in request.headers.items()
            if name.lower() in ("content-type", "x-telegram-bot-api-secret-token")
        }
        for _ in self.upstreams:
            index = next(self._next)
            try:
                async with self._client.request(
                    request.method,
                    self.upstreams[index] + request.path_qs,
                    data=body,
                    headers=headers,
                ) as response:
                    answer = await response.read()
                    self.answered[index] += 1
                    kept = {"Content-Type": response.headers.get("Content-Type", "text/plain")}
                    return web.Response(status=response.status, body=answer, headers=kept)
            except aiohttp.ClientConnectorError:
                continue  # not listening (dead): the next one
            except aiohttp.ClientError:
                # It died with the request in flight: not answered, Telegram sends it again.
                return web.Response(status=502, text="upstream went away")
        return web.Response(status=502, text="no upstream")
