import { serverAtLeast, serverVersion, uniqueName } from '../../helpers/natsServer';
import { schemaSuite } from '../schemas/harness';

/**
 * Counter → Increment / Get against a real nats-server: the stream adds (Nats-Incr, 2.12+), so
 * increments from several executions at once are never lost. Outputs match their schemas.
 */

const suite = schemaSuite('counter');
const version = serverVersion();

async function counterStream(): Promise<{ name: string; prefix: string }> {
	const name = uniqueName('CNT');
	await suite.jsm.streams.add({ name, subjects: [`${name.toLowerCase()}.>`], allow_msg_counter: true });
	suite.later(() => suite.jsm.streams.delete(name));
	return { name, prefix: `${name.toLowerCase()}.` };
}

describe('Counter', () => {
	if (serverAtLeast('2.12.0')) {
		it('adds per item and outputs each new total; Get reads it, and 0 for a counter never written', async () => {
			const stream = await counterStream();
			const subject = `${stream.prefix}customer-42`;
			const items = [{ json: { by: 5 } }, { json: { by: -2 } }, { json: { by: 10 } }];
			const out = await suite.check('counter', 'increment', { counterSubject: subject, incrementBy: (i: number) => Number(items[i].json.by) }, items);
			expect(out.map((o) => o.value)).toEqual([5, 3, 13]);
			expect(out[2]).toMatchObject({ stream: stream.name, subject, valueText: '13', sequence: 3 });
			const [read] = await suite.check('counter', 'get', { counterStream: stream.name, counterSubject: subject });
			expect(read).toMatchObject({ value: 13, valueText: '13', sequence: 3 });
			const [none] = await suite.check('counter', 'get', { counterStream: stream.name, counterSubject: `${stream.prefix}nobody` });
			expect(none).toMatchObject({ value: 0, valueText: '0', sequence: null });
		});

		it('loses no increment when many executions count at once', async () => {
			const stream = await counterStream();
			const subject = `${stream.prefix}hits`;
			await Promise.all(Array.from({ length: 20 }, () => suite.run('counter', 'increment', { counterSubject: subject, incrementBy: 1 })));
			const [read] = await suite.check('counter', 'get', { counterStream: stream.name, counterSubject: subject });
			expect(read.value).toBe(20);
		});

		it('names the stream setting when the stream does not keep counters, and stores nothing', async () => {
			const subject = `${suite.prefix}hits`;
			await expect(suite.run('counter', 'increment', { counterSubject: subject, incrementBy: 1 })).rejects.toThrow(
				`Stream "${suite.stream}" does not allow counters: its setting allow_msg_counter ("Allow Counters") is off`,
			);
			expect((await suite.jsm.streams.info(suite.stream)).state.messages).toBe(0);
		});
	} else {
		it('refuses Increment and Get on a server older than 2.12 before anything is sent', async () => {
			const subject = `${suite.prefix}hits`;
			const refusal = `The Counter resource needs NATS server 2.12.0 or newer; this server runs ${version}`;
			await expect(suite.run('counter', 'increment', { counterSubject: subject, incrementBy: 1 })).rejects.toThrow(refusal);
			await expect(suite.run('counter', 'get', { counterStream: suite.stream, counterSubject: subject })).rejects.toThrow(refusal);
			expect((await suite.jsm.streams.info(suite.stream)).state.messages).toBe(0);
		});
	}
});
