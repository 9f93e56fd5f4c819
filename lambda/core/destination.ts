import { badRequest } from './errors';
import { isRegionOf, PARTITIONS, type Partition } from './partition';

interface Service {
  readonly path: string;
  /** Global services have one console for every region and take no `region` parameter. */
  readonly global?: true;
}

/** Console shortcuts a caller can name with `service=`. */
export const SERVICES: Readonly<Record<string, Service>> = {
  home: { path: '/console/home' },
  cloudformation: { path: '/cloudformation/home' },
  cloudtrail: { path: '/cloudtrail/home' },
  cloudwatch: { path: '/cloudwatch/home' },
  dynamodb: { path: '/dynamodbv2/home' },
  ec2: { path: '/ec2/home' },
  ecs: { path: '/ecs/v2/home' },
  eks: { path: '/eks/home' },
  kms: { path: '/kms/home' },
  lambda: { path: '/lambda/home' },
  rds: { path: '/rds/home' },
  s3: { path: '/s3/home' },
  secretsmanager: { path: '/secretsmanager/home' },
  sns: { path: '/sns/v3/home' },
  sqs: { path: '/sqs/v3/home' },
  ssm: { path: '/systems-manager/home' },
  vpc: { path: '/vpcconsole/home' },
  billing: { path: '/billing/home', global: true },
  cloudfront: { path: '/cloudfront/v4/home', global: true },
  iam: { path: '/iam/home', global: true },
  organizations: { path: '/organizations/v2/home', global: true },
  route53: { path: '/route53/v2/home', global: true },
};

const MAX_DESTINATION_LENGTH = 2048;
// No console page needs an encoded control character; header and log injection attempts do.
const ENCODED_CONTROL_CHARACTER = /%(?:[01][0-9a-f]|7f)/i;
/** White space, control characters and backslashes: browsers and URL parsers disagree on them. */
function hasUnsafeCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code <= 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x5c) return true;
  }
  return false;
}

export function validateRegion(partition: Partition, region: string): string {
  if (!isRegionOf(partition, region)) {
    throw badRequest(`region "${region.slice(0, 40)}" is not a region of the ${partition} partition`);
  }
  return region;
}

function isConsoleHost(partition: Partition, hostname: string): boolean {
  const consoleHost = PARTITIONS[partition].consoleHost;
  if (hostname === consoleHost) return true;
  if (!hostname.endsWith(`.${consoleHost}`)) return false;
  return isRegionOf(partition, hostname.slice(0, -consoleHost.length - 1));
}

/**
 * In a browser with multi-session on, the console's address bar shows a session's own host,
 * `<account>-<id>.<region>.<console host>` (a 12-digit account and an 8-character ID, as in
 * `000000000000-aaaaaaaa.us-east-1.console.aws.amazon.com`,
 * https://docs.aws.amazon.com/awsconsolehelpdocs/latest/gsg/multisession.html; the ID is lower-case
 * letters and digits, Versent/saml2aws#1485). That host belongs to one session of one browser.
 */
const MULTI_SESSION_LABEL = /^\d{12}-[a-z0-9]{8}$/;

/** The regional console page a multi-session URL shows, or undefined when `url` is not on a multi-session host of the partition. */
function regionalConsolePage(partition: Partition, url: URL): URL | undefined {
  const consoleHost = PARTITIONS[partition].consoleHost;
  if (!url.hostname.endsWith(`.${consoleHost}`)) return undefined;
  const labels = url.hostname.slice(0, -consoleHost.length - 1).split('.');
  if (labels.length !== 2) return undefined;
  const [session = '', region = ''] = labels;
  if (!MULTI_SESSION_LABEL.test(session) || !isRegionOf(partition, region)) return undefined;
  const page = new URL(url);
  page.hostname = `${region}.${consoleHost}`;
  return page;
}

/** An https URL on the partition's console or a regional console, with no port or credentials. */
export function isConsoleUrl(partition: Partition, url: URL): boolean {
  return url.protocol === 'https:' && url.username === '' && url.password === '' && url.port === '' && isConsoleHost(partition, url.hostname);
}

/** The console URL for a service shortcut, in a region unless the service is global. */
export function serviceUrl(partition: Partition, service: string, region: string): URL {
  const known = Object.hasOwn(SERVICES, service) ? SERVICES[service] : undefined;
  if (!known) {
    throw badRequest(`service "${service.slice(0, 40)}" is not known; use one of ${Object.keys(SERVICES).join(', ')} or a destination path`);
  }
  const url = new URL(known.path, `https://${PARTITIONS[partition].consoleHost}`);
  if (!known.global) url.searchParams.set('region', region);
  return url;
}

/**
 * A caller-supplied console path (`/ec2/home#Instances:`) or URL, accepted only when it stays on the
 * partition's console: no other host, scheme, port or credentials, whatever the encoding. A URL copied
 * from a multi-session console becomes the same page on its regional console.
 */
export function destinationUrl(partition: Partition, destination: string, region: string): URL {
  if (destination.length > MAX_DESTINATION_LENGTH) {
    throw badRequest(`destination is longer than ${MAX_DESTINATION_LENGTH} characters`);
  }
  if (hasUnsafeCharacters(destination) || ENCODED_CONTROL_CHARACTER.test(destination)) {
    throw badRequest('destination contains white space, control characters or backslashes');
  }
  const consoleOrigin = `https://${PARTITIONS[partition].consoleHost}`;
  const isPath = destination.startsWith('/') && !destination.startsWith('//');
  let given: URL;
  try {
    given = isPath ? new URL(destination, consoleOrigin) : new URL(destination);
  } catch {
    throw badRequest('destination must be a console path starting with / or an https URL on the console');
  }
  // A session's own host would open that session, not the one this login makes: its regional page instead.
  const url = regionalConsolePage(partition, given) ?? given;
  if (!isConsoleUrl(partition, url)) {
    throw badRequest(`destination must stay on ${PARTITIONS[partition].consoleHost} (https, no port or credentials)`);
  }
  if (!url.searchParams.has('region')) url.searchParams.set('region', region);
  return url;
}
