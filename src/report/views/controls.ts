import type { LoadedCatalogue, SuiteOutcome } from '../controls.ts';
import { controlStatus } from '../controls.ts';
import type { FrameworkView, SuiteReport } from '../model-types.ts';

/** One framework's column of the control matrix: a control maps the catalogue's suites plus any suite whose metadata cites it. */
export function frameworkView(loaded: LoadedCatalogue, suites: readonly SuiteReport[], outcomes: ReadonlyMap<string, SuiteOutcome>): FrameworkView {
  const key = loaded.catalogue.framework === 'SOC2' ? 'soc2' : loaded.catalogue.framework === 'ISO27001' ? 'iso27001' : null;
  const counts = { effective: 0, exception: 0, inconclusive: 0, 'not-tested': 0 };
  const testsOf = (req: (typeof loaded.catalogue.requirements)[number]) => {
    const citing = key ? suites.filter((s) => s.controls[key].includes(req.id)).map((s) => s.id) : [];
    return [...new Set([...req.tests, ...citing])];
  };
  // Controls no suite maps are outside what this tool can assess: listed once, not as matrix rows.
  const outOfScope = loaded.catalogue.requirements.filter((req) => testsOf(req).length === 0).map((req) => ({ id: req.id, name: req.name }));
  const requirements = loaded.catalogue.requirements.filter((req) => testsOf(req).length > 0).map((req) => {
    const tests = testsOf(req);
    const status = controlStatus({ tests }, outcomes);
    counts[status] += 1;
    const mapped = tests.map((id) => {
      const s = suites.find((x) => x.id === id);
      return { id, status: outcomes.get(id)?.status ?? ('not-run' as const), judged: s?.judged ?? 0 };
    });
    const notRun = mapped.filter((m) => m.status === 'not-run').map((m) => m.id);
    const declared = mapped.filter((m) => m.status === 'not-applicable').map((m) => m.id);
    const declaredNote = declared.length > 0 ? ` (not applicable, declared: ${declared.join(', ')})` : '';
    const reason =
      status === 'not-tested'
        ? tests.length === 0
          ? 'no suite evidences this control'
          : `none of the mapped suites ran${declaredNote}`
        : status === 'exception'
          ? `failing: ${mapped.filter((m) => m.status === 'fail').map((m) => m.id).join(', ')}`
          : status === 'inconclusive'
            ? [
                ...mapped.filter((m) => m.status === 'inconclusive').map((m) => `${m.id} inconclusive`),
                ...(notRun.length > 0 ? [`not run: ${notRun.join(', ')}`] : []),
              ].join('; ')
            : `all ${tests.length - declared.length} applicable mapped suites passed with live positive controls${declaredNote}`;
    return {
      id: req.id,
      name: req.name,
      section: req.section ?? '',
      relationship: req.relationship,
      confidence: req.confidence ?? '',
      rationale: req.rationale,
      notEvidenced: req.notEvidenced ?? '',
      status,
      statusLabel: STATUS_LABEL[status],
      reason,
      suites: mapped,
      probes: mapped.reduce((n, m) => n + m.judged, 0),
    };
  });
  return { framework: loaded.catalogue.framework, name: loaded.catalogue.name, version: loaded.catalogue.version, file: loaded.file, sha256: loaded.sha256, counts, requirements, outOfScope };
}

/** @internal */
export const STATUS_LABEL = { effective: 'Effective', exception: 'Exception', inconclusive: 'Inconclusive', 'not-tested': 'Not tested' } as const;
