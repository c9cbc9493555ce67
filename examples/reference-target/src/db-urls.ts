export const APP_ROLE = 'reference_app';
export const APP_PASSWORD = 'reference_app';
export const WORKER_ROLE = 'reference_worker';
export const WORKER_PASSWORD = 'reference_worker';

/** The same server and database as `adminUrl`, logged in as another role. */
export function urlAs(adminUrl: string, user: string, password: string): string {
  const url = new URL(adminUrl);
  url.username = encodeURIComponent(user);
  url.password = encodeURIComponent(password);
  return url.toString();
}
