import os from 'node:os';
import type { RunManifest } from '../core/types.ts';


/** Who ran it and where: the operator and, under CI, the provider, run URL, commit and ref. */
export function describeRunContext(env: NodeJS.ProcessEnv = process.env): RunManifest['operator'] {
  const operator: RunManifest['operator'] = { host: os.hostname() };
  const user = env['USER'] ?? env['USERNAME'] ?? safeUser();
  if (user) operator.user = user;
  if (env['GITHUB_ACTIONS']) {
    operator.ci = {
      provider: 'github-actions',
      ...(env['GITHUB_RUN_ID'] ? { runUrl: `${env['GITHUB_SERVER_URL']}/${env['GITHUB_REPOSITORY']}/actions/runs/${env['GITHUB_RUN_ID']}` } : {}),
      ...(env['GITHUB_SHA'] ? { commit: env['GITHUB_SHA'] } : {}),
      ...(env['GITHUB_REF'] ? { ref: env['GITHUB_REF'] } : {}),
    };
  } else if (env['GITLAB_CI']) {
    operator.ci = {
      provider: 'gitlab-ci',
      ...(env['CI_JOB_URL'] ? { runUrl: env['CI_JOB_URL'] } : {}),
      ...(env['CI_COMMIT_SHA'] ? { commit: env['CI_COMMIT_SHA'] } : {}),
      ...(env['CI_COMMIT_REF_NAME'] ? { ref: env['CI_COMMIT_REF_NAME'] } : {}),
    };
  } else if (env['CI']) {
    operator.ci = { provider: 'ci' };
  }
  return operator;
}

function safeUser(): string | undefined {
  try {
    return os.userInfo().username;
  } catch {
    return undefined;
  }
}
