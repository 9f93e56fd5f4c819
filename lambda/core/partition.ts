/**
 * The AWS partitions the broker can serve, with the sign-in and console hosts of each.
 * Hosts: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html
 * (aws), https://docs.amazonaws.cn/en_us/aws/latest/userguide/iam.html (aws-cn) and
 * https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/using-govcloud-endpoints.html (aws-us-gov).
 */
export interface PartitionInfo {
  /** Origin of the federation endpoint (`/federation`) and of the console's logout (`/oauth`). */
  readonly signinOrigin: string;
  /** Host of the console; regional consoles live at `<region>.<consoleHost>`. */
  readonly consoleHost: string;
  /** Every region of the partition starts with one of these. */
  readonly regionPattern: RegExp;
  /** The regions offered in the browser entry's picker (any region of the pattern is accepted). */
  readonly regions: readonly string[];
}

export const PARTITIONS = {
  aws: {
    signinOrigin: 'https://signin.aws.amazon.com',
    consoleHost: 'console.aws.amazon.com',
    regionPattern: /^(?!cn-|us-gov-)[a-z]{2}(-[a-z]+)+-\d{1,2}$/,
    regions: [
      'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1',
      'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2',
      'ap-south-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
      'me-central-1', 'il-central-1', 'af-south-1',
    ],
  },
  'aws-cn': {
    signinOrigin: 'https://signin.amazonaws.cn',
    consoleHost: 'console.amazonaws.cn',
    regionPattern: /^cn-[a-z]+-\d{1,2}$/,
    regions: ['cn-north-1', 'cn-northwest-1'],
  },
  'aws-us-gov': {
    signinOrigin: 'https://signin.amazonaws-us-gov.com',
    consoleHost: 'console.amazonaws-us-gov.com',
    regionPattern: /^us-gov-[a-z]+-\d{1,2}$/,
    regions: ['us-gov-west-1', 'us-gov-east-1'],
  },
} as const satisfies Record<string, PartitionInfo>;

export type Partition = keyof typeof PARTITIONS;

export function isPartition(value: string): value is Partition {
  return Object.hasOwn(PARTITIONS, value);
}

export function isRegionOf(partition: Partition, region: string): boolean {
  return PARTITIONS[partition].regionPattern.test(region);
}

/**
 * Origins a login URL's redirects pass after the sign-in origin: the sign-in origin answers with a
 * redirect to the console host, which sends the browser on to its regional host `<region>.<consoleHost>`,
 * which may sign in again at its regional sign-in host `<region>.<sign-in host>`. Regional hosts are
 * wildcards because any region of the partition may serve.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html,
 * https://docs.aws.amazon.com/general/latest/gr/mgmt-console.html and
 * https://docs.aws.amazon.com/general/latest/gr/signin-service.html
 */
export function consoleOrigins(partition: Partition): string[] {
  const { signinOrigin, consoleHost } = PARTITIONS[partition];
  return [`https://${consoleHost}`, `https://*.${consoleHost}`, `https://*.${new URL(signinOrigin).host}`];
}
