/** A writable stream that keeps log lines in memory, for tests to inspect. */
import { Writable } from 'node:stream';

export class LogCapture extends Writable {
  readonly #lines: string[] = [];

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    for (const line of chunk.toString().split('\n')) if (line.length > 0) this.#lines.push(line);
    done();
  }

  lines(): string[] {
    return [...this.#lines];
  }
}
