/**
 * Maps what can go wrong under a Piscina task to catalogue errors. The
 * plugin's own errors arrive as data and are kept; Piscina's own errors are
 * classified here: full queue, pool shutting down, or a thread that died.
 */
import { PluginError } from '@portcullis/sdk-plugin/errors';

export type RunFailure = 'queue_full' | 'closed' | 'thread_stopped' | 'out_of_memory' | 'crash';

export function classifyRunError(error: unknown): RunFailure {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (/Task queue is at limit|No task queue available/.test(message)) return 'queue_full';
  if ((error as Error | null)?.name === 'AbortError' || /pool is closed/.test(message)) return 'closed';
  // Piscina terminates a thread when a call on it passes its deadline (or at shutdown).
  if (/Terminating worker thread/.test(message)) return 'thread_stopped';
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') return 'out_of_memory';
  return 'crash';
}

/** A catalogue error for a failed call; the cause is for the log, not the client. */
export function toKernelError(error: unknown, plugin: string, method: string, _timeoutMs: number): PluginError {
  if (error instanceof PluginError) return error;
  switch (classifyRunError(error)) {
    case 'queue_full':
      return new PluginError('plugin.runtime.unavailable', plugin, 'its call queue is full');
    case 'closed':
      return new PluginError('plugin.runtime.unavailable', plugin, 'its threads are stopping');
    case 'thread_stopped':
      return new PluginError('plugin.runtime.unavailable', plugin, 'the thread serving this call was stopped (another call passed its deadline, or shutdown)');
    case 'out_of_memory':
      return new PluginError('plugin.runtime.unexpected_error', `${plugin}: its isolate ran out of memory during "${method}"`);
    case 'crash':
      return new PluginError('plugin.runtime.unexpected_error', `${plugin}: its isolate stopped during "${method}"`);
  }
}
