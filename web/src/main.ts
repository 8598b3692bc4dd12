// The run explorer's client: a small history-API router over the views; all state lives in the URL.
import "./style.css";
import { idFromSegment } from "../../src/server/path-id.ts";
import { clear, h } from "./dom.ts";
import { onNavigate } from "./nav.ts";
import { diffView } from "./views/diff.ts";
import { leaderboardView } from "./views/leaderboard.ts";
import { reviewView } from "./views/review.ts";
import { runView } from "./views/run.ts";
import { sampleView } from "./views/sample.ts";
import { studyView, sweepView } from "./views/sweep.ts";

const app = document.getElementById("app")!;
let generation = 0;

async function render() {
  const my = ++generation;
  const path = location.pathname
    .split("/")
    .filter(Boolean)
    .map((p) => idFromSegment(decodeURIComponent(p)));
  const q = new URLSearchParams(location.search);
  let view: HTMLElement;
  try {
    if (path.length === 0) view = await leaderboardView(q);
    else if (path[0] === "runs" && path[1] && path[2] === "samples" && path[3])
      view = await sampleView(path[1], path[3], q);
    else if (path[0] === "runs" && path[1]) view = await runView(path[1], q);
    else if (path[0] === "diff") view = await diffView(q);
    else if (path[0] === "sweeps" && path[1]) view = await sweepView(path[1]);
    else if (path[0] === "study") view = await studyView();
    else if (path[0] === "review") view = await reviewView(q);
    else view = h("p", { className: "error" }, "No such page.");
  } catch (e) {
    view = h("p", { className: "error" }, `Error: ${(e as Error).message}`);
  }
  if (my !== generation) return; // a newer navigation won
  clear(app);
  app.appendChild(view);
  document.body.dataset.ready = String(my);
}

onNavigate(() => void render());
window.addEventListener("popstate", () => void render());
void render();
