'use strict';
/** Cost of schema validation per message: the cached, compiled-once validator vs compiling per message. */
const h = require('./lib/harness');

module.exports = async function schemaBench({ quick }) {
	h.ensureBuilt();
	const { validatorFor } = h.dist('nodes/shared/schema/index.js');
	const Ajv2020 = require('ajv/dist/2020').default;
	const schema = { type: 'object', required: ['orderId', 'total'], properties: { orderId: { type: 'string' }, total: { type: 'number' }, lines: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' }, qty: { type: 'integer' } } } } } };
	const message = { orderId: 'A-1', total: 12.5, lines: [{ sku: 'S1', qty: 2 }, { sku: 'S2', qty: 1 }] };
	const count = quick ? 20_000 : 200_000;
	const time = (n, fn) => {
		const t = process.hrtime.bigint();
		for (let i = 0; i < n; i++) fn();
		return Number(process.hrtime.bigint() - t) / n;
	};
	const cached = time(count, () => validatorFor(schema)(message));
	const compileEach = time(Math.min(count, 500), () => new Ajv2020({ allErrors: true }).compile(schema)(message));
	h.table('Schema validation per message', [
		{ name: 'cached validator (ours) vs compiling per message', ours: `${(cached / 1000).toFixed(2)} µs`, raw: `${(compileEach / 1000).toFixed(0)} µs`, ratio: `${(compileEach / cached).toFixed(0)}× faster` },
	]);
};
