/**
 * The parts of the OpenAPI document every operation shares: Kuzzle's
 * response envelope (success and error), the bearer and cookie schemes, and the
 * headers every route reads. Written by hand because they describe the
 * HTTP layer (http/envelope.ts, http/request-parser.ts), not an action.
 */

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const KUZZLE_ERROR = {
  type: 'object',
  description: "A Kuzzle error: `id` is stable (domain.subdomain.name) and so is `code`; `props` fill the message's placeholders",
  properties: {
    id: { type: 'string', examples: ['security.token.invalid'] },
    code: { type: 'integer' },
    message: { type: 'string' },
    status: { type: 'integer' },
    props: { type: 'array', items: { type: 'string' } },
    stack: { type: 'string', description: 'Development mode only' },
  },
  required: ['id', 'code', 'message', 'status'],
};

const ENVELOPE = {
  type: 'object',
  description: "Kuzzle's envelope: every answer has it, success or error",
  properties: {
    requestId: { type: 'string', description: 'The `requestId` argument or `X-Kuzzle-Request-Id` header if given, else generated' },
    status: { type: 'integer', description: 'The HTTP status' },
    error: { oneOf: [{ type: 'null' }, ref('KuzzleError')] },
    controller: { type: ['string', 'null'] },
    action: { type: ['string', 'null'] },
    collection: { type: 'null' },
    index: { type: 'null' },
    volatile: { description: 'The `X-Kuzzle-Volatile` header, parsed' },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    node: { type: 'string' },
    result: { description: "The action's result; null on error" },
  },
  required: ['requestId', 'status', 'error', 'controller', 'action', 'volatile', 'result'],
};

export const COMPONENTS = {
  schemas: {
    KuzzleError: KUZZLE_ERROR,
    Envelope: ENVELOPE,
    SuccessEnvelope: { allOf: [ref('Envelope'), { type: 'object', properties: { error: { type: 'null' } } }] },
    ErrorEnvelope: { allOf: [ref('Envelope'), { type: 'object', properties: { error: ref('KuzzleError'), result: { type: 'null' } } }] },
  },
  securitySchemes: {
    // Also accepted, and not advertised: the `jwt` query argument, and `jwt` in a `POST /_query` body.
    bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'kauth-<JWT> (a token) or kapikey-<JWT> (an API key)' },
    // Cookie mode: set by auth:login and auth:refreshToken with `cookieAuth`; never together with a bearer token.
    cookieAuth: { type: 'apiKey', in: 'cookie', name: 'authToken' },
  },
  parameters: {
    Volatile: { name: 'x-kuzzle-volatile', in: 'header', required: false, description: 'A JSON value echoed back as `volatile`', schema: { type: 'string' } },
    RequestId: { name: 'x-kuzzle-request-id', in: 'header', required: false, description: 'Echoed back as `requestId`', schema: { type: 'string', pattern: '^[\\w.:-]{1,128}$' } },
  },
} as const;

/** The responses of every operation: the success envelope, or an error envelope with the error's status. */
export const RESPONSES = {
  '200': { description: 'Success', content: { 'application/json': { schema: ref('SuccessEnvelope') } } },
  default: { description: 'An error, in the envelope', content: { 'application/json': { schema: ref('ErrorEnvelope') } } },
} as const;

/** Every route reads these headers. */
export const COMMON_PARAMETERS = [{ $ref: '#/components/parameters/Volatile' }, { $ref: '#/components/parameters/RequestId' }] as const;
