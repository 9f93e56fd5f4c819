import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CDK_OUT } from './support/paths';
import { schemaProblems, type SchemaTemplate } from './support/resource-schema';

const read = (file: string): SchemaTemplate => JSON.parse(readFileSync(file, 'utf8')) as SchemaTemplate;
const synthesized = readdirSync(CDK_OUT).filter((name) => name.endsWith('.template.json'));

describe("templates against AWS's published CloudFormation resource schemas", () => {
  it.each(synthesized)('%s, as cdk synth wrote it', (name) => {
    expect(schemaProblems(read(path.join(CDK_OUT, name)))).toEqual([]);
  });

  it("the owner's shipped template", () => {
    expect(schemaProblems(read(path.join(__dirname, '..', 'templates', 'console-broker-target.json')))).toEqual([]);
  });

  it('finds an unknown property, a missing required one and a literal of the wrong type', () => {
    const broken: SchemaTemplate = {
      Resources: {
        Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {}, MaxSessionDuration: 'an hour', RoleNmae: 'x' } },
        Topic: { Type: 'AWS::SNS::TopicPolicy', Properties: { Topics: [{ Ref: 'T' }] } },
      },
    };

    expect(schemaProblems(broken)).toEqual([
      'Role (AWS::IAM::Role).MaxSessionDuration: expected a number',
      'Role (AWS::IAM::Role): unknown property RoleNmae',
      'Topic (AWS::SNS::TopicPolicy): required property PolicyDocument is missing',
    ]);
  });
});
