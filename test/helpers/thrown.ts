import type { PluginError } from '@portcullis/sdk-plugin/errors';

/** Runs `run` and returns the PluginError it throws; fails the test if it throws nothing. */
export function thrown(run: () => unknown): PluginError {
  try {
    run();
  } catch (error) {
    return error as PluginError;
  }
  throw new Error('expected a PluginError');
}
