// Typed errors: a closed `code`, structured fields, and one formatter that prints them for people.

export type ErrorCode =
  | "not_found"
  | "not_a_video"
  | "empty_file"
  | "truncated"
  | "no_video_stream"
  | "index_out_of_range"
  | "timeout"
  | "bad_spec"
  | "bad_input"
  | "decode_failed"
  | "tool_missing"
  | "rate_limited"
  | "http_status"
  | "bad_response"
  | "network"
  /** The endpoint check before a run failed (refused, DNS, TLS, bad key, unknown model): nothing was sent. */
  | "preflight"
  | "unsupported"
  | "locked"
  | "internal";

export interface ErrorFields {
  /** File the problem is in. */
  file?: string;
  /** 1-based line in that file (JSONL, CSV). */
  line?: number;
  /** Dot path of the offending field, e.g. `qa[0].answer`. */
  field?: string;
  /** Anything else that helps: status code, index, expected value... */
  [key: string]: unknown;
}

export class KinemaError extends Error {
  readonly code: ErrorCode;
  readonly fields: ErrorFields;
  constructor(code: ErrorCode, message: string, fields: ErrorFields = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "KinemaError";
    this.code = code;
    this.fields = fields;
  }
  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, ...this.fields };
  }
}

export function isKinemaError(e: unknown, code?: ErrorCode): e is KinemaError {
  return e instanceof KinemaError && (code === undefined || e.code === code);
}

/** One line for a person: `file:line: field: message [code]`. */
export function formatError(e: unknown): string {
  if (e instanceof KinemaError) {
    const where = [e.fields.file, e.fields.line].filter((x) => x !== undefined).join(":");
    const field = e.fields.field ? `${e.fields.field}: ` : "";
    return `${where ? `${where}: ` : ""}${field}${e.message} [${e.code}]`;
  }
  if (e instanceof Error) return e.message;
  return String(e);
}

/** Serializable view of any error, for stores and --json outputs. */
export function errorRecord(e: unknown): { code: ErrorCode; message: string; [k: string]: unknown } {
  if (e instanceof KinemaError) return { code: e.code, message: e.message, ...e.fields };
  if (e instanceof Error) return { code: "internal", message: e.message };
  return { code: "internal", message: String(e) };
}
