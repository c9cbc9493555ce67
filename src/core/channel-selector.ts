/** `body` matches every body carrier; `body:tenantId` only that one. */
export function channelMatches(selector: string, channel: string | undefined): boolean {
  if (channel === undefined) return false;
  return selector.includes(':') ? channel === selector : channel.split(':')[0] === selector;
}
