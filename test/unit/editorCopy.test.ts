import type { INodeProperties, INodeTypeDescription } from 'n8n-workflow';

import { JetStreamNatsApi } from '../../credentials/JetStreamNatsApi.credentials';
import { JetStream } from '../../nodes/JetStream/JetStream.node';
import { JetStreamTrigger } from '../../nodes/JetStreamTrigger/JetStreamTrigger.node';
import { NatsRequestTrigger } from '../../nodes/NatsRequestTrigger/NatsRequestTrigger.node';

/** Texts of the editor a user reads before the first run: placeholders, names, what a listening trigger says. */

const action = new JetStream().description;
const trigger = new JetStreamTrigger().description;
const requestTrigger = new NatsRequestTrigger().description;

/** Every property with its path, those in collections, fixed collections and locator modes too. */
function flatten(properties: INodeProperties[], prefix = ''): Array<[string, { placeholder?: string; displayName?: string }]> {
	return properties.flatMap((p) => {
		const path = `${prefix}${p.name}`;
		const children = (p.options ?? []).flatMap((o) => ('values' in o ? o.values : 'type' in o ? [o] : [])) as INodeProperties[];
		const modes = (p.modes ?? []).map((m): [string, { placeholder?: string }] => [`${path}[${m.name}]`, m]);
		return [[path, p] as [string, INodeProperties], ...modes, ...flatten(children, `${path}.`)];
	});
}

const everyField = [action, trigger, requestTrigger].flatMap((d: INodeTypeDescription) => flatten(d.properties));
const field = (properties: INodeProperties[], name: string) => properties.find((p) => p.name === name)!;

describe('the editor texts', () => {
	it('give every placeholder as an example, never as a value or an expression', () => {
		const placeholders = everyField.filter(([, p]) => p.placeholder && !/^(Add|Select a)/.test(p.placeholder));
		expect(placeholders.length).toBeGreaterThan(30);
		for (const [path, p] of placeholders) expect([path, p.placeholder]).toEqual([path, expect.stringMatching(/^e\.g\. [^=]/)]);
		const credential = new JetStreamNatsApi().properties.filter((p) => p.placeholder && !p.placeholder.endsWith('…'));
		for (const p of credential) expect([p.name, p.placeholder]).toEqual([p.name, expect.stringMatching(/^e\.g\. /)]);
	});

	it('give the Idempotency Key an expression of the input item, and the trigger key a path inside the payload', () => {
		const publishKey = field(action.properties, 'idempotencyKey');
		expect(publishKey.placeholder).toBe('e.g. {{ $json.orderId }}');
		expect(publishKey.description).toContain('{{ $json.payload.orderId }} for an item of a JetStream Trigger');
		const triggerKey = field(trigger.properties, 'idempotencyField');
		expect([triggerKey.displayName, triggerKey.placeholder]).toEqual(['Key Field', 'e.g. orderId']);
		expect(triggerKey.description).toMatch(/starts inside the payload/);
	});

	it('name each feature once: the switch and the options it opens say the same words', () => {
		const shown = (name: string) => field(trigger.properties, name).displayName;
		expect([shown('idempotency'), shown('idempotencyOptions')]).toEqual(['Skip Duplicates by Key', 'Skip Duplicates Options']);
		expect([shown('deadLetter'), shown('deadLetterOptions')]).toEqual(['Dead-Letter Queue', 'Dead-Letter Queue Options']);
		expect([shown('idempotencyHeader'), shown('idempotencyField')]).toEqual(['Key Header', 'Key Field']);
		expect(everyField.filter(([, p]) => /Idempotency (Options|Header|Field)/.test(p.displayName ?? ''))).toEqual([]);
	});

	it('say, while a test run listens, what to send where', () => {
		expect(trigger.eventTriggerDescription).toMatch(/^Waiting for a message in the stream: publish one to a subject the stream captures/);
		expect(requestTrigger.eventTriggerDescription).toMatch(/^Waiting for a request on the Subject: send one/);
		expect(trigger.activationMessage).toMatch(/starts an execution/);
		expect(requestTrigger.activationMessage).toMatch(/starts an execution/);
	});

	it('say what happens to the message of an execution that never acknowledges it (Later in the Workflow)', () => {
		const later = field(trigger.properties, 'ackMode').options!.find((o) => 'value' in o && o.value === 'later') as { description: string };
		expect(later.description).toMatch(/the message of an execution that ends without that answer is delivered again$/);
		expect(later.description).not.toMatch(/does not is/);
	});
});
