// The "passphrase" strategy: a login and a long passphrase, hashed by the
// kernel. Written only against @portcullis/sdk-plugin; see ../../README.md.
import { BadRequestError, NotFoundError, PreconditionError, definePlugin } from '@portcullis/sdk-plugin';

/** @typedef {import('@portcullis/sdk-plugin').JsonObject} JsonObject */
/** @typedef {import('@portcullis/sdk-plugin').PluginContext} PluginContext */
/** @typedef {import('@portcullis/sdk-plugin').Repository} Repository */

// One answer for an unknown login and a wrong passphrase, so a client cannot
// probe which logins exist.
const FAILED = Object.freeze({ kuid: null, message: 'wrong login or passphrase' });
// Long enough for any passphrase, short enough to bound the hashing work
// (the host refuses over 4096); checking here gives a clear error and keeps
// verify's answer FAILED.
const MAX_PASSPHRASE = 1024;
const tooLong = (passphrase) => passphrase.length > MAX_PASSPHRASE;

/**
 * A passport-compatible Strategy: it only reads the request and decides.
 * The runtime supplies success/fail/error on `this` and passes
 * `passReqToCallback: true`, so verify gets the request first.
 */
class PassphraseStrategy {
  /** @param {object} _options @param {Function} verify */
  constructor(_options, verify) {
    this.name = 'passphrase';
    this.verify = verify;
  }

  /** @param {{body: JsonObject}} req */
  authenticate(req) {
    const { login, passphrase } = req.body;
    if (typeof login !== 'string' || typeof passphrase !== 'string') {
      this.fail({ message: 'Missing credentials' }, 400);
      return;
    }
    this.verify(req, login, passphrase, (error, kuid, info) => {
      if (error) this.error(error);
      else if (kuid) this.success(kuid);
      else this.fail(info, 401);
    });
  }
}

export default definePlugin(
  class PassphrasePlugin {
    /** @param {JsonObject} config @param {PluginContext} context */
    async init(config, context) {
      this.password = context.password;
      this.cost = config.cost ?? 12;
      this.minLength = config.minLength ?? 12;
      // A bad setting must stop the boot, not surface on the first request.
      if (!Number.isInteger(this.minLength) || this.minLength < 1) throw new Error('config.minLength must be a positive integer');
      // Document id = kuid: one passphrase per user, and lookups by user are
      // direct reads. The unique index is what really keeps logins unique,
      // even against two concurrent creates; `kuid` is indexed to show a
      // plain index (this plugin reads by id, so it does not need it).
      /** @type {Repository} */
      this.credentials = await context.storage.collection('credentials', {
        indexes: [{ field: 'login', unique: true }, { field: 'kuid' }],
      });
      // Compared against when the login is unknown, so that a miss costs the
      // same bcrypt time as a wrong passphrase. Hashing it here also makes a
      // cost the host refuses fail the boot.
      this.decoyHash = await context.password.hash('decoy passphrase, never stored', this.cost);
      this.authenticators = { Passphrase: PassphraseStrategy };
      this.strategies = {
        passphrase: {
          config: { authenticator: 'Passphrase', fields: ['login', 'passphrase'] },
          methods: {
            create: 'create', delete: 'delete', exists: 'exists', update: 'update', validate: 'validate',
            verify: 'verify', getInfo: 'getInfo', getById: 'getById',
          },
        },
      };
    }

    /** Throws a client-facing error if the credentials are unusable; resolves otherwise. */
    async validate(_request, credentials, kuid, _strategy, isUpdate) {
      const { login, passphrase } = credentials;
      // On update each field is optional: only the ones given change.
      if (login !== undefined || !isUpdate) {
        if (typeof login !== 'string' || login.length === 0) throw new BadRequestError('login must be a non-empty string');
        const { hits } = await this.credentials.search({ where: { login }, size: 1 });
        if (hits.length > 0 && hits[0]._source.kuid !== kuid) throw new PreconditionError(`Login "${login}" is already used.`);
      }
      if (passphrase !== undefined || !isUpdate) {
        if (typeof passphrase !== 'string' || passphrase.length < this.minLength) {
          throw new BadRequestError(`passphrase must be a string of at least ${this.minLength} characters`);
        }
        if (tooLong(passphrase)) throw new BadRequestError(`passphrase must be at most ${MAX_PASSPHRASE} characters`);
      }
    }

    // Kuzzle's API validates before create and update; they validate again
    // because a method must not rely on its caller for its invariants.
    async create(request, credentials, kuid, strategy) {
      await this.validate(request, credentials, kuid, strategy, false);
      const hash = await this.password.hash(credentials.passphrase, this.cost);
      await this.credentials.create({ login: credentials.login, kuid, hash }, kuid);
      return { login: credentials.login };
    }

    async update(request, credentials, kuid, strategy) {
      await this.validate(request, credentials, kuid, strategy, true);
      /** @type {JsonObject} */
      const changes = {};
      if (credentials.login !== undefined) changes.login = credentials.login;
      if (credentials.passphrase !== undefined) changes.hash = await this.password.hash(credentials.passphrase, this.cost);
      // A user without credentials here: services.storage.not_found (404).
      const { _source } = await this.credentials.update(kuid, changes);
      return { login: _source.login };
    }

    async delete(_request, kuid) {
      if (!(await this.credentials.delete(kuid))) throw new NotFoundError('this user has no passphrase credentials');
    }

    async exists(_request, kuid) {
      return (await this.credentials.get(kuid)) !== null;
    }

    /** Called by the strategy above: `{kuid}` logs in, `{kuid: null, message}` is a failed login. */
    async verify(_request, login, passphrase) {
      if (passphrase.length === 0 || tooLong(passphrase)) return FAILED;
      const { hits } = await this.credentials.search({ where: { login }, size: 1 });
      const stored = hits[0]?._source;
      const matches = await this.password.verify(passphrase, stored?.hash ?? this.decoyHash);
      return stored !== undefined && matches ? { kuid: stored.kuid } : FAILED;
    }

    // What clients see of a user's credentials: never the hash.
    async getInfo(_request, kuid) {
      const doc = await this.credentials.get(kuid);
      return doc === null ? {} : { login: doc._source.login };
    }

    // Kuzzle's getById takes the strategy's own identifier: here, the login.
    async getById(_request, login) {
      const { hits } = await this.credentials.search({ where: { login }, size: 1 });
      if (hits.length === 0) throw new NotFoundError(`no credentials for login "${login}"`);
      return { login, kuid: hits[0]._source.kuid };
    }
  },
);
