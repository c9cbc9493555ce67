import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** @internal One line of a JSONL file; `terminated` is false only for a last line without `\n`. */
export interface FileLine {
  lineNo: number;
  text: string;
  terminated: boolean;
}

/** @internal What a scan saw of the whole file. */
export interface LineScan {
  bytes: number;
  sha256: string;
  lines: number;
}

/**
 * @internal Streams a file line by line (no whole-file string, so 100k-record files stay cheap)
 * while hashing its exact bytes.
 */
export async function scanLines(file: string, onLine: (line: FileLine) => void): Promise<LineScan> {
  const hash = createHash('sha256');
  let bytes = 0;
  let lineNo = 0;
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(file)) {
    const buf = chunk as Buffer;
    hash.update(buf);
    bytes += buf.length;
    let data = rest.length > 0 ? Buffer.concat([rest, buf]) : buf;
    let start = 0;
    for (let nl = data.indexOf(0x0a, start); nl >= 0; nl = data.indexOf(0x0a, start)) {
      onLine({ lineNo: ++lineNo, text: data.toString('utf8', start, nl), terminated: true });
      start = nl + 1;
    }
    rest = start < data.length ? Buffer.from(data.subarray(start)) : Buffer.alloc(0);
    data = Buffer.alloc(0);
  }
  if (rest.length > 0) onLine({ lineNo: ++lineNo, text: rest.toString('utf8'), terminated: false });
  return { bytes, sha256: hash.digest('hex'), lines: lineNo };
}
