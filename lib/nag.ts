import type { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, rules } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag's own function-URL-auth rule, which the AwsSolutions pack does not run: an unauthenticated
 * function URL must be a decision someone wrote down, never an accident.
 */
export class FunctionUrlChecks extends NagPack {
  readonly name = 'FunctionUrlChecks';

  constructor(scope?: IConstruct) {
    super(scope);
    this.packName = 'ConsoleBroker';
  }

  protected checkResource(node: CfnResource): void {
    this.applyRule({
      ruleSuffixOverride: 'FunctionUrlAuth',
      info: 'The Lambda function URL allows unauthenticated access.',
      explanation: 'A function URL with auth type NONE is public; the function must authenticate every request itself.',
      level: NagMessageLevel.ERROR,
      rule: rules.lambda.LambdaFunctionUrlAuth,
      node,
    });
  }
}
