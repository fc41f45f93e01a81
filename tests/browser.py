"""Debian's Chromium, headless, driven over the Chrome DevTools Protocol: for the pages' tests.

:class:`Chromium` runs ``/usr/bin/chromium`` in its own session with a throw-away profile and
``--remote-debugging-port=0``; the port it picked is read from ``DevToolsActivePort`` in that
profile, so nothing races for a port. A :class:`Tab` talks to one page over a websocket: it sends
commands, keeps every event that arrives meanwhile, and gathers what a developer would see in the
console as errors (exceptions, ``console.error``, failed loads). Stopping kills the whole session.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import websocket

from tests.server_fixture import stop_process

CHROMIUM = Path("/usr/bin/chromium")
#: The flags of a quiet, reproducible headless run (no network besides ours, no first-run UI).
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--mute-audio",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
)


def missing() -> str:
    """Why the browser tests cannot run here, or ``""`` when they can."""
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        return "Debian's chromium is not installed (scripts/test installs it as root: apt-get install chromium)"
    return ""


class Chromium:
    """One headless Chromium process with its own profile folder."""

    def __init__(self, profile: Path, log: Path) -> None:
        self.profile = profile
        self.log = log
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(
                [
                    str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")),
                    *FLAGS,
                    f"--user-data-dir={profile}",
                    "about:blank",
                ],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.port = self._port()

    def _port(self, seconds: float = 30.0) -> int:
        active = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"chromium exited with {self.proc.returncode}:\n{self.log.read_text(errors='replace')}"
                )
            try:
                return int(active.read_text().split()[0])
            except (OSError, IndexError, ValueError):
                time.sleep(0.05)
        raise AssertionError(f"chromium did not open its debugging port within {seconds} s")

    def tab(self) -> Tab:
        """A new, blank page."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/json/new?about:blank", method="PUT"
        )
        with urllib.request.urlopen(request, timeout=15) as answer:
            target = json.load(answer)
        return Tab(target["webSocketDebuggerUrl"])

    def stop(self) -> None:
        stop_process(self.proc, group=True)


class Tab:
    """One page, over its DevTools websocket."""

    def __init__(self, url: str) -> None:
        self.ws = websocket.create_connection(url, timeout=30, suppress_origin=True)
        self.events: list[dict[str, Any]] = []
        self._id = 0
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")

    def close(self) -> None:
        self.ws.close()

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Run one command; its result. Events arriving meanwhile are kept in ``events``."""
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self._id:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                return message.get("result", {})  # type: ignore[no-any-return]
            self.events.append(message)

    def wait_for(self, event: str, seconds: float = 30.0) -> dict[str, Any]:
        """The first kept or coming ``event`` (removed from ``events``)."""
        deadline = time.monotonic() + seconds
        while True:
            for i, message in enumerate(self.events):
                if message.get("method") == event:
                    return self.events.pop(i)
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {event} within {seconds} s")
            self.ws.settimeout(left)
            self.events.append(json.loads(self.ws.recv()))

    def open(self, url: str, width: int = 1280, height: int = 900, mobile: bool = False) -> None:
        """Load ``url`` at a window of ``width`` × ``height`` CSS pixels (a phone: ``mobile``,
        twice the pixels, the viewport meta honoured) and wait for its load event."""
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=2 if mobile else 1,
            mobile=mobile,
        )
        self.events.clear()
        self.send("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def type(self, text: str) -> None:
        """Type ``text`` into the focused field one character at a time, as a keyboard (or an
        input method committing a character) would: each fires an ``input`` event."""
        for char in text:
            self.send("Input.insertText", text=char)

    def screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(
            base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"])
        )

    def console_errors(self) -> list[str]:
        """What the console shows as errors since the page was opened: uncaught exceptions,
        ``console.error`` and ``console.assert`` calls, browser errors (a failed load among them)."""
        errors = []
        for message in self.events:
            method, params = message.get("method"), message.get("params", {})
            if method == "Runtime.exceptionThrown":
                errors.append(json.dumps(params["exceptionDetails"])[:500])
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                errors.append(json.dumps(params.get("args"))[:500])
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                errors.append(f"{params['entry'].get('text')} {params['entry'].get('url', '')}")
        return errors

    def requests(self) -> list[str]:
        """Every URL the page asked for since it was opened."""
        return [
            m["params"]["request"]["url"]
            for m in self.events
            if m.get("method") == "Network.requestWillBeSent"
        ]
