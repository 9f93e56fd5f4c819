import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { LoginRequest } from '../core/request';
import { escapeHtml, page } from '../core/response';

/** The hidden field that carries a session's form token (lambda/web/csrf.ts). */
export const CSRF_FIELD = 'csrf';

/** The home page's box for a production target, ticked: `confirm=production` in the login's query. */
export const CONFIRM_FIELD = 'confirm';
export const CONFIRM_PRODUCTION = 'production';

function postForm(action: string, csrf: string, button: string): string {
  return `<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(csrf)}"><button type="submit">${escapeHtml(button)}</button></form>`;
}

/** The header's sign-out: a POST with the session's token, so no other site can sign a person out. */
export function signOutForm(csrf: string): string {
  return postForm('/logout', csrf, 'Sign out');
}

/**
 * What a login link that came from another site, or any link to a production target, would open, with
 * a button that opens it: the person, not the link, decides. `loginOrigins` are the origins the
 * button's redirects pass through, which form-action must name.
 */
export function confirmLoginPage(request: LoginRequest, action: string, csrf: string, loginOrigins: readonly string[]): APIGatewayProxyStructuredResultV2 {
  const rows: [string, string][] = [
    ...(request.target.production ? [['Production', 'yes: this console is a production account'] as [string, string]] : []),
    ['Target', request.target.name],
    ['Account', request.target.accountId],
    ['Role', request.target.roleArn],
    ['Region', request.region],
    ['Destination', request.destination.href],
  ];
  if (request.logout) rows.push(['First', 'signs you out of the AWS console you have open']);
  // The reason is logged in the person's name, so they see the one the link gave. The button posts to
  // the query shown here, and only a page the broker served holds the session's token for that POST.
  if (request.reason !== undefined) rows.push(['Reason', request.reason]);
  const table = rows.map(([name, value]) => `<tr><th>${escapeHtml(name)}</th><td><code>${escapeHtml(value)}</code></td></tr>`).join('');
  return page(
    200,
    'Open this AWS console?',
    `<p>A link asks console-broker to open an AWS console as you. Open it only if you expected this.</p><table><tbody>${table}</tbody></table>` +
      `<p>${postForm(action, csrf, 'Open console')}</p><p><a href="/">Back to your targets</a></p>`,
    loginOrigins,
  );
}

/** Signing out takes the button: a link from anywhere would otherwise sign the person out. */
export function signOutPage(csrf: string): APIGatewayProxyStructuredResultV2 {
  return page(200, 'Sign out', `<p>Sign out of console-broker? Consoles you opened stay open until they expire.</p>${postForm('/logout', csrf, 'Sign out')}`);
}
