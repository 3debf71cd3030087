/** Unit tests need no network; integration tests start their own nats-server per file. */
// Files are compiled one by one (isolatedModules in tsconfig.json): `npm run typecheck` checks types.
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];

const project = (name, testMatch, extra = {}) => ({
	displayName: name,
	testEnvironment: 'node',
	transform: { '^.+\\.ts$': tsJest },
	testMatch,
	...extra,
});

module.exports = {
	projects: [
		project('unit', ['<rootDir>/test/unit/**/*.test.ts']),
		project('integration', ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/badInput/**/*.test.ts'], {
			slowTestThreshold: 20,
		}),
		// 2 000 keys in `npm test`; `npm run test:chaos` runs 100 000. The cluster run needs 3 servers.
		project('chaos', ['<rootDir>/test/chaos/**/*.test.ts', '<rootDir>/test/cluster/**/*.test.ts'], { slowTestThreshold: 120 }),
	],
	testTimeout: 30000,
};
