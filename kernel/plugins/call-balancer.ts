/**
 * Piscina's default balancer never puts a second task on a thread that runs
 * an abortable one, and every kernel call is abortable (it has a deadline).
 * That would make each thread serve one call at a time, idle while the call
 * awaits a host service. This balancer shares a thread between up to
 * `maximumUsage` calls, least busy thread first.
 *
 * The price, stated in SECURITY.md: when a call passes its deadline, Piscina
 * terminates its thread, and the calls sharing that thread fail too (503,
 * retryable).
 */
import type { Piscina } from 'piscina';

/** Piscina does not export its balancer type from the package root. */
type PiscinaLoadBalancer = NonNullable<NonNullable<ConstructorParameters<typeof Piscina>[0]>['loadBalancer']>;

export function sharedThreadBalancer(maximumUsage: number): PiscinaLoadBalancer {
  return (_task, workers) => {
    let candidate = null;
    let lowest = maximumUsage;
    for (const worker of workers) {
      if (worker.terminating || worker.destroyed) continue;
      // Piscina reports one abortable task as Infinity; it is one call.
      const usage = worker.currentUsage === Infinity ? 1 : worker.currentUsage;
      if (usage === 0) return worker;
      if (usage < lowest) {
        candidate = worker;
        lowest = usage;
      }
    }
    return candidate;
  };
}
