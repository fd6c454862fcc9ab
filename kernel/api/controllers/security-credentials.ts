/**
 * The security controller's credentials actions, on any user's
 * credentials: create, update, delete, get, exists, validate, fields,
 * search users by credentials.
 */
import type { Action } from '../action.js';

export function securityCredentialsActions(): Action[] {
  return [];
}
