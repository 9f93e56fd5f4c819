import { HttpRequest } from '@smithy/core/protocols';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import type { IncomingMessage } from 'node:http';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface SignedRequest {
  readonly method: string;
  /** Path with the query string, as it arrived. */
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/;

export type Verdict =
  | { readonly ok: true; readonly accessKeyId: string; readonly region: string }
  | { readonly ok: false; readonly reason: string };

/**
 * The query as SigV4 reads it: percent-decoded names and values, with `+` a plus sign and not a space,
 * since the canonical request encodes a space as %20 and never as `+`
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html, "Canonical query
 * string"). URLSearchParams would read `+` as a space and accept a request that AWS refuses.
 */
function signedQueryParameters(search: string): [string, string][] {
  return search
    .replace(/^\?/, '')
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const [key = '', value = ''] = pair.split(/=(.*)/s);
      return [decodeURIComponent(key), decodeURIComponent(value)];
    });
}

/**
 * Checks a request's SigV4 signature the way AWS does: re-signs what the signer said it signed with
 * the secret key of the access key ID it named, and compares.
 */
export async function verifySigV4(
  request: SignedRequest,
  service: string,
  lookup: (accessKeyId: string) => Credentials | undefined,
): Promise<Verdict> {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return { ok: false, reason: 'Missing Authentication Token' };
  const match = AUTHORIZATION.exec(header);
  if (!match) return { ok: false, reason: 'Authorization header is not a SigV4 signature' };
  const [, accessKeyId = '', , region = '', signedService, signedHeaderList = ''] = match;
  if (signedService !== service) return { ok: false, reason: `Credential should be scoped to correct service: '${service}'` };
  const credentials = lookup(accessKeyId);
  if (!credentials) return { ok: false, reason: 'The security token included in the request is invalid' };
  const amzDate = request.headers['x-amz-date'];
  if (typeof amzDate !== 'string') return { ok: false, reason: 'Missing X-Amz-Date' };

  const url = new URL(request.url, 'http://placeholder');
  const headers: Record<string, string> = {};
  for (const name of signedHeaderList.split(';')) {
    const value = request.headers[name];
    if (value === undefined) return { ok: false, reason: `Signed header ${name} is missing` };
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of signedQueryParameters(url.search)) {
    const existing = query[key];
    query[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  const signer = new SignatureV4({ service, region, credentials, sha256: Hash.bind(null, 'sha256'), applyChecksum: false });
  const signingDate = new Date(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  const resigned = await signer.sign(
    new HttpRequest({
      method: request.method,
      protocol: 'https:',
      hostname: headers.host ?? '',
      path: url.pathname,
      query,
      headers,
      body: request.body === '' ? undefined : request.body,
    }),
    { signingDate, signableHeaders: new Set(signedHeaderList.split(';')) },
  );
  const expected = resigned.headers.authorization;
  if (expected !== header) return { ok: false, reason: 'The request signature we calculated does not match the signature you provided' };
  return { ok: true, accessKeyId, region };
}
