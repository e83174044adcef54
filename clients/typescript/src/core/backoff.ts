/**
 * Full-jitter backoff: delay = min(max, min + random(0, min * 2**attempt)).
 * The random source is injected (a function returning [0, 1)), so tests are exact.
 */

export type RandomSource = () => number;

/** The delay before try number `attempt` (0 for the first retry), in ms. */
export function fullJitter(attempt: number, minMs: number, maxMs: number, random: RandomSource): number {
  const spread = minMs * 2 ** Math.min(attempt, 30);
  return Math.min(maxMs, minMs + random() * spread);
}
