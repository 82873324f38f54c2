/**
 * When to look at a render's status. Without webhooks the first look comes after the polling base (about
 * 2 s) and the gaps grow from there. With webhooks looking is only a safety net, so the first look waits
 * until well past the model's typical render time: a webhook that works then costs no status read at all.
 * Jittered either way, so a burst of submits does not become a burst of reads.
 */
import { backoffDelayMs } from '../../retry.js';
import type { GenerationPolicy } from './generation-ports.js';

export function firstLookInMs(policy: GenerationPolicy, typicalSeconds: number, random: () => number): number {
  if (!policy.webhookUrl) return backoffDelayMs(0, policy.poll, random);
  const safetyNet = policy.pollWithWebhook;
  return backoffDelayMs(0, { ...safetyNet, baseMs: Math.max(safetyNet.baseMs, typicalSeconds * 1_500) }, random);
}

/** The gap before the next look, after `polls` looks. */
export function nextLookInMs(policy: GenerationPolicy, polls: number, random: () => number): number {
  return backoffDelayMs(polls, policy.webhookUrl ? policy.pollWithWebhook : policy.poll, random);
}
