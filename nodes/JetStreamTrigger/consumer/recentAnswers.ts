/** How many answered messages are remembered. */
const CAPACITY = 10_000;

/**
 * The stream sequences the trigger answered for good lately (acknowledged, dead-lettered, or answered
 * by an Acknowledge node). A max-deliveries advisory about one of them is about a late copy of a
 * message that was handled, not a lost one: it must not be dead-lettered.
 */
export class RecentAnswers {
	private readonly sequences = new Set<number>();

	add(sequence: number): void {
		this.sequences.delete(sequence);
		this.sequences.add(sequence);
		if (this.sequences.size > CAPACITY) {
			const oldest = this.sequences.values().next().value;
			if (oldest !== undefined) this.sequences.delete(oldest);
		}
	}

	has(sequence: number): boolean {
		return this.sequences.has(sequence);
	}
}
