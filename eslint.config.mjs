import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import jsoncParser from 'jsonc-eslint-parser';
import tseslint from 'typescript-eslint';

const transportOnly = {
	paths: [],
	patterns: [
		{
			group: ['@nats-io/*'],
			allowTypeImports: true,
			message: 'Only nodes/shared/transport/ may import the NATS client at runtime; use a type import or the transport API.',
		},
	],
};

export default tseslint.config(
	{ ignores: ['dist/**', 'node_modules/**', '.cache/**', 'coverage/**'] },
	{
		files: ['**/*.ts'],
		extends: [tseslint.configs.recommended],
		rules: {
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
		},
	},
	{
		files: ['nodes/**/*.ts', 'credentials/**/*.ts', 'package.json'],
		...n8nCommunityNodesPlugin.configs.recommendedWithoutN8nCloudSupport,
	},
	{ files: ['package.json'], languageOptions: { parser: jsoncParser } },
	{
		// Seeds, JWTs, .creds and keys are secrets whose names the rule's word list does not know.
		files: ['credentials/**/*.ts'],
		rules: { '@n8n/community-nodes/credential-unnecessary-password': 'off' },
	},
	{
		// Library code below the nodes throws typed errors; the node boundary wraps them in NodeOperationError.
		files: ['nodes/shared/**/*.ts'],
		rules: { '@n8n/community-nodes/require-node-api-error': 'off' },
	},
	{
		// Self-hosted only: the NATS client and ajv are runtime dependencies by design.
		files: ['package.json'],
		rules: { '@n8n/community-nodes/no-runtime-dependencies': 'off' },
	},
	{
		files: ['nodes/**/*.ts', 'credentials/**/*.ts'],
		ignores: ['nodes/shared/transport/**'],
		rules: { '@typescript-eslint/no-restricted-imports': ['error', transportOnly] },
	},
);
