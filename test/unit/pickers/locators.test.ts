import { parseCredentials } from '../../../nodes/shared/transport/credentials';
import { extractValue } from 'n8n-core/dist/execution-engine/node-execution-context/utils/extract-value';
import { NodeHelpers, type INode, type INodeProperties, type INodeType } from 'n8n-workflow';

import { JetStream } from '../../../nodes/JetStream/JetStream.node';
import { readConsumerName, readStreamName } from '../../../nodes/JetStream/actions/consumer/fields';
import { readDlqStream, readFilter } from '../../../nodes/JetStream/actions/deadLetter/fields';
import { readBucket } from '../../../nodes/JetStream/actions/keyValue/fields';
import { readHealthOptions, readStatsBucket as readMonitorStatsBucket } from '../../../nodes/JetStream/actions/monitor/fields';
import { readPublishOptions } from '../../../nodes/JetStream/actions/message/publishOptions';
import { readSchemaName } from '../../../nodes/JetStream/actions/schema/fields';
import { JetStreamTrigger } from '../../../nodes/JetStreamTrigger/JetStreamTrigger.node';
import { readSettings } from '../../../nodes/JetStreamTrigger/settings';
import { locatorName, NAME_PATTERNS } from '../../../nodes/shared/n8n/locators';
import { readSchemaSource, validateSchemaName } from '../../../nodes/shared/schema';
import { validateBucketName } from '../../../nodes/shared/idempotency/keys';
import { validateStreamName } from '../../../nodes/shared/validation';
import { validateKvBucketName } from '../../../nodes/shared/keyValue/keyRules';
import { fakeExecute } from '../../helpers/fakeExecute';
import { fakeTrigger } from '../../helpers/fakeTrigger';

/** The "From List / By Name" pickers as n8n sees them, and the readers of their values. */

const actionNode = new JetStream();
const triggerNode = new JetStreamTrigger();

/** Every property, with those inside collections under "collection.option". */
function flatten(properties: INodeProperties[], prefix = ''): Array<[string, INodeProperties]> {
	return properties.flatMap((p): Array<[string, INodeProperties]> => {
		const path = `${prefix}${p.name}`;
		const nested = p.type === 'collection' ? flatten((p.options ?? []) as INodeProperties[], `${path}.`) : [];
		return [[path, p], ...nested];
	});
}

const pickersOf = (node: INodeType) => flatten(node.description.properties).filter(([, p]) => p.type === 'resourceLocator');
const rl = (value: string, mode = 'list') => ({ __rl: true, mode, value });

describe('picker fields', () => {
	it('make a picker of every name the user chooses, in both nodes', () => {
		expect([...new Set(pickersOf(actionNode).map(([path]) => path))].sort()).toEqual([
			'consumerName',
			'counterStream',
			'dlqStream',
			'filters.originalStream',
			'healthOptions.deadLetterStream',
			'kvBucket',
			'messageStream',
			'objBucket',
			'objTargetBucket',
			'publishOptions.expectedStream',
			'registryBucket',
			'scheduleStream',
			'schemaBucket',
			'schemaName',
			'statsBucket',
			'stream',
		]);
		// Durable Name twice: one picker per Consumer choice (create or bind).
		expect(pickersOf(triggerNode).map(([path]) => path).sort()).toEqual([
			'deadLetterOptions.deadLetterStream',
			'durableName',
			'durableName',
			'idempotencyOptions.idempotencyBucket',
			'options.statsBucket',
			'schemaBucket',
			'stream',
		]);
		// No name field is left as plain text, where n8n could not check it while it is typed.
		const nameLike = /(Bucket|Stream|Durable Name|Consumer Name|Schema Name)$/;
		for (const node of [actionNode, triggerNode]) {
			const plain = flatten(node.description.properties).filter(([, p]) => p.type === 'string' && nameLike.test(p.displayName));
			expect(plain.map(([path, p]) => `${path} (${p.displayName})`)).toEqual([]);
		}
		// Every `stream` of the action node is a picker: one parameter name, one type.
		const streams = flatten(actionNode.description.properties).filter(([path]) => path === 'stream');
		expect(streams.length).toBeGreaterThan(10);
		expect(streams.every(([, p]) => p.type === 'resourceLocator')).toBe(true);
	});

	it.each<[string, INodeType]>([
		['JetStream', actionNode],
		['JetStream Trigger', triggerNode],
	])('%s: each picker lists through a method the node has, searchable, and takes a checked name', (_, node) => {
		for (const [path, field] of pickersOf(node)) {
			const [list, byName, ...rest] = field.modes ?? [];
			expect([path, rest]).toEqual([path, []]);
			expect([path, list.name, list.type, list.typeOptions?.searchable]).toEqual([path, 'list', 'list', true]);
			expect(node.methods?.listSearch?.[list.typeOptions?.searchListMethod ?? '']).toEqual(expect.any(Function));
			expect([path, byName.name, byName.type, byName.placeholder]).toEqual([path, 'name', 'string', expect.stringMatching(/^e\.g\. \S+/)]);
			expect(byName.validation).toEqual([{ type: 'regex', properties: { regex: expect.any(String), errorMessage: expect.stringMatching(/^Not a valid/) } }]);
			// "Choose By Name" is said by the list when listing fails (listSearch.ts), not under every field.
			expect([path, field.hint]).toEqual([path, undefined]);
		}
	});

	it('default to the list, to a typed name where the name is usually new, and to "DLQ" for the dead-letter stream', () => {
		const fieldOf = (resource: string, operation: string, name: string) =>
			actionNode.description.properties.find((p) => p.name === name && p.displayOptions?.show?.resource?.includes(resource) && p.displayOptions?.show?.operation?.includes(operation));
		expect(fieldOf('stream', 'get', 'stream')?.default).toEqual({ mode: 'list', value: '' });
		expect(fieldOf('stream', 'create', 'stream')?.default).toEqual({ mode: 'name', value: '' });
		expect(fieldOf('consumer', 'create', 'consumerName')?.default).toEqual({ mode: 'name', value: '' });
		expect(fieldOf('consumer', 'delete', 'consumerName')?.default).toEqual({ mode: 'list', value: '' });
		expect(fieldOf('deadLetter', 'purge', 'dlqStream')?.default).toEqual({ mode: 'name', value: 'DLQ' });
		const triggerDlq = pickersOf(triggerNode).find(([path]) => path === 'deadLetterOptions.deadLetterStream')?.[1];
		expect([triggerDlq?.required, triggerDlq?.default]).toEqual([false, { mode: 'list', value: '' }]);
	});

	it('check a typed name in the editor as the nodes check it when they run', () => {
		const cases: Array<[string, (v: string) => unknown, string[], string[]]> = [
			[NAME_PATTERNS.stream, (v) => validateStreamName(v), ['ORDERS', 'orders-v2', 'KV_x', 'a_b', 'n8n-orders', 'Bestellungen-ä', '1'], ['a.b', 'a b', 'a\tb', 'a*', 'a>', 'a/b', 'a\\b', '.', '*', '>', '']],
			[NAME_PATTERNS.bucket, (v) => validateKvBucketName(v), ['orders_state', 'a-b', 'B1', '_'], ['a.b', 'a b', 'a/b', 'a*', 'a>', 'a=b', 'ä', '']],
			[NAME_PATTERNS.bucket, (v) => validateBucketName(v), ['n8n_jetstream_stats', 'a-b'], ['a.b', 'a b', 'a/b', '']],
			[NAME_PATTERNS.schema, (v) => validateSchemaName(v), ['order.created', 'a-b.c_d', 'x', 'v1.order.created'], ['order..created', '.a', 'a.', 'a b', 'a*', 'a/b', '']],
		];
		// n8n anchors a mode's regex itself (validateResourceLocatorParameter).
		for (const [pattern, validate, good, bad] of cases) {
			for (const name of good) expect([name, new RegExp(`^${pattern}$`).test(name)]).toEqual([name, true]);
			for (const name of good) expect(() => validate(name)).not.toThrow();
			for (const name of bad) expect([name, new RegExp(`^${pattern}$`).test(name)]).toEqual([name, false]);
			for (const name of bad) expect(() => validate(name)).toThrow();
		}
	});

	it("flag a bad typed name as a parameter issue in n8n's own check, never an expression or a plain name", () => {
		const field = actionNode.description.properties.find((p) => p.name === 'stream' && p.displayOptions?.show?.operation?.includes('get'));
		const issues = (value: unknown) => {
			const parameters = { resource: 'stream', operation: 'get', stream: value } as INode['parameters'];
			const node: INode = { id: '1', name: 'JetStream', type: 'n8n-nodes-jetstream.jetStream', typeVersion: 1, position: [0, 0], parameters };
			return NodeHelpers.getParameterIssues(field!, parameters, '', node, actionNode.description).parameters?.stream;
		};
		expect(issues(rl('ORDERS', 'name'))).toBeUndefined();
		expect(issues(rl('ORD.ERS', 'name'))).toEqual([expect.stringMatching(/^Not a valid stream name/)]);
		expect(issues(rl('={{ $json.stream }}', 'name'))).toBeUndefined();
		expect(issues('ORDERS')).toBeUndefined();
		expect(issues(rl(''))).toEqual(['Parameter "Stream" is required.']);
	});
});

describe("the trigger's Durable Name", () => {
	const node = (parameters: Record<string, unknown>): INode => ({ id: '1', name: 'JetStream Trigger', type: 'n8n-nodes-jetstream.jetStreamTrigger', typeVersion: 1, position: [0, 0], parameters: parameters as INode['parameters'] });
	const durableFields = triggerNode.description.properties.filter((p) => p.name === 'durableName');

	it('is a picker in both modes: typed by name when the trigger creates it, from the list when binding', () => {
		expect(durableFields.map((p) => [p.type, p.displayOptions?.show?.consumerMode])).toEqual([
			['resourceLocator', ['createOrUpdate']],
			['resourceLocator', ['bind']],
		]);
		const shown = (consumerMode: string) => {
			const parameters = NodeHelpers.getNodeParameters(triggerNode.description.properties, { consumerMode }, true, false, null, triggerNode.description);
			return parameters?.durableName;
		};
		expect(shown('bind')).toEqual({ __rl: true, mode: 'list', value: '' });
		expect(shown('createOrUpdate')).toEqual({ __rl: true, mode: 'name', value: '' });
	});

	it('flags a bad name while it is typed, in both modes, as n8n does for its own pickers', () => {
		const issues = (consumerMode: string, durableName: unknown) => {
			const parameters = { stream: rl('ORDERS'), consumerMode, durableName } as INode['parameters'];
			return durableFields.flatMap((field) => NodeHelpers.getParameterIssues(field, parameters, '', node(parameters), triggerNode.description).parameters?.durableName ?? []);
		};
		expect(issues('createOrUpdate', rl('n8n orders', 'name'))).toEqual([expect.stringMatching(/^Not a valid consumer name/)]);
		expect(issues('createOrUpdate', rl('n8n.orders', 'name'))).toEqual([expect.stringMatching(/^Not a valid consumer name/)]);
		expect(issues('bind', rl('bil ling', 'name'))).toEqual([expect.stringMatching(/^Not a valid consumer name/)]);
		expect(issues('createOrUpdate', rl('n8n-orders', 'name'))).toEqual([]);
		// A workflow saved when the field was plain text still reads, and raises no issue.
		expect(issues('createOrUpdate', 'n8n-orders')).toEqual([]);
	});

	it("reads through n8n's own extractValue in both modes", () => {
		const bind = node({ stream: rl('ORDERS'), consumerMode: 'bind', durableName: rl('billing') });
		expect(extractValue(rl('billing'), 'durableName', bind, triggerNode)).toBe('billing');
		const create = node({ stream: rl('ORDERS'), consumerMode: 'createOrUpdate', durableName: 'n8n-orders' });
		expect(extractValue('n8n-orders', 'durableName', create, triggerNode)).toBe('n8n-orders');
		expect(extractValue('ORDERS', 'stream', create, triggerNode)).toBe('ORDERS');
	});
});

describe('reading a picker', () => {
	const reader = (params: Record<string, unknown>) => fakeExecute({ params }).context;

	it('takes a locator or a plain name (workflows saved before the pickers)', () => {
		expect(readStreamName(reader({ stream: rl('ORDERS') }), 0)).toBe('ORDERS');
		expect(readStreamName(reader({ stream: rl(' ORDERS ', 'name') }), 0)).toBe('ORDERS');
		expect(readStreamName(reader({ stream: 'ORDERS' }), 0)).toBe('ORDERS');
		expect(readConsumerName(reader({ consumerName: rl('billing') }), 0)).toBe('billing');
		expect(readBucket(reader({ kvBucket: rl('orders_state') }), 0)).toBe('orders_state');
		expect(readDlqStream(reader({ dlqStream: rl('DLQ', 'name') }), 0)).toBe('DLQ');
		expect(readSchemaName(reader({ schemaName: rl('order.created') }), 0)).toBe('order.created');
		expect(locatorName(undefined)).toBe('');
		expect(locatorName(rl('X'))).toBe('X');
	});

	it('still names the field and the value it refuses', () => {
		expect(() => readStreamName(reader({ stream: rl('ORD ERS', 'name') }), 0)).toThrow('"ORD ERS" is not a valid stream name (field "Stream")');
		expect(() => readStreamName(reader({ stream: rl('') }), 0)).toThrow('"Stream" is empty');
		expect(() => readConsumerName(reader({ consumerName: rl('a.b', 'name') }), 0)).toThrow('"a.b" is not a valid consumer name (field "Consumer Name")');
		expect(() => readBucket(reader({ kvBucket: rl('a.b', 'name') }), 0)).toThrow('"a.b" is not a valid bucket name (field "Bucket")');
		expect(() => readDlqStream(reader({ dlqStream: rl('dl q', 'name') }), 0)).toThrow('"dl q" is not a valid stream name (field "Dead-Letter Stream")');
		expect(() => readSchemaName(reader({ schemaName: rl('a..b', 'name') }), 0)).toThrow('"a..b" is not a valid schema name');
	});

	it('reads the bucket names and the Monitor dead-letter stream from locators or plain names', () => {
		const registry = (schemaBucket: unknown) => readSchemaSource((name, fallback) => ({ schemaSource: 'registry', schemaRef: 'order.created', schemaBucket })[name] ?? fallback);
		expect(registry(rl('my_schemas', 'name'))).toEqual({ kind: 'registry', ref: 'order.created', bucket: 'my_schemas' });
		expect(registry('old_schemas')).toEqual({ kind: 'registry', ref: 'order.created', bucket: 'old_schemas' });
		expect(registry(rl('', 'name'))).toEqual({ kind: 'registry', ref: 'order.created', bucket: undefined });
		expect(readMonitorStatsBucket(reader({ statsBucket: rl('stats_b', 'name') }), 0)).toBe('stats_b');
		expect(readMonitorStatsBucket(reader({ statsBucket: 'stats_old' }), 0)).toBe('stats_old');
		expect(() => readMonitorStatsBucket(reader({ statsBucket: rl('st ats', 'name') }), 0)).toThrow('"st ats" is not a valid bucket name');
		const plainCredential = parseCredentials({ servers: 'nats://h:4222' });
		const tenant = parseCredentials({ servers: 'nats://h:4222', subjectPrefix: 'tenant-a.' });
		expect(readHealthOptions(reader({ healthOptions: { deadLetterStream: rl('MY_DLQ', 'name') } }), 0, plainCredential).deadLetterStream).toBe('MY_DLQ');
		expect(readHealthOptions(reader({ healthOptions: { deadLetterStream: rl('', 'name') } }), 0, plainCredential).deadLetterStream).toBeUndefined();
		expect(readHealthOptions(reader({ healthOptions: {} }), 0, plainCredential).deadLetterStream).toBe('DLQ');
		expect(readHealthOptions(reader({ healthOptions: {} }), 0, tenant).deadLetterStream).toBe('tenant-a_DLQ');
		expect(readPublishOptions(reader({ publishOptions: { expectedStream: rl('ORDERS') } }), 0).expectedStream).toBe('ORDERS');
		expect(readPublishOptions(reader({ publishOptions: { expectedStream: 'ORDERS' } }), 0).expectedStream).toBe('ORDERS');
		expect(readPublishOptions(reader({ publishOptions: {} }), 0).expectedStream).toBeUndefined();
		expect(readFilter(reader({ filters: { originalStream: rl('ORDERS') } }), 0).originalStream).toBe('ORDERS');
		expect(readFilter(reader({ filters: { originalStream: 'ORDERS' } }), 0).originalStream).toBe('ORDERS');
		const settingsOf = (params: Record<string, unknown>) => readSettings(fakeTrigger({ params, credentials: {} }).context, () => undefined);
		const base = { stream: 'ORDERS', durableName: 'x', idempotency: 'messageId' };
		const picked = settingsOf({ ...base, options: { statsBucket: rl('stats_b', 'name') }, idempotencyOptions: { idempotencyBucket: rl('keys_b', 'name') } });
		expect([picked.stats.bucket, picked.idempotency?.bucket]).toEqual(['stats_b', 'keys_b']);
		const plain = settingsOf({ ...base, options: { statsBucket: 'stats_old' }, idempotencyOptions: { idempotencyBucket: 'keys_old' } });
		expect([plain.stats.bucket, plain.idempotency?.bucket]).toEqual(['stats_old', 'keys_old']);
		const empty = settingsOf({ ...base, options: { statsBucket: rl('', 'name') }, idempotencyOptions: { idempotencyBucket: rl('', 'name') } });
		expect([empty.stats.bucket, empty.idempotency?.bucket]).toEqual([undefined, undefined]);
		expect(settingsOf(base).stats.bucket).toBe('n8n_jetstream_stats');
	});

	it("reads the trigger's stream, durable name and dead-letter stream from locators or plain names", () => {
		const settingsOf = (params: Record<string, unknown>) => readSettings(fakeTrigger({ params, credentials: {} }).context, () => undefined);
		const picked = settingsOf({ stream: rl('ORDERS'), consumerMode: 'bind', durableName: rl('billing'), deadLetterOptions: { deadLetterStream: rl('DLQ') } });
		expect([picked.stream, picked.durableName, picked.deadLetter?.stream]).toEqual(['ORDERS', 'billing', 'DLQ']);
		const plain = settingsOf({ stream: 'ORDERS', consumerMode: 'createOrUpdate', durableName: 'n8n-orders', deadLetterOptions: { deadLetterStream: '' } });
		expect([plain.stream, plain.durableName, plain.deadLetter?.stream]).toEqual(['ORDERS', 'n8n-orders', undefined]);
		// Empty: the trigger finds the dead-letter stream by subject.
		expect(settingsOf({ stream: 'ORDERS', durableName: 'x', deadLetterOptions: { deadLetterStream: rl('') } }).deadLetter?.stream).toBeUndefined();
		expect(() => settingsOf({ stream: rl('ORD.ERS', 'name'), durableName: 'x' })).toThrow('"ORD.ERS" is not a valid stream name (field "Stream")');
		expect(() => settingsOf({ stream: 'ORDERS', consumerMode: 'bind', durableName: rl('bil ling', 'name') })).toThrow('"bil ling" is not a valid consumer name (field "Durable Name")');
		expect(() => settingsOf({ stream: 'ORDERS', durableName: 'x', deadLetterOptions: { deadLetterStream: rl('D LQ', 'name') } })).toThrow('"D LQ" is not a valid stream name (field "Dead-Letter Stream")');
	});
});
