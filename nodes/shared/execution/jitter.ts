/** Up to this share of a delay is added at random, so messages that wait for the same reason do not all come back at once. */
const JITTER = 0.2;

export function jittered(ms: number, random: () => number = Math.random): number {
	return Math.round(ms * (1 + JITTER * random()));
}
