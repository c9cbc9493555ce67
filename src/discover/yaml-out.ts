import YAML, { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { Draft, NotePath } from './draft.ts';

/** Maps that read best on one line (`body: { name: "{{canary}}" }`), by the key that holds them. */
const FLOW_KEYS = new Set(['body', 'query', 'headers', 'until', 'secrets', 'signature', 'ids', 'canaries']);

/** The draft as an editable YAML file: each inference decision a comment above what it produced. */
export function renderDraft(draft: Draft): string {
  const doc = new YAML.Document(draft.config);
  doc.commentBefore = draft.header.map((l) => ` ${l}`).join('\n');
  const root = doc.contents;
  if (isMap(root)) {
    root.items.forEach((pair, i) => {
      if (i > 0 && isScalar(pair.key)) pair.key.spaceBefore = true;
    });
  }
  flowLeaves(doc.contents);
  for (const { path, text } of draft.notes) attach(doc, path, text);
  return doc.toString({ lineWidth: 120, minContentWidth: 40 });
}

function attach(doc: YAML.Document, path: NotePath, text: string): void {
  const comment = text.split('\n').map((l) => ` ${l}`).join('\n');
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  const last = path[path.length - 1];
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
    const target = pair && isScalar(pair.key) ? pair.key : undefined;
    if (target) target.commentBefore = target.commentBefore ? `${target.commentBefore}\n${comment}` : comment;
  } else if (isSeq(parent) && typeof last === 'number') {
    const item = parent.items[last] as Node | undefined;
    if (item) item.commentBefore = item.commentBefore ? `${item.commentBefore}\n${comment}` : comment;
  }
}

function flowLeaves(node: unknown, key?: unknown): void {
  if (isMap(node)) {
    if (typeof key === 'string' && FLOW_KEYS.has(key) && JSON.stringify(node.toJSON()).length <= 100) node.flow = true;
    for (const pair of node.items) flowLeaves(pair.value, isScalar(pair.key) ? pair.key.value : undefined);
  } else if (isSeq(node)) {
    if ((key === 'statuses' || key === 'in' || key === 'operations') && node.items.every((i) => isScalar(i))) node.flow = true;
    for (const item of node.items) flowLeaves(item);
    if (key === 'empty' || key === 'bodyMatchers') node.items.forEach((i) => isMap(i) && (i.flow = true));
  }
}
