import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * How to reach a NATS server and prove who we are. The values are turned into connect options in
 * one place (nodes/shared/transport/connectOptions.ts); the credential test lives on the JetStream
 * node (`testedBy: 'jetStreamNatsApiTest'`) because n8n only runs non-HTTP credential tests from a node.
 */
export class JetStreamNatsApi implements ICredentialType {
	name = 'jetStreamNatsApi';

	displayName = 'NATS (JetStream Nodes)';

	icon: Icon = { light: 'file:../icons/nats.svg', dark: 'file:../icons/nats.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-jetstream/n8n-nodes-jetstream#credentials-nats';

	properties: INodeProperties[] = [
		{
			displayName: 'Servers',
			name: 'servers',
			type: 'string',
			default: 'nats://localhost:4222',
			required: true,
			placeholder: 'e.g. nats://nats-1:4222, nats://nats-2:4222',
			description:
				'One or more server URLs, separated by commas. Listing several members of a cluster lets the connection fail over.',
		},
		{
			displayName: 'Connection Name',
			name: 'connectionName',
			type: 'string',
			default: 'n8n',
			description:
				'Shown by the server in its connection list (e.g. "nats server report connections"), so an admin can tell which client is n8n',
		},
		{
			displayName: 'Authentication',
			name: 'authType',
			type: 'options',
			default: 'none',
			options: [
				{ name: 'None', value: 'none', description: 'The server accepts anonymous clients' },
				{ name: 'User and Password', value: 'userPassword' },
				{ name: 'Token', value: 'token' },
				{ name: 'NKey Seed', value: 'nkey', description: 'A private NKey seed starting with "SU"' },
				{ name: 'JWT and NKey Seed', value: 'jwt', description: 'A user JWT plus its seed (decentralised auth)' },
				{
					name: 'Credentials File',
					value: 'creds',
					description: 'The contents of a .creds file (user JWT and seed) as issued by nsc or Synadia Cloud',
				},
			],
		},
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: '',
			displayOptions: { show: { authType: ['userPassword'] } },
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authType: ['userPassword'] } },
		},
		{
			displayName: 'Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authType: ['token'] } },
		},
		{
			displayName: 'NKey Seed',
			name: 'nkeySeed',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'SUA…',
			description: 'The user seed (private key). The server only ever sees its public key.',
			displayOptions: { show: { authType: ['nkey'] } },
		},
		{
			displayName: 'User JWT',
			name: 'jwt',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ…',
			displayOptions: { show: { authType: ['jwt'] } },
		},
		{
			displayName: 'JWT Seed',
			name: 'jwtSeed',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'SUA…',
			description: 'The seed that signs the server nonce for this JWT',
			displayOptions: { show: { authType: ['jwt'] } },
		},
		{
			displayName: 'Credentials File Content',
			name: 'credsFile',
			type: 'string',
			typeOptions: { password: true, rows: 8 },
			default: '',
			placeholder: '-----BEGIN NATS USER JWT-----…',
			description: 'Paste the whole .creds file: the JWT block and the NKey seed block',
			displayOptions: { show: { authType: ['creds'] } },
		},
		{
			displayName: 'Use TLS',
			name: 'tls',
			type: 'boolean',
			default: false,
			description:
				'Whether to encrypt the connection. Turn on when the server requires TLS or uses tls:// URLs.',
		},
		{
			displayName: 'CA Certificate',
			name: 'tlsCa',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			placeholder: '-----BEGIN CERTIFICATE-----…',
			description:
				'PEM of the authority that signed the server certificate. Leave empty to trust the system authorities.',
			displayOptions: { show: { tls: [true] } },
		},
		{
			displayName: 'Client Certificate',
			name: 'tlsCert',
			type: 'string',
			typeOptions: { password: true, rows: 4 },
			default: '',
			placeholder: '-----BEGIN CERTIFICATE-----…',
			description: 'PEM client certificate, only when the server verifies clients (mutual TLS)',
			displayOptions: { show: { tls: [true] } },
		},
		{
			displayName: 'Client Key',
			name: 'tlsKey',
			type: 'string',
			typeOptions: { password: true, rows: 4 },
			default: '',
			placeholder: '-----BEGIN PRIVATE KEY-----…',
			description: 'PEM private key of the client certificate',
			displayOptions: { show: { tls: [true] } },
		},
		{
			displayName: 'Verify Server Certificate',
			name: 'tlsVerify',
			type: 'boolean',
			default: true,
			description:
				'Whether to refuse servers whose certificate does not match the CA and host name. Turn off only for local testing.',
			displayOptions: { show: { tls: [true] } },
		},
		{
			displayName: 'JetStream Domain',
			name: 'jsDomain',
			type: 'string',
			default: '',
			placeholder: 'e.g. hub',
			description:
				'Only for leaf-node setups: the JetStream domain to use. Leave empty for a plain server or cluster.',
		},
		{
			displayName: 'Replicas for Streams and Buckets the Nodes Create',
			name: 'replicas',
			type: 'number',
			default: 1,
			typeOptions: { minValue: 1, maxValue: 5 },
			description:
				'Copies kept of the streams and buckets a node creates by itself: the trigger\'s stream ("Create Stream If Missing"), the dead-letter stream, the idempotency and schema-registry buckets. 1 on a single server; 3 on a cluster, so they survive the loss of a server. Streams and buckets you create with the JetStream node have their own setting.',
		},
		{
			displayName: 'Subject Prefix',
			name: 'subjectPrefix',
			type: 'string',
			default: '',
			placeholder: 'e.g. tenant-a.',
			description:
				'For several teams or customers in one NATS account: every subject the nodes use through this credential must start with it (e.g. tenant-a.orders), and every stream and bucket name must start with its tokens joined by _ then _ or - (e.g. TENANT_A_ORDERS, tenant-a-orders; case ignored). Anything else is refused before it is sent. The dead-letter stream, idempotency, schema and statistics buckets the nodes name themselves get the prefix (tenant-a_DLQ, subjects tenant-a.dlq.>). An n8n-side guard, not a server permission: give each tenant its own NATS account, or set server permissions too. Empty: no guard.',
		},
		{
			displayName: 'Encryption Keys',
			name: 'encryptionKeys',
			type: 'string',
			typeOptions: { password: true, rows: 3 },
			default: '',
			placeholder: 'e.g. [{ "id": "k2026", "key": "<base64 of 32 bytes>" }]',
			description:
				'Optional keys for end-to-end payload encryption (AES-256-GCM): a JSON list of { "id", "key" }, the key being 32 random bytes in base64 (openssl rand -base64 32). The first key encrypts; the others only decrypt, so a rotation keeps older messages readable.',
		},
		{
			displayName: 'JetStream API Prefix',
			name: 'jsApiPrefix',
			type: 'string',
			default: '',
			placeholder: 'e.g. $JS.hub.API',
			description:
				'Only when an admin imported JetStream from another account under a different prefix. Leave empty otherwise. Ignored when a domain is set.',
		},
	];
}
