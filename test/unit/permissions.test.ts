import { PermissionError } from '../../nodes/shared/errors';
import { forFeature, needing, toNodeError } from '../../nodes/shared/errorMapping';
import { describeRight, parseViolation } from '../../nodes/shared/permissions';

/** A refused right is told in words an admin can act on: which subject, what it is for, who needs it. */

const violation = (text: string) => Object.assign(new Error(text), { name: 'PermissionViolationError' });

describe('describeRight', () => {
	it.each([
		['publish', '$JS.API.CONSUMER.INFO.ORDERS.billing', 'read consumer "billing" of stream "ORDERS"'],
		['publish', '$JS.API.CONSUMER.MSG.NEXT.ORDERS.billing', 'pull messages from consumer "billing" of stream "ORDERS"'],
		['publish', '$JS.API.CONSUMER.CREATE.ORDERS.billing.orders.>', 'create or update consumer "billing" on stream "ORDERS"'],
		['publish', '$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.billing', 'create or update consumer "billing" on stream "ORDERS"'],
		['publish', '$JS.API.CONSUMER.CREATE.ORDERS', 'create a temporary consumer on stream "ORDERS"'],
		['publish', '$JS.API.STREAM.NAMES', 'look up which stream stores a subject'],
		['publish', '$JS.API.STREAM.INFO.KV_n8n_schemas', 'read key-value bucket "n8n_schemas"'],
		['publish', '$JS.API.STREAM.CREATE.DLQ', 'create stream "DLQ"'],
		['publish', '$JS.API.STREAM.MSG.GET.KV_orders', 'read messages of key-value bucket "orders"'],
		['publish', '$JS.API.DIRECT.GET.KV_orders.$KV.orders.k.a', 'read messages of key-value bucket "orders"'],
		['publish', '$JS.hub.API.STREAM.INFO.ORDERS', 'read stream "ORDERS"'],
		['publish', '$JS.API.INFO', "read the account's JetStream information"],
		['publish', '$JS.ACK.ORDERS.billing.1.5.5.1700000000000000000.0', 'acknowledge messages of consumer "billing" of stream "ORDERS"'],
		['subscribe', '$JS.ACK.ORDERS.billing.>', 'watch the acknowledgements of consumer "billing" of stream "ORDERS"'],
		['subscribe', '$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.ORDERS.billing', 'watch the server\'s advisories for consumer "billing" of stream "ORDERS"'],
		['publish', '$KV.n8n_processed.k.order-1', 'write to key-value bucket "n8n_processed"'],
		['publish', 'dlq.orders.billing', 'publish to "dlq.orders.billing"'],
		['publish', '$JS.FC.KV_orders.abc.1', 'answer the server\'s flow control while reading key-value bucket "orders"'],
		['subscribe', '_INBOX.>', 'receive replies (every request needs this)'],
		['publish', '$O.invoices.C.Yx8n4Sa2', 'write objects to object store bucket "invoices"'],
		['publish', '$O.invoices.M.aW52LnBkZg==', 'write objects to object store bucket "invoices"'],
		['publish', '$JS.API.STREAM.PURGE.OBJ_invoices', 'purge object store bucket "invoices"'],
		['publish', '$JS.API.CONSUMER.MSG.NEXT.OBJ_invoices.x1', 'pull messages from consumer "x1" of stream "OBJ_invoices"'],
		['publish', '$JS.FC.OBJ_invoices.abc.1', 'answer the server\'s flow control while reading object store bucket "invoices"'],
	] as const)('%s %s → %s', (operation, subject, words) => {
		expect(describeRight(operation, subject)).toBe(words);
	});
});

describe('permission errors', () => {
	it('reads the server text, queue or not', () => {
		expect(parseViolation('Permissions Violation for Subscription to "svc.price" using queue "n8n"')).toEqual({ operation: 'subscribe', subject: 'svc.price' });
		expect(parseViolation('something else')).toBeUndefined();
	});

	it('names the feature that needed the right, the subject and the stream and consumer', async () => {
		const raw = violation('Permissions Violation for Publish to "$JS.API.CONSUMER.INFO.ORDERS.billing"');
		const error = await needing('the JetStream Trigger', Promise.reject(raw)).then(
			() => undefined,
			(e: unknown) => e,
		);
		expect(error).toBeInstanceOf(PermissionError);
		expect((error as Error).message).toBe(
			'Permission denied: the JetStream Trigger needs to read consumer "billing" of stream "ORDERS" — this credential\'s NATS user may not publish to "$JS.API.CONSUMER.INFO.ORDERS.billing"',
		);
		expect(toNodeError(error).hint).toMatch(/Permissions section/);
	});

	it('keeps the first feature named, and leaves other errors alone', () => {
		const first = forFeature(violation('Permissions Violation for Publish to "$KV.b.k.x"'), 'the Skip Duplicates option');
		expect((forFeature(first, 'the JetStream Trigger') as Error).message).toMatch(/^Permission denied: the Skip Duplicates option needs to write to key-value bucket "b"/);
		const other = new Error('timeout');
		expect(forFeature(other, 'the JetStream Trigger')).toBe(other);
	});
});
