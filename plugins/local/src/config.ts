/**
 * The local strategy's settings (its `config` in plugins.json), with the
 * defaults of ASVS 4.0.3 section 2.1 and NIST 800-63B: length over
 * composition, common passwords refused, no forced rotation.
 */
import { z } from 'zod';
import type { JsonObject } from '@portcullis/sdk-plugin';

const policySchema = z.strictObject({
  /** ASVS 2.1.1: at least 12 characters; NIST 800-63B's floor of 8 is the lowest accepted (common-passwords.ts relies on it). */
  minLength: z.int().min(8).max(1024).default(12),
  /** ASVS 2.1.2: at least 64 allowed; 128 by default; at most 1024 (the kernel hashes up to 4096 UTF-16 units). */
  maxLength: z.int().min(64).max(1024).default(128),
  /** ASVS 2.1.7: refuse passwords from a list of the most common ones. */
  rejectCommon: z.boolean().default(true),
  /** An extra rule, if an organisation insists (ASVS 2.1.9 advises against composition rules). */
  pattern: z.string().max(1000).nullable().default(null),
  forbidUsername: z.boolean().default(false),
  /** Refuse the last N passwords again (0: off). */
  historySize: z.int().min(0).max(24).default(0),
  /** Days after which a password must be changed (0: never, NIST's advice). */
  maxAgeDays: z.int().min(0).max(3650).default(0),
  /** A password an admin set must be changed by its user at first login. */
  mustChangeAfterAdminSet: z.boolean().default(false),
});

const configSchema = z.strictObject({
  /** bcrypt cost; the kernel refuses below 10 outside tests. */
  cost: z.int().min(4).max(15).default(12),
  /** Usernames compare case-insensitively (NFKC + lower case) unless this is true. */
  caseSensitiveUsernames: z.boolean().default(false),
  /** updateMyCredentials must carry the current password (`currentPassword`). */
  requirePassword: z.boolean().default(false),
  /** How long a password reset token works: 15 minutes by default (ASVS 2.5.x: short-lived). */
  resetTokenTtlSeconds: z.int().min(1).max(86_400).default(900),
  policy: policySchema.default(() => policySchema.parse({})),
  lockout: z
    .strictObject({
      /** ASVS 2.2.1 allows at most 100 failures an hour; 10 in 15 minutes is far below. */
      maxFailures: z.int().min(1).max(1000).default(10),
      windowMinutes: z.int().min(1).max(1440).default(15),
    })
    .default(() => ({ maxFailures: 10, windowMinutes: 15 })),
});

export type LocalConfig = z.infer<typeof configSchema>;
export type PasswordPolicy = LocalConfig['policy'];

/** Reads the plugin's config; a bad setting stops the plugin at boot with the field named. */
export function parseConfig(raw: JsonObject): LocalConfig {
  const parsed = configSchema.safeParse(raw);
  if (parsed.success) {
    if (parsed.data.policy.minLength > parsed.data.policy.maxLength) throw new Error('config.policy.minLength exceeds maxLength');
    if (parsed.data.policy.pattern !== null) new RegExp(parsed.data.policy.pattern, 'u');
    return parsed.data;
  }
  const problems = parsed.error.issues.map((issue) => `config.${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`invalid local strategy config: ${problems.join('; ')}`);
}
