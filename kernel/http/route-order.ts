/**
 * The order routes are registered in. Hono answers with the first matching
 * route, so a fixed segment must come before a parameter in the same place:
 * `/users/_me` before `/users/:_id`, `/credentials/:strategy/_me` before
 * `/credentials/:strategy/:_id`.
 */
import type { Action, HttpRoute } from '../api/action.js';

export function orderedRoutes(actions: readonly Action[]): Array<{ action: Action; route: HttpRoute }> {
  const routes = actions.flatMap((action) => action.http.map((route) => ({ action, route })));
  return routes.sort((a, b) => compareSpecificity(a.route.path, b.route.path));
}

function compareSpecificity(a: string, b: string): number {
  const left = a.split('/');
  const right = b.split('/');
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const leftParam = left[i]!.startsWith(':');
    const rightParam = right[i]!.startsWith(':');
    if (leftParam !== rightParam) return leftParam ? 1 : -1;
  }
  // One path a prefix of the other: a total order, so `/pets`, `/pets/all` and `/pets/:id` sort the same from any start.
  return left.length - right.length;
}
