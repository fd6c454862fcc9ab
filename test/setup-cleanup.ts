/**
 * Runs in every test file (vitest `setupFiles`): removes the temp folders
 * test/helpers/fixtures.ts made, once the file's tests and their own
 * afterAll hooks (which stop kernels and harnesses) are done.
 */
import { afterAll } from 'vitest';
import { removeTempDirs } from './helpers/fixtures.js';

afterAll(removeTempDirs);
