"""Where a page's time goes in the browser: which element finishes last, the main thread's
long tasks and Chromium's own counters, for the Outages page's steps.

    python -m bench page_trace [--db PATH] [--repeat 1] [--page outages|tradearea]

``page_render`` gives one number per step (click -> the page's last DOM change). This
breaks that number down, on the same server and browser setup (a fresh server: session 0 is
cold):

* per element of the page (its Streamlit key, else its kind and order of appearance): when
  it first and last changed, on the page's clock from the click (a ``MutationObserver``);
* the main thread's long tasks (``PerformanceObserver`` ``longtask``: > 50 ms each), their
  count and total;
* Chromium's counters over the step (CDP ``Performance.getMetrics``): script, layout, style
  recalculation and task seconds.

The steps are those of ``page_render`` for the page: Outages (the default): sign in (first
render), drill into a district with the "Area" select, back up, reload; Trading areas
(``--page tradearea``): sign in (the first hall's rings), pick another business hall, reload.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bench.page_render import DEFAULT_DB, PASSWORD, USER, _drawn, _pick, _targets

#: per element: first and last change on the page's clock, number of changes; long tasks
RECORDER = """
window.__gcrm = {last: 0, t0: 0, el: {}, ids: new WeakMap(), n: 0, long: []};
const g = window.__gcrm;
function label(node) {
  let e = node.nodeType === 1 ? node : node.parentElement;
  while (e && !(e.dataset && e.dataset.testid === "stElementContainer")) e = e.parentElement;
  if (!e) return "(outside elements)";
  if (!g.ids.has(e)) {
    const key = [...e.classList].find(c => c.startsWith("st-key-"));
    const kinds = [...new Set([...e.querySelectorAll("[data-testid]")].map(k => k.dataset.testid))];
    const kind = kinds.filter(k => k !== "stFullScreenFrame").slice(0, 2).join("/") || "?";
    const extra = e.querySelector(".gcrm-svgmap") ? " svgmap" :
      (e.querySelector(".gcrm-page-done") ? " page-done" : "");
    g.ids.set(e, (key ? key.slice(7) : "#" + (g.n++)) + " " + kind + extra);
  }
  return g.ids.get(e);
}
new MutationObserver(ms => {
  const now = performance.now();
  g.last = now;
  for (const m of ms) {
    const k = label(m.target);
    const r = g.el[k] || (g.el[k] = {first: now, last: now, n: 0});
    r.last = now; r.n++;
  }
}).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
document.addEventListener("click", () => { g.t0 = performance.now(); g.el = {}; g.long = []; },
                          true);
new PerformanceObserver(l => { for (const e of l.getEntries()) g.long.push([e.startTime,
  e.duration]); }).observe({type: "longtask", buffered: true});
"""

METRICS = ("ScriptDuration", "LayoutDuration", "RecalcStyleDuration", "TaskDuration")


def _metrics(cdp) -> dict[str, float]:
    got = cdp.send("Performance.getMetrics")["metrics"]
    return {m["name"]: m["value"] for m in got if m["name"] in METRICS}


def _report(page, cdp, step: str, before: dict[str, float], wall: float) -> None:
    """Print the step's elements (latest last change first), long tasks and counters."""
    t0, last, els, longs = page.evaluate(
        "[window.__gcrm.t0, window.__gcrm.last, window.__gcrm.el, window.__gcrm.long]")
    after = _metrics(cdp)
    mine = [(s, d) for s, d in longs if s + d >= t0]
    print(f"\n== {step}: page {(last - t0) / 1000:.2f} s, wall {wall:.2f} s; long tasks "
          f"{len(mine)}, {sum(d for _, d in mine) / 1000:.2f} s (longest "
          f"{max((d for _, d in mine), default=0) / 1000:.2f} s); "
          + ", ".join(f"{k.removesuffix('Duration').lower()} {after[k] - before.get(k, 0):.2f} s"
                      for k in METRICS))
    rows = sorted(els.items(), key=lambda kv: -kv[1]["last"])
    for name, r in rows[:14]:
        print(f"   {(r['first'] - t0) / 1000:6.2f} .. {(r['last'] - t0) / 1000:6.2f} s "
              f"{r['n']:6d} changes  {name}")


def _step(page, cdp, name: str, step: str, act, url_test: str | None = None) -> None:
    before = _metrics(cdp)
    t = time.perf_counter()
    act()
    _drawn(page, name, url_test)
    _report(page, cdp, step, before, time.perf_counter() - t)


def _outages(page, cdp, target) -> None:
    _step(page, cdp, "outages", f"drill city -> {target.name}",
          lambda: _pick(page, "Area", target.name, target.name),
          f"() => !!document.querySelector('.gcrm-drill[data-district="
          f"\"{target.district}\"]')")
    _step(page, cdp, "outages", "roll up",
          page.get_by_role("button", name="All districts").click,
          "() => !new URL(location.href).searchParams.get('out_drill')")


def _tradearea(page, cdp, target) -> None:
    sp = target.hall
    _step(page, cdp, "tradearea", f"pick a hall ({sp})",
          lambda: _pick(page, "Service point", target.hall_name, f"{target.hall_name} · {sp}"),
          f"() => new URL(location.href).searchParams.get('sp') === '{sp}'")


STEPS = {"outages": _outages, "tradearea": _tradearea}


def _session(browser, url: str, name: str, target) -> None:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1100}, locale="en-US")
    ctx.add_init_script(RECORDER)
    page = ctx.new_page()
    cdp = ctx.new_cdp_session(page)
    cdp.send("Performance.enable")
    try:
        page.goto(f"{url}/{name}")
        page.wait_for_selector('.gcrm-page-done[data-page="login"]', state="attached",
                               timeout=120_000)
        form = page.locator('[data-testid="stForm"]')
        form.locator("input").nth(0).fill(USER)
        form.locator('input[type="password"]').fill(PASSWORD)
        _step(page, cdp, name, "first render",
              form.locator('[data-testid="stFormSubmitButton"] button').click)
        STEPS[name](page, cdp, target)
        _step(page, cdp, name, "open again", page.reload)
    finally:
        ctx.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench page_trace")
    ap.add_argument("--db", type=Path, default=DEFAULT_DB)
    ap.add_argument("--repeat", type=int, default=1, help="warm sessions after the cold one")
    ap.add_argument("--page", choices=sorted(STEPS), default="outages")
    args = ap.parse_args(argv)
    if not args.db.exists():
        print(f"no benchmark warehouse at {args.db}", file=sys.stderr)
        return 2
    from tests.browser import add_account, chromium, streamlit_app

    add_account(args.db, USER, "admin", PASSWORD)
    targets = _targets(args.db)
    with streamlit_app(args.db, timeout=180) as url, chromium() as browser:
        for i in range(args.repeat + 1):
            print(f"\n##### session {i} ({'cold' if i == 0 else 'warm'})", flush=True)
            _session(browser, url, args.page, targets[i % len(targets)])
    return 0


if __name__ == "__main__":  # also runnable by path against another tree's code
    sys.exit(main())
