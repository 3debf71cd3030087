import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { properties } from '../../nodes/JetStream/actions/description';

/** The JetStream node speaks n8n's words: the operation names and order n8n's own nodes use. */

const optionsOf = (field: INodeProperties) => (field.options ?? []) as INodePropertyOptions[];
const operationFields = properties.filter((p) => p.name === 'operation');
const resourceOf = (field: INodeProperties) => String(field.displayOptions?.show?.resource?.[0]);

describe('JetStream node naming', () => {
	it('lists resources and every resource\'s operations alphabetically', () => {
		const lists = [properties.find((p) => p.name === 'resource')!, ...operationFields].map((f) => optionsOf(f).map((o) => o.name));
		for (const names of lists) expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
	});

	it('uses n8n\'s operation names: Create or Update, Get, Get Many — never Ensure, List, Get Info, Put or Peek', () => {
		const names = operationFields.flatMap((f) => optionsOf(f).map((o) => `${resourceOf(f)}: ${o.name}`));
		expect(names.filter((n) => /\b(Ensure|List|Info|Put|Peek)\b/.test(n))).toEqual([]);
		for (const f of operationFields) {
			for (const o of optionsOf(f)) {
				if (/^Get Many/.test(o.name)) expect(String(o.value)).toMatch(/^getAll/);
				if (/^Create or Update/.test(o.name)) expect(String(o.value)).toMatch(/^upsert/);
				expect(o.action).toMatch(/^[A-Z][a-z]/);
			}
		}
	});

	it('gives every Get Many operation Return All and a Limit shown only without it', () => {
		const getMany = operationFields.flatMap((f) => optionsOf(f).filter((o) => /^Get Many/.test(o.name)).map((o) => [resourceOf(f), String(o.value)] as const));
		expect(getMany.length).toBeGreaterThanOrEqual(6);
		for (const [resource, operation] of getMany) {
			const fields = properties.filter((p) => p.displayOptions?.show?.resource?.includes(resource) && p.displayOptions?.show?.operation?.includes(operation));
			expect(fields.find((p) => p.name === 'returnAll')).toMatchObject({ type: 'boolean', default: false });
			expect(fields.find((p) => p.name === 'limit')).toMatchObject({ type: 'number', typeOptions: { minValue: 1 }, displayOptions: { show: { returnAll: [false] } } });
		}
	});
});
