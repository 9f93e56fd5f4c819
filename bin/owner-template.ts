#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { standaloneTargetTemplate } from '../lib/target-stack';

// `npm run owner-template`: writes the ready file a target account's owner uploads in the CloudFormation console.
const file = path.join(__dirname, '..', 'templates', 'console-broker-target.json');
writeFileSync(file, standaloneTargetTemplate());
process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
