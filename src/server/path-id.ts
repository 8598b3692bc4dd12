// Ids (runs, samples, sweeps) as one URL path segment, reversibly. Percent-encoding alone is not enough:
// URL parsers fold the segments "." and ".." (and "%2e%2e") away, so a sample whose id is "." or ".." could
// never be opened. Such ids, and ids that start with "~", get one "~" in front; the reader strips one.
// Shared by the server (src/server/server.ts) and the web app (web/src), so both read the same way.

/** The path segment for `id` (already percent-encoded). */
export function encodeIdSegment(id: string): string {
  const escaped = id === "." || id === ".." || id.startsWith("~") ? `~${id}` : id;
  return encodeURIComponent(escaped);
}

/** The id a decoded path segment stands for (inverse of encodeIdSegment after percent-decoding). */
export function idFromSegment(decoded: string): string {
  return decoded.startsWith("~") ? decoded.slice(1) : decoded;
}
