/**
 * The passport-style Strategy of every provider: it reads the login request
 * and decides. No callback fields: a redirect to the provider (step 1).
 * Callback fields: the verify callback (step 2), whose `{kuid}` logs in.
 * The class is made per plugin instance (it needs the instance's login
 * flow), which the runtime accepts: an authenticator is any constructor.
 */
import type { AuthenticatorConstructor, LoginRequest } from '@portcullis/sdk-plugin';
import { callbackInput, type CallbackInput, type LoginFlow } from './login-flow.js';

type Done = (error: unknown, kuid?: string | false, info?: unknown) => void;
type Verify = (req: LoginRequest, strategy: string, input: CallbackInput, done: Done) => void;

export function oauthAuthenticator(flow: LoginFlow): AuthenticatorConstructor {
  class OAuthStrategy {
    readonly name = 'oauth';
    // Plain properties, not #private: the runtime authenticates on an object whose prototype is this one.
    readonly strategyName: string;
    readonly verifyCallback: Verify;
    // Passport's actions, supplied by the runtime on the object that authenticates.
    declare success: (kuid: string) => void;
    declare fail: (challenge: unknown, status: number) => void;
    declare redirect: (url: string, status: number) => void;
    declare error: (error: unknown) => void;

    constructor(options: { strategy?: unknown }, verify: Verify) {
      if (typeof options.strategy !== 'string') throw new Error('strategyOptions.strategy must name the strategy');
      this.strategyName = options.strategy;
      this.verifyCallback = verify;
    }

    authenticate(req: LoginRequest): void {
      const input = callbackInput(req);
      if (input === null) {
        flow.start(this.strategyName, req).then(
          (url) => this.redirect(url, 302),
          (error: unknown) => this.error(error),
        );
        return;
      }
      this.verifyCallback(req, this.strategyName, input, (error, kuid, info) => {
        if (error) this.error(error);
        else if (typeof kuid === 'string') this.success(kuid);
        else this.fail(info, 401);
      });
    }
  }
  return OAuthStrategy as unknown as AuthenticatorConstructor;
}
