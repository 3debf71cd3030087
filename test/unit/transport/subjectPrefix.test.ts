import { SubjectPrefixError } from '../../../nodes/shared/errors';
import { testCredentials } from '../../../nodes/shared/transport/credentialTest';
import { parseCredentials } from '../../../nodes/shared/transport/credentials';
import { nameUnderPrefix, parseSubjectPrefix, prefixedName, prefixedSubject } from '../../../nodes/shared/transport/subjectPrefix';
import { guardSubjects, subjectChecker } from '../../../nodes/shared/transport/tenantGuard';
import type { NatsConnection } from '@nats-io/transport-node';

const check = subjectChecker('tenant-a.', '$JS.API');
const body = (value: object) => new TextEncoder().encode(JSON.stringify(value));
const refusal = (fn: () => void) => {
	try {
		fn();
	} catch (error) {
		return error as SubjectPrefixError;
	}
	throw new Error('expected a refusal');
};

describe('parseSubjectPrefix', () => {
	it.each([
		['tenant-a.', 'tenant-a.'],
		['tenant-a', 'tenant-a.'],
		[' acme.eu. ', 'acme.eu.'],
		['', undefined],
	])('reads %j as %j', (raw, expected) => {
		expect(parseSubjectPrefix(raw)).toBe(expected);
	});

	it.each(['tenant a.', 'tenant.*.', '>', '$JS.', '.tenant', 'a..b.'])('refuses %j naming the field', (raw) => {
		expect(() => parseSubjectPrefix(raw)).toThrow(/"Subject Prefix" is not a valid prefix/);
	});

	it('is checked by the credential test before any connection is tried', async () => {
		const outcome = await testCredentials({ servers: 'nats://127.0.0.1:1', subjectPrefix: 'tenant.>' }, 500);
		expect(outcome).toEqual({ ok: false, message: expect.stringMatching(/Subject Prefix/) });
	});

	it('is part of the parsed credential', () => {
		expect(parseCredentials({ servers: 'nats://h:4222', subjectPrefix: 'tenant-a' }).subjectPrefix).toBe('tenant-a.');
		expect(parseCredentials({ servers: 'nats://h:4222' }).subjectPrefix).toBeUndefined();
	});
});

describe('names under a prefix', () => {
	it.each(['tenant-a-orders', 'TENANT_A_ORDERS', 'Tenant-A_Orders', 'tenant_a-x'])('admits %s under tenant-a.', (name) => {
		expect(nameUnderPrefix('tenant-a.', name)).toBe(true);
	});

	it.each(['ORDERS', 'tenant-ab-orders', 'tenant-a', 'tenant-b_orders', 'xtenant-a-orders'])('refuses %s under tenant-a.', (name) => {
		expect(nameUnderPrefix('tenant-a.', name)).toBe(false);
	});

	it('joins a prefix of several tokens with _', () => {
		expect(nameUnderPrefix('acme.eu.', 'ACME_EU_ORDERS')).toBe(true);
		expect(nameUnderPrefix('acme.eu.', 'ACME_ORDERS')).toBe(false);
	});

	it('puts the names and subjects the package derives under the prefix, once', () => {
		expect(prefixedName('tenant-a.', 'DLQ')).toBe('tenant-a_DLQ');
		expect(prefixedName('tenant-a.', 'tenant-a_DLQ')).toBe('tenant-a_DLQ');
		expect(prefixedName(undefined, 'DLQ')).toBe('DLQ');
		expect(prefixedSubject('tenant-a.', 'dlq')).toBe('tenant-a.dlq');
		expect(prefixedSubject(undefined, 'dlq')).toBe('dlq');
	});
});

describe('subjectChecker', () => {
	it.each([
		['tenant-a.orders.new'],
		['_INBOX.abc.1'],
		['$JS.ACK.ORDERS.c.1.2.3.4.5'],
		['$JS.API.INFO'],
		['$JS.API.STREAM.INFO.TENANT_A_ORDERS'],
		['$JS.API.STREAM.MSG.GET.tenant-a-orders'],
		['$JS.API.DIRECT.GET.KV_tenant-a_cfg.$KV.tenant-a_cfg.k'],
		['$JS.API.CONSUMER.MSG.NEXT.TENANT_A_ORDERS.billing'],
		['$JS.API.CONSUMER.DURABLE.CREATE.TENANT_A_ORDERS.billing'],
		['$KV.tenant-a_cfg.key'],
		['$O.tenant-a_files.C.abc'],
		['$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.TENANT_A_ORDERS.billing'],
		['$JS.API.STREAM.NAMES'],
	])('lets %s pass', (subject) => {
		expect(() => check(subject)).not.toThrow();
	});

	it.each([
		['orders.new', 'subject', 'orders.new'],
		['tenant-b.orders', 'subject', 'tenant-b.orders'],
		['>', 'subject', '>'],
		['$JS.API.STREAM.INFO.ORDERS', 'stream', 'ORDERS'],
		['$JS.API.STREAM.DELETE.TENANT_B_ORDERS', 'stream', 'TENANT_B_ORDERS'],
		['$JS.API.STREAM.MSG.DELETE.ORDERS', 'stream', 'ORDERS'],
		['$JS.API.CONSUMER.INFO.ORDERS.billing', 'stream', 'ORDERS'],
		['$JS.API.CONSUMER.MSG.NEXT.ORDERS.billing', 'stream', 'ORDERS'],
		['$JS.API.DIRECT.GET.KV_cfg', 'key-value bucket', 'cfg'],
		['$KV.cfg.key', 'key-value bucket', 'cfg'],
		['$O.files.M.x', 'object store bucket', 'files'],
		['$JS.API.ACCOUNT.PURGE', 'subject', '$JS.API.ACCOUNT.PURGE'],
		['$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.*.*', 'stream', '*'],
	])('refuses %s as the %s %j', (subject, what, value) => {
		const error = refusal(() => check(subject));
		expect(error).toBeInstanceOf(SubjectPrefixError);
		expect(error.message).toBe(`The ${what} "${value}" is outside the Subject Prefix "tenant-a." of the NATS credential; nothing was sent`);
		expect(error.hint).toMatch(/tenant-a/);
	});

	it('checks the subjects, mirror and sources of a stream it creates or updates', () => {
		expect(() => check('$JS.API.STREAM.CREATE.TENANT_A_X', body({ name: 'TENANT_A_X', subjects: ['tenant-a.x.>'] }))).not.toThrow();
		expect(refusal(() => check('$JS.API.STREAM.CREATE.TENANT_A_X', body({ subjects: ['tenant-a.x.>', 'orders.>'] }))).message).toMatch(/stream subject "orders\.>"/);
		expect(refusal(() => check('$JS.API.STREAM.UPDATE.TENANT_A_X', body({ sources: [{ name: 'ORDERS' }] }))).message).toMatch(/stream "ORDERS"/);
		expect(refusal(() => check('$JS.API.STREAM.CREATE.TENANT_A_X', body({ mirror: { name: 'KV_cfg' } }))).message).toMatch(/key-value bucket "cfg"/);
		expect(() => check('$JS.API.STREAM.CREATE.KV_tenant-a_cfg', body({ subjects: ['$KV.tenant-a_cfg.>'] }))).not.toThrow();
	});

	it('checks the filters of a consumer it creates and the subject of a stream lookup', () => {
		expect(() => check('$JS.API.CONSUMER.CREATE.TENANT_A_X.c', body({ config: { filter_subject: 'tenant-a.x.1' } }))).not.toThrow();
		expect(refusal(() => check('$JS.API.CONSUMER.CREATE.TENANT_A_X.c', body({ config: { filter_subjects: ['tenant-a.x', 'x.>'] } }))).message).toMatch(/filter subject "x\.>"/);
		expect(refusal(() => check('$JS.API.CONSUMER.DURABLE.CREATE.TENANT_A_X.c', body({ config: { filter_subject: 'other' } }))).message).toMatch(/filter subject "other"/);
		expect(refusal(() => check('$JS.API.STREAM.NAMES', JSON.stringify({ subject: 'dlq.x' }))).message).toMatch(/subject "dlq\.x"/);
	});

	it('follows a JetStream domain', () => {
		const inDomain = subjectChecker('tenant-a.', '$JS.hub.API');
		expect(() => inDomain('$JS.hub.API.STREAM.INFO.TENANT_A_X')).not.toThrow();
		expect(() => inDomain('$JS.hub.API.STREAM.INFO.ORDERS')).toThrow(SubjectPrefixError);
		expect(() => inDomain('$JS.API.STREAM.INFO.TENANT_A_X')).toThrow(SubjectPrefixError);
	});
});

describe('guardSubjects', () => {
	/** A connection that records what would have gone to the server. */
	function recorder() {
		const sent: string[] = [];
		const record = (subject: string) => {
			sent.push(subject);
			return Promise.resolve();
		};
		const nc = { publish: record, subscribe: record, request: record, requestMany: record } as unknown as NatsConnection;
		return { nc, sent };
	}

	it('refuses publish, subscribe, request and requestMany outside the prefix without calling the connection', async () => {
		const { nc, sent } = recorder();
		guardSubjects(nc, parseCredentials({ servers: 'nats://h:4222', subjectPrefix: 'tenant-a.' }));
		expect(() => nc.publish('orders.new')).toThrow(SubjectPrefixError);
		expect(() => nc.subscribe('orders.>')).toThrow(SubjectPrefixError);
		await expect(nc.request('orders.quote')).rejects.toThrow(SubjectPrefixError);
		await expect(nc.requestMany('orders.quote')).rejects.toThrow(SubjectPrefixError);
		expect(sent).toEqual([]);
		nc.publish('tenant-a.orders.new');
		nc.subscribe('tenant-a.orders.>');
		await nc.request('tenant-a.orders.quote');
		expect(sent).toEqual(['tenant-a.orders.new', 'tenant-a.orders.>', 'tenant-a.orders.quote']);
	});

	it('leaves the connection as it is without a prefix', () => {
		const { nc, sent } = recorder();
		const publish = nc.publish;
		guardSubjects(nc, parseCredentials({ servers: 'nats://h:4222' }));
		expect(nc.publish).toBe(publish);
		nc.publish('orders.new');
		expect(sent).toEqual(['orders.new']);
	});
});
