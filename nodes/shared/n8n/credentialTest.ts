import type {
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { testCredentials } from '../transport';

/** n8n's credential test for `jetStreamNatsApi`: connect, check JetStream, say exactly what failed. */
export async function jetStreamNatsApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const outcome = await testCredentials(credential.data ?? {});
	return { status: outcome.ok ? 'OK' : 'Error', message: outcome.message };
}
