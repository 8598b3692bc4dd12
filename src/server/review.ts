// The explorer's review API for one engine run (`kinema serve --review RUN`): the queue, each item's frames,
// and decisions. State-changing requests need the per-server token (header x-kinema-token), a JSON body and a
// same-origin request (Origin / Sec-Fetch-Site checked), so no other web page can post decisions.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { type FilterAnswer, openRun } from "../engine/motionbench-qa.ts";
import { decide, progress, queue, type ReviewProgress } from "../engine/review.ts";
import type { DecisionRow, EngineStore, ItemRow } from "../store/engine.ts";
import { loadFrames } from "../video/index.ts";
import { type ApiRequest, HttpError, jsonReply, type Reply, reply } from "./http.ts";

/** One queue entry as `/api/review/queue` lists it (the web review page reads these types). */
export interface ReviewItemView {
  id: string;
  state: ItemRow["state"];
  dropReason: string | null;
  /** The first-frame filter's answers (MotionBench QA). */
  filter: FilterAnswer[] | null;
  decision: DecisionRow | null;
  history: DecisionRow[];
  /** The question as the pipeline made it, before any edit. */
  original: { question: unknown; options: unknown; answer: unknown; category: unknown };
  /** The item as the latest decision leaves it (without the video path). */
  data: Record<string, any>;
}

/** `/api/review/queue`. */
export interface QueueReply {
  kind: string | undefined;
  run: string;
  progress: ReviewProgress;
  items: ReviewItemView[];
}

export interface ReviewApi {
  token: string;
  /** `parts`: the decoded path segments (`api`, `review`, ...); `origin`: the origin the page is served from. */
  handle(req: ApiRequest, parts: string[], origin: string): Promise<Reply>;
  close(): void;
}

/** Frame indices shown for an item: MotionBench: the first frame (what the filter saw) and 4 more; VideoRefer: the masklet's frames. */
function frameList(data: Record<string, any>, total: number): number[] {
  if (data.kind === "videorefer")
    return Object.keys(data.masklet ?? {})
      .map(Number)
      .sort((a, b) => a - b);
  const n = Math.max(1, total);
  return [...new Set([0, ...[1, 2, 3, 4].map((i) => Math.min(n - 1, Math.round((i * (n - 1)) / 4)))])];
}

export function createReviewApi(runDir: string, opts: { token?: string } = {}): ReviewApi {
  const store: EngineStore = openRun(runDir);
  const token = opts.token ?? randomBytes(24).toString("base64url");
  const frameCache = new Map<string, { indices: number[]; images: Buffer[] }>();

  function checkWrite(req: ApiRequest, origin: string) {
    const got = String(req.headers["x-kinema-token"] ?? "");
    const a = Buffer.from(got);
    const b = Buffer.from(token);
    if (a.length !== b.length || !timingSafeEqual(a, b))
      throw new HttpError(403, "missing or wrong review token");
    const o = req.headers.origin;
    if (o !== undefined && o !== origin) throw new HttpError(403, "cross-origin request refused");
    const site = req.headers["sec-fetch-site"];
    if (site !== undefined && site !== "same-origin" && site !== "none")
      throw new HttpError(403, "cross-site request refused");
    if (!String(req.headers["content-type"] ?? "").startsWith("application/json"))
      throw new HttpError(415, "decisions are JSON (content-type: application/json)");
  }

  function itemView(e: ReturnType<typeof queue>[number]): ReviewItemView {
    const { video: _v, ...data } = e.effective;
    return {
      id: e.item.id,
      state: e.item.state,
      dropReason: e.item.dropReason,
      filter: e.item.filter as FilterAnswer[] | null,
      decision: e.decision,
      history: store.decisions(e.item.id),
      original: {
        question: e.item.data.question,
        options: e.item.data.options,
        answer: e.item.data.answer,
        category: e.item.data.category,
      },
      data,
    };
  }

  return {
    token,
    close: () => store.close(),
    async handle(req, parts, origin) {
      const [, , head, id, sub, k] = parts;
      if (req.method === "POST") {
        checkWrite(req, origin);
        if (head !== "decisions") throw new HttpError(404, "no such endpoint");
        let body: unknown;
        try {
          body = JSON.parse(await req.body(64 * 1024));
        } catch (e) {
          if (e instanceof HttpError) throw e;
          throw new HttpError(400, "body is not JSON");
        }
        const d = decide(store, body);
        return jsonReply({ decision: d, progress: progress(store) });
      }
      if (req.method !== "GET" && req.method !== "HEAD") throw new HttpError(405, "method not allowed");
      if (head === undefined || head === "queue") {
        const q = queue(store);
        return jsonReply<QueueReply>({
          kind: store.getMeta("kind"),
          run: runDir,
          progress: progress(store),
          items: q.map(itemView),
        });
      }
      if (head === "items" && id && sub === "frames" && k !== undefined) {
        if (!/^\d{1,3}$/.test(k)) throw new HttpError(400, "frame number must be an integer");
        const it = store.item(id);
        if (!it) throw new HttpError(404, "no such item");
        let fr = frameCache.get(id);
        if (!fr) {
          const probe = await loadFrames({ path: it.data.video }, "indices:0", { images: false });
          const indices = frameList(it.data, probe.meta.frames);
          const l = await loadFrames({ path: it.data.video }, `indices:${indices.join(",")}`, {
            images: "jpeg",
          });
          fr = { indices, images: l.images ?? [] };
          frameCache.set(id, fr);
        }
        const img = fr.images[Number(k)];
        if (!img) throw new HttpError(404, "no such frame");
        return reply(200, img, "image/jpeg", {
          "cache-control": "private, max-age=3600",
          "x-frame-index": String(fr.indices[Number(k)]),
        });
      }
      if (head === "items" && id && sub === "frames") {
        const it = store.item(id);
        if (!it) throw new HttpError(404, "no such item");
        const probe = await loadFrames({ path: it.data.video }, "indices:0", { images: false });
        return jsonReply({
          indices: frameList(it.data, probe.meta.frames),
          width: probe.meta.width,
          height: probe.meta.height,
        });
      }
      throw new HttpError(404, "no such endpoint");
    },
  };
}
