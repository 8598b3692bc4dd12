// Built-in models: per-clip vision-part latency in ONNX Runtime vs PyTorch (ratio), parameters, decoder tokens.
// Usage: npx node perf/models.ts [--repeats 20] [--size S] [--only a,b] [--json]   (one run; medians; 1 thread on
// both sides; needs Python+torch). --json prints {"image_size": S|null, "models": [{name, method, params,
// vision_params, ort_ms, torch_ms, image_size}, ...]}. --size builds every config at S px (default: each model's
// own, 32): `--size 224 --only stab,encoder-baseline` is the paper's efficiency comparison at its input size.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { textTable } from "../src/cli/output.ts";
import { modelsDir } from "../src/models/builtin.ts";
import { runPython } from "../src/study/compression.ts";

interface BenchRow {
  name: string;
  method: string;
  k: number;
  n_frames: number;
  params: number;
  vision_params: number;
  decoder_tokens: number;
  torch_ms: number;
  onnx: string;
  image_size: number;
}

const i = process.argv.indexOf("--repeats");
const repeats = i > 0 ? Number(process.argv[i + 1]) : 20;
const asJson = process.argv.includes("--json");
const arg = (name: string) => {
  const j = process.argv.indexOf(name);
  return j > 0 ? process.argv[j + 1] : undefined;
};
const size = arg("--size") ? Number(arg("--size")) : undefined;
const only = arg("--only");
const measured: {
  name: string;
  method: string;
  params: number;
  vision_params: number;
  ort_ms: number;
  torch_ms: number;
  image_size: number;
}[] = [];
const tmp = await mkdtemp(join(tmpdir(), "kinema-perf-models-"));
try {
  const out = await runPython("bench", [
    ...["--models", modelsDir(), "--out", tmp, "--repeats", String(repeats)],
    ...(size ? ["--image-size", String(size)] : []),
    ...(only ? ["--only", only] : []),
  ]);
  const rows = JSON.parse(out.trim().split("\n").at(-1)!) as BenchRow[];
  const table: (string | number)[][] = [
    [
      "model",
      "method",
      "k",
      "N",
      "params",
      "vision params",
      "decoder tokens",
      "PyTorch ms",
      "ORT ms",
      "PyTorch/ORT",
    ],
  ];
  for (const r of rows) {
    const session = await ort.InferenceSession.create(r.onnx, {
      intraOpNumThreads: 1,
      graphOptimizationLevel: "all",
    });
    const S = r.image_size;
    const data = new Uint8Array(r.n_frames * S * S * 3).map((_, j) => (j * 37) % 256);
    const feeds = { frames: new ort.Tensor("uint8", data, [1, r.n_frames, S, S, 3]) };
    const times: number[] = [];
    for (let k = 0; k < repeats + 3; k++) {
      const t0 = performance.now();
      await session.run(feeds);
      if (k >= 3) times.push(performance.now() - t0);
    }
    await session.release();
    times.sort((a, b) => a - b);
    const ortMs = times[Math.floor(times.length / 2)];
    measured.push({
      name: r.name,
      method: r.method,
      params: r.params,
      vision_params: r.vision_params,
      ort_ms: ortMs,
      torch_ms: r.torch_ms,
      image_size: r.image_size,
    });
    table.push([
      r.name,
      r.method,
      r.k,
      r.n_frames,
      r.params,
      r.vision_params,
      r.decoder_tokens,
      r.torch_ms.toFixed(2),
      ortMs.toFixed(2),
      `${(r.torch_ms / ortMs).toFixed(2)}x`,
    ]);
  }
  if (asJson) console.log(JSON.stringify({ image_size: size ?? null, models: measured }));
  else {
    console.log(
      `vision part per clip (frames → decoder tokens), batch 1, median of ${repeats}, 1 thread each${size ? `, every config built at ${size} px` : ""}`,
    );
    console.log(textTable(table));
  }
} finally {
  await rm(tmp, { recursive: true, force: true });
}
