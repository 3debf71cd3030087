import { ServerVersionError } from './errors';

/** "2.10.3" → [2, 10, 3]; anything unparsable counts as 0.0.0 (treated as oldest). */
function parts(version: string): number[] {
	const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
	return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
}

/** True when `actual` is at least `required`. */
export function atLeast(actual: string, required: string): boolean {
	const a = parts(actual);
	const r = parts(required);
	for (let i = 0; i < 3; i++) {
		if (a[i] !== r[i]) return a[i] > r[i];
	}
	return true;
}

/** Refuses an option the connected server cannot honour, naming the version it needs. */
export function requireServerVersion(actual: string, required: string, feature: string): void {
	if (!atLeast(actual, required)) throw new ServerVersionError(feature, required, actual);
}
