/**
 * The kernel's logger (pino, JSON lines on stdout). Field names that can hold
 * a secret are redacted wherever they appear, as a second line of defence:
 * the first is never passing secrets to the logger at all.
 */
import { destination as pinoDestination, pino, type Logger as PinoLogger, type LevelWithSilent } from 'pino';

export type Logger = PinoLogger;

const REDACTED_FIELDS = ['password', 'jwt', 'token', 'secret', 'hash', 'authorization', 'cookie', 'credentials', 'apiKey', 'fingerprint'];

export function createLogger(level: LevelWithSilent = 'info', destination?: NodeJS.WritableStream): Logger {
  const paths = REDACTED_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]);
  const options = { level, base: { name: 'portcullis' }, redact: { paths, censor: '[redacted]' } };
  // Synchronous stdout: pino's asynchronous writes can land out of order and
  // be lost at process.exit, which would hide the shutdown's last lines.
  return pino(options, destination ?? pinoDestination({ dest: 1, sync: true }));
}
