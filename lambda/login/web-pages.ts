import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { SERVICES } from './destination';
import { PARTITIONS, type Partition } from './partition';
import { personName, type Person } from './people';
import type { Target } from './registry';
import { escapeHtml, page } from './response';
import { signOutForm } from './web-confirm';

function header(person: Person, csrf: string): string {
  return `<header><strong>console-broker</strong><span>${escapeHtml(personName(person))} ${signOutForm(csrf)}</span></header>`;
}

function options(values: readonly string[], selected: string): string {
  return values.map((v) => `<option${v === selected ? ' selected' : ''}>${escapeHtml(v)}</option>`).join('');
}

/**
 * The targets this person may open, each with a region and service picker; plain HTML forms, no script.
 * `csrf` is the session's form token, for the sign-out button.
 */
export function homePage(person: Person, targets: readonly Target[], partition: Partition, loginOrigins: readonly string[], csrf: string): APIGatewayProxyStructuredResultV2 {
  const services = Object.keys(SERVICES);
  const rows = targets
    .map((t) => {
      const known: readonly string[] = PARTITIONS[partition].regions;
      const regions = known.includes(t.defaultRegion) ? known : [t.defaultRegion, ...known];
      return (
        `<tr><td><strong>${escapeHtml(t.name)}</strong><br><span class="meta">${escapeHtml(t.accountId)}</span></td>` +
        `<td colspan="3"><form method="get" action="/${encodeURIComponent(t.name)}">` +
        `<select name="region" aria-label="Region for ${escapeHtml(t.name)}">${options(regions, t.defaultRegion)}</select> ` +
        `<select name="service" aria-label="Service for ${escapeHtml(t.name)}">${options(services, 'home')}</select> ` +
        `<button type="submit">Open console</button></form></td></tr>`
      );
    })
    .join('');
  const body = targets.length
    ? `<table><thead><tr><th>Target</th><th colspan="3">Open in</th></tr></thead><tbody>${rows}</tbody></table>`
    : '<p>You may open no target. Ask the team that runs console-broker to add you.</p>';
  // Each form leads through the broker's redirect and the login URL's redirects to the console: form-action admits each hop.
  return page(200, 'Open an AWS console', `${header(person, csrf)}${body}`, loginOrigins);
}

/** A page that says what happened and what to do next, with a link to do it. */
export function messagePage(status: number, title: string, message: string, link: { href: string; text: string }): APIGatewayProxyStructuredResultV2 {
  return page(status, title, `<p>${escapeHtml(message)}</p><p><a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a></p>`);
}
