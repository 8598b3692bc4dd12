// The progress line: done/total, counts, rate, elapsed beside the ETA.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createProgress } from "./progress.ts";

test("the plain progress line shows elapsed time beside the ETA", () => {
  const lines: string[] = [];
  const p = createProgress(
    "bench × model",
    {
      write: (s: string) => {
        lines.push(s);
        return true;
      },
    },
    { tty: false },
  );
  p.finish({ done: 4, total: 8, ok: 3, failed: 1, unparsed: 0 });
  assert.match(
    lines[0],
    /^bench × model: 50% 4\/8 ok 3 failed 1 unparsed 0 [\d.]+\/s elapsed \d+s ETA (\d+s|\?)\n$/,
  );
});
