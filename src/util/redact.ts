// Removes secrets (API keys, header values) from text a server sent back before anything stores or prints
// it: a server that echoes the Authorization header in an error body must not put the key in a run store.

/** Secrets shorter than this are not searched for: replacing a 3-letter "key" would mangle answers. */
export const MIN_SECRET_LENGTH = 6;

export const REDACTED = "[redacted]";

/** `text` with every occurrence of each secret (and its URL-encoded and base64 forms) replaced by [redacted]. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < MIN_SECRET_LENGTH) continue;
    for (const form of new Set([s, encodeURIComponent(s), Buffer.from(s).toString("base64")]))
      if (out.includes(form)) out = out.split(form).join(REDACTED);
  }
  return out;
}
