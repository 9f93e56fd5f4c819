import { createHash } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { LoginResult } from './login';
import type { ResponseFormat, TargetList } from './request';

/** Every answer holds or leads to a short-lived secret: no cache may keep it, no Referer may carry it. */
export const COMMON_HEADERS = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

const PAGE_STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:3rem auto;padding:0 1rem;color:#16191f}' +
  'h1{font-size:1.5rem}code{background:#f2f3f3;padding:0 .25rem}.meta{color:#5f6b7a;font-size:.875rem}' +
  'header{display:flex;justify-content:space-between;border-bottom:1px solid #e9ebed;margin-bottom:1.5rem;padding-bottom:.5rem}' +
  'table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.5rem;border-bottom:1px solid #e9ebed}' +
  'select,button{font:inherit;padding:.25rem .5rem}button{background:#0972d3;color:#fff;border:0;border-radius:4px;cursor:pointer}' +
  'a{color:#0972d3}' +
  // The home page at a hundred targets: a filter, groups, production marked.
  'body:has(form.filter){max-width:64rem}section.targets table{table-layout:fixed}section.targets td:first-child{width:36%;overflow:hidden;text-overflow:ellipsis}' +
  // A production row holds one more control: the controls wrap rather than run past the page's edge.
  'section.targets td:first-child{white-space:nowrap}section.targets td form{display:flex;flex-wrap:wrap;gap:.3rem;align-items:center}section.targets select{max-width:9.5rem}section.targets input.reason{width:8rem;font:inherit;padding:.25rem .5rem}' +
  'form.filter{display:flex;gap:.5rem;margin-bottom:1rem}form.filter input{flex:1;font:inherit;padding:.25rem .5rem}' +
  'h2{font-size:1.1rem;margin:1.5rem 0 .25rem}.badge{font-size:.75rem;padding:0 .4rem;border-radius:4px;background:#e9ebed;margin-left:.4rem}' +
  '.prod{background:#fdf3f1}.prod .badge{background:#d91515;color:#fff}.prod button{background:#d91515}' +
  'label.confirm{font-size:.875rem;margin-right:.5rem;white-space:nowrap}[hidden]{display:none}';
const sha256 = (text: string): string => createHash('sha256').update(text).digest('base64');
const STYLE_HASH = sha256(PAGE_STYLE);
/**
 * Every redirect after a form's submit must match form-action too, so a form that leads to the console names each origin on the way.
 * A page's one inline script runs only because its hash is listed; no other script can.
 */
function pageCsp(formTargets: readonly string[], script: string | undefined): string {
  const scriptSrc = script === undefined ? '' : ` script-src 'sha256-${sha256(script)}';`;
  return `default-src 'none'; style-src 'sha256-${STYLE_HASH}';${scriptSrc} base-uri 'none'; form-action ${["'self'", ...formTargets].join(' ')}; frame-ancestors 'none'`;
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad request',
  401: 'Sign in again',
  403: 'Not allowed',
  404: 'Not found',
  405: 'Method not allowed',
  429: 'Try again shortly',
  500: 'Internal error',
  502: 'AWS refused the sign-in',
  504: 'AWS did not answer in time',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function loginResponse(result: LoginResult, format: ResponseFormat): APIGatewayProxyStructuredResultV2 {
  if (format === 'html') {
    return { statusCode: 302, headers: { ...COMMON_HEADERS, location: result.loginUrl }, body: '' };
  }
  return {
    statusCode: 200,
    headers: { ...COMMON_HEADERS, 'content-type': 'application/json' },
    body: JSON.stringify(result),
  };
}

export function targetListResponse(list: TargetList, format: ResponseFormat): APIGatewayProxyStructuredResultV2 {
  if (format === 'json') {
    return { statusCode: 200, headers: { ...COMMON_HEADERS, 'content-type': 'application/json' }, body: JSON.stringify(list) };
  }
  const items = list.targets
    .map((t) => `<li><a href="/${encodeURIComponent(t.name)}">${escapeHtml(t.name)}</a> <span class="meta">${escapeHtml(t.accountId)} · ${escapeHtml(t.defaultRegion)}</span></li>`)
    .join('');
  return page(200, 'Your targets', `<p>Signed in as <code>${escapeHtml(list.caller)}</code>.</p><ul>${items || '<li>none</li>'}</ul>`);
}

/** `script`: an inline script the page works without, allowed by its hash alone. */
export function page(status: number, title: string, content: string, formTargets: readonly string[] = [], script?: string): APIGatewayProxyStructuredResultV2 {
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(title)} · console-broker</title><style>${PAGE_STYLE}</style></head>
<body><h1>${escapeHtml(title)}</h1>${content}${script === undefined ? '' : `<script>${script}</script>`}</body></html>`;
  return {
    statusCode: status,
    headers: { ...COMMON_HEADERS, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': pageCsp(formTargets, script) },
    body,
  };
}

export interface ErrorDetails {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly requestId: string;
}

/** `allowed`: the methods the path takes, for a 405's Allow header. */
export function errorResponse(error: ErrorDetails, format: ResponseFormat, allowed: readonly string[] = ['GET']): APIGatewayProxyStructuredResultV2 {
  const headers: Record<string, string> = { ...COMMON_HEADERS };
  if (error.status === 405) headers.allow = allowed.join(', ');
  if (format === 'json') {
    return {
      statusCode: error.status,
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ error }),
    };
  }
  const response = page(
    error.status,
    REASONS[error.status] ?? 'Error',
    `<p>${escapeHtml(error.message)}</p>
<p class="meta">${error.status} <code>${escapeHtml(error.code)}</code> · request <code>${escapeHtml(error.requestId)}</code></p>`,
  );
  return { ...response, headers: { ...response.headers, ...headers } };
}
