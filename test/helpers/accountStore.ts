import type { JetStreamManager } from '@nats-io/jetstream';

/**
 * nats-server 2.15.2 removes an account's streams directory once its last stream is deleted, and a
 * stream created right after can find it gone ("error creating store for stream": could not create
 * storage directory; 1 in 400 delete/create pairs on this machine). Suites that delete every stream
 * between tests keep this one, so the account is never empty.
 */
export const KEEPER = 'KEEP_ACCOUNT_STORE';

export async function keepAccountStore(jsm: JetStreamManager): Promise<void> {
	await jsm.streams.add({ name: KEEPER, subjects: ['keep.account.store'] });
}

/** Deletes every stream the tests made. */
export async function deleteTestStreams(jsm: JetStreamManager): Promise<void> {
	for await (const name of jsm.streams.names()) if (name !== KEEPER) await jsm.streams.delete(name);
}
