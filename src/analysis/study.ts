// Accuracy-vs-k series from the compression study's results JSON, read tolerantly (any nesting): every object
// with a method name, a numeric k and an accuracy becomes a point; series are (protocol, method).

export interface StudySeries {
  name: string;
  points: { k: number; acc: number; std: number | null }[];
}

const ACC_KEYS = ["acc", "accuracy", "mean", "test_acc", "acc_mean", "mean_acc"];
const STD_KEYS = ["std", "acc_std", "std_acc", "sd"];

export function studyPoints(data: unknown): { series: StudySeries[] } {
  const series = new Map<string, StudySeries>();
  const visit = (v: unknown, ctx: string[]) => {
    if (Array.isArray(v)) {
      for (const x of v) visit(x, ctx);
      return;
    }
    if (!v || typeof v !== "object") return;
    const o = v as Record<string, unknown>;
    const method = typeof o.method === "string" ? o.method : undefined;
    const k = typeof o.k === "number" ? o.k : undefined;
    // kinema's own study.json: {protocol, method, k, acc: {mean, std, n}}
    const nested = o.acc && typeof o.acc === "object" ? (o.acc as Record<string, unknown>) : null;
    if (method && k !== undefined && nested && typeof nested.mean === "number") {
      const protocol = typeof o.protocol === "string" ? o.protocol : ctx[ctx.length - 1];
      const name = protocol ? `${protocol} · ${method}` : method;
      const s = series.get(name) ?? { name, points: [] };
      s.points.push({ k, acc: nested.mean, std: typeof nested.std === "number" ? nested.std : null });
      series.set(name, s);
      return;
    }
    const accKey = ACC_KEYS.find((a) => typeof o[a] === "number");
    if (method && k !== undefined && accKey) {
      const protocol = typeof o.protocol === "string" ? o.protocol : ctx[ctx.length - 1];
      const name = protocol ? `${protocol} · ${method}` : method;
      const s = series.get(name) ?? { name, points: [] };
      const stdKey = STD_KEYS.find((a) => typeof o[a] === "number");
      s.points.push({ k, acc: o[accKey] as number, std: stdKey ? (o[stdKey] as number) : null });
      series.set(name, s);
      return;
    }
    for (const [key, x] of Object.entries(o)) if (x && typeof x === "object") visit(x, [...ctx, key]);
  };
  visit(data, []);
  for (const s of series.values()) s.points.sort((a, b) => a.k - b.k);
  return { series: [...series.values()] };
}
