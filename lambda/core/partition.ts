import sdk from './aws-partitions.json';

/**
 * The AWS partitions the broker can serve. Their IDs, region patterns and region names are the AWS
 * SDK's own (`aws-partitions.json`, copied from `@aws-sdk/core` by `npm run aws-partitions`, and a test
 * fails when the two drift apart); the sign-in and console hosts, which the SDK's data does not carry,
 * are written here from the AWS pages cited beside each.
 */
export interface PartitionInfo {
  /** Origin of the federation endpoint (`/federation`) that trades credentials for a sign-in token and signs a browser in. */
  readonly signinOrigin: string;
  /** Origin of the console's sign-out (`/oauth?Action=logout`) and of the login that follows it. */
  readonly logoutOrigin: string;
  /** Domain of the sign-in hosts; regional ones live at `<region>.<signinDomain>`. */
  readonly signinDomain: string;
  /** Host of the console; regional consoles live at `<region>.<consoleHost>`. */
  readonly consoleHost: string;
  /** The SDK's pattern for the partition's region names. */
  readonly regionPattern: RegExp;
  /** The partition's regions as the SDK lists them: those offered in the browser entry's picker. */
  readonly regions: readonly string[];
  /**
   * False where AWS documents no federation endpoint for the partition: the configuration refuses it
   * unless the operator opts in (`acceptUnverifiedPartition`, README "Configuration").
   */
  readonly verified: boolean;
}

type Hosts = Omit<PartitionInfo, 'regionPattern' | 'regions'>;

const HOSTS = {
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html;
  // logout on us-east-1's regional sign-in host, whose logout follows redirect_uri (lambda/core/federation.ts).
  aws: {
    signinOrigin: 'https://signin.aws.amazon.com',
    logoutOrigin: 'https://us-east-1.signin.aws.amazon.com',
    signinDomain: 'signin.aws.amazon.com',
    consoleHost: 'console.aws.amazon.com',
    verified: true,
  },
  // https://docs.amazonaws.cn/en_us/aws/latest/userguide/iam.html
  'aws-cn': {
    signinOrigin: 'https://signin.amazonaws.cn',
    logoutOrigin: 'https://signin.amazonaws.cn',
    signinDomain: 'signin.amazonaws.cn',
    consoleHost: 'console.amazonaws.cn',
    verified: true,
  },
  // https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/using-govcloud-endpoints.html
  'aws-us-gov': {
    signinOrigin: 'https://signin.amazonaws-us-gov.com',
    logoutOrigin: 'https://signin.amazonaws-us-gov.com',
    signinDomain: 'signin.amazonaws-us-gov.com',
    consoleHost: 'console.amazonaws-us-gov.com',
    verified: true,
  },
  // AWS European Sovereign Cloud. Its only sign-in host is regional: the AWS Marketplace Seller Guide
  // links https://eusc-de-east-1.signin.amazonaws-eusc.eu/ for creating an account there, and the SDK's
  // AWS Sign-In endpoint rules resolve `{Region}.signin.amazonaws-eusc.eu`; the console is
  // `<region>.console.amazonaws-eusc.eu` (AWS European Sovereign Cloud endpoints reference, docs.aws.eu).
  // No AWS page documents a federation endpoint (`/federation`) there yet, hence not verified.
  'aws-eusc': {
    signinOrigin: 'https://eusc-de-east-1.signin.amazonaws-eusc.eu',
    logoutOrigin: 'https://eusc-de-east-1.signin.amazonaws-eusc.eu',
    signinDomain: 'signin.amazonaws-eusc.eu',
    consoleHost: 'console.amazonaws-eusc.eu',
    verified: false,
  },
} as const satisfies Record<string, Hosts>;

export type Partition = keyof typeof HOSTS;

// A region becomes a host name label (`<region>.console...`): lower-case letters, digits and hyphens only,
// whatever the SDK's pattern lets through (its `\w` also matches capitals and underscores).
const HOST_LABEL = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

function partitionInfo(id: Partition): PartitionInfo {
  const data = sdk.partitions.find((p) => p.id === id);
  if (!data) throw new Error(`the AWS SDK's partition data has no partition ${id}`);
  const regionPattern = new RegExp(data.regionRegex);
  // The SDK also lists pseudo-regions such as aws-global, which its own pattern does not match.
  const regions = data.regions.filter((region) => HOST_LABEL.test(region) && regionPattern.test(region));
  return { ...HOSTS[id], regionPattern, regions };
}

export const PARTITIONS: Readonly<Record<Partition, PartitionInfo>> = {
  aws: partitionInfo('aws'),
  'aws-cn': partitionInfo('aws-cn'),
  'aws-us-gov': partitionInfo('aws-us-gov'),
  'aws-eusc': partitionInfo('aws-eusc'),
};

/**
 * Partitions the SDK knows that the broker refuses: the ISO partitions, for which AWS documents no
 * console federation endpoint.
 */
export const UNSUPPORTED_PARTITIONS: readonly string[] = sdk.partitions.map((p) => p.id).filter((id) => !Object.hasOwn(HOSTS, id));

export function isPartition(value: string): value is Partition {
  return Object.hasOwn(PARTITIONS, value);
}

export function isRegionOf(partition: Partition, region: string): boolean {
  return HOST_LABEL.test(region) && PARTITIONS[partition].regionPattern.test(region);
}

/**
 * Origins a login URL's redirects pass after the sign-in origin: the sign-in origin answers with a
 * redirect to the console host, which sends the browser on to its regional host `<region>.<consoleHost>`
 * (or, in a browser with multi-session on, `<account>-<id>.<region>.<consoleHost>`), which may sign in
 * again at its regional sign-in host `<region>.<signinDomain>`; a logout starts at us-east-1's regional
 * sign-in host. Regional hosts are wildcards because any region of the partition may serve, and a CSP
 * `*.` wildcard matches any number of labels.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html,
 * https://docs.aws.amazon.com/general/latest/gr/mgmt-console.html,
 * https://docs.aws.amazon.com/general/latest/gr/signin-service.html and
 * https://docs.aws.amazon.com/awsconsolehelpdocs/latest/gsg/multisession.html
 */
export function consoleOrigins(partition: Partition): string[] {
  const { signinDomain, consoleHost } = PARTITIONS[partition];
  return [`https://${consoleHost}`, `https://*.${consoleHost}`, `https://*.${signinDomain}`];
}
