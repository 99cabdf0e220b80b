/**
 * The LocalStack runner's decisions and commands, on a machine without Docker: what it
 * would do is decided from probes, so every branch is checked here; the deployment
 * itself was never run (docs/stack.md).
 */
import { describe, expect, it } from 'vitest';
import { commands, localstackTokenUrl, PAID_FEATURES, plan } from '../../../local/localstack';

const all = { docker: true, localstackAnswers: true, authToken: true, testcontainers: true };

describe('npm run test:localstack', () => {
  it('asks LocalStack for tokens on its own endpoint, not the Cognito hosted domain', () => {
    expect(localstackTokenUrl('http://localhost:4566/')).toBe(
      'http://localhost:4566/_aws/cognito-idp/oauth2/token',
    );
  });

  it('skips without an auth token, naming the paid features it needs', () => {
    const p = plan({ ...all, authToken: false });
    expect(p.action).toBe('skip');
    if (p.action === 'skip') {
      expect(p.needed).toContain('Cognito');
      expect(p.needed).toContain('API Gateway v2');
    }
    expect(PAID_FEATURES).toHaveLength(2);
  });

  it('deploys to a LocalStack that answers, Docker or not', () => {
    expect(plan({ ...all, docker: false })).toEqual({ action: 'deploy' });
  });

  it('starts LocalStack with testcontainers where Docker answers and LocalStack does not', () => {
    expect(plan({ ...all, localstackAnswers: false })).toEqual({ action: 'start-container-then-deploy' });
  });

  it('skips, saying what to install, when it cannot start LocalStack', () => {
    expect(plan({ ...all, localstackAnswers: false, testcontainers: false })).toMatchObject({
      action: 'skip',
      needed: expect.stringContaining('@testcontainers/localstack'),
    });
    expect(plan({ ...all, localstackAnswers: false, docker: false })).toMatchObject({
      action: 'skip',
      needed: expect.stringContaining('Docker'),
    });
  });

  it('bootstraps and deploys with cdklocal (no deletion protection, no nag, no console), then runs the integration suite', () => {
    expect(commands('PresenceHaLocal').map((c) => c.slice(0, 3).join(' '))).toEqual([
      'npx cdklocal bootstrap',
      'npx cdklocal deploy',
      'npx vitest run',
    ]);
    const [bootstrap, deploy] = commands('PresenceHaLocal') as [string[], string[]];
    expect(deploy.slice(0, 4)).toEqual(['npx', 'cdklocal', 'deploy', 'PresenceHaLocal']);
    expect(deploy).toEqual(expect.arrayContaining(['--outputs-file', '--require-approval', 'never']));
    // The stack deploys CloudFront and the console's upload by default, which LocalStack
    // cannot: both commands must synthesize the API-only stack, each setting as one -c.
    for (const command of [bootstrap, deploy]) {
      const settings = command.flatMap((arg, i) => (command[i - 1] === '-c' ? [arg] : []));
      expect(settings).toEqual([
        'stackName=PresenceHaLocal',
        'deletionProtection=false',
        'nag=false',
        'console=false',
      ]);
    }
  });
});
