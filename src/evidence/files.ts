/** File names inside a run folder. */
export const EVIDENCE_FILE = 'evidence.jsonl';
export const MANIFEST_FILE = 'manifest.json';
