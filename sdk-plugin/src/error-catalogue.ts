/**
 * The closed catalogue of error ids: every error a plugin or the kernel can
 * raise, with its stable numeric code and HTTP status.
 *
 * Portcullis speaks Kuzzle's API, so clients see Kuzzle's own errors. The
 * Kuzzle entries are transcribed from kuzzleio/kuzzle
 * `lib/kerror/codes/{2-api,3-network,4-plugin,7-security,1-services,0-core}.json`
 * (all of `api`, `network`, `plugin`, `security`, `services.storage`, and
 * `core.fatal.unexpected_error`):
 * ids, numeric codes, messages and descriptions unchanged, deprecated entries
 * left out. `status` is the HTTP status of the entry's Kuzzle error class
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

export interface ErrorSpec {
  code: number;
  status: number;
  /** Template; `%s` placeholders are filled in order (see `formatErrorMessage`). */
  message: string;
  description: string;
}

/** Kuzzle's code for an error: `domain << 24 | subdomain << 16 | error`. */
function kcode(domain: number, subdomain: number, error: number): number {
  return (domain << 24) | (subdomain << 16) | error;
}

/** HTTP status of each Kuzzle error class, as set in `lib/kerror/errors/*.ts`. */
const KUZZLE_STATUS = {
  // Kuzzle answers a partly failed bulk action with 206 and the failures.
  PartialError: 206,
  BadRequestError: 400,
  MultipleErrorsError: 400,
  UnauthorizedError: 401,
  ForbiddenError: 403,
  NotFoundError: 404,
  PreconditionError: 412,
  SizeLimitError: 413,
  TooManyRequestsError: 429,
  InternalError: 500,
  ExternalServiceError: 500,
  PluginImplementationError: 500,
  ServiceUnavailableError: 503,
  GatewayTimeoutError: 504,
} as const;

const S = KUZZLE_STATUS;

export const ERROR_CATALOGUE = {
  // ---- core (0), from 0-core.json: only the kernel's generic fault.
  'core.fatal.unexpected_error': {
    code: kcode(0, 0, 1),
    status: S.InternalError,
    message: 'Caught an unexpected error: %s.',
    description: 'Caught an unexpected error. Please contact your support.',
  },
  // ---------------------------------------------------------------- api (2), from 2-api.json

  'api.assert.invalid_type': {
    code: kcode(2, 1, 1),
    status: S.BadRequestError,
    message: 'Wrong type for argument "%s" (expected: %s)',
    description: 'Wrong argument type',
  },
  'api.assert.invalid_argument': {
    code: kcode(2, 1, 2),
    status: S.BadRequestError,
    message: 'Invalid argument "%s". Expected: %s',
    description: 'A request argument holds an invalid value',
  },
  'api.assert.missing_argument': {
    code: kcode(2, 1, 3),
    status: S.BadRequestError,
    message: 'Missing argument "%s".',
    description: 'A required argument is missing',
  },
  'api.assert.empty_argument': {
    code: kcode(2, 1, 4),
    status: S.BadRequestError,
    message: 'The argument "%s" is empty.',
    description: 'The argument cannot be empty',
  },
  'api.assert.mutually_exclusive': {
    code: kcode(2, 1, 5),
    status: S.BadRequestError,
    message: 'Arguments "%s" and "%s" are mutually exclusive',
    description: 'Mutually exclusive parameters have been provided',
  },
  'api.assert.too_many_arguments': {
    code: kcode(2, 1, 6),
    status: S.BadRequestError,
    message: 'Argument "%s" contains too many values',
    description: 'An argument contains too many keys or values',
  },
  'api.assert.unexpected_argument': {
    code: kcode(2, 1, 7),
    status: S.BadRequestError,
    message: 'Unexpected argument "%s" (accepted arguments: %s)',
    description: 'An unexpected argument has been provided',
  },
  'api.assert.body_required': {
    code: kcode(2, 1, 8),
    status: S.BadRequestError,
    message: 'The request must specify a body.',
    description: 'A request body is required',
  },
  'api.assert.unexpected_type_assertion': {
    code: kcode(2, 1, 9),
    status: S.InternalError,
    message: 'An unexepected type assertion "%s" has been invoked on attribute "%s".',
    description: 'Unexpected type assertion',
  },
  'api.assert.invalid_id': {
    code: kcode(2, 1, 10),
    status: S.BadRequestError,
    message: 'Invalid "_id" value: cannot start with an underscore',
    description: '_id values cannot start with an underscore',
  },
  'api.assert.forbidden_argument': {
    code: kcode(2, 1, 11),
    status: S.BadRequestError,
    message: 'The argument "%s" is not allowed by this API action.',
    description: 'A forbidden argument has been provided',
  },
  'api.assert.koncorde_unknown_keyword': {
    code: kcode(2, 1, 12),
    status: S.BadRequestError,
    message:
      'The keyword "%s" is not part of Koncorde filters DSL keywords. Are you trying to use an Elasticsearch query?',
    description: 'An unknown keyword has been provided in filters',
  },
  'api.assert.koncorde_restricted_keyword': {
    code: kcode(2, 1, 13),
    status: S.BadRequestError,
    message: 'The %s "%s" of Koncorde DSL is not supported for search queries.',
    description: 'A restricted keyword has been provided in filters',
  },
  'api.assert.koncorde_dsl_error': {
    code: kcode(2, 1, 14),
    status: S.BadRequestError,
    message: '%s',
    description: 'Provided filters contains an error',
  },
  'api.process.action_locked': {
    code: kcode(2, 2, 1),
    status: S.PreconditionError,
    message: 'Cannot execute action "%s": already executing.',
    description: "Cannot execute the requested action because it's already executing",
  },
  'api.process.overloaded': {
    code: kcode(2, 2, 2),
    status: S.ServiceUnavailableError,
    message: 'Request discarded: Kuzzle Server is temporarily overloaded.',
    description: 'The request has been discarded because the server is overloaded',
  },
  'api.process.connection_dropped': {
    code: kcode(2, 2, 3),
    status: S.BadRequestError,
    message: 'Client connection dropped',
    description: 'The request has been discarded because its linked client connection has dropped',
  },
  'api.process.controller_not_found': {
    code: kcode(2, 2, 4),
    status: S.NotFoundError,
    message: 'API controller "%s" not found.',
    description: 'API controller not found',
  },
  'api.process.action_not_found': {
    code: kcode(2, 2, 5),
    status: S.NotFoundError,
    message: 'API action "%s":"%s" not found',
    description: 'API controller action not found',
  },
  'api.process.incompatible_sdk_version': {
    code: kcode(2, 2, 6),
    status: S.BadRequestError,
    message: 'Incompatible SDK client. Your SDK version (%s) does not match Kuzzle requirement (%s).',
    description: 'SDK is incompatible with the current Kuzzle version',
  },
  'api.process.shutting_down': {
    code: kcode(2, 2, 7),
    status: S.ServiceUnavailableError,
    message: 'Rejected: this node is shutting down.',
    description: 'This Kuzzle node is shutting down and refuses new requests',
  },
  'api.process.too_many_requests': {
    code: kcode(2, 2, 8),
    status: S.TooManyRequestsError,
    message: 'Rejected: requests rate limit exceeded for this user.',
    description: 'The request has been refused because a rate limit has been exceeded for this user',
  },
  'api.process.admin_exists': {
    code: kcode(2, 2, 9),
    status: S.PreconditionError,
    message: 'Admin user is already set.',
    description: 'Attempted to create the first administrator, when one already exists',
  },
  'api.process.incomplete_multiple_request': {
    code: kcode(2, 2, 10),
    status: S.MultipleErrorsError,
    message: 'At least one of the %s actions failed.',
    description: 'Failed to execute some or all actions requested',
  },
  'api.process.not_enough_nodes': {
    code: kcode(2, 2, 11),
    status: S.ServiceUnavailableError,
    message: "Rejected: this cluster is disabled because there aren't enough nodes connected.",
    description:
      'The Kuzzle cluster has not enough nodes available, and no new requests can be processed until new nodes are added',
  },
  'api.process.unauthorized_origin': {
    code: kcode(2, 2, 12),
    status: S.UnauthorizedError,
    message: 'The origin "%s" is not authorized.',
    description: 'The domain reaching out to Kuzzle is not authorized',
  },
  'api.process.too_many_logins_requests': {
    code: kcode(2, 2, 13),
    status: S.TooManyRequestsError,
    message: 'Rejected: Too many login attempts per second',
    description:
      'The request was denied because the maximum number of login attempts per second has been exceeded.',
  },

  // ---------------------------------------------------------------- network (3), from 3-network.json

  'network.http.request_too_large': {
    code: kcode(3, 1, 1),
    status: S.SizeLimitError,
    message: 'Maximum HTTP request size exceeded.',
    description: 'The size of the request exceeds the server configured limit',
  },
  'network.http.unexpected_error': {
    code: kcode(3, 1, 2),
    status: S.BadRequestError,
    message: 'Caught an unexpected HTTP error: %s',
    description: 'Caught an unexpected HTTP parsing error',
  },
  'network.http.too_many_encodings': {
    code: kcode(3, 1, 3),
    status: S.BadRequestError,
    message: 'Too many encodings.',
    description: 'The number of encodings exceeds the server configured limit',
  },
  'network.http.unsupported_compression': {
    code: kcode(3, 1, 4),
    status: S.BadRequestError,
    message: 'Unsupported compression algorithm "%s".',
    description: 'The request has been compressed using an unsupported compression algorithm',
  },
  'network.http.compression_disabled': {
    code: kcode(3, 1, 5),
    status: S.BadRequestError,
    message: 'Compression support is disabled.',
    description: 'The server has been configured to refuse compressed requests',
  },
  'network.http.unsupported_verb': {
    code: kcode(3, 1, 6),
    status: S.BadRequestError,
    message: 'Unsupported HTTP verb "%s".',
    description: 'An HTTP request has been submitted using an unsupported verb',
  },
  'network.http.url_not_found': {
    code: kcode(3, 1, 7),
    status: S.NotFoundError,
    message: 'API URL not found: %s.',
    description: 'API URL not found',
  },
  'network.http.unsupported_content': {
    code: kcode(3, 1, 8),
    status: S.BadRequestError,
    message: 'Invalid request content-type. Expected "application/json", got: "%s".',
    description: 'The content described in the content-type header is not supported',
  },
  'network.http.unsupported_charset': {
    code: kcode(3, 1, 9),
    status: S.BadRequestError,
    message: 'Unsupported request charset. Expected "utf-8", got: "%s".',
    description: 'Unsupported content charset',
  },
  'network.http.duplicate_url': {
    code: kcode(3, 1, 10),
    status: S.InternalError,
    message: 'Unable to attach URL %s: this path already exists.',
    description: 'Triggered when an attempt is made to register a duplicate URL in the HTTP router',
  },
  'network.http.volatile_parse_failed': {
    code: kcode(3, 1, 11),
    status: S.BadRequestError,
    message: 'Unable to convert the "x-kuzzle-volatile" HTTP header to JSON: %s',
    description: 'The x-kuzzle-volatile header received is not in JSON format',
  },
  'network.http.body_parse_failed': {
    code: kcode(3, 1, 12),
    status: S.BadRequestError,
    message: 'Unable to convert the HTTP body to JSON: %s',
    description: 'The request body is not in JSON format',
  },
  'network.http.file_too_large': {
    code: kcode(3, 1, 13),
    status: S.SizeLimitError,
    message: 'Maximum HTTP file size exceeded',
    description: 'The submitted file exceeds the server configured limit',
  },
  'network.http.stream_closed': {
    code: kcode(3, 1, 14),
    status: S.InternalError,
    message: 'Stream closed or destroyed.',
    description: 'The stream has been closed or destroyed before sending the response',
  },
  'network.http.stream_errored': {
    code: kcode(3, 1, 15),
    status: S.InternalError,
    message: 'Stream errored: %s',
    description: 'The stream is errored',
  },
  'network.mqtt.unexpected_error': {
    code: kcode(3, 2, 1),
    status: S.BadRequestError,
    message: 'Caught an unexpected MQTT error: %s',
    description: 'Caught an unexpected MQTT error',
  },
  'network.websocket.unexpected_error': {
    code: kcode(3, 3, 1),
    status: S.BadRequestError,
    message: 'Caught an unexpected WebSocket error: %s',
    description: 'Caught an unexpected WebSocket error',
  },
  'network.websocket.ratelimit_exceeded': {
    code: kcode(3, 3, 2),
    status: S.TooManyRequestsError,
    message: 'Rejected: too many requests received from that socket',
    description: 'Too many requests received from a client socket',
  },
  'network.entrypoint.unexpected_event': {
    code: kcode(3, 4, 1),
    status: S.InternalError,
    message: 'Unexpected event received: %s.',
    description: 'Received an erroneous network event',
  },
  'network.entrypoint.invalid_port': {
    code: kcode(3, 4, 2),
    status: S.InternalError,
    message: 'Invalid network port number: %s.',
    description: 'Invalid network port',
  },
  'network.entrypoint.shutting_down': {
    code: kcode(3, 4, 3),
    status: S.ServiceUnavailableError,
    message: 'Rejected: instance is shutting down',
    description: 'Request rejected because this instance is shutting down',
  },

  // ---------------------------------------------------------------- plugin (4), from 4-plugin.json

  'plugin.assert.invalid_plugins_dir': {
    code: kcode(4, 1, 1),
    status: S.InternalError,
    message: 'Unable to read plugins directory "%s"; %s.',
    description: 'The enabled plugins directory cannot be opened',
  },
  'plugin.assert.cannot_load': {
    code: kcode(4, 1, 2),
    status: S.PluginImplementationError,
    message: 'Unable to load plugin from path "%s"; %s.',
    description: 'Kuzzle is unable to load a plugin',
  },
  'plugin.assert.invalid_hook': {
    code: kcode(4, 1, 3),
    status: S.PluginImplementationError,
    message: 'Unable to configure a hook for the event "%s": "%s" should be a function. %s',
    description:
      'A hook must point to either a function named directly exposed by the plugin, or a function. This error is thrown when a hook property is configured with neither of these values',
  },
  'plugin.assert.invalid_pipe': {
    code: kcode(4, 1, 4),
    status: S.PluginImplementationError,
    message: 'Unable to configure a pipe for the event "%s": "%s" should be a function. %s',
    description:
      'A pipe must point to either a function named directly exposed by the plugin, or a function. This error is thrown when a hook property is configured with neither of these values',
  },
  'plugin.assert.init_not_found': {
    code: kcode(4, 1, 5),
    status: S.PluginImplementationError,
    message: 'Plugin "%s": No "init" method found.',
    description: "The plugin does not have an 'init' function",
  },
  'plugin.assert.privileged_not_supported': {
    code: kcode(4, 1, 6),
    status: S.PluginImplementationError,
    message: 'The plugin "%s" is configured to run in privileged mode, but it does not seem to support it.',
    description:
      "The 'privileged' flag has been set in Kuzzle's configuration for that plugin, but not in the plugin's manifest",
  },
  'plugin.assert.privileged_not_set': {
    code: kcode(4, 1, 7),
    status: S.PluginImplementationError,
    message:
      'The plugin "%s" needs to run in privileged mode to work, you have to explicitly set "privileged: true" in its configuration.',
    description:
      "The 'privileged' flag has been set in the plugin's manifest file, but it needs also to be added in Kuzzle's configuration",
  },
  'plugin.assert.not_a_constructor': {
    code: kcode(4, 1, 8),
    status: S.PluginImplementationError,
    message: 'Plugin "%s" is not a constructor.',
    description: 'The exposed plugin is not a constructor',
  },
  'plugin.assert.name_already_exists': {
    code: kcode(4, 1, 9),
    status: S.PluginImplementationError,
    message: 'A plugin named %s already exists',
    description: 'Another plugin with the same name has already been loaded',
  },
  'plugin.assert.invalid_plugin_name': {
    code: kcode(4, 1, 10),
    status: S.PluginImplementationError,
    message: 'Plugin name "%s" is invalid. Plugin names must be in kebab-case.',
    description: 'The plugin name is invalid. Plugin names can only contain lowercase letters and dashes.',
  },
  'plugin.assert.no_name_provided': {
    code: kcode(4, 1, 11),
    status: S.PluginImplementationError,
    message: 'Cannot infer plugin name. No constructor method and no name provided',
    description: 'The plugin does not have a constructor method and no name has been provided.',
  },
  'plugin.assert.invalid_controller_definition': {
    code: kcode(4, 1, 12),
    status: S.PluginImplementationError,
    message: 'Incorrect "%s" controller definition: %s',
    description: 'The controller definition is incorrect.',
  },
  'plugin.assert.invalid_application_name': {
    code: kcode(4, 1, 13),
    status: S.PluginImplementationError,
    message: 'Application name "%s" is invalid. Application names must be in kebab-case.',
    description: 'The application name is invalid. Application names can only contain lowercase letters and dashes.',
  },
  'plugin.assert.duplicated_api_definition': {
    code: kcode(4, 1, 14),
    status: S.PluginImplementationError,
    message: 'Cannot define new controllers in the "api" and the "controllers" objects at the same time',
    description:
      'You cannot use the "api" and the "controllers" objects at the same time. Use the "api" object to define controllers.',
  },
  'plugin.assert.plugin_not_found': {
    code: kcode(4, 1, 15),
    status: S.NotFoundError,
    message: 'Plugin "%s" not found.%s',
    description: 'The request plugin does not exists or have not been loaded yet.',
  },
  'plugin.runtime.failed_init': {
    code: kcode(4, 2, 1),
    status: S.PluginImplementationError,
    message: 'Something went wrong during initialization of "%s" plugin.',
    description: "An exception was thrown by a plugin's init function",
  },
  'plugin.runtime.unexpected_error': {
    code: kcode(4, 2, 2),
    status: S.PluginImplementationError,
    message: 'Caught an unexpected plugin error: %s',
    description: 'Embeds an unexpected plugin error into a standardized KuzzleError object',
  },
  // 4.2.3 pipe_timeout: deprecated in Kuzzle 2.2.0.
  'plugin.runtime.too_many_pipes': {
    code: kcode(4, 2, 4),
    status: S.ServiceUnavailableError,
    message: 'Request discarded: maximum number of executing pipe functions reached.',
    description:
      'The number of running pipes exceeds the configured capacity (see configuration files). This may be caused by pipes being too slow, or by an insufficient number of Kuzzle nodes.',
  },
  'plugin.runtime.already_started': {
    code: kcode(4, 2, 5),
    status: S.PluginImplementationError,
    message: 'Cannot use property "%s" when application is already running',
    description: 'Features definition cannot be changed after startup.',
  },
  'plugin.runtime.unavailable_before_start': {
    code: kcode(4, 2, 6),
    status: S.PluginImplementationError,
    message: 'Cannot use property "%s" before application startup',
    description: 'The property is only accessible after application startup.',
  },
  'plugin.runtime.unknown_pipe': {
    code: kcode(4, 2, 7),
    status: S.PluginImplementationError,
    message: 'Unknown pipe ID "%s"',
    description: 'The provided pipe identifier is unknown.',
  },
  'plugin.runtime.unexpected_installation_error': {
    code: kcode(4, 2, 8),
    status: S.PluginImplementationError,
    message: 'Caught an unexpected error while executing installation "%s": %s',
    description: 'Embeds an unexpected installation error into a standardized KuzzleError object.',
  },
  // Portcullis: plugins run in isolates the kernel supervises.
  'plugin.runtime.timeout': {
    code: kcode(4, 2, 9),
    status: S.GatewayTimeoutError,
    message: 'Plugin "%s": call to "%s" exceeded its deadline of %sms.',
    description: 'A call into a plugin isolate did not answer within its deadline',
  },
  'plugin.runtime.unavailable': {
    code: kcode(4, 2, 10),
    status: S.ServiceUnavailableError,
    message: 'Plugin "%s" is unavailable: %s.',
    description: 'The plugin failed, is restarting or is shutting down, and cannot take calls',
  },
  'plugin.runtime.protocol_mismatch': {
    code: kcode(4, 2, 11),
    status: S.PluginImplementationError,
    message: 'Plugin "%s": field "%s" of the isolate handshake is %s, the kernel expects %s.',
    description: 'The plugin isolate was built against an incompatible kernel/isolate protocol',
  },
  'plugin.runtime.init_timeout': {
    code: kcode(4, 2, 12),
    status: S.PluginImplementationError,
    message: 'Plugin "%s": init did not finish within %sms.',
    description: "A plugin's init function did not finish within the configured delay",
  },
  'plugin.runtime.malformed_message': {
    code: kcode(4, 2, 13),
    status: S.PluginImplementationError,
    message: 'Plugin "%s" sent a malformed message: %s.',
    description: 'A plugin isolate sent a message that does not follow the kernel/isolate protocol',
  },
  'plugin.runtime.invalid_result': {
    code: kcode(4, 2, 14),
    status: S.PluginImplementationError,
    message: 'Plugin "%s": method "%s" returned an invalid result: %s.',
    description: 'A plugin method returned a value of the wrong shape',
  },
  'plugin.runtime.host_unavailable': {
    code: kcode(4, 2, 15),
    status: S.ServiceUnavailableError,
    message: 'Host service "%s" is not available yet: %s.',
    description: 'A plugin called a kernel host service before it was ready',
  },
  'plugin.strategy.invalid_description': {
    code: kcode(4, 3, 1),
    status: S.PluginImplementationError,
    message: '%s expected the strategy description to be an object, got: %s.',
    description: 'The strategy.description field must be an object',
  },
  'plugin.strategy.invalid_methods': {
    code: kcode(4, 3, 2),
    status: S.PluginImplementationError,
    message: '%s expected a "methods" property of type "object", got: %s.',
    description: 'The strategy.methods field must be an object',
  },
  'plugin.strategy.invalid_method_type': {
    code: kcode(4, 3, 3),
    status: S.PluginImplementationError,
    message: '%s expected a "%s" property of type "string", got: %s.',
    description: 'Method definitions in the strategy.methods configuration must be of type string',
  },
  'plugin.strategy.missing_method_function': {
    code: kcode(4, 3, 4),
    status: S.PluginImplementationError,
    message: '%s the strategy method "%s" must point to an exposed function.',
    description: 'A required strategy method is missing',
  },
  'plugin.strategy.invalid_config': {
    code: kcode(4, 3, 5),
    status: S.PluginImplementationError,
    message: '%s expected a "config" property of type "object", got: %s.',
    description: 'The strategy.config field must be an object',
  },
  'plugin.strategy.unexpected_constructor': {
    code: kcode(4, 3, 6),
    status: S.PluginImplementationError,
    message: '%s the "authenticator" and "constructor" parameters cannot both be set.',
    description: 'The (deprecated) constructor property can only be set if there is no authenticator defined',
  },
  'plugin.strategy.invalid_constructor': {
    code: kcode(4, 3, 7),
    status: S.PluginImplementationError,
    message: '%s invalid "constructor" property value: constructor expected.',
    description: 'The strategy.constructor field must be a constructor',
  },
  'plugin.strategy.invalid_authenticator': {
    code: kcode(4, 3, 8),
    status: S.PluginImplementationError,
    message: '%s expected an "authenticator" property of type "string", got: %s.',
    description: 'The strategy.authenticator field must be a string',
  },
  'plugin.strategy.unknown_authenticator': {
    code: kcode(4, 3, 9),
    status: S.PluginImplementationError,
    message: '%s unknown authenticator: %s.',
    description: "This strategy uses an authenticator that hasn't been declared in this.authenticators",
  },
  'plugin.strategy.invalid_option': {
    code: kcode(4, 3, 10),
    status: S.PluginImplementationError,
    message: '%s expected the "%s" property to be of type "object", got: %s.',
    description:
      'If defined, the "strategy.config.strategyOptions" and "strategy.config.authenticateOptions" properties must be objects',
  },
  'plugin.strategy.invalid_fields': {
    code: kcode(4, 3, 11),
    status: S.PluginImplementationError,
    message: '%s expected the "fields" property to be of type "array", got: %s.',
    description: 'The field strategy.config.fields must be an array or null',
  },
  'plugin.strategy.invalid_definition': {
    code: kcode(4, 3, 12),
    status: S.PluginImplementationError,
    message: '%s the exposed "strategies" plugin property must be a non-empty object.',
    description: 'The strategies property must be a non-empty object',
  },
  'plugin.strategy.failed_registration': {
    code: kcode(4, 3, 13),
    status: S.PluginImplementationError,
    message: 'Failed to register strategy "%s": %s',
    description: 'Passportjs rejected this strategy (see the message for more information)',
  },
  'plugin.strategy.invalid_verify_return': {
    code: kcode(4, 3, 14),
    status: S.PluginImplementationError,
    message: '%s The "verify" method is expected to return a Promise, got: %s.',
    description: 'The "verify" method must return a promise',
  },
  'plugin.strategy.invalid_verify_resolve': {
    code: kcode(4, 3, 15),
    status: S.PluginImplementationError,
    message: '%s invalid authentication strategy result (expected an object).',
    description: 'The "verify" strategy method resolved to a non-object return value',
  },
  'plugin.strategy.invalid_kuid': {
    code: kcode(4, 3, 16),
    status: S.PluginImplementationError,
    message: '%s invalid authentication kuid returned: expected a string, got a %s.',
    description: 'The "verify" method returned an invalid kuid',
  },
  'plugin.strategy.unknown_kuid': {
    code: kcode(4, 3, 17),
    status: S.PluginImplementationError,
    message: '%s returned an unknown Kuzzle user identifier.',
    description: 'The "verify" method returned an unknown kuid',
  },
  'plugin.strategy.unauthorized_removal': {
    code: kcode(4, 3, 18),
    status: S.PluginImplementationError,
    message: 'Cannot remove strategy %s: owned by another plugin.',
    description: 'Tried to remove a strategy owned by another plugin',
  },
  'plugin.strategy.strategy_not_found': {
    code: kcode(4, 3, 19),
    status: S.NotFoundError,
    message: 'Cannot remove strategy %s: strategy does not exist.',
    description: 'Attempted to remove a non-existent authentication strategy',
  },
  'plugin.strategy.missing_user': {
    code: kcode(4, 3, 20),
    status: S.UnauthorizedError,
    message: '%s',
    description: 'A strategy plugin approved credentials without providing a user object to Kuzzle',
  },
  'plugin.strategy.missing_optional_method': {
    code: kcode(4, 3, 21),
    status: S.PluginImplementationError,
    message: '"%s" method is optional. The %s strategy plugin has not yet implemented it.',
    description: 'An optional method has not been implemented for this strategy',
  },
  // Portcullis. (An unknown strategy name is Kuzzle's security.credentials.unknown_strategy.)
  'plugin.strategy.duplicate_strategy': {
    code: kcode(4, 3, 22),
    status: S.PluginImplementationError,
    message: 'Strategy "%s" is declared by both plugin "%s" and plugin "%s".',
    description: 'Two enabled plugins declare a strategy with the same name',
  },
  'plugin.controller.invalid_description': {
    code: kcode(4, 4, 1),
    status: S.PluginImplementationError,
    message: '%s Invalid controller description type (expected object, got: "%s").',
    description: 'The controller description must be an object',
  },
  'plugin.controller.invalid_action': {
    code: kcode(4, 4, 2),
    status: S.PluginImplementationError,
    message: '%s Action for "%s" is neither a function nor a function name. %s',
    description: 'A controller action must be a function name, or a function',
  },
  'plugin.controller.unexpected_route_property': {
    code: kcode(4, 4, 3),
    status: S.PluginImplementationError,
    message: '%s Unexpected property "%s" in route definition. %s',
    description: 'An unexpected property has been found in a controller route definition',
  },
  'plugin.controller.invalid_route_property': {
    code: kcode(4, 4, 4),
    status: S.PluginImplementationError,
    message: '%s "%s" must be a non-empty string.',
    description: 'Invalid route property format (must be a non-empty string)',
  },
  'plugin.controller.undefined_controller': {
    code: kcode(4, 4, 5),
    status: S.PluginImplementationError,
    message: '%s Undefined controller "%s". %s',
    description: 'A HTTP route points to an non-existent controller',
  },
  'plugin.controller.undefined_action': {
    code: kcode(4, 4, 6),
    status: S.PluginImplementationError,
    message: '%s Undefined action "%s". %s',
    description: 'A HTTP route points to an non-existent controller action',
  },
  'plugin.controller.unsupported_verb': {
    code: kcode(4, 4, 7),
    status: S.PluginImplementationError,
    message: '%s Only the following http verbs are allowed: "%s". %s',
    description: 'A HTTP route is using an unsupported HTTP verb',
  },
  'plugin.controller.unserializable_response': {
    code: kcode(4, 4, 8),
    status: S.PluginImplementationError,
    message: 'Unable to serialize response. Are you trying to return the request?',
    description: 'A plugin controller action returned a non-serializable response',
  },
  'plugin.controller.invalid_action_response': {
    code: kcode(4, 4, 9),
    status: S.PluginImplementationError,
    message: 'Unexpected return value from action "%s:%s": expected a Promise',
    description: 'API actions added by plugins must return a promise',
  },
  'plugin.manifest.cannot_load': {
    code: kcode(4, 5, 1),
    status: S.PluginImplementationError,
    message: "[%s] Unable to load the file 'manifest.json': %s",
    description: "Unable to load the plugin's manifest file",
  },
  'plugin.manifest.version_mismatch': {
    code: kcode(4, 5, 2),
    status: S.PluginImplementationError,
    message: '[%s/manifest.json] Version mismatch: current Kuzzle version %s does not match the manifest requirements (%s).',
    description: "Current Kuzzle's version does not match the plugin's requirements",
  },
  'plugin.manifest.invalid_name_type': {
    code: kcode(4, 5, 3),
    status: S.PluginImplementationError,
    message: '[%s] Invalid "name" property: expected a non-empty string.',
    description: "Invalid plugin's name",
  },
  'plugin.manifest.invalid_name': {
    code: kcode(4, 5, 4),
    status: S.PluginImplementationError,
    message:
      '[%s] Invalid plugin name. The name must be comprised only of letters, numbers, hyphens and underscores.',
    description: "Invalid characters in a plugin's name",
  },
  'plugin.manifest.missing_name': {
    code: kcode(4, 5, 5),
    status: S.PluginImplementationError,
    message: '[%s] A "name" property is required.',
    description: 'A plugin name is required',
  },
  'plugin.manifest.invalid_errors': {
    code: kcode(4, 5, 6),
    status: S.PluginImplementationError,
    message: '[%s] errors field in manifest.json badly formatted: %s',
    description: "The 'errors' property format is invalid",
  },
  'plugin.manifest.invalid_privileged': {
    code: kcode(4, 5, 7),
    status: S.PluginImplementationError,
    message: '[%s] Invalid "privileged" property: expected a boolean, got a %s.',
    description: 'The "privileged" property is invalid',
  },
  'plugin.manifest.missing_package': {
    code: kcode(4, 5, 8),
    status: S.PluginImplementationError,
    message: '[%s] No package.json file found.',
    description: "The plugin is missing a 'package.json' file (run 'npm init' to create one)",
  },
  'plugin.manifest.missing_package_name': {
    code: kcode(4, 5, 9),
    status: S.PluginImplementationError,
    message: '[%s] No "name" property provided in package.json.',
    description:
      "A 'name' property in the 'package.json' file is required by Kuzzle, as it is used as the plugin's unique name",
  },
  // Kuzzle's id and code; Portcullis manifests name the kernel's version range
  // `kernelVersion` where Kuzzle's say `kuzzleVersion`.
  'plugin.manifest.missing_version': {
    code: kcode(4, 5, 10),
    status: S.PluginImplementationError,
    message: '[%s] A "kernelVersion" property is required',
    description:
      'Plugin manifest must provide a kernelVersion parameter, with the range of compatible Portcullis kernel versions',
  },
  // Portcullis.
  'plugin.manifest.invalid_field': {
    code: kcode(4, 5, 11),
    status: S.PluginImplementationError,
    message: '[%s] Invalid "%s" property in manifest.json: %s.',
    description: "A property of the plugin's manifest has the wrong type or value",
  },
  'plugin.manifest.invalid_main': {
    code: kcode(4, 5, 12),
    status: S.PluginImplementationError,
    message: '[%s] "main" must name a file inside the plugin folder: %s.',
    description: "The manifest's entry point is missing or lies outside the plugin folder",
  },
  'plugin.manifest.name_mismatch': {
    code: kcode(4, 5, 13),
    status: S.PluginImplementationError,
    message: '[%s] manifest.json names the plugin "%s", but it is enabled as "%s".',
    description: 'The name in manifest.json differs from the name the plugin is enabled under',
  },
  'plugin.context.missing_collection': {
    code: kcode(4, 6, 1),
    status: S.PluginImplementationError,
    message: 'Missing collection argument.',
    description: "The 'collection' argument is required, but none was provided",
  },
  'plugin.context.unavailable_realtime': {
    code: kcode(4, 6, 2),
    status: S.PluginImplementationError,
    message: 'The method "realtime:%s" is unavailable with execute(). Use the embedded SDK instead.',
    description:
      'Due to technical limitations, subscribe and unsubscribe methods are only available through the embedded SDK.',
  },
  'plugin.context.invalid_user': {
    code: kcode(4, 6, 3),
    status: S.PluginImplementationError,
    message: 'You must provide a valid User object when adding context with as().',
    description:
      "The user object provided to the sdk.as() method is not a valid user with a least an '_id' property",
  },
  'plugin.context.invalid_callback': {
    code: kcode(4, 6, 4),
    status: S.PluginImplementationError,
    message: 'Invalid argument: Expected callback to be a function, received "%s".',
    description: 'A non-function callback has been provided',
  },
  'plugin.context.missing_request': {
    code: kcode(4, 6, 5),
    status: S.PluginImplementationError,
    message: 'Invalid argument: a Request object must be supplied.',
    description: 'A Request object is required, but none was supplied',
  },
  'plugin.context.missing_request_data': {
    code: kcode(4, 6, 6),
    status: S.PluginImplementationError,
    message: 'A Request object and/or request data must be provided.',
    description: 'A Request object and/or request data must be provided',
  },
  // 4.6.7 invalid_event: deprecated in Kuzzle 2.2.0.
  'plugin.context.missing_authenticator': {
    code: kcode(4, 6, 8),
    status: S.PluginImplementationError,
    message:
      '[%s] Strategy %s: dynamic strategy registration can only be done using an "authenticator" option (see https://tinyurl.com/y7boozbk).',
    description: 'Missing "strategy.config.authenticator" property',
  },
  'plugin.authenticators.not_an_object': {
    code: kcode(4, 7, 1),
    status: S.PluginImplementationError,
    message: '%s the exposed "authenticators" plugin property must be of type "object".',
    description: 'The "authenticators" property must be an object',
  },
  'plugin.authenticators.invalid_authenticator': {
    code: kcode(4, 7, 2),
    status: S.PluginImplementationError,
    message: '%s invalid authenticator.%s property: expected a constructor.',
    description: 'Authenticators exposed in the "authenticators" object must be constructors',
  },
  // Portcullis: free-text errors a plugin throws for its users (sdk-plugin's
  // BadRequestError and siblings), like Kuzzle's context.errors.*.
  'plugin.custom.bad_request': {
    code: kcode(4, 8, 1),
    status: S.BadRequestError,
    message: '%s',
    description: 'A plugin rejected the request as malformed',
  },
  'plugin.custom.unauthorized': {
    code: kcode(4, 8, 2),
    status: S.UnauthorizedError,
    message: '%s',
    description: 'A plugin refused to authenticate the request',
  },
  'plugin.custom.forbidden': {
    code: kcode(4, 8, 3),
    status: S.ForbiddenError,
    message: '%s',
    description: 'A plugin refused an authenticated request',
  },
  'plugin.custom.not_found': {
    code: kcode(4, 8, 4),
    status: S.NotFoundError,
    message: '%s',
    description: 'A plugin did not find what the request asked for',
  },
  'plugin.custom.precondition_failed': {
    code: kcode(4, 8, 5),
    status: S.PreconditionError,
    message: '%s',
    description: 'A plugin found a precondition of the request unmet',
  },
  'plugin.custom.too_many_requests': {
    code: kcode(4, 8, 6),
    status: S.TooManyRequestsError,
    message: '%s',
    description: 'A plugin rate-limited the request',
  },
  'plugin.custom.internal_error': {
    code: kcode(4, 8, 7),
    status: S.InternalError,
    message: '%s',
    description: 'A plugin failed on a fault of its own',
  },
  'plugin.custom.service_unavailable': {
    code: kcode(4, 8, 8),
    status: S.ServiceUnavailableError,
    message: '%s',
    description: 'A service the plugin depends on is unavailable',
  },
  // Portcullis: the kernel's plugins.json.
  'plugin.config.invalid': {
    code: kcode(4, 9, 1),
    status: S.InternalError,
    message: 'Invalid plugins configuration %s: %s',
    description: 'The plugins configuration (plugins.json) is malformed',
  },
  'plugin.config.not_found': {
    code: kcode(4, 9, 2),
    status: S.InternalError,
    message: 'Plugin "%s" is enabled in plugins.json, but %s.',
    description: 'A plugin enabled in plugins.json cannot be found',
  },

  // ---------------------------------------------------------------- security (7), from 7-security.json

  'security.token.invalid': {
    code: kcode(7, 1, 1),
    status: S.UnauthorizedError,
    message: 'Invalid token.',
    description: 'Invalid authentication token.',
  },
  'security.token.unknown_user': {
    code: kcode(7, 1, 2),
    status: S.InternalError,
    message: 'Unknown User : cannot generate token',
    description: 'Missing user or missing user identifier',
  },
  'security.token.unknown_connection': {
    code: kcode(7, 1, 3),
    status: S.InternalError,
    message: 'Unknown connection : cannot generate token',
    description: 'Missing connection identifier',
  },
  'security.token.ttl_exceeded': {
    code: kcode(7, 1, 4),
    status: S.BadRequestError,
    message: 'expiresIn value exceeds maximum allowed value',
    description: 'An authentication token was requested with a TTL larger than the configured maximum value',
  },
  'security.token.generation_failed': {
    code: kcode(7, 1, 5),
    status: S.InternalError,
    message: 'Error while generating token: %s',
    description: 'Unable to generate the requested authentication token',
  },
  'security.token.expired': {
    code: kcode(7, 1, 6),
    status: S.UnauthorizedError,
    message: 'Token expired',
    description: 'The provided authentication token has expired',
  },
  'security.token.verification_error': {
    code: kcode(7, 1, 7),
    status: S.InternalError,
    message: 'Error verifying token: %s',
    description: 'An unexpected error occured while verifying an authentication token',
  },
  // Sic: Kuzzle's JSON has the placeholder in the description, not the message.
  'security.token.refresh_forbidden': {
    code: kcode(7, 1, 8),
    status: S.UnauthorizedError,
    message: 'Token cannot be refreshed.',
    description: 'The provided token cannot be refreshed: %s cannot be refreshed.',
  },
  'security.credentials.unknown_strategy': {
    code: kcode(7, 2, 1),
    status: S.BadRequestError,
    message: 'Unknown authentication strategy "%s"',
    description: 'Unknown authentication strategy',
  },
  'security.credentials.database_inconsistency': {
    code: kcode(7, 2, 2),
    status: S.PluginImplementationError,
    message: 'Internal database inconsistency detected: existing credentials found on non-existing user %s.',
    description: 'Inconsistency detected: credentials were found on a non-existing user',
  },
  'security.credentials.rejected': {
    code: kcode(7, 2, 3),
    status: S.BadRequestError,
    message: 'Credentials rejected: %s',
    description: "User's credentials were rejected during",
  },
  'security.rights.unauthorized': {
    code: kcode(7, 3, 1),
    status: S.UnauthorizedError,
    message: 'Unauthorized: authentication required to execute the action "%s:%s".',
    description: 'Authentication required to execute this action',
  },
  'security.rights.forbidden': {
    code: kcode(7, 3, 2),
    status: S.ForbiddenError,
    message: 'Insufficient permissions to execute the action "%s:%s" (User "%s").',
    description: 'Insufficient permissions to execute this action',
  },
  'security.user.already_exists': {
    code: kcode(7, 4, 1),
    status: S.PreconditionError,
    message: 'User %s already exists.',
    description: 'Cannot create the user as it already exists',
  },
  'security.user.not_found': {
    code: kcode(7, 4, 2),
    status: S.NotFoundError,
    message: 'User "%s" not found.',
    description: 'Attempted to access to a non-existing user',
  },
  'security.user.anonymous_profile_required': {
    code: kcode(7, 4, 3),
    status: S.BadRequestError,
    message: 'The anonymous user must be assigned to the anonymous profile',
    description: 'The anonymous user must be assigned to the anonymous profile',
  },
  'security.user.cannot_hydrate': {
    code: kcode(7, 4, 4),
    status: S.InternalError,
    message: 'Unable to hydrate the user "%s": missing profile(s) in the database',
    description: 'Database inconsistency error: a user is referencing non-existing profiles',
  },
  'security.user.uninitialized': {
    code: kcode(7, 4, 5),
    status: S.InternalError,
    message: 'Cannot get profiles for uninitialized user "%s"',
    description: 'Attempted to access to an unitialized User object',
  },
  'security.user.prevent_overwrite': {
    code: kcode(7, 4, 6),
    status: S.BadRequestError,
    message: 'Cannot overwrite existing users.',
    description:
      'Attempted to overwrite existing users. Change "onExistingUsers" params to modify this method behavior.',
  },
  'security.user.no_profile': {
    code: kcode(7, 4, 7),
    status: S.InternalError,
    message: 'Cannot load user "%s": there is no security profiles associated to it',
    description: 'Database inconsistency error: a user does not have profiles associated to it',
  },
  'security.role.not_found': {
    code: kcode(7, 5, 1),
    status: S.NotFoundError,
    message: 'Role "%s" not found.',
    description: 'Attempted to access to a non-existing role',
  },
  'security.role.login_required': {
    code: kcode(7, 5, 2),
    status: S.BadRequestError,
    message: 'Cannot remove the "login" action from the anonymous role.',
    description: 'Cannot remove the "login" action from the anonymous role',
  },
  'security.role.cannot_delete': {
    code: kcode(7, 5, 3),
    status: S.BadRequestError,
    message: 'The following roles are protected and cannot be deleted: anonymous, default, admin',
    description: 'Attempted to delete a base role (anonymous, default, admin)',
  },
  'security.role.in_use': {
    code: kcode(7, 5, 4),
    status: S.PreconditionError,
    message: 'The role "%s" is still used and cannot be deleted.',
    description: 'A role still assigned to profiles cannot be deleted',
  },
  'security.role.uninitialized': {
    code: kcode(7, 5, 5),
    status: S.InternalError,
    message: 'Cannot check permissions on the uninitialized role "%s"',
    description: 'Attempted to access to an unitialized Role object',
  },
  // 7.5.6 invalid_rights, 7.5.7 closure_exec_failed, 7.5.8 closure_missing_test: deprecated in Kuzzle 2.2.0.
  'security.role.unknown_controller': {
    code: kcode(7, 5, 9),
    status: S.BadRequestError,
    message: "Trying to set role %s with a non-existing controller '%s'. %s",
    description: 'Trying to set a role with a non-existing controller',
  },
  'security.role.unknown_action': {
    code: kcode(7, 5, 10),
    status: S.BadRequestError,
    message: "Trying to set role %s with a non-existing action '%s' in controller '%s'. %s",
    description: 'Trying to set a role with a non-existing controller action',
  },
  'security.profile.not_found': {
    code: kcode(7, 6, 1),
    status: S.NotFoundError,
    message: 'Profile "%s" not found.',
    description: 'Attempted to access to a non-existing profile',
  },
  'security.profile.cannot_delete': {
    code: kcode(7, 6, 2),
    status: S.BadRequestError,
    message: 'The following profiles are protected and cannot be deleted: anonymous, default, admin',
    description: 'Attempted to delete a base profile (anonymous, default, admin)',
  },
  'security.profile.in_use': {
    code: kcode(7, 6, 3),
    status: S.PreconditionError,
    message: 'The profile "%s" is still used and cannot be deleted.',
    description: 'A profile still assigned to users cannot be deleted',
  },
  'security.profile.cannot_hydrate': {
    code: kcode(7, 6, 4),
    status: S.InternalError,
    message: 'Unable to hydrate the profile "%s": missing role(s) in the database',
    description: 'Database inconsistency error: a profile is referencing non-existing roles',
  },
  'security.profile.missing_anonymous_role': {
    code: kcode(7, 6, 5),
    status: S.BadRequestError,
    message: 'The anonymous profile must include the anonymous role',
    description: 'The anonymous profile must include the anonymous role',
  },
  'security.profile.uninitialized': {
    code: kcode(7, 6, 6),
    status: S.InternalError,
    message: 'Cannot get roles for uninitialized profile "%s"',
    description: 'Attempted to access to an unitialized Profile object',
  },
  'security.cookie.invalid': {
    code: kcode(7, 7, 1),
    status: S.UnauthorizedError,
    message: 'Invalid cookie.',
    description: 'Invalid authentication cookie.',
  },
  'security.cookie.unsupported': {
    code: kcode(7, 7, 2),
    status: S.InternalError,
    message: 'Cookie authentication not supported.',
    description: 'Cookie authentication not supported.',
  },

  // ---------------------------------------------------------------- services.storage (1.1), from 1-services.json

  'services.storage.unknown_index': {
    code: kcode(1, 1, 1),
    status: S.PreconditionError,
    message: 'The index "%s" does not exist.',
    description: 'The provided data index does not exist',
  },
  'services.storage.unknown_collection': {
    code: kcode(1, 1, 2),
    status: S.PreconditionError,
    message: 'The collection "%s":"%s" does not exist.',
    description: 'The provided data collection does not exist',
  },
  'services.storage.get_limit_exceeded': {
    code: kcode(1, 1, 3),
    status: S.SizeLimitError,
    message: 'The number of documents returned by this request exceeds the configured server limit.',
    description: 'The number of documents returned by this request exceeds the configured server limit',
  },
  'services.storage.write_limit_exceeded': {
    code: kcode(1, 1, 4),
    status: S.SizeLimitError,
    message: 'The number of documents edited by this request exceeds the configured server limit.',
    description: 'The number of documents edited by this request exceeds the configured server limit',
  },
  'services.storage.import_failed': {
    code: kcode(1, 1, 5),
    status: S.PartialError,
    message: 'Failed to import some or all documents.',
    description: 'Failed to import some or all documents',
  },
  'services.storage.no_multi_indexes': {
    code: kcode(1, 1, 6),
    status: S.BadRequestError,
    message: 'Cannot be run on multiple indexes.',
    description: 'Cannot be run on multiple indexes',
  },
  'services.storage.no_multi_collections': {
    code: kcode(1, 1, 7),
    status: S.BadRequestError,
    message: 'Cannot be run on multiple collections.',
    description: 'Cannot be run on multiple collections',
  },
  'services.storage.incomplete_delete': {
    code: kcode(1, 1, 9),
    status: S.PartialError,
    message: "Couldn't delete all the requested documents: %s",
    description: "Couldn't delete all the requested documents",
  },
  'services.storage.not_found': {
    code: kcode(1, 1, 11),
    status: S.NotFoundError,
    message: 'Document "%s" not found in "%s":"%s".',
    description: 'Document not found',
  },
  'services.storage.bootstrap_timeout': {
    code: kcode(1, 1, 12),
    status: S.InternalError,
    message: '%s: bootstrap failed - lock wait timeout exceeded.',
    description: 'Bootstrap of a storage instance failed because it has been locked for too much time',
  },
  'services.storage.version_mismatch': {
    code: kcode(1, 1, 13),
    status: S.InternalError,
    message: 'Your elasticsearch version is %s: this version is not compatible with this version of Kuzzle',
    description: 'The version of the target Elasticsearch is not compatible with this version of Kuzzle',
  },
  'services.storage.unknown_scroll_id': {
    code: kcode(1, 1, 14),
    status: S.NotFoundError,
    message: 'Non-existing or expired scroll identifier.',
    description: 'The scroll identifier does not exist or has expired',
  },
  'services.storage.search_as_an_id': {
    code: kcode(1, 1, 15),
    status: S.BadRequestError,
    message: '_search is not a valid document identifier',
    description: 'Used "_search" as a document identifier, which conflicts with the _search HTTP route',
  },
  'services.storage.unknown_index_collection': {
    code: kcode(1, 1, 16),
    status: S.PreconditionError,
    message: "The provided index and/or collection doesn't exist.",
    description: "The provided index and/or collection doesn't exist",
  },
  'services.storage.document_already_exists': {
    code: kcode(1, 1, 17),
    status: S.BadRequestError,
    message: 'Document already exists.',
    description: 'A document with the same identifier already exists',
  },
  'services.storage.missing_argument': {
    code: kcode(1, 1, 18),
    status: S.BadRequestError,
    message: 'Required argument "%s" is missing or is empty',
    description: 'A required argument is missing or is empty',
  },
  'services.storage.invalid_argument': {
    code: kcode(1, 1, 19),
    status: S.BadRequestError,
    message: 'Argument "%s" is invalid (expected: %s)',
    description: 'Invalid argument provided',
  },
  // 1.1.20 index_protected: deprecated in Kuzzle 2.5.0.
  'services.storage.invalid_mapping': {
    code: kcode(1, 1, 21),
    status: S.BadRequestError,
    message: 'Invalid mapping property "mappings.%s".%s',
    description: 'The provided mapping is invalid',
  },
  'services.storage.collection_reserved': {
    code: kcode(1, 1, 22),
    status: S.BadRequestError,
    message: 'Invalid collection name. "%s" is reserved for internal usage.',
    description: 'Collections cannot be named "_kuzzle_keep" because it is reserved for internal use.',
  },
  'services.storage.no_routing': {
    code: kcode(1, 1, 23),
    status: S.BadRequestError,
    message: 'The "_routing" keyword is forbidden.',
    description: 'The "_routing" keyword is forbidden',
  },
  'services.storage.not_connected': {
    code: kcode(1, 1, 24),
    status: S.ExternalServiceError,
    message: 'Elasticsearch service is not connected.',
    description: 'Unable to connect to the storage instance',
  },
  'services.storage.too_many_operations': {
    code: kcode(1, 1, 25),
    status: S.ExternalServiceError,
    message: '"%s" threads buffer exceeded. Too many operations received at once.',
    description: 'Too many operations received',
  },
  'services.storage.cannot_change_mapping': {
    code: kcode(1, 1, 26),
    status: S.BadRequestError,
    message: 'Field "%s" already has a mapping, and it cannot be changed',
    description: 'Cannot change the mapping of a field (once set, a field mapping cannot be changed)',
  },
  'services.storage.duplicate_field_mapping': {
    code: kcode(1, 1, 27),
    status: S.BadRequestError,
    message:
      'Cannot set mapping for field "%s" on collection "%s" because this field name is already used in another collection, with a different type.',
    description:
      'A same field cannot have different mappings within the same index (fields are shared to all of an index collections)',
  },
  'services.storage.unexpected_properties': {
    code: kcode(1, 1, 28),
    status: S.BadRequestError,
    message: 'Property "%s" is not supported for field "%s".',
    description: 'Unexpected properties found',
  },
  'services.storage.invalid_mapping_type': {
    code: kcode(1, 1, 29),
    status: S.BadRequestError,
    message: 'Field "%s": the data type "%s" doesn\'t exist',
    description: 'Unrecognized mapping data type',
  },
  'services.storage.wrong_mapping_property': {
    code: kcode(1, 1, 30),
    status: S.BadRequestError,
    message: 'Cannot parse mapping property "%s"',
    description: 'A mapping property cannot be parsed',
  },
  'services.storage.invalid_mapping_argument': {
    code: kcode(1, 1, 31),
    status: S.BadRequestError,
    message: 'Field "%s": invalid mapping property "%s".',
    description: 'Invalid mapping property',
  },
  'services.storage.too_many_changes': {
    code: kcode(1, 1, 32),
    status: S.ExternalServiceError,
    message: 'Unable to modify document "%s": cluster sync failed (too many simultaneous changes applied)',
    description:
      'Too many changes occured on the same resource in a small amount of time. Try with the "retryOnConflict" option',
  },
  'services.storage.unexpected_bad_request': {
    code: kcode(1, 1, 33),
    status: S.BadRequestError,
    message: '%s',
    description: 'Embeds an unexpected bad request error from Elasticsearch',
  },
  'services.storage.unexpected_not_found': {
    code: kcode(1, 1, 34),
    status: S.NotFoundError,
    message: '%s',
    description: 'Embeds an unexpected notfound error from Elasticsearch',
  },
  'services.storage.unexpected_error': {
    code: kcode(1, 1, 35),
    status: S.ExternalServiceError,
    message: '%s',
    description: 'Embeds an unexpected error from Elasticsearch',
  },
  'services.storage.no_mapping_found': {
    code: kcode(1, 1, 37),
    status: S.NotFoundError,
    message: 'No mapping found for index "%s".',
    description: 'Attempted to read a non-existent mapping',
  },
  'services.storage.index_already_exists': {
    code: kcode(1, 1, 38),
    status: S.PreconditionError,
    message: 'A %s index named "%s" already exists',
    description: 'Attempted to create an already existing index',
  },
  // 1.1.39 forbidden_character: deprecated in Kuzzle 2.0.1.
  'services.storage.invalid_search_query': {
    code: kcode(1, 1, 40),
    status: S.BadRequestError,
    message: 'The argument "%s" is not allowed at this level of a search query.',
    description: 'A forbidden argument has been provided in the search query',
  },
  'services.storage.invalid_index_name': {
    code: kcode(1, 1, 41),
    status: S.BadRequestError,
    message: 'The index name "%s" is invalid',
    description: 'A provided index name is invalid',
  },
  'services.storage.invalid_collection_name': {
    code: kcode(1, 1, 42),
    status: S.BadRequestError,
    message: 'The collection name "%s" is invalid',
    description: 'A provided collection name is invalid',
  },
  'services.storage.strict_mapping_rejection': {
    code: kcode(1, 1, 43),
    status: S.BadRequestError,
    message: 'Cannot create document. Field "%s" is not present in collection "%s:%s" strict mapping',
    description: 'Document rejected because it contains a field that is not declared in the strict mapping.',
  },
  'services.storage.scroll_duration_too_great': {
    code: kcode(1, 1, 44),
    status: S.BadRequestError,
    message: 'Scroll duration "%s" is too great.',
    description:
      'The scroll duration exceed the configured maxium value. (See config.services.storageEngine.maxScrollDuration)',
  },
  'services.storage.unknown_query_keyword': {
    code: kcode(1, 1, 45),
    status: S.BadRequestError,
    message: 'The keyword "%s" is not part of Elasticsearch Query DSL. Are you trying to use a Koncorde query?',
    description: 'An unknown keyword has been provided in the search query',
  },
  'services.storage.incomplete_update': {
    code: kcode(1, 1, 46),
    status: S.MultipleErrorsError,
    message: '%s documents were successfully updated before an error occured',
    description: "Couldn't update all the requested documents",
  },
  'services.storage.invalid_query_keyword': {
    code: kcode(1, 1, 47),
    status: S.BadRequestError,
    message: 'The "%s" keyword is not allowed in this query.',
    description: 'A forbidden keyword has been provided in the query',
  },
  'services.storage.multiple_indice_alias': {
    code: kcode(1, 1, 48),
    status: S.PreconditionError,
    message:
      'An %s is not allowed to be associated with multiple %s. This is probably not linked to this request but rather the consequence of previous actions on ElasticSearch.',
    description: 'The unique association between an indice and its alias has not been respected',
  },
  'services.storage.invalid_multi_index_collection_usage': {
    code: kcode(1, 1, 49),
    status: S.BadRequestError,
    message:
      'Searches on multiple collections should be achieved with the "targets" argument who contains list of indexes and collections to search within.',
    description:
      'Searches on multiple collections should be achieved with the "targets" argument who contains list of indexes and collections to search within.',
  },
  'services.storage.invalid_target_format': {
    code: kcode(1, 1, 50),
    status: S.BadRequestError,
    message: 'The %s ("%s") contains invalid characters ",+*" or is equal to "_all" which is forbidden',
    description:
      'When a target index or collections contains invalid characters used for multi index search or "_all"',
  },
  'services.storage.wrong_es_static_settings_for_collection_recreation': {
    code: kcode(1, 1, 51),
    status: S.BadRequestError,
    message:
      'Attempt to recreate an existing collection %s of index %s of scope %s with non matching static setting : %s at %s while existing one is at %s',
    description:
      'The ES static settings specified at the creation of an existing collection does not match existing settings',
  },
  'services.storage.delete_virtual_collection': {
    code: kcode(1, 1, 52),
    status: S.BadRequestError,
    message: "You can't remove a virtual collection.",
    description: 'Remove virtual collection is forbidden',
  },
  'services.storage.create_virtual_collection': {
    code: kcode(1, 1, 53),
    status: S.BadRequestError,
    message: 'you have not rights to create collection in a virtual index',
    description: 'create collection in a virtual index is forbidden',
  },
  'services.storage.update_virtual_collection': {
    code: kcode(1, 1, 54),
    status: S.BadRequestError,
    message: 'you have not rights to update collection in a virtual index',
    description: 'update collection in a virtual index is forbidden',
  },
  'services.storage.update_virtual_index': {
    code: kcode(1, 1, 55),
    status: S.BadRequestError,
    message: 'you have not rights to update settings in a virtual index',
    description: 'update settings in a virtual index is forbidden',
  },
  'services.storage.physicalIndex_does_not_exist': {
    code: kcode(1, 1, 56),
    status: S.NotFoundError,
    message: 'The given physicalIndex does not exist.',
    description: 'You need an existing physical index',
  },
  // Kuzzle's JSON also has `physicalIndex_not_specified` (code 57), but nested
  // beside the subdomain's "errors" instead of inside it, so Kuzzle never loads
  // it. Left out; 57 stays reserved for it.
  //
  // Portcullis: errors of the per-plugin SQLite document store (kernel/storage/).
  'services.storage.not_indexed': {
    code: kcode(1, 1, 58),
    status: S.BadRequestError,
    message:
      'Field "%s" of collection "%s" is not indexed: declare it in the collection\'s indexes to search or sort on it.',
    description: 'A search or sort names a field the collection does not index',
  },
  'services.storage.unique_violation': {
    code: kcode(1, 1, 59),
    status: S.PreconditionError,
    message: 'Collection "%s": another document already has this value for unique field "%s".',
    description: 'A write would give two documents the same value for a unique field',
  },
  'services.storage.invalid_query': {
    code: kcode(1, 1, 60),
    status: S.BadRequestError,
    message: 'Invalid query on collection "%s": %s.',
    description: 'A storage query is malformed or uses an unsupported operator',
  },
  'services.storage.document_too_large': {
    code: kcode(1, 1, 61),
    status: S.SizeLimitError,
    message: 'Document too large for collection "%s": %s bytes, the limit is %s.',
    description: 'A document exceeds the configured size limit',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorId = keyof typeof ERROR_CATALOGUE;

/** The spec of a catalogue id, typed as the plain {@link ErrorSpec}. */
export function errorSpec(id: ErrorId): ErrorSpec {
  return ERROR_CATALOGUE[id];
}
