/**
 * The `services.storage` part of the error catalogue (error-catalogue.ts,
 * which includes it), in its own file for length: Kuzzle's entries from
 * `lib/kerror/codes/1-services.json`, then Portcullis's own (the per-plugin
 * SQLite document store's).
 */
import { e, KUZZLE_STATUS as S, type ErrorSpec } from './error-spec.js';

export const STORAGE_ERRORS = {
  'services.storage.unknown_index': e(1, 1, 1, S.PreconditionError, 'The index "%s" does not exist.', 'The provided data index does not exist'),
  'services.storage.unknown_collection': e(1, 1, 2, S.PreconditionError, 'The collection "%s":"%s" does not exist.', 'The provided data collection does not exist'),
  'services.storage.get_limit_exceeded': e(1, 1, 3, S.SizeLimitError, 'The number of documents returned by this request exceeds the configured server limit.', 'The number of documents returned by this request exceeds the configured server limit'),
  'services.storage.write_limit_exceeded': e(1, 1, 4, S.SizeLimitError, 'The number of documents edited by this request exceeds the configured server limit.', 'The number of documents edited by this request exceeds the configured server limit'),
  'services.storage.import_failed': e(1, 1, 5, S.PartialError, 'Failed to import some or all documents.', 'Failed to import some or all documents'),
  'services.storage.no_multi_indexes': e(1, 1, 6, S.BadRequestError, 'Cannot be run on multiple indexes.', 'Cannot be run on multiple indexes'),
  'services.storage.no_multi_collections': e(1, 1, 7, S.BadRequestError, 'Cannot be run on multiple collections.', 'Cannot be run on multiple collections'),
  'services.storage.incomplete_delete': e(1, 1, 9, S.PartialError, "Couldn't delete all the requested documents: %s", "Couldn't delete all the requested documents"),
  'services.storage.not_found': e(1, 1, 11, S.NotFoundError, 'Document "%s" not found in "%s":"%s".', 'Document not found'),
  'services.storage.bootstrap_timeout': e(1, 1, 12, S.InternalError, '%s: bootstrap failed - lock wait timeout exceeded.', 'Bootstrap of a storage instance failed because it has been locked for too much time'),
  'services.storage.version_mismatch': e(1, 1, 13, S.InternalError, 'Your elasticsearch version is %s: this version is not compatible with this version of Kuzzle', 'The version of the target Elasticsearch is not compatible with this version of Kuzzle'),
  'services.storage.unknown_scroll_id': e(1, 1, 14, S.NotFoundError, 'Non-existing or expired scroll identifier.', 'The scroll identifier does not exist or has expired'),
  'services.storage.search_as_an_id': e(1, 1, 15, S.BadRequestError, '_search is not a valid document identifier', 'Used "_search" as a document identifier, which conflicts with the _search HTTP route'),
  'services.storage.unknown_index_collection': e(1, 1, 16, S.PreconditionError, "The provided index and/or collection doesn't exist.", "The provided index and/or collection doesn't exist"),
  'services.storage.document_already_exists': e(1, 1, 17, S.BadRequestError, 'Document already exists.', 'A document with the same identifier already exists'),
  'services.storage.missing_argument': e(1, 1, 18, S.BadRequestError, 'Required argument "%s" is missing or is empty', 'A required argument is missing or is empty'),
  'services.storage.invalid_argument': e(1, 1, 19, S.BadRequestError, 'Argument "%s" is invalid (expected: %s)', 'Invalid argument provided'),
  // 1.1.20 index_protected: deprecated in Kuzzle 2.5.0.
  'services.storage.invalid_mapping': e(1, 1, 21, S.BadRequestError, 'Invalid mapping property "mappings.%s".%s', 'The provided mapping is invalid'),
  'services.storage.collection_reserved': e(1, 1, 22, S.BadRequestError, 'Invalid collection name. "%s" is reserved for internal usage.', 'Collections cannot be named "_kuzzle_keep" because it is reserved for internal use.'),
  'services.storage.no_routing': e(1, 1, 23, S.BadRequestError, 'The "_routing" keyword is forbidden.', 'The "_routing" keyword is forbidden'),
  'services.storage.not_connected': e(1, 1, 24, S.ExternalServiceError, 'Elasticsearch service is not connected.', 'Unable to connect to the storage instance'),
  'services.storage.too_many_operations': e(1, 1, 25, S.ExternalServiceError, '"%s" threads buffer exceeded. Too many operations received at once.', 'Too many operations received'),
  'services.storage.cannot_change_mapping': e(1, 1, 26, S.BadRequestError, 'Field "%s" already has a mapping, and it cannot be changed', 'Cannot change the mapping of a field (once set, a field mapping cannot be changed)'),
  'services.storage.duplicate_field_mapping': e(1, 1, 27, S.BadRequestError, 'Cannot set mapping for field "%s" on collection "%s" because this field name is already used in another collection, with a different type.', 'A same field cannot have different mappings within the same index (fields are shared to all of an index collections)'),
  'services.storage.unexpected_properties': e(1, 1, 28, S.BadRequestError, 'Property "%s" is not supported for field "%s".', 'Unexpected properties found'),
  'services.storage.invalid_mapping_type': e(1, 1, 29, S.BadRequestError, 'Field "%s": the data type "%s" doesn\'t exist', 'Unrecognized mapping data type'),
  'services.storage.wrong_mapping_property': e(1, 1, 30, S.BadRequestError, 'Cannot parse mapping property "%s"', 'A mapping property cannot be parsed'),
  'services.storage.invalid_mapping_argument': e(1, 1, 31, S.BadRequestError, 'Field "%s": invalid mapping property "%s".', 'Invalid mapping property'),
  'services.storage.too_many_changes': e(1, 1, 32, S.ExternalServiceError, 'Unable to modify document "%s": cluster sync failed (too many simultaneous changes applied)', 'Too many changes occured on the same resource in a small amount of time. Try with the "retryOnConflict" option'),
  'services.storage.unexpected_bad_request': e(1, 1, 33, S.BadRequestError, '%s', 'Embeds an unexpected bad request error from Elasticsearch'),
  'services.storage.unexpected_not_found': e(1, 1, 34, S.NotFoundError, '%s', 'Embeds an unexpected notfound error from Elasticsearch'),
  'services.storage.unexpected_error': e(1, 1, 35, S.ExternalServiceError, '%s', 'Embeds an unexpected error from Elasticsearch'),
  'services.storage.no_mapping_found': e(1, 1, 37, S.NotFoundError, 'No mapping found for index "%s".', 'Attempted to read a non-existent mapping'),
  'services.storage.index_already_exists': e(1, 1, 38, S.PreconditionError, 'A %s index named "%s" already exists', 'Attempted to create an already existing index'),
  // 1.1.39 forbidden_character: deprecated in Kuzzle 2.0.1.
  'services.storage.invalid_search_query': e(1, 1, 40, S.BadRequestError, 'The argument "%s" is not allowed at this level of a search query.', 'A forbidden argument has been provided in the search query'),
  'services.storage.invalid_index_name': e(1, 1, 41, S.BadRequestError, 'The index name "%s" is invalid', 'A provided index name is invalid'),
  'services.storage.invalid_collection_name': e(1, 1, 42, S.BadRequestError, 'The collection name "%s" is invalid', 'A provided collection name is invalid'),
  'services.storage.strict_mapping_rejection': e(1, 1, 43, S.BadRequestError, 'Cannot create document. Field "%s" is not present in collection "%s:%s" strict mapping', 'Document rejected because it contains a field that is not declared in the strict mapping.'),
  'services.storage.scroll_duration_too_great': e(1, 1, 44, S.BadRequestError, 'Scroll duration "%s" is too great.', 'The scroll duration exceed the configured maxium value. (See config.services.storageEngine.maxScrollDuration)'),
  'services.storage.unknown_query_keyword': e(1, 1, 45, S.BadRequestError, 'The keyword "%s" is not part of Elasticsearch Query DSL. Are you trying to use a Koncorde query?', 'An unknown keyword has been provided in the search query'),
  'services.storage.incomplete_update': e(1, 1, 46, S.MultipleErrorsError, '%s documents were successfully updated before an error occured', "Couldn't update all the requested documents"),
  'services.storage.invalid_query_keyword': e(1, 1, 47, S.BadRequestError, 'The "%s" keyword is not allowed in this query.', 'A forbidden keyword has been provided in the query'),
  'services.storage.multiple_indice_alias': e(1, 1, 48, S.PreconditionError, 'An %s is not allowed to be associated with multiple %s. This is probably not linked to this request but rather the consequence of previous actions on ElasticSearch.', 'The unique association between an indice and its alias has not been respected'),
  'services.storage.invalid_multi_index_collection_usage': e(1, 1, 49, S.BadRequestError, 'Searches on multiple collections should be achieved with the "targets" argument who contains list of indexes and collections to search within.', 'Searches on multiple collections should be achieved with the "targets" argument who contains list of indexes and collections to search within.'),
  'services.storage.invalid_target_format': e(1, 1, 50, S.BadRequestError, 'The %s ("%s") contains invalid characters ",+*" or is equal to "_all" which is forbidden', 'When a target index or collections contains invalid characters used for multi index search or "_all"'),
  'services.storage.wrong_es_static_settings_for_collection_recreation': e(1, 1, 51, S.BadRequestError, 'Attempt to recreate an existing collection %s of index %s of scope %s with non matching static setting : %s at %s while existing one is at %s', 'The ES static settings specified at the creation of an existing collection does not match existing settings'),
  'services.storage.delete_virtual_collection': e(1, 1, 52, S.BadRequestError, "You can't remove a virtual collection.", 'Remove virtual collection is forbidden'),
  'services.storage.create_virtual_collection': e(1, 1, 53, S.BadRequestError, 'you have not rights to create collection in a virtual index', 'create collection in a virtual index is forbidden'),
  'services.storage.update_virtual_collection': e(1, 1, 54, S.BadRequestError, 'you have not rights to update collection in a virtual index', 'update collection in a virtual index is forbidden'),
  'services.storage.update_virtual_index': e(1, 1, 55, S.BadRequestError, 'you have not rights to update settings in a virtual index', 'update settings in a virtual index is forbidden'),
  'services.storage.physicalIndex_does_not_exist': e(1, 1, 56, S.NotFoundError, 'The given physicalIndex does not exist.', 'You need an existing physical index'),
  // Kuzzle's JSON also has `physicalIndex_not_specified` (code 57), but nested
  // beside the subdomain's "errors" instead of inside it, so Kuzzle never loads
  // it. Left out; 57 stays reserved for it.
  //
  // Portcullis: errors of the per-plugin SQLite document store (kernel/storage/).
  'services.storage.not_indexed': e(1, 1, 58, S.BadRequestError, 'Field "%s" of collection "%s" is not indexed: declare it in the collection\'s indexes to search or sort on it.', 'A search or sort names a field the collection does not index'),
  'services.storage.unique_violation': e(1, 1, 59, S.PreconditionError, 'Collection "%s": another document already has this value for unique field "%s".', 'A write would give two documents the same value for a unique field'),
  'services.storage.invalid_query': e(1, 1, 60, S.BadRequestError, 'Invalid query on collection "%s": %s.', 'A storage query is malformed or uses an unsupported operator'),
  'services.storage.document_too_large': e(1, 1, 61, S.SizeLimitError, 'Document too large for collection "%s": %s bytes, the limit is %s.', 'A document exceeds the configured size limit'),
} as const satisfies Record<string, ErrorSpec>;
