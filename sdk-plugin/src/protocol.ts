/**
 * The one wire contract between the kernel and a plugin isolate.
 *
 * Everything that crosses the isolation boundary is declared here and
 * nowhere else (the storage types in protocol-storage.ts, re-exported
 * here); the kernel (`kernel/plugins/`) and the isolate runtime
 * (`sdk-plugin/src/runtime/`) both import it. Values are structured-clone
 * data only: errors cross as {@link WireError}, never as thrown objects.
 *
 * Each isolate thread has one channel, a MessagePort pair:
 * 1. Handshake: the thread's first message on `parentPort` is a
 *    {@link HelloMessage} carrying its end of the channel. When `init` has
 *    finished (or failed) the thread posts a {@link ReadyMessage} on it.
 * 2. Kernel -> plugin: {@link TaskMessage}s on the channel, each answered
 *    with a {@link ResultMessage}.
 * 3. Plugin -> kernel: {@link HostCall}s on the channel, each answered with
 *    a {@link HostReply}; {@link HostLog} lines need no answer.
 *
 * Piscina runs the threads; calls do not go through its task queue (see
 * docs/ARCHITECTURE.md, decision 3).
 */
import type { MessagePort } from 'node:worker_threads';
import type { CollectionSpec, SearchQuery, SearchResult, StoredDocument } from './protocol-storage.js';

export * from './protocol-storage.js';

/** Bumped on any incompatible change to a message below. */
export const PROTOCOL_VERSION = 1;

export type JsonScalar = string | number | boolean | null;
export type JsonValue = JsonScalar | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** An error as data: what crosses the port and what a client finally sees. */
export interface WireError {
  /** Stable id, `domain.subdomain.name` (see the error catalogue). */
  id: string;
  /** Stable number for the id (Kuzzle's `domain << 24 | subdomain << 16 | error`). */
  code: number;
  message: string;
  /** HTTP status. */
  status: number;
  /** The values substituted into the message template, in order. */
  props: string[];
}

/** First message an isolate posts on `parentPort`, before anything else. */
export interface HelloMessage {
  type: 'portcullis.hello';
  protocolVersion: number;
  /** The plugin this isolate was started for (from its workerData). */
  plugin: string;
  /** The thread's id, so the kernel can stop this very thread at a deadline. */
  threadId: number;
  /** The thread's end of its channel; the kernel keeps the other end. */
  port: MessagePort;
}

/** Posted on the channel once `init` has finished: the description, or why it failed. */
export type ReadyMessage = { type: 'ready' } & TaskOutcome<PluginDescription>;

/** What the kernel hands every isolate of a plugin as `workerData`. */
export interface IsolateBootData {
  plugin: string;
  version: string;
  /** Absolute path of the plugin folder. */
  pluginDir: string;
  /** Absolute path of the plugin's entry module (inside pluginDir). */
  entry: string;
  /** The plugin's `config` object from plugins.json. */
  config: JsonObject;
  /** Deadline for one host call seen from the isolate, in ms. */
  callTimeoutMs: number;
}

/**
 * The request a strategy method is called for, as far as a plugin may see it.
 * Kuzzle passes its whole Request; Portcullis passes this copy without
 * tokens and without other strategies' credentials (least privilege).
 */
export interface RequestContext {
  requestId: string;
  controller: string;
  action: string;
  /** kuid of the caller, or null when anonymous. */
  userId: string | null;
  /**
   * Id of the token the caller used (`jti`; null without one or with an API
   * key). Not the token: it lets a plugin keep the caller's own session when
   * it asks the kernel to revoke a user's other tokens (`users.revokeTokens`).
   */
  tokenId: string | null;
  /** Query-string or request arguments, minus `jwt`. */
  args: JsonObject;
  ip: string | null;
}

/** The request-like object a passport strategy authenticates. */
export interface LoginRequest {
  body: JsonObject;
  query: JsonObject;
  /** Lower-cased header names; `cookie` and Bearer `authorization` removed. */
  headers: Record<string, string>;
  ip: string | null;
  original: RequestContext;
}

/** What one passport run decided (passport's five outcomes, `error` as a task error). */
export type VerifyOutcome =
  | { kind: 'success'; kuid: string }
  /** `reason`: why, for the audit log only (never shown to the client), at most 64 characters. */
  | { kind: 'fail'; message: string; status: number; reason?: string }
  | { kind: 'redirect'; url: string; status: number }
  | { kind: 'pass' };

/** The strategy methods a plugin may implement (Kuzzle's contract, plus `search`). */
export const REQUIRED_STRATEGY_METHODS = ['create', 'delete', 'exists', 'update', 'validate', 'verify'] as const;
export const OPTIONAL_STRATEGY_METHODS = ['afterRegister', 'getById', 'getInfo', 'search'] as const;
export type StrategyMethodName =
  | (typeof REQUIRED_STRATEGY_METHODS)[number]
  | (typeof OPTIONAL_STRATEGY_METHODS)[number];

/** A validated strategy as the kernel registers it. */
export interface StrategyDescription {
  /** Credential fields the strategy reads (Kuzzle's `config.fields`). */
  fields: string[];
  /** The strategy methods this plugin implements. */
  methods: StrategyMethodName[];
}

/** An HTTP route of a plugin action (Kuzzle's format): served under `/_/<plugin>/`. */
export interface ActionRoute {
  verb: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Relative to `/_/<plugin>/`, with `:name` placeholders, e.g. `password/reset-token/:_id`. */
  path: string;
}

/**
 * A plugin's API: controller -> action -> its HTTP routes, and what the audit log records a call
 * as (undeclared: a `pluginAction`; `none`: not recorded). The controller is `<plugin>/<controller>`.
 */
export type ApiDescription = Record<string, Record<string, { http: ActionRoute[]; audit?: ActionAudit }>>;
export type ActionAudit = 'credentialChange' | 'adminChange' | 'none';

export interface PluginDescription {
  plugin: string;
  version: string;
  strategies: Record<string, StrategyDescription>;
  api: ApiDescription;
}

/** The request a plugin action answers: the caller, its arguments and body. */
export interface ActionRequest extends RequestContext { body: JsonObject | null }

/** Kernel -> plugin calls: method name -> params and result. */
export interface PluginApi {
  describe: { params: Record<string, never>; result: PluginDescription };
  create: {
    params: { request: RequestContext; credentials: JsonObject; kuid: string; strategy: string };
    result: JsonObject;
  };
  update: {
    params: { request: RequestContext; credentials: JsonObject; kuid: string; strategy: string };
    result: JsonObject;
  };
  delete: { params: { request: RequestContext; kuid: string; strategy: string }; result: null };
  exists: { params: { request: RequestContext; kuid: string; strategy: string }; result: boolean };
  validate: {
    params: { request: RequestContext; credentials: JsonObject; kuid: string; strategy: string; isUpdate: boolean };
    result: null;
  };
  verify: { params: { request: LoginRequest; strategy: string }; result: VerifyOutcome };
  getInfo: { params: { request: RequestContext; kuid: string; strategy: string }; result: JsonObject };
  getById: { params: { request: RequestContext; id: string; strategy: string }; result: JsonObject };
  search: {
    params: { request: RequestContext; query: JsonObject; strategy: string; from: number; size: number };
    result: { hits: JsonObject[]; total: number };
  };
  afterRegister: { params: { strategy: string }; result: null };
  /** A plugin API action (its `api`), not a strategy method. */
  action: { params: { request: ActionRequest; controller: string; action: string }; result: JsonValue };
}
export type PluginMethod = keyof PluginApi;

/** One Piscina task: a call of a PluginApi method. */
export type PluginTask = { [M in PluginMethod]: { method: M; params: PluginApi[M]['params'] } }[PluginMethod];

/** Every task answers data; a failure is an error value, never a rejection. */
export type TaskOutcome<T = unknown> = { ok: true; value: T } | { ok: false; error: WireError };

/** A kernel -> plugin call on the channel. */
export type TaskMessage = { type: 'task'; id: number } & PluginTask;

/** The answer to a TaskMessage with the same id. */
export type ResultMessage = { type: 'result'; id: number } & TaskOutcome;

export interface UserRecord {
  _id: string;
  _source: JsonObject & { profileIds: string[] };
}

/** Plugin -> kernel calls: method name -> params and result. */
export interface HostApi {
  'storage.declareCollection': { params: CollectionSpec; result: null };
  'storage.create': { params: { collection: string; id: string | null; body: JsonObject }; result: StoredDocument };
  'storage.get': { params: { collection: string; id: string }; result: StoredDocument | null };
  'storage.mGet': { params: { collection: string; ids: string[] }; result: StoredDocument[] };
  'storage.update': { params: { collection: string; id: string; changes: JsonObject }; result: StoredDocument };
  'storage.updateIf': {
    params: { collection: string; id: string; expected: JsonObject; changes: JsonObject };
    result: StoredDocument | null;
  };
  'storage.increment': {
    params: { collection: string; id: string; field: string; by: number; initial: JsonObject };
    result: number;
  };
  'storage.replace': { params: { collection: string; id: string; body: JsonObject }; result: StoredDocument };
  'storage.createOrReplace': {
    params: { collection: string; id: string; body: JsonObject };
    result: StoredDocument;
  };
  'storage.delete': { params: { collection: string; id: string }; result: boolean };
  'storage.search': { params: { collection: string; query: SearchQuery }; result: SearchResult };
  'storage.count': { params: { collection: string; where?: SearchQuery['where'] }; result: number };
  'password.hash': { params: { password: string; cost?: number }; result: string };
  'password.verify': { params: { password: string; hash: string }; result: boolean };
  'password.needsRehash': { params: { hash: string; cost?: number }; result: boolean };
  'users.get': { params: { kuid: string }; result: UserRecord | null };
  'users.exists': { params: { kuid: string }; result: boolean };
  /** `strategy`: one of the calling plugin's own, in which the new user is enrolled (credential-ledger.ts); null: none. */
  'users.create': {
    params: { kuid: string | null; content: JsonObject; profileIds: string[]; strategy?: string | null };
    result: UserRecord;
  };
  /** Revokes every token of `kuid`, except the one with id `keepTokenId` (a RequestContext's `tokenId`). */
  'users.revokeTokens': { params: { kuid: string; keepTokenId?: string | null }; result: null };
}
export type HostMethod = keyof HostApi;

export type HostCall = { [M in HostMethod]: { type: 'call'; id: number; method: M; params: HostApi[M]['params'] } }[HostMethod];

export type HostReply = { type: 'reply'; id: number } & TaskOutcome;

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export interface HostLog { type: 'log'; level: LogLevel; message: string }

/** Anything an isolate may post on its channel. */
export type IsolateMessage = HostCall | HostLog | ReadyMessage | ResultMessage;

/** Anything the kernel posts on a channel. */
export type KernelMessage = HostReply | TaskMessage;

/** Every host method, to check untrusted messages; `satisfies` makes the compiler prove the list complete. */
const HOST_METHOD_SET = {
  'storage.declareCollection': true, 'storage.create': true, 'storage.get': true, 'storage.mGet': true,
  'storage.update': true, 'storage.updateIf': true, 'storage.increment': true, 'storage.replace': true,
  'storage.createOrReplace': true, 'storage.delete': true, 'storage.search': true, 'storage.count': true,
  'password.hash': true, 'password.verify': true, 'password.needsRehash': true,
  'users.get': true, 'users.exists': true, 'users.create': true, 'users.revokeTokens': true,
} as const satisfies Record<HostMethod, true>;
export const HOST_METHODS = Object.keys(HOST_METHOD_SET) as readonly HostMethod[];
