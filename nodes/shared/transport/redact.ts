/** Replaces every occurrence of a secret (and the parts of a multi-line secret) with ***. */
export function redact(text: string, secrets: readonly string[]): string {
	let out = text;
	for (const secret of secrets) {
		for (const part of secretParts(secret)) {
			out = out.split(part).join('***');
		}
	}
	return out;
}

/** A .creds file or PEM key can leak line by line; redact each long line too. */
function secretParts(secret: string): string[] {
	const lines = secret
		.split(/\r?\n/)
		.map((l) => l.trim())
		.filter((l) => l.length >= 8 && !l.startsWith('-----'));
	return [secret, ...lines];
}
