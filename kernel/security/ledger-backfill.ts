/**
 * The backfill of the credential ledger, step 3 of a settling pass
 * (ledger-boot.ts): every user is asked about in each strategy never
 * backfilled by its plugin, page by page, and those the plugin's `exists`
 * says hold credentials are recorded. Progress lives in memory across
 * passes: users whose `exists` failed are skipped and asked again first by
 * the next pass, and the pages left resume where the last pass stopped. A
 * restart starts the strategy over (what is recorded stays: asking again
 * is harmless). The strategy is marked backfilled once every user was answered.
 *
 * A plugin whose namespace held nothing when this process opened it is asked nothing: whoever
 * holds credentials with it from now on is recorded by the kernel's own
 * calls, and asking would be one call per user (about 26 s at boot for
 * 1,000,000 users, before the kernel listens, each time a plugin is enabled).
 */
import type { LedgerBootDeps } from './ledger-boot.js';
import { errorId, settleRequest } from './ledger-boot.js';

/**
 * Users asked about per page, and `exists` calls in flight at once (a plugin
 * queues 1000 by default). Measured: 10,000 users backfilled in about 1.1 s
 * for the local plugin (2 cores, 2 threads), once per strategy, at the first
 * boot after an upgrade.
 */
const BACKFILL_PAGE = 500;
const BACKFILL_CONCURRENCY = 16;

interface Progress {
  plugin: string;
  /** The last kuid of the pages done; null once every page is. */
  after: string | null;
  /** Users whose `exists` failed, to ask again. */
  skipped: Set<string>;
  users: number;
  holders: number;
  started: number;
}

/** What asking a batch of users gave: those that failed, and why the pass should stop asking this plugin, if it should. */
interface BatchOutcome {
  failed: string[];
  stop: string | null;
}

export class BackfillProgress {
  readonly #progress = new Map<string, Progress>();

  constructor(private readonly deps: LedgerBootDeps) {}

  /** Strategies that can be used now whose ledger is not filled by their plugin yet. */
  incomplete(): string[] {
    const { ledger, strategies } = this.deps;
    return strategies.names().filter((strategy) => ledger.backfilledBy(strategy) !== strategies.pluginOf(strategy));
  }

  /** Asks what is left of `strategy`'s backfill, until done, `stopped`, or the plugin fails. */
  async backfill(strategy: string, stopped: () => boolean): Promise<void> {
    const { ledger, log } = this.deps;
    const plugin = this.deps.strategies.pluginOf(strategy)!;
    const before = ledger.backfilledBy(strategy);
    if (before === plugin) return;
    let progress = this.#progress.get(strategy);
    if (progress === undefined || progress.plugin !== plugin) {
      if (before !== null) {
        log.warn({ strategy, before, plugin }, 'strategy now served by another plugin: its credential ledger is rebuilt from the new plugin');
        ledger.resetStrategy(strategy);
      }
      if (this.deps.newNamespace(plugin)) {
        // Rows an unfinished backfill of another plugin left are not this one's: it holds nothing yet.
        if (before === null) ledger.resetStrategy(strategy);
        ledger.markBackfilled(strategy, plugin);
        log.info({ strategy, plugin }, 'credential ledger: the plugin\'s namespace is new, so it holds no credentials from before; nothing to backfill');
        return;
      }
      progress = { plugin, after: '', skipped: new Set(), users: 0, holders: 0, started: performance.now() };
      this.#progress.set(strategy, progress);
    }
    const outcome = await this.#resume(strategy, progress, stopped);
    if (outcome !== null) {
      log.error({ strategy, plugin, skipped: progress.skipped.size, pagesLeft: progress.after !== null, error: outcome }, 'credential ledger backfill incomplete: logins in this strategy are refused for users not recorded yet; tried again later');
      return;
    }
    if (stopped()) return;
    ledger.markBackfilled(strategy, plugin);
    this.#progress.delete(strategy);
    log.info({ strategy, plugin, users: progress.users, holders: progress.holders, ms: Math.round(performance.now() - progress.started) }, 'credential ledger backfilled');
  }

  /**
   * The pages left, then the users skipped; null once every user is
   * answered, else why not. Pages first: a user that always fails must not
   * hold up the others.
   */
  async #resume(strategy: string, progress: Progress, stopped: () => boolean): Promise<string | null> {
    while (progress.after !== null && !stopped()) {
      const page = this.deps.users.idsAfter(progress.after, BACKFILL_PAGE);
      if (page.length === 0) {
        progress.after = null;
        break;
      }
      const outcome = await this.#ask(strategy, page, progress, stopped);
      for (const kuid of outcome.failed) progress.skipped.add(kuid);
      progress.users += page.length;
      progress.after = page.at(-1)!;
      if (outcome.stop !== null) return outcome.stop;
    }
    const retry = [...progress.skipped];
    for (let at = 0; at < retry.length && !stopped(); at += BACKFILL_PAGE) {
      const batch = retry.slice(at, at + BACKFILL_PAGE);
      const outcome = await this.#ask(strategy, batch, progress, stopped);
      const failed = new Set(outcome.failed);
      for (const kuid of batch) if (!failed.has(kuid)) progress.skipped.delete(kuid);
      if (outcome.stop !== null) return outcome.stop;
    }
    return progress.skipped.size > 0 || progress.after !== null ? `${progress.skipped.size} users skipped` : null;
  }

  /**
   * Asks the plugin about `kuids` and records the holders among them. Stops
   * at a 503 (the plugin is down: failed, backing off, shutting down) or
   * when every call failed: a broken plugin is asked about one page per pass.
   */
  async #ask(strategy: string, kuids: readonly string[], progress: Progress, stopped: () => boolean): Promise<BatchOutcome> {
    const { ledger, strategies, log } = this.deps;
    // A user being created gets its rows from its creation (or is undone): not asked.
    const pending = new Set(this.deps.creations.pending());
    const asked = kuids.filter((kuid) => !pending.has(kuid));
    const found: string[] = [];
    const failed: string[] = [];
    let down: string | null = null;
    let lastError = '';
    await ledger.watch(async (touched) => {
      await eachLimited(asked, BACKFILL_CONCURRENCY, async (kuid) => {
        if (down !== null || stopped()) return void failed.push(kuid);
        try {
          if (await strategies.call(strategy, 'exists', { request: settleRequest('backfill'), kuid, strategy })) found.push(kuid);
        } catch (error) {
          failed.push(kuid);
          lastError = errorId(error);
          log.debug({ strategy, kuid, error: lastError }, 'credential ledger backfill: exists failed, user skipped');
          if ((error as { status?: unknown }).status === 503) down = lastError;
        }
      });
      // A create or delete the kernel ran meanwhile decided the row: the plugin's answer is older.
      ledger.addHolders(strategy, found.filter((kuid) => !touched(strategy, kuid)));
    });
    progress.holders += found.length;
    const allFailed = asked.length > 0 && failed.length === asked.length;
    return { failed, stop: down ?? (allFailed ? lastError : null) };
  }
}

/** Runs `run` on every item, at most `limit` at once. */
async function eachLimited<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
