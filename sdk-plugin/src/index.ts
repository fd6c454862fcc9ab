/**
 * @portcullis/sdk-plugin: what a strategy plugin imports.
 *
 * @example
 * ```ts
 * import { definePlugin, BadRequestError, type PluginContext } from '@portcullis/sdk-plugin';
 * ```
 */
export * from './errors.js';
export * from './plugin-types.js';
export { Repository, PluginStorage } from './repository.js';
export {
  PROTOCOL_VERSION,
  type JsonObject,
  type JsonValue,
  type JsonScalar,
  type RequestContext,
  type ActionRequest,
  type ActionRoute,
  type ApiDescription,
  type LoginRequest,
  type StoredDocument,
  type SearchQuery,
  type SearchResult,
  type FieldCondition,
  type IndexSpec,
  type UserRecord,
  type WireError,
} from './protocol.js';
