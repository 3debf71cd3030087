/** What a permission error says needed the refused right (see `needing` in shared/errors). */
export const FEATURE = {
	trigger: 'the JetStream Trigger',
	createStream: 'the "Create Stream If Missing" option',
	deadLetter: 'the Dead-Letter Queue option',
	idempotency: 'the Skip Duplicates option',
	schema: 'schema validation from the registry',
	later: "'Acknowledge: Later in the Workflow'",
} as const;
