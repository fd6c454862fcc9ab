/**
 * The auth controller's credentials actions, on the caller's own
 * credentials: create, update, validate, delete, exists, get.
 */
import type { Action } from '../action.js';

export function authCredentialsActions(): Action[] {
  return [];
}
