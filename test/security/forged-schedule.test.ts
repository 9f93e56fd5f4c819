import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCTOR_TIMEOUT_SECONDS } from '../../lambda/doctor/timing';
import { FakeAws } from '../fakes/aws';
import { bundledHandlerPath, startBundle, type RunningBundle } from '../support/bundle';
import { ADMIN_CALLER, OUTSIDER_CALLER } from '../support/config';
import { functionUrlEvent, scheduledEvent } from '../support/events';
import { findLeaks } from '../support/leaks';
import { startLoginBundle } from '../support/login-bundle';

// Threat: the doctor's door is used to get what a login gives. A principal with lambda:InvokeFunction
// forges the schedule's event (or dresses a login request as one), or a caller who is not an operator
// calls the doctor's URL or the old GET /doctor on the IAM entry, hoping for a login URL, an external
// ID or credentials.

const IN_LAMBDA = { AWS_LAMBDA_FUNCTION_NAME: 'ConsoleBroker-LoginFunction66F090C6-abcdefghijkl' };

describe('the doctor gives a forger or a non-operator nothing secret, in the bundled doctor as in Lambda', () => {
  const fake = new FakeAws();
  let login: RunningBundle;
  let doctor: RunningBundle;

  beforeAll(async () => {
    login = await startLoginBundle(fake, 'forgedScheduleExternalId0123456789abcdefghij', IN_LAMBDA);
    doctor = await startBundle(bundledHandlerPath({ functionId: 'DoctorFunction' }), { ...fake.env(), ...IN_LAMBDA }, DOCTOR_TIMEOUT_SECONDS * 1000);
  });

  afterAll(async () => {
    await login.stop();
    await doctor.stop();
    await fake.stop();
  });

  it('runs only the doctor for a login request dressed as the scheduled event, and answers counts', async () => {
    // Prepare: a complete login request for a caller who may open prod-readonly, plus the schedule's fields
    const event = { ...functionUrlEvent({ callerArn: ADMIN_CALLER, accept: 'application/json' }), ...scheduledEvent() };
    const federationCalls = fake.callsTo('federation').length;

    // Act
    const response = await doctor.invoke(event);

    // Assess
    expect(Object.keys(JSON.parse(response.body ?? '') as object).sort()).toEqual(['broken', 'checked', 'ok']);
    expect(fake.callsTo('federation').length).toBe(federationCalls);
    expect(findLeaks(response.body ?? '', fake)).toEqual([]);
  });

  it('refuses the doctor to a caller who is not an operator, before any AWS call', async () => {
    const before = fake.calls.length;

    const response = await doctor.invoke(functionUrlEvent({ path: '/', callerArn: OUTSIDER_CALLER, accept: 'application/json' }));

    expect(response.statusCode).toBe(403);
    expect(fake.calls.length).toBe(before);
  });

  it("answers an operator with each target's health and nothing a login would hand out", async () => {
    const response = await doctor.invoke(functionUrlEvent({ path: '/', callerArn: ADMIN_CALLER, accept: 'application/json' }));

    expect(response.statusCode).toBe(200);
    expect(findLeaks(response.body ?? '', fake)).toEqual([]);
    expect(response.body).not.toMatch(/"(externalId|accessKeyId|secretAccessKey|sessionToken|loginUrl)"/);
  });

  it('the IAM entry runs no doctor: not for the scheduled event, not for GET /doctor, and calls AWS for neither', async () => {
    const before = fake.calls.length;

    const scheduled = await login.invoke(scheduledEvent());
    const byPath = await login.invoke(functionUrlEvent({ path: '/doctor', callerArn: ADMIN_CALLER, accept: 'application/json' }));

    expect(scheduled.statusCode).toBe(400);
    expect(byPath.statusCode).toBe(404);
    expect(JSON.parse(byPath.body ?? '')).toMatchObject({ error: { code: 'NotFound', message: expect.stringMatching(/DoctorUrl/) as unknown } });
    expect(fake.calls.length).toBe(before);
  });
});
