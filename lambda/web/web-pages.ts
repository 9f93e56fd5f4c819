import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { SERVICES } from '../core/destination';
import { PARTITIONS, type Partition } from '../core/partition';
import { personName, type Person } from '../core/people';
import { MAX_REASON_LENGTH } from '../core/reason';
import type { Target } from '../core/registry';
import { escapeHtml, page } from '../core/response';
import { CONFIRM_FIELD, CONFIRM_PRODUCTION, signOutForm } from './web-confirm';

function header(person: Person, csrf: string): string {
  return `<header><strong>console-broker</strong><span>${escapeHtml(personName(person))} ${signOutForm(csrf)}</span></header>`;
}

function options(values: readonly string[], selected: string): string {
  return values.map((v) => `<option${v === selected ? ' selected' : ''}>${escapeHtml(v)}</option>`).join('');
}

/** What a person asked of the home page: the filter's words (`?q=`), and the targets this browser opened last, newest first. */
export interface HomeView {
  readonly query: string;
  readonly recent: readonly string[];
}

/** Everything the filter looks in, lowercased: name, account, group, environment, description. */
function searchText(t: Target): string {
  return [t.name, t.accountId, t.group, t.environment, t.description].filter((part) => part !== undefined).join(' ').toLowerCase();
}

const words = (query: string): string[] => query.toLowerCase().split(/\s+/).filter((word) => word !== '');

/**
 * Filters rows as the person types, exactly as the server filters `?q=`: every word somewhere in the
 * row's data-search. The page works without it; the CSP admits it by its hash alone.
 */
const FILTER_SCRIPT =
  "{const q=document.querySelector('form.filter input'),count=document.getElementById('count');" +
  "q.addEventListener('input',()=>{const w=q.value.toLowerCase().split(/\\s+/).filter(Boolean);let n=0;" +
  "for(const s of document.querySelectorAll('section.targets')){let any=false;" +
  "for(const r of s.querySelectorAll('tr[data-search]')){const m=w.every((x)=>r.dataset.search.includes(x));r.hidden=!m;if(m){any=true;n++}}" +
  "s.hidden=!any}count.textContent=n+count.textContent.slice(count.textContent.indexOf(' '))})}";

function row(t: Target, partition: Partition, services: readonly string[], shown: boolean): string {
  const known: readonly string[] = PARTITIONS[partition].regions;
  const regions = known.includes(t.defaultRegion) ? known : [t.defaultRegion, ...known];
  const name = escapeHtml(t.name);
  const environment = t.environment ?? (t.production ? 'production' : undefined);
  const badge = environment === undefined ? '' : `<span class="badge">${escapeHtml(environment)}</span>`;
  const about = [t.description, t.accountId].filter((part) => part !== undefined).map((part) => escapeHtml(part)).join(' · ');
  // The browser will not submit until the box is ticked; the entry opens a production target at once only with its value.
  const confirm = t.production
    ? `<label class="confirm"><input type="checkbox" name="${CONFIRM_FIELD}" value="${CONFIRM_PRODUCTION}" required aria-label="Confirm opening production target ${name}"> I mean production</label>`
    : '';
  return (
    `<tr data-search="${escapeHtml(searchText(t))}"${t.production ? ' class="prod"' : ''}${shown ? '' : ' hidden'}>` +
    `<td><strong>${name}</strong>${badge}<br><span class="meta">${about}</span></td>` +
    `<td><form method="get" action="/${encodeURIComponent(t.name)}">` +
    `<select name="region" aria-label="Region for ${name}">${options(regions, t.defaultRegion)}</select> ` +
    `<select name="service" aria-label="Service for ${name}">${options(services, 'home')}</select> ` +
    // The browser checks length and presence; the server checks again (lambda/core/reason.ts), as it must.
    `<input class="reason" name="reason" maxlength="${String(MAX_REASON_LENGTH)}" placeholder="${t.requireReason ? 'Reason (required)' : 'Reason'}" aria-label="Reason for opening ${name}"${t.requireReason ? ' required' : ''}> ` +
    `${confirm}<button type="submit" aria-label="Open console for ${name}">Open console</button></form></td></tr>`
  );
}

/**
 * The targets this person may open: what this browser opened last first, then by group, each with a
 * region and service picker. Plain HTML forms filter (`?q=`) and open; a small script filters as the
 * person types. Production targets ask for a ticked box before they open. `csrf` is the session's form
 * token, for the sign-out button.
 */
export function homePage(person: Person, targets: readonly Target[], partition: Partition, loginOrigins: readonly string[], csrf: string, view: HomeView): APIGatewayProxyStructuredResultV2 {
  if (targets.length === 0) {
    return page(200, 'Open an AWS console', `${header(person, csrf)}<p>You may open no target. Ask the team that runs console-broker to add you.</p>`);
  }
  const services = Object.keys(SERVICES);
  const wanted = words(view.query);
  const matches = (t: Target): boolean => wanted.every((word) => searchText(t).includes(word));
  const byName = new Map(targets.map((t) => [t.name, t]));
  const recent = view.recent.flatMap((name) => byName.get(name) ?? []);
  const groups = new Map<string, Target[]>();
  for (const t of [...targets].sort((a, b) => a.name.localeCompare(b.name))) {
    if (recent.includes(t)) continue;
    const group = t.group ?? '';
    // Pushed in place: a copy per target would be quadratic in a group's size.
    const members = groups.get(group);
    if (members) members.push(t);
    else groups.set(group, [t]);
  }
  const grouped = [...groups.keys()].some((group) => group !== '');
  const ordered: [string, Target[]][] = [
    ...(recent.length > 0 ? [['Opened last', recent] as [string, Target[]]] : []),
    ...[...groups.entries()].filter(([group]) => group !== '').sort(([a], [b]) => a.localeCompare(b)),
    ...(groups.has('') ? [[grouped || recent.length > 0 ? 'Other targets' : '', groups.get('') ?? []] as [string, Target[]]] : []),
  ];
  const sections = ordered
    .map(([title, members]) => {
      const shown = members.some(matches);
      return (
        `<section class="targets"${shown ? '' : ' hidden'}>${title ? `<h2>${escapeHtml(title)}</h2>` : ''}` +
        `<table><tbody>${members.map((t) => row(t, partition, services, matches(t))).join('')}</tbody></table></section>`
      );
    })
    .join('');
  const count = targets.filter(matches).length;
  const filter =
    `<form class="filter" method="get" action="/" role="search">` +
    `<input type="search" name="q" value="${escapeHtml(view.query)}" placeholder="Filter by name, account, group, environment, description" aria-label="Filter targets" autocomplete="off">` +
    `<button type="submit">Filter</button></form>` +
    `<p class="meta"><span id="count">${String(count)} of ${String(targets.length)} targets</span>${wanted.length > 0 ? ' · <a href="/">Show all</a>' : ''}</p>`;
  // Each form leads through the broker's redirect and the login URL's redirects to the console: form-action admits each hop.
  return page(200, 'Open an AWS console', `${header(person, csrf)}${filter}${sections}`, loginOrigins, FILTER_SCRIPT);
}

/** A page that says what happened and what to do next, with a link to do it. */
export function messagePage(status: number, title: string, message: string, link: { href: string; text: string }): APIGatewayProxyStructuredResultV2 {
  return page(status, title, `<p>${escapeHtml(message)}</p><p><a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a></p>`);
}
