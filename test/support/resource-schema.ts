import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { PropertyType, ResourceProperties, SpecDatabase } from '@aws-cdk/service-spec-types';

/** A template's resources, as `cdk synth` writes them. */
export interface SchemaTemplate {
  readonly Resources?: Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>;
}

let database: SpecDatabase | undefined;

/** An intrinsic function or Ref: CloudFormation computes it at deploy, so its type is not checked here. */
function isIntrinsic(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || (keys[0]?.startsWith('Fn::') ?? false));
}

/**
 * What in `template` breaks AWS's published CloudFormation resource schemas (@aws-cdk/aws-service-spec,
 * built from the CloudFormation registry schemas: https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-schema.html):
 * an unknown resource type, an unknown or missing required property, or a literal of the wrong type.
 * Custom resources (Custom::*) have no schema. The spec gives types, not enum values or patterns, so those
 * are left to CloudFormation. Answers one line per problem.
 */
export function schemaProblems(template: SchemaTemplate): string[] {
  database ??= loadAwsServiceSpecSync();
  const db = database;
  const problems: string[] = [];
  const checkType = (where: string, type: PropertyType, value: unknown): void => {
    if (isIntrinsic(value)) return;
    switch (type.type) {
      case 'string':
      case 'date-time':
        if (typeof value !== 'string') problems.push(`${where}: expected a string`);
        return;
      case 'number':
      case 'integer':
        // CloudFormation takes numbers written as strings too.
        if (typeof value !== 'number' && !(typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)))) problems.push(`${where}: expected a number`);
        return;
      case 'boolean':
        if (typeof value !== 'boolean' && value !== 'true' && value !== 'false') problems.push(`${where}: expected a boolean`);
        return;
      case 'json':
      case 'null':
        return;
      case 'tag':
        checkProperties(where, { Key: { type: { type: 'string' }, required: true }, Value: { type: { type: 'string' }, required: true } }, value);
        return;
      case 'array':
        if (!Array.isArray(value)) problems.push(`${where}: expected a list`);
        else value.forEach((item, index) => { checkType(`${where}[${index}]`, type.element, item); });
        return;
      case 'map':
        if (typeof value !== 'object' || value === null || Array.isArray(value)) problems.push(`${where}: expected a map`);
        else for (const [key, item] of Object.entries(value)) checkType(`${where}.${key}`, type.element, item);
        return;
      case 'ref':
        checkProperties(where, db.get('typeDefinition', type.reference.$ref).properties, value);
        return;
      case 'union': {
        // A value fits a union if it fits one member without problems.
        const before = problems.length;
        for (const member of type.types) {
          checkType(where, member, value);
          if (problems.length === before) return;
          problems.length = before;
        }
        problems.push(`${where}: fits none of its types`);
        return;
      }
    }
  };
  const checkProperties = (where: string, schema: ResourceProperties, value: unknown): void => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(`${where}: expected an object`);
      return;
    }
    const given = value as Record<string, unknown>;
    for (const [name, property] of Object.entries(schema)) {
      if (property.required && !(name in given)) problems.push(`${where}: required property ${name} is missing`);
    }
    for (const [name, item] of Object.entries(given)) {
      const property = schema[name];
      if (property === undefined) problems.push(`${where}: unknown property ${name}`);
      else checkType(`${where}.${name}`, property.type, item);
    }
  };
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    // AWS::CDK::Metadata is the CDK's version report, which CloudFormation accepts without a registry schema
    // (https://docs.aws.amazon.com/cdk/v2/guide/cli.html#version-reporting).
    if (resource.Type.startsWith('Custom::') || resource.Type === 'AWS::CDK::Metadata') continue;
    const found = db.lookup('resource', 'cloudFormationType', 'equals', resource.Type);
    const [spec] = found;
    if (spec === undefined) {
      problems.push(`${id}: unknown resource type ${resource.Type}`);
      continue;
    }
    checkProperties(`${id} (${resource.Type})`, spec.properties, resource.Properties ?? {});
  }
  return problems;
}
