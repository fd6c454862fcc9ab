/** What docs/API.md promises, read from the doc itself so tests fail when code and doc part ways. */
import { readFileSync } from 'node:fs';

/** The actions docs/API.md says anonymous may call before a first admin exists, as `controller:action`, sorted. */
export function documentedAnonymousActions(): string[] {
  const doc = readFileSync(new URL('../../docs/API.md', import.meta.url), 'utf8');
  const start = doc.indexOf('anonymous may call only');
  const paragraph = doc.slice(start, doc.indexOf('\n\n', start));
  return [...paragraph.matchAll(/`([\w/]+:\w+)`/g)].map((match) => match[1]!).sort();
}
