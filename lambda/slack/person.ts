import { HttpError } from '../core/errors';
import { asciiLowerCase, type Person } from '../core/people';
import type { SlashCommand } from './command';
import type { SlackUser } from './slack-api';

/** What the configuration lets the broker believe of a Slack workspace. */
export interface SlackTrust {
  /** Workspaces (team IDs) and Enterprise Grid organizations (enterprise IDs) whose commands are served. */
  readonly teamIds: readonly string[];
  readonly enterpriseIds: readonly string[];
  /** A Slack e-mail address counts only when confirmed and in one of these domains (lower case). */
  readonly emailDomains: readonly string[];
  /** Slack user group ID to the broker group its members count as in, explicit in the configuration. */
  readonly userGroups: Readonly<Record<string, string>>;
}

const refused = (message: string): HttpError => new HttpError(403, 'SlackUserRefused', message);

/** Whether the command came from a workspace or organization the configuration names. */
export function isServedWorkspace(trust: SlackTrust, command: SlashCommand): boolean {
  return trust.teamIds.includes(command.teamId) || (command.enterpriseId !== undefined && trust.enterpriseIds.includes(command.enterpriseId));
}

/**
 * The Slack user as a person of the people rules (lambda/core/people.ts), or a refusal in words. Bots,
 * deactivated accounts, guests and members of workspaces or organizations the configuration does not
 * name open nothing, whichever workspace the command came from. The e-mail address
 * counts as verified only when Slack says it is confirmed and its domain is one the configuration
 * lists; groups are only those the configuration maps from Slack user group IDs.
 * Fields: https://api.slack.com/types/user
 */
export function slackPerson(trust: SlackTrust, command: SlashCommand, user: SlackUser, slackGroups: readonly string[]): Person {
  if (user.id !== command.userId) throw refused('Slack answered for another user than the one who typed the command');
  if (user.is_bot === true || user.id === 'USLACKBOT') throw refused('bots cannot open a console');
  if (user.deleted === true) throw refused('your Slack account is deactivated');
  if (user.is_restricted === true || user.is_ultra_restricted === true) throw refused('guest accounts cannot open a console');
  if (user.is_stranger === true) throw refused('members of another organization cannot open a console here');
  // The command's team_id is where it was typed, which a Slack Connect channel shares with other
  // organizations, and is_stranger is false for their members in a channel the app is in
  // (https://api.slack.com/types/user): the person's own workspace or organization must be one named.
  const enterpriseId = user.enterprise_user?.enterprise_id;
  const home = (user.team_id !== undefined && trust.teamIds.includes(user.team_id)) || (enterpriseId !== undefined && trust.enterpriseIds.includes(enterpriseId));
  if (!home) throw refused('members of another workspace or organization cannot open a console here');
  const email = user.profile?.email === undefined || user.profile.email === '' ? undefined : asciiLowerCase(user.profile.email);
  const domain = email?.slice(email.lastIndexOf('@') + 1);
  const emailVerified = user.is_email_confirmed === true && domain !== undefined && email?.includes('@') === true && trust.emailDomains.includes(domain);
  return {
    // Slack's OpenID issuer with the workspace or organization: the name a person without a trusted e-mail gets in CloudTrail.
    issuer: `https://slack.com/${command.enterpriseId ?? command.teamId}`,
    subject: user.id,
    email,
    emailVerified,
    groups: Object.entries(trust.userGroups)
      .filter(([id]) => slackGroups.includes(id))
      .map(([, group]) => group),
  };
}

/** Why a person may open nothing, in a sentence that says what to do. */
export function nothingToOpen(person: Person, trust: SlackTrust): string {
  if (person.email === undefined) {
    return 'Slack gives console-broker no e-mail address for you (your profile has none, or the app lacks the users:read.email scope), and no Slack user group of yours opens a target. Ask the team that runs console-broker.';
  }
  if (!person.emailVerified) {
    return `Your Slack e-mail address ${person.email} is not one console-broker trusts: it must be confirmed in Slack and in ${trust.emailDomains.join(', ') || 'a domain the configuration lists'}.`;
  }
  return `No target is open to ${person.email}. Ask the team that runs console-broker.`;
}
