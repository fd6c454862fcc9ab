/**
 * Plugin results cross the port and go to clients, so they must be plain
 * JSON data of a sane size: a function, a class instance, a cycle or a
 * 100 MB string is refused. Checked twice: inside the isolate, for a clear
 * error to the plugin author, and by the kernel, which cannot trust the
 * isolate (plugin code can tamper with what the runtime posts).
 */
import type { JsonValue } from './protocol.js';

/** Results bigger than this are refused (a credentials summary is a few hundred bytes). */
export const MAX_RESULT_NODES = 100_000;
export const MAX_RESULT_STRING = 1_000_000;
/** The same nesting a stored document may have, so any document can be returned. */
const MAX_DEPTH = 100;

/** Returns the value as JSON data, or a reason it is not. */
export function checkJsonResult(value: unknown): { ok: true; value: JsonValue } | { ok: false; reason: string } {
  const budget = { nodes: 0 };
  const reason = findProblem(value, 0, budget, new Set());
  return reason === null ? { ok: true, value: value as JsonValue } : { ok: false, reason };
}

function findProblem(value: unknown, depth: number, budget: { nodes: number }, path: Set<object>): string | null {
  if (++budget.nodes > MAX_RESULT_NODES) return `more than ${MAX_RESULT_NODES} values`;
  if (value === null || value === undefined || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : 'a non-finite number';
  if (typeof value === 'string') return value.length > MAX_RESULT_STRING ? 'a string over 1,000,000 characters' : null;
  if (typeof value !== 'object') return `a value of type ${typeof value}`;
  if (depth >= MAX_DEPTH) return `nesting deeper than ${MAX_DEPTH}`;
  if (path.has(value)) return 'a circular reference';
  const proto: unknown = Object.getPrototypeOf(value);
  const isArray = Array.isArray(value);
  if (!isArray && proto !== Object.prototype && proto !== null) return 'an object that is not plain data';
  path.add(value);
  for (const child of isArray ? value : Object.values(value)) {
    const problem = findProblem(child, depth + 1, budget, path);
    if (problem !== null) return problem;
  }
  path.delete(value);
  return null;
}
