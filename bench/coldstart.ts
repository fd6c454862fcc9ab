/**
 * bench/coldstart: how long `node dist/kernel/main.js` takes from spawn to
 * listening, with the repository's own plugins.json (the `local` plugin
 * only) and plugins/:
 * - restart: an existing data dir (secret, migrations, pepper, namespace
 *   and a user already there), the usual case;
 * - first boot: an empty data dir (secret generated, migrations run);
 * - and, on the restart, from spawn to the first successful login of the
 *   user made beforehand (the login includes one bcrypt compare at the
 *   default cost).
 * The baseline is a bare node process serving one hono route
 * (bench/bare-server.mjs), started the same way in the same run, so the
 * ratio is what Portcullis adds to starting node.
 *
 * "Listening" is the port accepting a TCP connection, tried every 2 ms from
 * this process (the kernel listens only once it is ready to serve), so
 * times are exact to about 2 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { api, DEFAULT_PLUGINS, login, startBare, startKernelIn, type KernelSetup } from './http-harness.js';
import type { BenchOptions, BenchRow, BenchSection } from './report.js';
import { pairedRatios, spread } from './stats.js';

const TARGET_MS = 500;
const PASSWORD = 'correct horse battery staple';

interface Run {
  bare: number;
  restart: number;
  firstLogin: number;
  firstBoot: number;
}

export async function coldStartBench(options: BenchOptions): Promise<BenchSection> {
  const temp = mkdtempSync(join(os.tmpdir(), 'portcullis-bench-coldstart-'));
  try {
    const kept: KernelSetup = { dataDir: join(temp, 'kept'), pluginsConfig: DEFAULT_PLUGINS.config, pluginsDir: DEFAULT_PLUGINS.dir, nodeArgs: options.kernelNodeArgs };
    await prepare(kept);
    const runs: Run[] = [];
    for (let run = 0; run < options.runs; run++) {
      const bare = await startBare({ probe: 'tcp' });
      await bare.stop();
      const restart = await startKernelIn(kept, { probe: 'tcp' });
      let firstLogin: number;
      try {
        await login(restart.url, 'coldstart', PASSWORD);
        firstLogin = performance.now() - restart.spawnedAt;
      } finally {
        await restart.stop();
      }
      const fresh: KernelSetup = { ...kept, dataDir: join(temp, `fresh-${run}`) };
      const firstBoot = await startKernelIn(fresh, { probe: 'tcp' });
      await firstBoot.stop();
      rmSync(fresh.dataDir, { recursive: true, force: true });
      runs.push({ bare: bare.readyMs, restart: restart.readyMs, firstLogin, firstBoot: firstBoot.readyMs });
    }
    return section(runs, options);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/** First boot of the kept data dir, its first admin and the user that logs in at each restart. */
async function prepare(setup: KernelSetup): Promise<void> {
  const kernel = await startKernelIn(setup);
  try {
    const adminJwt = await (async () => {
      await api(kernel.url, 'POST', '/_createFirstAdmin/admin', { body: { credentials: { local: { username: 'admin', password: PASSWORD } } } });
      return login(kernel.url, 'admin', PASSWORD);
    })();
    const body = { content: { profileIds: ['default'] }, credentials: { local: { username: 'coldstart', password: PASSWORD } } };
    await api(kernel.url, 'POST', '/users/coldstart/_create', { body, jwt: adminJwt });
  } finally {
    await kernel.stop();
  }
}

function section(runs: Run[], options: BenchOptions): BenchSection {
  const bare = runs.map((run) => run.bare);
  const row = (measure: string, values: number[], target: boolean): BenchRow => {
    const value = spread(values);
    return {
      measure,
      portcullis: { value, unit: 'ms' },
      baseline: { name: 'bare node + hono', value: spread(bare), unit: 'ms' },
      ratio: pairedRatios(bare, values),
      ...(target ? { target: `<= ${TARGET_MS} ms`, met: value.median <= TARGET_MS } : {}),
      detail: { runs: values, bareRuns: bare },
    };
  };
  return {
    bench: 'coldstart',
    title: `spawn of node dist/kernel/main.js (repository plugins.json: local plugin) to the port accepting (TCP probe every 2 ms), median of ${options.runs}${options.smoke ? ' [smoke]' : ''}`,
    rows: [
      row('start to listening, restart (existing data dir)', runs.map((run) => run.restart), true),
      row('start to listening, first boot (empty data dir)', runs.map((run) => run.firstBoot), true),
      row('start to first successful login, restart (one bcrypt at the default cost)', runs.map((run) => run.firstLogin), false),
    ],
  };
}
