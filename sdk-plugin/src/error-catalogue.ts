/**
 * The closed catalogue of error ids: every error a plugin or the kernel can
 * raise, with its stable numeric code and HTTP status.
 *
 * Portcullis speaks Kuzzle's API, so clients see Kuzzle's own errors. The
 * Kuzzle entries are transcribed from kuzzleio/kuzzle
 * `lib/kerror/codes/{2-api,3-network,4-plugin,7-security,1-services,0-core}.json`
 * (all of `api`, `network`, `plugin`, `security`, `services.storage`, and
 * `core.fatal.unexpected_error`): ids, numeric codes, messages and
 * descriptions unchanged, deprecated entries left out. `status` is the HTTP status of the entry's Kuzzle error class
 * (`lib/kerror/errors/*.ts`), kept by class name in {@link KUZZLE_STATUS} so
 * each entry reads like its JSON source.
 *
 * `code` is computed as Kuzzle does (`lib/kerror/index.ts`):
 * `domain << 24 | subdomain << 16 | error`.
 *
 * Portcullis's own errors (marked "Portcullis" below) take the next free error
 * number of their subdomain, or a new subdomain number after Kuzzle's highest,
 * so no two ids ever share a code.
 */
import { STORAGE_ERRORS } from './error-catalogue-storage.js';
import { e, KUZZLE_STATUS as S, type ErrorSpec } from './error-spec.js';

export type { ErrorSpec } from './error-spec.js';

export const ERROR_CATALOGUE = {
  // ---- core (0), from 0-core.json: only the kernel's generic fault.
  'core.fatal.unexpected_error': e(0, 0, 1, S.InternalError, 'Caught an unexpected error: %s.', 'Caught an unexpected error. Please contact your support.'),
  // ---------------------------------------------------------------- api (2), from 2-api.json

  'api.assert.invalid_type': e(2, 1, 1, S.BadRequestError, 'Wrong type for argument "%s" (expected: %s)', 'Wrong argument type'),
  'api.assert.invalid_argument': e(2, 1, 2, S.BadRequestError, 'Invalid argument "%s". Expected: %s', 'A request argument holds an invalid value'),
  'api.assert.missing_argument': e(2, 1, 3, S.BadRequestError, 'Missing argument "%s".', 'A required argument is missing'),
  'api.assert.empty_argument': e(2, 1, 4, S.BadRequestError, 'The argument "%s" is empty.', 'The argument cannot be empty'),
  'api.assert.mutually_exclusive': e(2, 1, 5, S.BadRequestError, 'Arguments "%s" and "%s" are mutually exclusive', 'Mutually exclusive parameters have been provided'),
  'api.assert.too_many_arguments': e(2, 1, 6, S.BadRequestError, 'Argument "%s" contains too many values', 'An argument contains too many keys or values'),
  'api.assert.unexpected_argument': e(2, 1, 7, S.BadRequestError, 'Unexpected argument "%s" (accepted arguments: %s)', 'An unexpected argument has been provided'),
  'api.assert.body_required': e(2, 1, 8, S.BadRequestError, 'The request must specify a body.', 'A request body is required'),
  'api.assert.unexpected_type_assertion': e(2, 1, 9, S.InternalError, 'An unexepected type assertion "%s" has been invoked on attribute "%s".', 'Unexpected type assertion'),
  'api.assert.invalid_id': e(2, 1, 10, S.BadRequestError, 'Invalid "_id" value: cannot start with an underscore', '_id values cannot start with an underscore'),
  'api.assert.forbidden_argument': e(2, 1, 11, S.BadRequestError, 'The argument "%s" is not allowed by this API action.', 'A forbidden argument has been provided'),
  'api.assert.koncorde_unknown_keyword': e(2, 1, 12, S.BadRequestError, 'The keyword "%s" is not part of Koncorde filters DSL keywords. Are you trying to use an Elasticsearch query?', 'An unknown keyword has been provided in filters'),
  'api.assert.koncorde_restricted_keyword': e(2, 1, 13, S.BadRequestError, 'The %s "%s" of Koncorde DSL is not supported for search queries.', 'A restricted keyword has been provided in filters'),
  'api.assert.koncorde_dsl_error': e(2, 1, 14, S.BadRequestError, '%s', 'Provided filters contains an error'),
  'api.process.action_locked': e(2, 2, 1, S.PreconditionError, 'Cannot execute action "%s": already executing.', "Cannot execute the requested action because it's already executing"),
  'api.process.overloaded': e(2, 2, 2, S.ServiceUnavailableError, 'Request discarded: Kuzzle Server is temporarily overloaded.', 'The request has been discarded because the server is overloaded'),
  'api.process.connection_dropped': e(2, 2, 3, S.BadRequestError, 'Client connection dropped', 'The request has been discarded because its linked client connection has dropped'),
  'api.process.controller_not_found': e(2, 2, 4, S.NotFoundError, 'API controller "%s" not found.', 'API controller not found'),
  'api.process.action_not_found': e(2, 2, 5, S.NotFoundError, 'API action "%s":"%s" not found', 'API controller action not found'),
  'api.process.incompatible_sdk_version': e(2, 2, 6, S.BadRequestError, 'Incompatible SDK client. Your SDK version (%s) does not match Kuzzle requirement (%s).', 'SDK is incompatible with the current Kuzzle version'),
  'api.process.shutting_down': e(2, 2, 7, S.ServiceUnavailableError, 'Rejected: this node is shutting down.', 'This Kuzzle node is shutting down and refuses new requests'),
  'api.process.too_many_requests': e(2, 2, 8, S.TooManyRequestsError, 'Rejected: requests rate limit exceeded for this user.', 'The request has been refused because a rate limit has been exceeded for this user'),
  'api.process.admin_exists': e(2, 2, 9, S.PreconditionError, 'Admin user is already set.', 'Attempted to create the first administrator, when one already exists'),
  'api.process.incomplete_multiple_request': e(2, 2, 10, S.MultipleErrorsError, 'At least one of the %s actions failed.', 'Failed to execute some or all actions requested'),
  'api.process.not_enough_nodes': e(2, 2, 11, S.ServiceUnavailableError, "Rejected: this cluster is disabled because there aren't enough nodes connected.", 'The Kuzzle cluster has not enough nodes available, and no new requests can be processed until new nodes are added'),
  'api.process.unauthorized_origin': e(2, 2, 12, S.UnauthorizedError, 'The origin "%s" is not authorized.', 'The domain reaching out to Kuzzle is not authorized'),
  'api.process.too_many_logins_requests': e(2, 2, 13, S.TooManyRequestsError, 'Rejected: Too many login attempts per second', 'The request was denied because the maximum number of login attempts per second has been exceeded.'),

  // ---------------------------------------------------------------- network (3), from 3-network.json

  'network.http.request_too_large': e(3, 1, 1, S.SizeLimitError, 'Maximum HTTP request size exceeded.', 'The size of the request exceeds the server configured limit'),
  'network.http.unexpected_error': e(3, 1, 2, S.BadRequestError, 'Caught an unexpected HTTP error: %s', 'Caught an unexpected HTTP parsing error'),
  'network.http.too_many_encodings': e(3, 1, 3, S.BadRequestError, 'Too many encodings.', 'The number of encodings exceeds the server configured limit'),
  'network.http.unsupported_compression': e(3, 1, 4, S.BadRequestError, 'Unsupported compression algorithm "%s".', 'The request has been compressed using an unsupported compression algorithm'),
  'network.http.compression_disabled': e(3, 1, 5, S.BadRequestError, 'Compression support is disabled.', 'The server has been configured to refuse compressed requests'),
  'network.http.unsupported_verb': e(3, 1, 6, S.BadRequestError, 'Unsupported HTTP verb "%s".', 'An HTTP request has been submitted using an unsupported verb'),
  'network.http.url_not_found': e(3, 1, 7, S.NotFoundError, 'API URL not found: %s.', 'API URL not found'),
  'network.http.unsupported_content': e(3, 1, 8, S.BadRequestError, 'Invalid request content-type. Expected "application/json", got: "%s".', 'The content described in the content-type header is not supported'),
  'network.http.unsupported_charset': e(3, 1, 9, S.BadRequestError, 'Unsupported request charset. Expected "utf-8", got: "%s".', 'Unsupported content charset'),
  'network.http.duplicate_url': e(3, 1, 10, S.InternalError, 'Unable to attach URL %s: this path already exists.', 'Triggered when an attempt is made to register a duplicate URL in the HTTP router'),
  'network.http.volatile_parse_failed': e(3, 1, 11, S.BadRequestError, 'Unable to convert the "x-kuzzle-volatile" HTTP header to JSON: %s', 'The x-kuzzle-volatile header received is not in JSON format'),
  'network.http.body_parse_failed': e(3, 1, 12, S.BadRequestError, 'Unable to convert the HTTP body to JSON: %s', 'The request body is not in JSON format'),
  'network.http.file_too_large': e(3, 1, 13, S.SizeLimitError, 'Maximum HTTP file size exceeded', 'The submitted file exceeds the server configured limit'),
  'network.http.stream_closed': e(3, 1, 14, S.InternalError, 'Stream closed or destroyed.', 'The stream has been closed or destroyed before sending the response'),
  'network.http.stream_errored': e(3, 1, 15, S.InternalError, 'Stream errored: %s', 'The stream is errored'),
  'network.mqtt.unexpected_error': e(3, 2, 1, S.BadRequestError, 'Caught an unexpected MQTT error: %s', 'Caught an unexpected MQTT error'),
  'network.websocket.unexpected_error': e(3, 3, 1, S.BadRequestError, 'Caught an unexpected WebSocket error: %s', 'Caught an unexpected WebSocket error'),
  'network.websocket.ratelimit_exceeded': e(3, 3, 2, S.TooManyRequestsError, 'Rejected: too many requests received from that socket', 'Too many requests received from a client socket'),
  'network.entrypoint.unexpected_event': e(3, 4, 1, S.InternalError, 'Unexpected event received: %s.', 'Received an erroneous network event'),
  'network.entrypoint.invalid_port': e(3, 4, 2, S.InternalError, 'Invalid network port number: %s.', 'Invalid network port'),
  'network.entrypoint.shutting_down': e(3, 4, 3, S.ServiceUnavailableError, 'Rejected: instance is shutting down', 'Request rejected because this instance is shutting down'),

  // ---------------------------------------------------------------- plugin (4), from 4-plugin.json

  'plugin.assert.invalid_plugins_dir': e(4, 1, 1, S.InternalError, 'Unable to read plugins directory "%s"; %s.', 'The enabled plugins directory cannot be opened'),
  'plugin.assert.cannot_load': e(4, 1, 2, S.PluginImplementationError, 'Unable to load plugin from path "%s"; %s.', 'Kuzzle is unable to load a plugin'),
  'plugin.assert.invalid_hook': e(4, 1, 3, S.PluginImplementationError, 'Unable to configure a hook for the event "%s": "%s" should be a function. %s', 'A hook must point to either a function named directly exposed by the plugin, or a function. This error is thrown when a hook property is configured with neither of these values'),
  'plugin.assert.invalid_pipe': e(4, 1, 4, S.PluginImplementationError, 'Unable to configure a pipe for the event "%s": "%s" should be a function. %s', 'A pipe must point to either a function named directly exposed by the plugin, or a function. This error is thrown when a hook property is configured with neither of these values'),
  'plugin.assert.init_not_found': e(4, 1, 5, S.PluginImplementationError, 'Plugin "%s": No "init" method found.', "The plugin does not have an 'init' function"),
  'plugin.assert.privileged_not_supported': e(4, 1, 6, S.PluginImplementationError, 'The plugin "%s" is configured to run in privileged mode, but it does not seem to support it.', "The 'privileged' flag has been set in Kuzzle's configuration for that plugin, but not in the plugin's manifest"),
  'plugin.assert.privileged_not_set': e(4, 1, 7, S.PluginImplementationError, 'The plugin "%s" needs to run in privileged mode to work, you have to explicitly set "privileged: true" in its configuration.', "The 'privileged' flag has been set in the plugin's manifest file, but it needs also to be added in Kuzzle's configuration"),
  'plugin.assert.not_a_constructor': e(4, 1, 8, S.PluginImplementationError, 'Plugin "%s" is not a constructor.', 'The exposed plugin is not a constructor'),
  'plugin.assert.name_already_exists': e(4, 1, 9, S.PluginImplementationError, 'A plugin named %s already exists', 'Another plugin with the same name has already been loaded'),
  'plugin.assert.invalid_plugin_name': e(4, 1, 10, S.PluginImplementationError, 'Plugin name "%s" is invalid. Plugin names must be in kebab-case.', 'The plugin name is invalid. Plugin names can only contain lowercase letters and dashes.'),
  'plugin.assert.no_name_provided': e(4, 1, 11, S.PluginImplementationError, 'Cannot infer plugin name. No constructor method and no name provided', 'The plugin does not have a constructor method and no name has been provided.'),
  'plugin.assert.invalid_controller_definition': e(4, 1, 12, S.PluginImplementationError, 'Incorrect "%s" controller definition: %s', 'The controller definition is incorrect.'),
  'plugin.assert.invalid_application_name': e(4, 1, 13, S.PluginImplementationError, 'Application name "%s" is invalid. Application names must be in kebab-case.', 'The application name is invalid. Application names can only contain lowercase letters and dashes.'),
  'plugin.assert.duplicated_api_definition': e(4, 1, 14, S.PluginImplementationError, 'Cannot define new controllers in the "api" and the "controllers" objects at the same time', 'You cannot use the "api" and the "controllers" objects at the same time. Use the "api" object to define controllers.'),
  'plugin.assert.plugin_not_found': e(4, 1, 15, S.NotFoundError, 'Plugin "%s" not found.%s', 'The request plugin does not exists or have not been loaded yet.'),
  'plugin.runtime.failed_init': e(4, 2, 1, S.PluginImplementationError, 'Something went wrong during initialization of "%s" plugin.', "An exception was thrown by a plugin's init function"),
  'plugin.runtime.unexpected_error': e(4, 2, 2, S.PluginImplementationError, 'Caught an unexpected plugin error: %s', 'Embeds an unexpected plugin error into a standardized KuzzleError object'),
  // 4.2.3 pipe_timeout: deprecated in Kuzzle 2.2.0.
  'plugin.runtime.too_many_pipes': e(4, 2, 4, S.ServiceUnavailableError, 'Request discarded: maximum number of executing pipe functions reached.', 'The number of running pipes exceeds the configured capacity (see configuration files). This may be caused by pipes being too slow, or by an insufficient number of Kuzzle nodes.'),
  'plugin.runtime.already_started': e(4, 2, 5, S.PluginImplementationError, 'Cannot use property "%s" when application is already running', 'Features definition cannot be changed after startup.'),
  'plugin.runtime.unavailable_before_start': e(4, 2, 6, S.PluginImplementationError, 'Cannot use property "%s" before application startup', 'The property is only accessible after application startup.'),
  'plugin.runtime.unknown_pipe': e(4, 2, 7, S.PluginImplementationError, 'Unknown pipe ID "%s"', 'The provided pipe identifier is unknown.'),
  'plugin.runtime.unexpected_installation_error': e(4, 2, 8, S.PluginImplementationError, 'Caught an unexpected error while executing installation "%s": %s', 'Embeds an unexpected installation error into a standardized KuzzleError object.'),
  // Portcullis: plugins run in isolates the kernel supervises.
  'plugin.runtime.timeout': e(4, 2, 9, S.GatewayTimeoutError, 'Plugin "%s": call to "%s" exceeded its deadline of %sms.', 'A call into a plugin isolate did not answer within its deadline'),
  'plugin.runtime.unavailable': e(4, 2, 10, S.ServiceUnavailableError, 'Plugin "%s" is unavailable: %s.', 'The plugin failed, is restarting or is shutting down, and cannot take calls'),
  'plugin.runtime.protocol_mismatch': e(4, 2, 11, S.PluginImplementationError, 'Plugin "%s": field "%s" of the isolate handshake is %s, the kernel expects %s.', 'The plugin isolate was built against an incompatible kernel/isolate protocol'),
  'plugin.runtime.init_timeout': e(4, 2, 12, S.PluginImplementationError, 'Plugin "%s": init did not finish within %sms.', "A plugin's init function did not finish within the configured delay"),
  'plugin.runtime.malformed_message': e(4, 2, 13, S.PluginImplementationError, 'Plugin "%s" sent a malformed message: %s.', 'A plugin isolate sent a message that does not follow the kernel/isolate protocol'),
  'plugin.runtime.invalid_result': e(4, 2, 14, S.PluginImplementationError, 'Plugin "%s": method "%s" returned an invalid result: %s.', 'A plugin method returned a value of the wrong shape'),
  'plugin.strategy.invalid_description': e(4, 3, 1, S.PluginImplementationError, '%s expected the strategy description to be an object, got: %s.', 'The strategy.description field must be an object'),
  'plugin.strategy.invalid_methods': e(4, 3, 2, S.PluginImplementationError, '%s expected a "methods" property of type "object", got: %s.', 'The strategy.methods field must be an object'),
  'plugin.strategy.invalid_method_type': e(4, 3, 3, S.PluginImplementationError, '%s expected a "%s" property of type "string", got: %s.', 'Method definitions in the strategy.methods configuration must be of type string'),
  'plugin.strategy.missing_method_function': e(4, 3, 4, S.PluginImplementationError, '%s the strategy method "%s" must point to an exposed function.', 'A required strategy method is missing'),
  'plugin.strategy.invalid_config': e(4, 3, 5, S.PluginImplementationError, '%s expected a "config" property of type "object", got: %s.', 'The strategy.config field must be an object'),
  'plugin.strategy.unexpected_constructor': e(4, 3, 6, S.PluginImplementationError, '%s the "authenticator" and "constructor" parameters cannot both be set.', 'The (deprecated) constructor property can only be set if there is no authenticator defined'),
  'plugin.strategy.invalid_constructor': e(4, 3, 7, S.PluginImplementationError, '%s invalid "constructor" property value: constructor expected.', 'The strategy.constructor field must be a constructor'),
  'plugin.strategy.invalid_authenticator': e(4, 3, 8, S.PluginImplementationError, '%s expected an "authenticator" property of type "string", got: %s.', 'The strategy.authenticator field must be a string'),
  'plugin.strategy.unknown_authenticator': e(4, 3, 9, S.PluginImplementationError, '%s unknown authenticator: %s.', "This strategy uses an authenticator that hasn't been declared in this.authenticators"),
  'plugin.strategy.invalid_option': e(4, 3, 10, S.PluginImplementationError, '%s expected the "%s" property to be of type "object", got: %s.', 'If defined, the "strategy.config.strategyOptions" and "strategy.config.authenticateOptions" properties must be objects'),
  'plugin.strategy.invalid_fields': e(4, 3, 11, S.PluginImplementationError, '%s expected the "fields" property to be of type "array", got: %s.', 'The field strategy.config.fields must be an array or null'),
  'plugin.strategy.invalid_definition': e(4, 3, 12, S.PluginImplementationError, '%s the exposed "strategies" plugin property must be a non-empty object.', 'The strategies property must be a non-empty object'),
  'plugin.strategy.failed_registration': e(4, 3, 13, S.PluginImplementationError, 'Failed to register strategy "%s": %s', 'Passportjs rejected this strategy (see the message for more information)'),
  'plugin.strategy.invalid_verify_return': e(4, 3, 14, S.PluginImplementationError, '%s The "verify" method is expected to return a Promise, got: %s.', 'The "verify" method must return a promise'),
  'plugin.strategy.invalid_verify_resolve': e(4, 3, 15, S.PluginImplementationError, '%s invalid authentication strategy result (expected an object).', 'The "verify" strategy method resolved to a non-object return value'),
  'plugin.strategy.invalid_kuid': e(4, 3, 16, S.PluginImplementationError, '%s invalid authentication kuid returned: expected a string, got a %s.', 'The "verify" method returned an invalid kuid'),
  'plugin.strategy.unknown_kuid': e(4, 3, 17, S.PluginImplementationError, '%s returned an unknown Kuzzle user identifier.', 'The "verify" method returned an unknown kuid'),
  'plugin.strategy.unauthorized_removal': e(4, 3, 18, S.PluginImplementationError, 'Cannot remove strategy %s: owned by another plugin.', 'Tried to remove a strategy owned by another plugin'),
  'plugin.strategy.strategy_not_found': e(4, 3, 19, S.NotFoundError, 'Cannot remove strategy %s: strategy does not exist.', 'Attempted to remove a non-existent authentication strategy'),
  'plugin.strategy.missing_user': e(4, 3, 20, S.UnauthorizedError, '%s', 'A strategy plugin approved credentials without providing a user object to Kuzzle'),
  'plugin.strategy.missing_optional_method': e(4, 3, 21, S.PluginImplementationError, '"%s" method is optional. The %s strategy plugin has not yet implemented it.', 'An optional method has not been implemented for this strategy'),
  // Portcullis. (An unknown strategy name is Kuzzle's security.credentials.unknown_strategy.)
  'plugin.strategy.duplicate_strategy': e(4, 3, 22, S.PluginImplementationError, 'Strategy "%s" is declared by both plugin "%s" and plugin "%s".', 'Two enabled plugins declare a strategy with the same name'),
  'plugin.controller.invalid_description': e(4, 4, 1, S.PluginImplementationError, '%s Invalid controller description type (expected object, got: "%s").', 'The controller description must be an object'),
  'plugin.controller.invalid_action': e(4, 4, 2, S.PluginImplementationError, '%s Action for "%s" is neither a function nor a function name. %s', 'A controller action must be a function name, or a function'),
  'plugin.controller.unexpected_route_property': e(4, 4, 3, S.PluginImplementationError, '%s Unexpected property "%s" in route definition. %s', 'An unexpected property has been found in a controller route definition'),
  'plugin.controller.invalid_route_property': e(4, 4, 4, S.PluginImplementationError, '%s "%s" must be a non-empty string.', 'Invalid route property format (must be a non-empty string)'),
  'plugin.controller.undefined_controller': e(4, 4, 5, S.PluginImplementationError, '%s Undefined controller "%s". %s', 'A HTTP route points to an non-existent controller'),
  'plugin.controller.undefined_action': e(4, 4, 6, S.PluginImplementationError, '%s Undefined action "%s". %s', 'A HTTP route points to an non-existent controller action'),
  'plugin.controller.unsupported_verb': e(4, 4, 7, S.PluginImplementationError, '%s Only the following http verbs are allowed: "%s". %s', 'A HTTP route is using an unsupported HTTP verb'),
  'plugin.controller.unserializable_response': e(4, 4, 8, S.PluginImplementationError, 'Unable to serialize response. Are you trying to return the request?', 'A plugin controller action returned a non-serializable response'),
  'plugin.controller.invalid_action_response': e(4, 4, 9, S.PluginImplementationError, 'Unexpected return value from action "%s:%s": expected a Promise', 'API actions added by plugins must return a promise'),
  'plugin.manifest.cannot_load': e(4, 5, 1, S.PluginImplementationError, "[%s] Unable to load the file 'manifest.json': %s", "Unable to load the plugin's manifest file"),
  'plugin.manifest.version_mismatch': e(4, 5, 2, S.PluginImplementationError, '[%s/manifest.json] Version mismatch: current Kuzzle version %s does not match the manifest requirements (%s).', "Current Kuzzle's version does not match the plugin's requirements"),
  'plugin.manifest.invalid_name_type': e(4, 5, 3, S.PluginImplementationError, '[%s] Invalid "name" property: expected a non-empty string.', "Invalid plugin's name"),
  'plugin.manifest.invalid_name': e(4, 5, 4, S.PluginImplementationError, '[%s] Invalid plugin name. The name must be comprised only of letters, numbers, hyphens and underscores.', "Invalid characters in a plugin's name"),
  'plugin.manifest.missing_name': e(4, 5, 5, S.PluginImplementationError, '[%s] A "name" property is required.', 'A plugin name is required'),
  'plugin.manifest.invalid_errors': e(4, 5, 6, S.PluginImplementationError, '[%s] errors field in manifest.json badly formatted: %s', "The 'errors' property format is invalid"),
  'plugin.manifest.invalid_privileged': e(4, 5, 7, S.PluginImplementationError, '[%s] Invalid "privileged" property: expected a boolean, got a %s.', 'The "privileged" property is invalid'),
  'plugin.manifest.missing_package': e(4, 5, 8, S.PluginImplementationError, '[%s] No package.json file found.', "The plugin is missing a 'package.json' file (run 'npm init' to create one)"),
  'plugin.manifest.missing_package_name': e(4, 5, 9, S.PluginImplementationError, '[%s] No "name" property provided in package.json.', "A 'name' property in the 'package.json' file is required by Kuzzle, as it is used as the plugin's unique name"),
  // Kuzzle's id and code; Portcullis manifests name the kernel's version range
  // `kernelVersion` where Kuzzle's say `kuzzleVersion`.
  'plugin.manifest.missing_version': e(4, 5, 10, S.PluginImplementationError, '[%s] A "kernelVersion" property is required', 'Plugin manifest must provide a kernelVersion parameter, with the range of compatible Portcullis kernel versions'),
  // Portcullis.
  'plugin.manifest.invalid_field': e(4, 5, 11, S.PluginImplementationError, '[%s] Invalid "%s" property in manifest.json: %s.', "A property of the plugin's manifest has the wrong type or value"),
  'plugin.manifest.invalid_main': e(4, 5, 12, S.PluginImplementationError, '[%s] "main" must name a file inside the plugin folder: %s.', "The manifest's entry point is missing or lies outside the plugin folder"),
  'plugin.manifest.name_mismatch': e(4, 5, 13, S.PluginImplementationError, '[%s] manifest.json names the plugin "%s", but it is enabled as "%s".', 'The name in manifest.json differs from the name the plugin is enabled under'),
  'plugin.manifest.unsafe_symlink': e(4, 5, 14, S.PluginImplementationError, '[%s] "%s" is a symbolic link to outside the plugin folder; the permission model would follow it.', 'A plugin folder holds a symbolic link that leads outside it'),
  'plugin.context.missing_collection': e(4, 6, 1, S.PluginImplementationError, 'Missing collection argument.', "The 'collection' argument is required, but none was provided"),
  'plugin.context.unavailable_realtime': e(4, 6, 2, S.PluginImplementationError, 'The method "realtime:%s" is unavailable with execute(). Use the embedded SDK instead.', 'Due to technical limitations, subscribe and unsubscribe methods are only available through the embedded SDK.'),
  'plugin.context.invalid_user': e(4, 6, 3, S.PluginImplementationError, 'You must provide a valid User object when adding context with as().', "The user object provided to the sdk.as() method is not a valid user with a least an '_id' property"),
  'plugin.context.invalid_callback': e(4, 6, 4, S.PluginImplementationError, 'Invalid argument: Expected callback to be a function, received "%s".', 'A non-function callback has been provided'),
  'plugin.context.missing_request': e(4, 6, 5, S.PluginImplementationError, 'Invalid argument: a Request object must be supplied.', 'A Request object is required, but none was supplied'),
  'plugin.context.missing_request_data': e(4, 6, 6, S.PluginImplementationError, 'A Request object and/or request data must be provided.', 'A Request object and/or request data must be provided'),
  // 4.6.7 invalid_event: deprecated in Kuzzle 2.2.0.
  'plugin.context.missing_authenticator': e(4, 6, 8, S.PluginImplementationError, '[%s] Strategy %s: dynamic strategy registration can only be done using an "authenticator" option (see https://tinyurl.com/y7boozbk).', 'Missing "strategy.config.authenticator" property'),
  'plugin.authenticators.not_an_object': e(4, 7, 1, S.PluginImplementationError, '%s the exposed "authenticators" plugin property must be of type "object".', 'The "authenticators" property must be an object'),
  'plugin.authenticators.invalid_authenticator': e(4, 7, 2, S.PluginImplementationError, '%s invalid authenticator.%s property: expected a constructor.', 'Authenticators exposed in the "authenticators" object must be constructors'),
  // Portcullis: free-text errors a plugin throws for its users (sdk-plugin's
  // BadRequestError and siblings), like Kuzzle's context.errors.*.
  'plugin.custom.bad_request': e(4, 8, 1, S.BadRequestError, '%s', 'A plugin rejected the request as malformed'),
  'plugin.custom.unauthorized': e(4, 8, 2, S.UnauthorizedError, '%s', 'A plugin refused to authenticate the request'),
  'plugin.custom.forbidden': e(4, 8, 3, S.ForbiddenError, '%s', 'A plugin refused an authenticated request'),
  'plugin.custom.not_found': e(4, 8, 4, S.NotFoundError, '%s', 'A plugin did not find what the request asked for'),
  'plugin.custom.precondition_failed': e(4, 8, 5, S.PreconditionError, '%s', 'A plugin found a precondition of the request unmet'),
  'plugin.custom.too_many_requests': e(4, 8, 6, S.TooManyRequestsError, '%s', 'A plugin rate-limited the request'),
  'plugin.custom.internal_error': e(4, 8, 7, S.InternalError, '%s', 'A plugin failed on a fault of its own'),
  'plugin.custom.service_unavailable': e(4, 8, 8, S.ServiceUnavailableError, '%s', 'A service the plugin depends on is unavailable'),
  // Portcullis: the kernel's plugins.json.
  'plugin.config.invalid': e(4, 9, 1, S.InternalError, 'Invalid plugins configuration %s: %s', 'The plugins configuration (plugins.json) is malformed'),
  'plugin.config.not_found': e(4, 9, 2, S.InternalError, 'Plugin "%s" is enabled in plugins.json, but %s.', 'A plugin enabled in plugins.json cannot be found'),

  // ---------------------------------------------------------------- security (7), from 7-security.json

  'security.token.invalid': e(7, 1, 1, S.UnauthorizedError, 'Invalid token.', 'Invalid authentication token.'),
  'security.token.unknown_user': e(7, 1, 2, S.InternalError, 'Unknown User : cannot generate token', 'Missing user or missing user identifier'),
  'security.token.unknown_connection': e(7, 1, 3, S.InternalError, 'Unknown connection : cannot generate token', 'Missing connection identifier'),
  'security.token.ttl_exceeded': e(7, 1, 4, S.BadRequestError, 'expiresIn value exceeds maximum allowed value', 'An authentication token was requested with a TTL larger than the configured maximum value'),
  'security.token.generation_failed': e(7, 1, 5, S.InternalError, 'Error while generating token: %s', 'Unable to generate the requested authentication token'),
  'security.token.expired': e(7, 1, 6, S.UnauthorizedError, 'Token expired', 'The provided authentication token has expired'),
  'security.token.verification_error': e(7, 1, 7, S.InternalError, 'Error verifying token: %s', 'An unexpected error occured while verifying an authentication token'),
  // Sic: Kuzzle's JSON has the placeholder in the description, not the message.
  'security.token.refresh_forbidden': e(7, 1, 8, S.UnauthorizedError, 'Token cannot be refreshed.', 'The provided token cannot be refreshed: %s cannot be refreshed.'),
  // Portcullis: the id Kuzzle's auth:createToken throws, missing from its 7-security.json.
  'security.token.invalid_expiration': e(7, 1, 9, S.BadRequestError, 'Invalid expiration "%s": %s.', 'A token was asked for with an expiration it cannot have (createToken: never expiring)'),
  'security.credentials.unknown_strategy': e(7, 2, 1, S.BadRequestError, 'Unknown authentication strategy "%s"', 'Unknown authentication strategy'),
  'security.credentials.database_inconsistency': e(7, 2, 2, S.PluginImplementationError, 'Internal database inconsistency detected: existing credentials found on non-existing user %s.', 'Inconsistency detected: credentials were found on a non-existing user'),
  'security.credentials.rejected': e(7, 2, 3, S.BadRequestError, 'Credentials rejected: %s', "User's credentials were rejected during"),
  'security.rights.unauthorized': e(7, 3, 1, S.UnauthorizedError, 'Unauthorized: authentication required to execute the action "%s:%s".', 'Authentication required to execute this action'),
  'security.rights.forbidden': e(7, 3, 2, S.ForbiddenError, 'Insufficient permissions to execute the action "%s:%s" (User "%s").', 'Insufficient permissions to execute this action'),
  // Portcullis: an admin role or profile that lost rights could leave nobody able to administer the server.
  'security.rights.admin_protected': e(7, 3, 3, S.BadRequestError, 'The admin %s cannot be changed: it keeps every right.', 'The admin role and profile are built in and cannot be changed'),
  'security.user.already_exists': e(7, 4, 1, S.PreconditionError, 'User %s already exists.', 'Cannot create the user as it already exists'),
  'security.user.not_found': e(7, 4, 2, S.NotFoundError, 'User "%s" not found.', 'Attempted to access to a non-existing user'),
  'security.user.anonymous_profile_required': e(7, 4, 3, S.BadRequestError, 'The anonymous user must be assigned to the anonymous profile', 'The anonymous user must be assigned to the anonymous profile'),
  'security.user.cannot_hydrate': e(7, 4, 4, S.InternalError, 'Unable to hydrate the user "%s": missing profile(s) in the database', 'Database inconsistency error: a user is referencing non-existing profiles'),
  'security.user.uninitialized': e(7, 4, 5, S.InternalError, 'Cannot get profiles for uninitialized user "%s"', 'Attempted to access to an unitialized User object'),
  'security.user.prevent_overwrite': e(7, 4, 6, S.BadRequestError, 'Cannot overwrite existing users.', 'Attempted to overwrite existing users. Change "onExistingUsers" params to modify this method behavior.'),
  'security.user.no_profile': e(7, 4, 7, S.InternalError, 'Cannot load user "%s": there is no security profiles associated to it', 'Database inconsistency error: a user does not have profiles associated to it'),
  // Portcullis: with no admin left, createFirstAdmin would be open to anyone on a live server.
  'security.user.last_admin': e(7, 4, 8, S.PreconditionError, 'Cannot remove the last administrator "%s": give another user the admin profile first.', 'The last user with the admin profile can be neither deleted nor demoted'),
  // Portcullis: credentials given to a user whose creation did not finish would be deleted with it when it is undone.
  'security.user.creation_pending': e(7, 4, 9, S.PreconditionError, 'The creation of user "%s" has not finished: its credentials cannot change until it finishes or is undone (then create the user again).', 'Credentials of a user whose creation has not finished cannot change'),
  'security.role.not_found': e(7, 5, 1, S.NotFoundError, 'Role "%s" not found.', 'Attempted to access to a non-existing role'),
  'security.role.login_required': e(7, 5, 2, S.BadRequestError, 'Cannot remove the "login" action from the anonymous role.', 'Cannot remove the "login" action from the anonymous role'),
  'security.role.cannot_delete': e(7, 5, 3, S.BadRequestError, 'The following roles are protected and cannot be deleted: anonymous, default, admin', 'Attempted to delete a base role (anonymous, default, admin)'),
  'security.role.in_use': e(7, 5, 4, S.PreconditionError, 'The role "%s" is still used and cannot be deleted.', 'A role still assigned to profiles cannot be deleted'),
  'security.role.uninitialized': e(7, 5, 5, S.InternalError, 'Cannot check permissions on the uninitialized role "%s"', 'Attempted to access to an unitialized Role object'),
  // 7.5.6 invalid_rights, 7.5.7 closure_exec_failed, 7.5.8 closure_missing_test: deprecated in Kuzzle 2.2.0.
  'security.role.unknown_controller': e(7, 5, 9, S.BadRequestError, "Trying to set role %s with a non-existing controller '%s'. %s", 'Trying to set a role with a non-existing controller'),
  'security.role.unknown_action': e(7, 5, 10, S.BadRequestError, "Trying to set role %s with a non-existing action '%s' in controller '%s'. %s", 'Trying to set a role with a non-existing controller action'),
  'security.profile.not_found': e(7, 6, 1, S.NotFoundError, 'Profile "%s" not found.', 'Attempted to access to a non-existing profile'),
  'security.profile.cannot_delete': e(7, 6, 2, S.BadRequestError, 'The following profiles are protected and cannot be deleted: anonymous, default, admin', 'Attempted to delete a base profile (anonymous, default, admin)'),
  'security.profile.in_use': e(7, 6, 3, S.PreconditionError, 'The profile "%s" is still used and cannot be deleted.', 'A profile still assigned to users cannot be deleted'),
  'security.profile.cannot_hydrate': e(7, 6, 4, S.InternalError, 'Unable to hydrate the profile "%s": missing role(s) in the database', 'Database inconsistency error: a profile is referencing non-existing roles'),
  'security.profile.missing_anonymous_role': e(7, 6, 5, S.BadRequestError, 'The anonymous profile must include the anonymous role', 'The anonymous profile must include the anonymous role'),
  'security.profile.uninitialized': e(7, 6, 6, S.InternalError, 'Cannot get roles for uninitialized profile "%s"', 'Attempted to access to an unitialized Profile object'),
  'security.cookie.invalid': e(7, 7, 1, S.UnauthorizedError, 'Invalid cookie.', 'Invalid authentication cookie.'),
  'security.cookie.unsupported': e(7, 7, 2, S.InternalError, 'Cookie authentication not supported.', 'Cookie authentication not supported.'),

  // ---------------------------------------------------------------- services.storage (1.1): error-catalogue-storage.ts
  ...STORAGE_ERRORS,
} as const satisfies Record<string, ErrorSpec>;

export type ErrorId = keyof typeof ERROR_CATALOGUE;

/** The spec of a catalogue id, typed as the plain {@link ErrorSpec}. */
export function errorSpec(id: ErrorId): ErrorSpec {
  return ERROR_CATALOGUE[id];
}
