/**
 * Turns valibot's issues into the one-line errors people read: where (the path from the message
 * or file's root), what was expected and what was received. The expectation and the received value
 * are written by each schema's message (see config/field-spec.ts and protocol/wire-fields.ts);
 * this module only places them after their path and drops repeats.
 */
import type { BaseIssue } from "valibot";

/** A short, safe description of any value for an error message (never the whole payload). */
export function describeValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) return "binary data";
  if (typeof value === "object") return "an object";
  if (typeof value === "function" || typeof value === "symbol" || typeof value === "bigint") return typeof value;
  const shown = typeof value === "number" && !Number.isFinite(value) ? String(value) : JSON.stringify(value);
  return shown.length > 64 ? `${shown.slice(0, 61)}...` : shown;
}

/** `root` followed by the issue's path: `.key` for object keys, `[i]` for array items. */
export function issuePath(root: string, issue: BaseIssue<unknown>): string {
  let path = root;
  for (const item of issue.path ?? []) {
    // An unknown key is a problem of the object that holds it, not a place of its own.
    if (item.origin === "key" && issue.expected === "never") break;
    const key = item.key;
    path += typeof key === "number" ? `[${key}]` : path === "" ? String(key) : `.${String(key)}`;
  }
  return path;
}

/**
 * One line per distinct problem: `<path><separator><message>`, or the message alone for a problem
 * of the root itself when the root has no name.
 */
export function issueLines(issues: readonly BaseIssue<unknown>[], root: string, separator: string): string[] {
  const lines = issues.map((issue) => {
    const path = issuePath(root, issue);
    return path === "" ? issue.message : `${path}${separator}${issue.message}`;
  });
  return [...new Set(lines)];
}
