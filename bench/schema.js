'use strict';
/**
 * Cost of schema validation per message: the trigger's path (its validator resolved once at activation,
 * then per message the Nats-Schema lookup and the check) against what a user would otherwise do — ajv
 * compiled once by hand, e.g. in a Code node (ajv is in node_modules: a dependency of this package).
 * Compiling per message only as a footnote.
 */
const Ajv = require('ajv').default;
const h = require('./lib/harness');

module.exports = async function schemaBench({ quick }) {
	h.ensureBuilt();
	const { resolveSchema, validatorForMessage } = h.dist('nodes/shared/schema/index.js');
	const schema = { type: 'object', required: ['orderId', 'total'], properties: { orderId: { type: 'string' }, total: { type: 'number' }, lines: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' }, qty: { type: 'integer' } } } } } };
	const message = { orderId: 'A-1', total: 12.5, lines: [{ sku: 'S1', qty: 2 }, { sku: 'S2', qty: 1 }] };
	const count = quick ? 20_000 : 200_000;
	const rounds = quick ? 3 : 7;
	// An inline schema never touches the client (only a registry reference does).
	const configured = await resolveSchema(undefined, { kind: 'inline', json: JSON.stringify(schema) });
	const byHand = new Ajv().compile(schema);
	const headers = {};
	const perMessage = async (n, fn) => {
		const t = process.hrtime.bigint();
		for (let i = 0; i < n; i++) await fn();
		return Number(process.hrtime.bigint() - t) / n / 1000;
	};
	const contenders = [
		// What the trigger runs per message (SchemaGuard.check without the verdict).
		() => perMessage(count, async () => {
			const v = (await validatorForMessage(undefined, headers, configured)).validate(message);
			if (v.length) throw new Error('invalid');
		}),
		// A Code node: `const validate = new Ajv().compile(schema)` once, then `validate(item)` per item.
		() => perMessage(count, () => {
			if (!byHand(message)) throw new Error('invalid');
		}),
		() => perMessage(quick ? 50 : 300, () => new Ajv().compile(schema)(message)),
	];
	const [ours, hand, compileEach] = await h.inTurns(rounds, contenders);
	const us = (r) => `${r.median.toFixed(2)} µs (${r.min.toFixed(2)}–${r.max.toFixed(2)})`;
	h.table(`Schema validation per message (median of ${rounds} rounds in turns, min–max)`, [
		{ name: 'the trigger\'s check (validator resolved once) vs ajv compiled once by hand (Code node)', ours: us(ours), raw: us(hand), ratio: `${(ours.median - hand.median).toFixed(2)} µs more per message` },
	], 'ajv compiled once by hand');
	console.log(`\n_Footnote: compiling the schema per message (what neither does) costs ${compileEach.median.toFixed(0)} µs (${compileEach.min.toFixed(0)}–${compileEach.max.toFixed(0)})._`);
};
