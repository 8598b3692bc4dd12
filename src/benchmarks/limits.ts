// Size limits on one benchmark item: a JSON-list item (VideoRefer, caption files) whose text is longer
// than this is a bad item (skipped with an issue), as an over-long JSONL line is (motionbench/jsonl.ts).
// Items with masks are larger than plain questions (one RLE string per object and annotated frame), hence
// a wider limit than a JSONL line's.

/** Characters of one item's JSON text (masks included). */
export const MAX_ITEM_CHARS = 8 << 20;

/** Why `item` is too large, or null. Stops measuring once over the limit. */
export function oversizeItem(item: unknown): string | null {
  const n = JSON.stringify(item)?.length ?? 0;
  return n > MAX_ITEM_CHARS ? `item is ${n} characters of JSON, over the ${MAX_ITEM_CHARS} limit` : null;
}
