/**
 * Generated user ids, as Kuzzle makes them: `kuid-<adjective>-<name>-<n>`
 * (readable in logs and consoles) or, with `kuid=uuid`, `kuid-<uuid>`.
 * The readable form carries 40 random bits; a clash with an existing user
 * would be a 412 the client can retry.
 */
import { randomInt, randomUUID } from 'node:crypto';

const ADJECTIVES = ['brave', 'calm', 'eager', 'gentle', 'happy', 'jolly', 'kind', 'lively', 'nimble', 'proud', 'quiet', 'swift', 'witty', 'bold', 'bright', 'clever'];
const NAMES = ['otter', 'heron', 'lynx', 'falcon', 'badger', 'marten', 'wren', 'ibis', 'puffin', 'stoat', 'gecko', 'bison', 'koala', 'lemur', 'tapir', 'yak'];

export function generateKuid(kind: 'human' | 'uuid' = 'human'): string {
  if (kind === 'uuid') return `kuid-${randomUUID()}`;
  const pick = (words: string[]) => words[randomInt(words.length)]!;
  return `kuid-${pick(ADJECTIVES)}-${pick(NAMES)}-${randomInt(2 ** 32)}`;
}
