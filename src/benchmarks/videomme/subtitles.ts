// Video-MME subtitles: .srt parsing and the lines shown at the sampled frames (the README's rule: "take the
// subtitles that correspond to the time of those frames"), matched the way lmms-eval's videomme utils do.

export interface SubtitleLine {
  start: number;
  end: number;
  text: string;
}

function srtTime(t: string): number {
  const m = /^\s*(\d+):(\d+):(\d+)[,.](\d+)\s*$/.exec(t);
  if (!m) return Number.NaN;
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4]) / 1000;
}

/**
 * Sections split on blank lines; a section of 3+ lines is index, "start --> end", text lines (joined by a
 * space). Repeated time ranges keep their first position and the last text (lmms-eval keys a dict by range).
 * CRLF files read as LF, as Python's text mode does. Malformed sections are returned as `bad` line numbers.
 */
export function parseSrt(text: string): { lines: SubtitleLine[]; bad: number[] } {
  const src = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  const byRange = new Map<string, SubtitleLine>();
  const bad: number[] = [];
  let lineNo = 1;
  for (const section of src.split("\n\n")) {
    const at = lineNo;
    lineNo += section.split("\n").length + 1;
    if (section.trim() === "") continue;
    const ls = section.split("\n");
    if (ls.length < 3) continue;
    const range = ls[1].split(" --> ");
    const start = srtTime(range[0] ?? "");
    const end = srtTime(range[1] ?? "");
    if (!Number.isFinite(start) || !Number.isFinite(end)) {
      bad.push(at + 1);
      continue;
    }
    const key = `${start},${end}`;
    const prev = byRange.get(key);
    const text = ls.slice(2).join(" ");
    if (prev) prev.text = text;
    else byRange.set(key, { start, end, text });
  }
  return { lines: [...byRange.values()], bad };
}

const FONT = /<font color="white" size=".72c">(.*?)<\/font>/;

/** The text of a subtitle as shown: Video-MME's files wrap it in one <font> tag; any other markup is dropped. */
export function subtitleText(raw: string): string {
  const m = FONT.exec(raw);
  if (m) return m[1];
  return raw.replace(/<[^>]*>/g, "").trim();
}

/**
 * Subtitles at the sampled frames: a line counts when a sampled frame index i has int(start·fps) ≤ i <
 * int(end·fps); each line once, in file order, joined by "\n". Without frames, every line (text-only runs).
 * Divergence from lmms-eval: it keeps only lines with the <font> tag and samples its own frame_num frames;
 * here untagged lines keep their text and the frames are the ones actually sent.
 */
export function subtitlesAtFrames(
  lines: readonly SubtitleLine[],
  frames?: { indices: number[]; fps: number },
): string {
  const picked = frames
    ? lines.filter((l) => {
        const a = Math.trunc(l.start * frames.fps);
        const b = Math.trunc(l.end * frames.fps);
        return frames.indices.some((i) => i >= a && i < b);
      })
    : lines;
  return picked.map((l) => subtitleText(l.text)).join("\n");
}
