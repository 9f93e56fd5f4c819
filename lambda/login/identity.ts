// RoleSessionName and SourceIdentity: 2-64 characters of [\w+=,.@-].
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
const MAX_LENGTH = 64;
const FALLBACK = 'console-broker';

/** Makes any name fit RoleSessionName and SourceIdentity, keeping as much of it as STS allows. */
export function sanitizeSessionName(name: string): string {
  const cleaned = name.replace(/[^\w+=,.@-]/g, '-').slice(0, MAX_LENGTH);
  return cleaned.length >= 2 ? cleaned : FALLBACK;
}

/**
 * The person or program behind an IAM principal ARN: the session name of an assumed role (often an
 * e-mail address under IAM Identity Center), else the user or federated user name.
 */
export function callerName(callerArn: string): string {
  const resource = callerArn.split(':').slice(5).join(':');
  const parts = resource.split('/');
  if (parts[0] === 'assumed-role' && parts.length >= 3) return parts.slice(2).join('/');
  return parts[parts.length - 1] ?? resource;
}
