/**
 * JetStream speaks nanoseconds; the package speaks milliseconds inside and seconds to the user.
 * Every conversion goes through here.
 */
export const NANOS_PER_MS = 1_000_000;

export const msToNanos = (ms: number): number => Math.round(ms * NANOS_PER_MS);

export const nanosToMs = (nanos: number | undefined): number => (nanos ?? 0) / NANOS_PER_MS;

/** Seconds (as the user enters them) to nanoseconds. */
export const toNanos = (seconds: number): number => msToNanos(seconds * 1000);

/** Nanoseconds to seconds (as the user reads them); undefined is 0. */
export const fromNanos = (nanos: number | undefined): number => nanosToMs(nanos) / 1000;

/** A JetStream timestamp in nanoseconds since the epoch, as ISO 8601. */
export const isoFromNanos = (nanos: number): string => new Date(Math.floor(nanos / NANOS_PER_MS)).toISOString();
