"""The index page and a preview page of an export, in headless Chromium: size and time to render.

    python bench/pages.py EXPORT [--runs 5] [--screenshots DIR]

EXPORT is a folder ``feeds export`` wrote. It is served by a static server on a free port (as a
static host would serve it), and each page is loaded ``--runs`` times in a fresh tab of Debian's
``/usr/bin/chromium`` (tests/browser.py). Printed: the page's bytes (and gzipped, as a server
would send them), the rows of the index, and the medians of first contentful paint,
DOMContentLoaded and the load event, in milliseconds from the start of navigation; then how long
one keystroke in the filter box takes to narrow the whole list. ``--screenshots`` writes each
page at desktop and phone width.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import statistics
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import browser

TIMINGS = """new Promise(done => new PerformanceObserver((list, observer) => {
  const fcp = list.getEntries().find(e => e.name === 'first-contentful-paint');
  if (!fcp) return;
  observer.disconnect();
  const nav = performance.getEntriesByType('navigation')[0];
  done({fcp: fcp.startTime, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
        rows: document.querySelectorAll('.scopes li').length});
}).observe({type: 'paint', buffered: true}))"""
KEYSTROKE = """(() => {
  const box = document.getElementById('q'); box.value = %s;
  const start = performance.now(); box.dispatchEvent(new Event('input'));
  const took = performance.now() - start;
  return [took, document.querySelectorAll('.scopes li:not([hidden])').length];
})()"""
SIZES = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 390, "height": 844, "mobile": True},
}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("export", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--screenshots", type=Path)
    args = parser.parse_args()
    if reason := browser.missing():
        sys.exit(f"pages.py: {reason}")
    preview = max(
        (p for p in (args.export / "category").glob("*/index.html")), key=lambda p: p.stat().st_size
    )
    pages = {"index": args.export / "index.html", "preview": preview}
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(args.export))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    with tempfile.TemporaryDirectory() as scratch:
        chromium = browser.Chromium(Path(scratch) / "profile", Path(scratch) / "chromium.log")
        try:
            for name, path in pages.items():
                body = path.read_bytes()
                address = f"http://127.0.0.1:{port}/{path.parent.relative_to(args.export).as_posix()}/".replace(
                    "/./", "/"
                )
                runs = []
                for _ in range(args.runs):
                    tab = chromium.tab()
                    tab.open(address)
                    runs.append(tab.evaluate(TIMINGS))
                    assert tab.console_errors() == [], tab.console_errors()
                    if name == "index":
                        keystrokes = [
                            tab.evaluate(KEYSTROKE % repr(q)) for q in ("a", "新", "zzz", "")
                        ]
                    if args.screenshots:
                        for size, metrics in SIZES.items():
                            tab.open(address, **metrics)  # type: ignore[arg-type]
                            tab.screenshot(args.screenshots / f"{name}-100k-{size}.png")
                    tab.close()
                median = {k: statistics.median(r[k] for r in runs) for k in ("fcp", "dcl", "load")}
                print(
                    f"{name} {address}: {len(body):,} bytes, {len(gzip.compress(body, 6)):,} gzipped"
                    + (f", {runs[0]['rows']:,} rows" if name == "index" else "")
                )
                print(
                    f"  median of {args.runs}: first contentful paint {median['fcp']:.0f} ms,"
                    f" DOMContentLoaded {median['dcl']:.0f} ms, load {median['load']:.0f} ms"
                )
                if name == "index":
                    for q, (took, shown) in zip(("a", "新", "zzz", "''"), keystrokes):
                        print(f"  filter {q}: {took:.1f} ms, {shown:,} rows shown")
        finally:
            chromium.stop()
            server.shutdown()


if __name__ == "__main__":
    main()
