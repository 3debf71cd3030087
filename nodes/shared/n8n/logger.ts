import type { Logger } from 'n8n-workflow';

import type { TransportLogger } from '../transport';

/** n8n's logger as the transport sees it; every line carries the node name for filtering. */
export function transportLogger(logger: Logger, nodeName: string): TransportLogger {
	const meta = { node: nodeName, package: 'n8n-nodes-jetstream' };
	return {
		debug: (message, extra) => logger.debug(message, { ...meta, ...extra }),
		info: (message, extra) => logger.info(message, { ...meta, ...extra }),
		warn: (message, extra) => logger.warn(message, { ...meta, ...extra }),
		error: (message, extra) => logger.error(message, { ...meta, ...extra }),
	};
}
