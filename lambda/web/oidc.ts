import * as client from 'openid-client';
import { badGateway, HttpError, RetryLaterError } from '../core/errors';

export interface OpenIdSettings {
  readonly issuer: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  /** Plain http to the provider, for a provider on this machine only (tests, the sandbox). */
  readonly allowInsecureHttp: boolean;
  readonly timeoutSeconds: number;
}

/** What the sign-in cookie carries between leaving for the provider and coming back. */
export interface SignInTransaction {
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
  /** The broker path the person asked for, such as a deep link. */
  readonly returnTo: string;
}

const CLOCK_TOLERANCE_SECONDS = 60;
// After a failed discovery the next waits this long, doubling with each failure in a row up to the most:
// requests meanwhile fail at once instead of each asking a provider that is down or refusing us.
const DISCOVERY_BACKOFF_FIRST_MS = 1000;
const DISCOVERY_BACKOFF_MOST_MS = 60_000;

/** The provider's own error code, such as invalid_client after a client secret rotation, where it gave one. */
function providerError(error: unknown): string {
  if (error instanceof client.AuthorizationResponseError || error instanceof client.ResponseBodyError) return error.error;
  // A refused client authentication comes as a 401 with a WWW-Authenticate challenge (RFC 6749, section 5.2).
  if (error instanceof client.WWWAuthenticateChallengeError) return error.cause[0]?.parameters.error ?? 'invalid_client';
  return error instanceof Error ? error.name : 'unknown error';
}

/**
 * The authorization code flow with PKCE, state and nonce, by openid-client: discovery, token
 * exchange and ID token validation are the library's; none of it is written here.
 */
export class OpenIdClient {
  /** The provider's configuration with the client secret it was made with. */
  private configuration: { readonly secret: string; readonly value: Promise<client.Configuration> } | undefined;
  /** Discoveries that failed in a row, and when the next may be tried. */
  private discoveryFailures = 0;
  private discoveryAllowedAt = 0;

  /** `clientSecret` is asked on every sign-in, so that a rotated secret takes effect as soon as it returns one. */
  constructor(
    private readonly settings: OpenIdSettings,
    private readonly clientSecret: () => Promise<string>,
    private readonly now: () => number = Date.now,
  ) {}

  private unavailable(waitMs: number, cause?: unknown): RetryLaterError {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    return new RetryLaterError(
      502,
      'ProviderUnavailable',
      `the sign-in provider ${this.settings.issuer} could not be reached or described itself wrongly; try again in ${String(seconds)} s`,
      seconds,
      { cause },
    );
  }

  private async config(): Promise<client.Configuration> {
    let used: typeof this.configuration;
    try {
      const secret = await this.clientSecret();
      // openid-client fixes a client's authentication when it makes the configuration: a new secret takes a new one.
      if (this.configuration?.secret !== secret) {
        const wait = this.discoveryAllowedAt - this.now();
        if (wait > 0) throw this.unavailable(wait);
        this.configuration = { secret, value: this.discover(secret) };
      }
      used = this.configuration;
      const configuration = await used.value;
      this.discoveryFailures = 0;
      return configuration;
    } catch (error) {
      if (error instanceof HttpError) throw error;
      if (this.configuration !== used || used === undefined) throw badGateway('ProviderUnavailable', `the sign-in provider ${this.settings.issuer} could not be reached`, error);
      // This discovery failed: forget it, and let the next wait a while longer.
      this.configuration = undefined;
      const backoff = Math.min(DISCOVERY_BACKOFF_FIRST_MS * 2 ** this.discoveryFailures, DISCOVERY_BACKOFF_MOST_MS);
      this.discoveryFailures += 1;
      this.discoveryAllowedAt = this.now() + backoff;
      throw this.unavailable(backoff, error);
    }
  }

  private discover(secret: string): Promise<client.Configuration> {
    return client.discovery(new URL(this.settings.issuer), this.settings.clientId, { [client.clockTolerance]: CLOCK_TOLERANCE_SECONDS }, client.ClientSecretBasic(secret), {
      timeout: this.settings.timeoutSeconds,
      // openid-client marks this deprecated only so that it stands out: it is for local providers.
      // eslint-disable-next-line @typescript-eslint/no-deprecated
      ...(this.settings.allowInsecureHttp ? { execute: [client.allowInsecureRequests] } : {}),
    });
  }

  async signInUrl(redirectUri: string, returnTo: string): Promise<{ url: URL; transaction: SignInTransaction }> {
    const config = await this.config();
    const transaction = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier(), returnTo };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: this.settings.scopes.join(' '),
      response_type: 'code',
      state: transaction.state,
      nonce: transaction.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(transaction.verifier),
      code_challenge_method: 'S256',
    });
    return { url, transaction };
  }

  /** Completes sign-in at the callback; returns the ID token's claims, with userinfo's where the token lacks them. */
  async finish(callbackUrl: URL, transaction: SignInTransaction, neededClaims: readonly string[]): Promise<Record<string, unknown>> {
    const config = await this.config();
    let tokens;
    try {
      tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: transaction.verifier,
        expectedState: transaction.state,
        expectedNonce: transaction.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      const reason = providerError(error);
      throw new HttpError(400, 'SignInFailed', `the sign-in could not be completed (${reason}); start again from the broker`, { cause: error });
    }
    const claims: Record<string, unknown> = { ...tokens.claims() };
    if (neededClaims.some((name) => !(name in claims))) {
      try {
        Object.assign(claims, await client.fetchUserInfo(config, tokens.access_token, String(claims.sub)), { sub: claims.sub });
      } catch (error) {
        throw badGateway('ProviderUnavailable', 'the sign-in provider did not answer the userinfo request', error);
      }
    }
    return claims;
  }
}
