/**
 * A subscription callback that never throws into NATS.js: a throw there ends the client's reader
 * loop, and the connection goes deaf while it looks connected. The error goes to `onError` instead.
 */
export function guarded<A extends unknown[]>(callback: (...args: A) => void, onError: (error: Error) => void): (...args: A) => void {
	return (...args: A) => {
		try {
			callback(...args);
		} catch (error) {
			onError(error instanceof Error ? error : new Error(String(error)));
		}
	};
}
