import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Plugin isolates load the compiled sdk-plugin runtime, never TypeScript
 * source, so every test run first brings the build up to date (incremental:
 * about a second when nothing changed). Without this a test could exercise a
 * stale runtime.
 */
export default function setup(): void {
  // Unit-test-only runs may skip the build (PORTCULLIS_SKIP_BUILD=1); make test never does.
  if (process.env.PORTCULLIS_SKIP_BUILD === "1") return;
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-b', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
}
