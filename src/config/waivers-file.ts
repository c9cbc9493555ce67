import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';
import { toConfigIssues } from './issues.ts';
import { waiverSchema } from './schema.ts';

/**
 * `waivers: <file>`: reads the YAML or JSON list of waivers from that file (relative to the config's folder) and puts
 * it in place, so the config is validated as if it were written inline. A problem in the file names the file and the
 * exact path inside it (`waivers[0].expires`).
 */
export function inlineWaiversFile(raw: unknown, dir: string): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const waivers = (raw as Record<string, unknown>)['waivers'];
  if (typeof waivers !== 'string') return raw;
  const file = path.resolve(dir, waivers);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError([{ path: 'waivers', message: `cannot read the waivers file ${file}` }]);
  }
  let parsed: unknown;
  try {
    parsed = YAML.parse(text, { maxAliasCount: 50 }) as unknown;
  } catch (error) {
    throw new ConfigError([{ path: 'waivers', message: `invalid YAML: ${(error as Error).message.split('\n')[0]}` }], file);
  }
  const list = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && 'waivers' in parsed ? (parsed as { waivers: unknown }).waivers : parsed;
  const wrapped = { waivers: list ?? [] };
  const schema = z.strictObject({ waivers: z.array(waiverSchema) });
  const result = schema.safeParse(wrapped);
  if (!result.success) throw new ConfigError(toConfigIssues(result.error, wrapped, schema), file);
  return { ...(raw as Record<string, unknown>), waivers: result.data.waivers };
}
