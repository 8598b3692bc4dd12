// In-app navigation shared by the views: go/link push history and ask the router (main.ts registers it) to
// render; the sample table's filter keys and its outcome badge. The views import this, never main.ts.
import { h } from "./dom.ts";

let render: () => void = () => {};

/** The router's render function (main.ts calls this once at start). */
export function onNavigate(fn: () => void): void {
  render = fn;
}

/** Navigates inside the app (pushState) and re-renders. */
export function go(url: string, replace = false) {
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  render();
}

/** An internal link: plain href for new tabs, client-side navigation on a normal click. */
export function link(href: string, ...children: (Node | string)[]): HTMLAnchorElement {
  return h(
    "a",
    {
      href,
      onclick: ((e: MouseEvent) => {
        if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        go(href);
      }) as EventListener,
    },
    ...children,
  );
}

const FILTER_KEYS = ["category", "outcome", "allWrong", "disagree", "q"];

/** The sample filters of a URL's query (what the run table and the sample view carry along). */
export function filterQuery(q: URLSearchParams): URLSearchParams {
  const f = new URLSearchParams();
  for (const k of FILTER_KEYS) {
    const v = q.get(k);
    if (v) f.set(k, v);
  }
  return f;
}

export function badge(outcome: string) {
  return h("span", { className: `badge ${outcome}` }, outcome);
}
