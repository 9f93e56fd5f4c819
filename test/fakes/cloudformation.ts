import { randomUUID } from 'node:crypto';
import type { SecretStore } from './secrets';

/** A CloudFormation template as `cdk synth` writes it: only the sections the model reads. */
export interface Template {
  readonly Parameters?: Record<string, { readonly Default?: string; readonly AllowedValues?: readonly string[] }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Resources: Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown>; readonly Condition?: string; readonly DeletionPolicy?: string }>;
  readonly Outputs?: Record<string, { readonly Value: unknown }>;
}

/**
 * What a resource type does when CloudFormation creates or updates it with resolved properties; it
 * throws ResourceFailed where the service refuses.
 */
export type ResourceHandler = (stack: DeployedStack, logicalId: string, properties: Record<string, unknown>, created: boolean) => string;

/** What a resource type does when CloudFormation deletes it. */
export type ResourceDeleter = (stack: DeployedStack, physicalId: string, properties: Record<string, unknown>) => void;

interface DeployedResource {
  /** The properties after intrinsic functions, with dynamic references still unresolved. */
  readonly declared: string;
  readonly resolved: Record<string, unknown>;
  /** What each dynamic reference resolved to when the resource was last created or updated. */
  readonly references: ReadonlyMap<string, string>;
  readonly physicalId: string;
}

export interface DeployedStack {
  readonly name: string;
  /** The stack's ARN, which DescribeStacks answers as StackId and CloudFormation tags its resources with. */
  readonly id: string;
  readonly account: string;
  readonly region: string;
  template: Template;
  parameters: Record<string, string>;
  readonly resources: Map<string, DeployedResource>;
  outputs: Record<string, string>;
  status: string;
}

export class CloudFormationError extends Error {
  constructor(readonly code: 'ValidationError', message: string) {
    super(message);
  }
}

/** A service's refusal of one resource, as the resource's CREATE_FAILED or UPDATE_FAILED event reports it. */
export class ResourceFailed extends Error {
  constructor(readonly errorCode: string, message: string) {
    super(message);
  }
}

/** A stack operation that failed and rolled back: the stack's status and the reason CloudFormation gives. */
export class StackOperationFailed extends Error {
  constructor(readonly stackName: string, readonly status: string, readonly reason: string) {
    super(`${stackName} ${status}: ${reason}`);
  }
}

/**
 * Deletion policies that keep a resource when CloudFormation deletes it: on a stack deletion, on its
 * removal by an update, and, for Retain only, on the rollback of the create that made it; a
 * RetainExceptOnCreate resource is deleted when the operation that created it rolls back.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html
 */
const KEPT_ON_DELETE = new Set(['Retain', 'RetainExceptOnCreate', 'Snapshot']);
const KEPT_ON_ROLLBACK_OF_CREATE = new Set(['Retain', 'Snapshot']);

const DYNAMIC_REFERENCE = /\{\{resolve:secretsmanager:([^}]*)\}\}/g;

/**
 * A model of how CloudFormation deploys a template, for the rules the broker depends on:
 * - Intrinsic functions are evaluated first; a `{{resolve:secretsmanager:...}}` dynamic reference is
 *   resolved after them, at deploy time, by secret ARN, JSON key, version stage or version ID.
 * - A dynamic reference is resolved only when the resource that holds it is created or updated: an
 *   update that changes none of a resource's properties keeps what was resolved before
 *   (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-secretsmanager.html).
 *   AWS support goes further: during an update CloudFormation reads a reference again only when the
 *   reference itself changed (https://repost.aws/knowledge-center/cloudformation-stack-update-secrets).
 *   The model follows the stricter reading: an unchanged reference keeps its old value even in a
 *   resource that is updated, so whatever passes here passes under either.
 * - An update that changes nothing fails with ValidationError "No updates are to be performed."
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_UpdateStack.html
 * - A reference to a version the secret does not have fails the deploy.
 * - `Ref: AWS::NoValue` returned by Fn::If removes the list item or property that holds it.
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/pseudo-parameter-reference.html
 * - A resource the service refuses fails the operation, which rolls back: the resources that operation
 *   created are deleted in reverse order, except those whose DeletionPolicy is Retain (RetainExceptOnCreate
 *   ones are deleted); a stack whose create rolled back is ROLLBACK_COMPLETE and can only be deleted.
 *   (Only what the failed operation created is undone here; the model does not restore updated resources.)
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html
 */
export class CloudFormationModel {
  readonly stacks = new Map<string, DeployedStack>();

  constructor(
    private readonly secrets: SecretStore,
    private readonly handlers: Readonly<Record<string, ResourceHandler>>,
    private readonly partition = 'aws',
    private readonly deleters: Readonly<Record<string, ResourceDeleter>> = {},
  ) {}

  /** DeleteStack: every resource goes, except those whose DeletionPolicy keeps them. */
  deleteStack(name: string): void {
    const stack = this.stacks.get(name);
    if (!stack) return;
    for (const id of [...stack.resources.keys()].reverse()) {
      const policy = stack.template.Resources[id]?.DeletionPolicy ?? 'Delete';
      if (!KEPT_ON_DELETE.has(policy)) this.deleteResource(stack, id);
    }
    this.stacks.delete(name);
  }

  private deleteResource(stack: DeployedStack, id: string): void {
    const resource = stack.resources.get(id);
    const type = stack.template.Resources[id]?.Type ?? '';
    if (resource) this.deleters[type]?.(stack, resource.physicalId, resource.resolved);
    stack.resources.delete(id);
  }

  /** CreateStack or UpdateStack: `parameters` override the template's defaults, or, on update, the previous values. */
  deploy(name: string, account: string, region: string, template: Template, parameters: Record<string, string> = {}): DeployedStack {
    const previous = this.stacks.get(name);
    if (previous?.status === 'ROLLBACK_COMPLETE') {
      throw new CloudFormationError('ValidationError', `Stack:${name} is in ROLLBACK_COMPLETE state and can not be updated.`);
    }
    const values: Record<string, string> = {};
    for (const [key, declared] of Object.entries(template.Parameters ?? {})) {
      const value = parameters[key] ?? previous?.parameters[key] ?? declared.Default;
      if (value === undefined) throw new CloudFormationError('ValidationError', `Parameters: [${key}] must have values`);
      if (declared.AllowedValues && !declared.AllowedValues.includes(value)) {
        throw new CloudFormationError('ValidationError', `Parameter '${key}' must be one of AllowedValues`);
      }
      values[key] = value;
    }
    const stackId = `arn:${this.partition}:cloudformation:${region}:${account}:stack/${name}/${randomUUID()}`;
    const stack: DeployedStack = previous ?? { name, id: stackId, account, region, template, parameters: values, resources: new Map(), outputs: {}, status: 'CREATE_IN_PROGRESS' };
    const evaluate = new Evaluator(stack, values, this.partition, (id) => stack.resources.get(id)?.physicalId, (ref) => this.outputOf(ref));
    const conditions = Object.fromEntries(Object.entries(template.Conditions ?? {}).map(([id, expression]) => [id, expression]));
    evaluate.conditions = conditions;

    // Work out every change before applying any, as a change set would.
    const changes: [string, string, { properties: Record<string, unknown>; references: Map<string, string> }][] = [];
    for (const id of creationOrder(template)) {
      const resource = template.Resources[id];
      if (!resource || (resource.Condition !== undefined && !evaluate.condition(resource.Condition))) continue;
      const declared = JSON.stringify(evaluate.value(resource.Properties ?? {}));
      const before = stack.resources.get(id);
      if (before?.declared === declared) continue;
      const resolved = this.resolve(declared, before?.references ?? new Map());
      changes.push([id, declared, resolved]);
      // Later resources may Ref this one: its physical ID is known once it exists.
      if (!before) stack.resources.set(id, { declared: '', resolved: resolved.properties, references: new Map(), physicalId: this.physicalId(stack, id, resolved.properties) });
    }
    const templateChanged = previous !== undefined && JSON.stringify(previous.template) !== JSON.stringify(template);
    const parametersChanged = previous !== undefined && JSON.stringify(previous.parameters) !== JSON.stringify(values);
    if (previous && changes.length === 0 && !templateChanged && !parametersChanged) {
      throw new CloudFormationError('ValidationError', 'No updates are to be performed.');
    }
    const createdNow: string[] = [];
    for (const [id, declared, { properties, references }] of changes) {
      const type = template.Resources[id]?.Type ?? '';
      const handler = this.handlers[type];
      const created = stack.resources.get(id)?.declared === '' || !stack.resources.has(id);
      try {
        const physicalId = handler ? handler(stack, id, properties, created) : `${name}-${id}`;
        stack.resources.set(id, { declared, resolved: properties, references, physicalId });
        if (created) createdNow.push(id);
      } catch (caught) {
        if (!(caught instanceof ResourceFailed)) throw caught;
        this.rollBack(stack, template, previous === undefined, createdNow);
        throw new StackOperationFailed(name, stack.status, `Resource handler returned message: "${caught.message}" (HandlerErrorCode: ${caught.errorCode}) for ${id}`);
      }
    }
    stack.template = template;
    stack.parameters = values;
    stack.outputs = Object.fromEntries(Object.entries(template.Outputs ?? {}).map(([key, output]) => [key, String(evaluate.value(output.Value))]));
    stack.status = previous ? 'UPDATE_COMPLETE' : 'CREATE_COMPLETE';
    this.stacks.set(name, stack);
    return stack;
  }

  /**
   * Undoes a failed operation: what it created goes in reverse order unless its DeletionPolicy is
   * Retain; resources it never reached (placeholders for Refs) go without a trace.
   */
  private rollBack(stack: DeployedStack, template: Template, creatingStack: boolean, created: readonly string[]): void {
    stack.template = template;
    for (const [id, resource] of stack.resources) if (resource.declared === '') stack.resources.delete(id);
    for (const id of [...created].reverse()) {
      if (!KEPT_ON_ROLLBACK_OF_CREATE.has(template.Resources[id]?.DeletionPolicy ?? 'Delete')) this.deleteResource(stack, id);
      else stack.resources.delete(id);
    }
    stack.status = creatingStack ? 'ROLLBACK_COMPLETE' : 'UPDATE_ROLLBACK_COMPLETE';
    this.stacks.set(stack.name, stack);
  }

  /** A resource's physical ID before it is created, for Refs to it; handlers return the same. */
  private physicalId(stack: DeployedStack, id: string, properties: Record<string, unknown>): string {
    const type = stack.template.Resources[id]?.Type;
    if (type === 'AWS::IAM::Role' && typeof properties.RoleName === 'string') return `arn:${this.partition}:iam::${stack.account}:role/${properties.RoleName}`;
    if (type === 'AWS::SecretsManager::Secret') return `arn:${this.partition}:secretsmanager:${stack.region}:${stack.account}:secret:${String(properties.Name)}-AbCdEf`;
    return `${stack.name}-${id}`;
  }

  private outputOf(reference: Record<string, unknown>): string {
    const stack = this.stacks.get(String(reference.StackName));
    const value = stack?.outputs[String(reference.OutputName)];
    if (value === undefined) throw new CloudFormationError('ValidationError', `Fn::GetStackOutput: no output ${String(reference.OutputName)} of stack ${String(reference.StackName)}`);
    return value;
  }

  /** Resolves every dynamic reference in the properties: a reference seen before keeps its old value. */
  private resolve(declared: string, before: ReadonlyMap<string, string>): { properties: Record<string, unknown>; references: Map<string, string> } {
    const references = new Map<string, string>();
    const text = declared.replace(DYNAMIC_REFERENCE, (reference: string, body: string) => {
      const value = before.get(reference) ?? this.secretValue(body);
      references.set(reference, value);
      return JSON.stringify(value).slice(1, -1);
    });
    return { properties: JSON.parse(text) as Record<string, unknown>, references };
  }

  /** `secret-id:SecretString:json-key:version-stage:version-id`; the ID may be a full ARN, with colons. */
  private secretValue(body: string): string {
    const parts = body.split(':');
    const [versionId = '', versionStage = '', jsonKey = ''] = parts.slice(-3).reverse();
    const secretId = parts.slice(0, -4).join(':');
    const name = secretId.startsWith('arn:') ? (secretId.split(':')[6] ?? '').replace(/-[A-Za-z0-9]{6}$/, '') : secretId;
    const value = versionId !== '' ? this.secrets.getVersion(name, versionId) : this.secrets.get(name, versionStage || 'AWSCURRENT');
    if (value === undefined) {
      throw new CloudFormationError('ValidationError', `Secrets Manager can't find the specified secret value for ${versionId ? `version ${versionId}` : `staging label ${versionStage || 'AWSCURRENT'}`} of ${name}`);
    }
    return jsonKey === '' ? value : String((JSON.parse(value) as Record<string, unknown>)[jsonKey]);
  }
}

/** Resources in an order where each comes after those it Refs or GetAtts, as CloudFormation creates them. */
function creationOrder(template: Template): string[] {
  const ids = Object.keys(template.Resources);
  const dependsOn = new Map(ids.map((id) => {
    const text = JSON.stringify(template.Resources[id]);
    return [id, ids.filter((other) => other !== id && (text.includes(`"Ref":"${other}"`) || text.includes(`"Fn::GetAtt":["${other}"`)))];
  }));
  const ordered: string[] = [];
  const visit = (id: string, path: Set<string>): void => {
    if (ordered.includes(id) || path.has(id)) return;
    path.add(id);
    for (const dependency of dependsOn.get(id) ?? []) visit(dependency, path);
    ordered.push(id);
  };
  for (const id of ids) visit(id, new Set());
  return ordered;
}

/** What `Ref: AWS::NoValue` evaluates to until the list or object that holds it drops it. */
const NO_VALUE = Symbol('AWS::NoValue');

/** Evaluates the intrinsic functions our templates use. https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html */
class Evaluator {
  conditions: Record<string, unknown> = {};

  constructor(
    private readonly stack: DeployedStack,
    private readonly parameters: Record<string, string>,
    private readonly partition: string,
    private readonly physicalId: (logicalId: string) => string | undefined,
    private readonly stackOutput: (reference: Record<string, unknown>) => string,
  ) {}

  condition(name: string): boolean {
    return this.value(this.conditions[name]) === true;
  }

  value(node: unknown): unknown {
    if (Array.isArray(node)) return node.map((item) => this.value(item)).filter((item) => item !== NO_VALUE);
    if (typeof node !== 'object' || node === null) return node;
    const entries = Object.entries(node);
    const [key, argument] = entries[0] ?? [];
    if (entries.length !== 1 || key === undefined || !(key === 'Ref' || key === 'Condition' || key.startsWith('Fn::'))) {
      return Object.fromEntries(entries.map(([k, v]) => [k, this.value(v)]).filter(([, v]) => v !== NO_VALUE));
    }
    const args = argument as unknown[];
    switch (key) {
      case 'Ref':
        return this.ref(String(argument));
      case 'Condition':
        return this.condition(String(argument));
      case 'Fn::Join':
        return (this.value(args[1]) as unknown[]).join(String(args[0]));
      case 'Fn::Sub':
        return String(argument).replace(/\$\{([^}]+)\}/g, (_all, name: string) => String(this.ref(name)));
      case 'Fn::Select':
        return (this.value(args[1]) as unknown[])[Number(this.value(args[0]))];
      case 'Fn::Split':
        return String(this.value(args[1])).split(String(args[0]));
      case 'Fn::Equals':
        return this.value(args[0]) === this.value(args[1]);
      case 'Fn::Not':
        return this.value(args[0]) !== true;
      case 'Fn::If':
        return this.condition(String(args[0])) ? this.value(args[1]) : this.value(args[2]);
      case 'Fn::GetStackOutput':
        return this.stackOutput(this.value(argument) as Record<string, unknown>);
      case 'Fn::GetAtt':
        return `${this.physicalId(String(args[0])) ?? String(args[0])}.${String(args[1])}`;
      default:
        throw new Error(`the CloudFormation model does not evaluate ${key}`);
    }
  }

  private ref(name: string): unknown {
    if (name === 'AWS::NoValue') return NO_VALUE;
    const pseudo: Record<string, string> = { 'AWS::Partition': this.partition, 'AWS::Region': this.stack.region, 'AWS::AccountId': this.stack.account, 'AWS::URLSuffix': 'amazonaws.com' };
    if (name in pseudo) return pseudo[name];
    if (name in this.parameters) return this.parameters[name];
    return this.physicalId(name) ?? name;
  }
}
