/**
 * A map that forgets its oldest entries (by when each was last set) beyond `capacity`, in constant time.
 *
 * Why not a plain Map and `keys().next()` for the oldest: V8's ordered hash tables keep deleted slots
 * until they are rehashed, and finding the first live entry walks over them. Kept at 10 000 entries
 * with one added and one evicted per message, that walk cost up to 23 µs per insertion in a tight loop
 * (Node 20); in the trigger's drain of 100 000 messages, 2–8 µs of its 30–35 µs of CPU per message.
 * Here a ring of keys remembers the order; an entry set again gets a new slot and its old slot no
 * longer evicts it.
 */
export class BoundedMap<K, V> {
	private readonly entries = new Map<K, { value: V; slot: number }>();

	private readonly ring: Array<K | undefined>;

	/** How many entries were ever set: the next slot is `written % capacity`. */
	private written = 0;

	constructor(private readonly capacity: number) {
		if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`A bounded map needs a capacity of at least 1 (got ${capacity})`);
		this.ring = new Array<K | undefined>(capacity);
	}

	get size(): number {
		return this.entries.size;
	}

	has(key: K): boolean {
		return this.entries.has(key);
	}

	get(key: K): V | undefined {
		return this.entries.get(key)?.value;
	}

	/** Sets the entry as the newest; the oldest one goes when the map is over its capacity. */
	set(key: K, value: V): void {
		const slot = this.written % this.capacity;
		const evicted = this.ring[slot];
		if (evicted !== undefined && this.entries.get(evicted)?.slot === slot) this.entries.delete(evicted);
		this.ring[slot] = key;
		this.entries.set(key, { value, slot });
		this.written++;
	}

	delete(key: K): boolean {
		return this.entries.delete(key);
	}
}
