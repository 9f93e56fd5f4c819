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
}

export const PARTITIONS = {
  aws: {
    signinOrigin: 'https://signin.aws.amazon.com',
    consoleHost: 'console.aws.amazon.com',
    regionPattern: /^(?!cn-|us-gov-)[a-z]{2}(-[a-z]+)+-\d{1,2}$/,
  },
  'aws-cn': {
    signinOrigin: 'https://signin.amazonaws.cn',
    consoleHost: 'console.amazonaws.cn',
    regionPattern: /^cn-[a-z]+-\d{1,2}$/,
  },
  'aws-us-gov': {
    signinOrigin: 'https://signin.amazonaws-us-gov.com',
    consoleHost: 'console.amazonaws-us-gov.com',
    regionPattern: /^us-gov-[a-z]+-\d{1,2}$/,
  },
} as const satisfies Record<string, PartitionInfo>;

export type Partition = keyof typeof PARTITIONS;

export function isPartition(value: string): value is Partition {
  return Object.hasOwn(PARTITIONS, value);
}

export function isRegionOf(partition: Partition, region: string): boolean {
  return PARTITIONS[partition].regionPattern.test(region);
}
