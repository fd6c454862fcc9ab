/**
 * The kernel's check of what a plugin method answered, per method. The
 * isolate checks too, but plugin code can bypass the isolate's checks, and
 * these values flow into tokens, users and responses.
 */
import { PluginError } from '@portcullis/sdk-plugin/errors';
import { checkJsonResult } from '@portcullis/sdk-plugin/json-result';
import {
  OPTIONAL_STRATEGY_METHODS,
  REQUIRED_STRATEGY_METHODS,
  type PluginApi,
  type PluginMethod,
} from '@portcullis/sdk-plugin/protocol';

const STRATEGY_METHODS = new Set<string>([...REQUIRED_STRATEGY_METHODS, ...OPTIONAL_STRATEGY_METHODS]);
const MAX_KUID = 128;
const MAX_URL = 8192;
/** A verify failure's reason, for the audit log: a reason, not a message. */
const MAX_REASON = 64;

/** Returns the result if it has the method's shape; throws plugin.runtime.invalid_result otherwise. */
export function checkResult<M extends PluginMethod>(plugin: string, method: M, value: unknown): PluginApi[M]['result'] {
  const problem = shapeProblem(method, value);
  if (problem !== null) throw new PluginError('plugin.runtime.invalid_result', plugin, method, problem);
  return (isNullResult(method) ? null : value) as PluginApi[M]['result'];
}

function isNullResult(method: PluginMethod): boolean {
  return method === 'delete' || method === 'validate' || method === 'afterRegister';
}

function shapeProblem(method: PluginMethod, value: unknown): string | null {
  switch (method) {
    case 'exists':
      return typeof value === 'boolean' ? null : 'expected a boolean';
    case 'delete':
    case 'validate':
    case 'afterRegister':
      return null;
    case 'create':
    case 'update':
    case 'getInfo':
    case 'getById':
      return plainObjectProblem(value);
    case 'search':
      return searchProblem(value);
    case 'verify':
      return verifyProblem(value);
    case 'describe':
      return describeProblem(value);
    case 'action': {
      const checked = checkJsonResult(value);
      return checked.ok ? null : checked.reason;
    }
    default:
      return assertNever(method);
  }
}

function plainObjectProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'expected an object';
  const checked = checkJsonResult(value);
  return checked.ok ? null : checked.reason;
}

function searchProblem(value: unknown): string | null {
  const v = value as { hits?: unknown; total?: unknown } | null;
  if (typeof v !== 'object' || v === null || !Array.isArray(v.hits) || !Number.isSafeInteger(v.total) || (v.total as number) < 0) {
    return 'expected {hits: [], total: number}';
  }
  return v.hits.every((hit) => plainObjectProblem(hit) === null) ? null : 'expected every hit to be a plain object';
}

function verifyProblem(value: unknown): string | null {
  const v = value as Record<string, unknown> | null;
  if (typeof v !== 'object' || v === null) return 'expected a verify outcome';
  switch (v.kind) {
    case 'success':
      return typeof v.kuid === 'string' && v.kuid.length > 0 && v.kuid.length <= MAX_KUID ? null : 'a success needs a kuid of 1 to 128 characters';
    case 'fail':
      if (v.reason !== undefined && (typeof v.reason !== 'string' || v.reason.length > MAX_REASON)) return 'a failure reason must be a string of at most 64 characters';
      return typeof v.message === 'string' && Number.isInteger(v.status) && (v.status as number) >= 400 && (v.status as number) < 500
        ? null
        : 'a failure needs a message and a 4xx status';
    case 'redirect':
      return typeof v.url === 'string' && v.url.length <= MAX_URL && Number.isInteger(v.status) && (v.status as number) >= 300 && (v.status as number) < 400
        ? null
        : 'a redirect needs a URL and a 3xx status';
    case 'pass':
      return null;
    default:
      return 'unknown verify outcome';
  }
}

function describeProblem(value: unknown): string | null {
  const v = value as { strategies?: unknown } | null;
  if (typeof v !== 'object' || v === null || typeof v.strategies !== 'object' || v.strategies === null) return 'expected a description';
  for (const description of Object.values(v.strategies)) {
    const d = description as { fields?: unknown; methods?: unknown };
    const fieldsOk = Array.isArray(d.fields) && d.fields.every((f) => typeof f === 'string');
    const methodsOk = Array.isArray(d.methods) && d.methods.every((m) => STRATEGY_METHODS.has(m as string));
    if (!fieldsOk || !methodsOk) return 'a strategy description needs string fields and known methods';
  }
  return null;
}

function assertNever(method: never): never {
  throw new PluginError('plugin.runtime.malformed_message', 'kernel', `unknown method ${String(method)}`);
}
