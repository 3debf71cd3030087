import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Throwaway certificates made with openssl at test time: a CA, a server certificate for 127.0.0.1
 * and localhost, a client certificate, and an unrelated CA for "wrong CA" tests. Nothing is committed.
 */
export interface TestPki {
	dir: string;
	caFile: string;
	serverCertFile: string;
	serverKeyFile: string;
	ca: string;
	clientCert: string;
	clientKey: string;
	otherCa: string;
	cleanup(): void;
}

function openssl(args: string[], cwd: string): void {
	execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

function makeCa(dir: string, name: string): void {
	openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`,
		'-keyout', `${name}.key`, '-out', `${name}.pem`], dir);
}

function makeSigned(dir: string, name: string, ca: string, extensions: string): void {
	writeFileSync(join(dir, `${name}.ext`), extensions);
	openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`], dir);
	openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial',
		'-days', '2', '-out', `${name}.pem`, '-extfile', `${name}.ext`], dir);
}

export function makeTestPki(): TestPki {
	const dir = mkdtempSync(join(tmpdir(), 'n8n-jetstream-pki-'));
	makeCa(dir, 'ca');
	makeCa(dir, 'otherca');
	makeSigned(dir, 'server', 'ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
	makeSigned(dir, 'client', 'ca', 'extendedKeyUsage=clientAuth\n');
	const read = (file: string) => readFileSync(join(dir, file), 'utf8');
	return {
		dir,
		caFile: join(dir, 'ca.pem'),
		serverCertFile: join(dir, 'server.pem'),
		serverKeyFile: join(dir, 'server.key'),
		ca: read('ca.pem'),
		clientCert: read('client.pem'),
		clientKey: read('client.key'),
		otherCa: read('otherca.pem'),
		cleanup: () => rmSync(dir, { recursive: true, force: true }),
	};
}

/** The server-side tls block; `verify` makes the server demand a client certificate. */
export function tlsServerConfig(pki: TestPki, verify: boolean): string {
	return `tls {\n  cert_file: "${pki.serverCertFile}"\n  key_file: "${pki.serverKeyFile}"\n  ca_file: "${pki.caFile}"\n  verify: ${verify}\n  timeout: 2\n}`;
}
