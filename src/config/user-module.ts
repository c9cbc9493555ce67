import path from 'node:path';
import { pathToFileURL } from 'node:url';

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts']);
let typescriptLoader: Promise<void> | undefined;

/**
 * Imports a user's module (a config or a suite) by path. TypeScript files are compiled on the fly by tsx, registered
 * the first time one is loaded, so the CLI itself starts from compiled JavaScript. Where the host already loads
 * TypeScript (vitest, `node --import tsx`), the module is imported as it is.
 *
 * tsx is registered as `node --import tsx` registers it: its ESM hooks and its CommonJS hooks. A `.ts` file is
 * CommonJS when its package.json has no `"type": "module"` (Node's rule, which tsx follows), and only the CommonJS
 * hooks can compile it; its `import … from 'tenancy-audit/suite'` then becomes a `require` that tsx serves with a
 * CommonJS copy of that entry (stateless functions: the suite behaves the same; see test/package/).
 */
export async function importUserModule(file: string): Promise<{ default?: unknown }> {
  const url = pathToFileURL(file).href;
  if (!TYPESCRIPT.has(path.extname(file).toLowerCase())) return (await import(url)) as { default?: unknown };
  if (!typescriptLoader) {
    try {
      return (await import(url)) as { default?: unknown };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
    }
    typescriptLoader = registerTsx();
  }
  await typescriptLoader;
  // Node keeps a failed import of a URL and fails the same URL again, so the file is imported under a query of its
  // own (a URL Node has not seen; nothing of the file ran before: the failure came before its evaluation).
  return commonJsInterop((await import(`${url}?tsx`)) as { default?: unknown });
}

async function registerTsx(): Promise<void> {
  const [esm, cjs] = await Promise.all([import('tsx/esm/api'), import('tsx/cjs/api')]);
  esm.register();
  cjs.register();
}

/** A CommonJS module compiled from `export default …` is `{ __esModule: true, default: … }` as a whole: unwrap it. */
function commonJsInterop(mod: { default?: unknown }): { default?: unknown } {
  const exported = mod.default as { __esModule?: unknown; default?: unknown } | null | undefined;
  const compiled = typeof exported === 'object' && exported !== null && exported.__esModule === true && 'default' in exported;
  return compiled ? { default: exported.default } : mod;
}
