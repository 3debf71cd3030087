// Copies what tsc does not emit: node/credential icons, the codex (.node.json) files and the output schemas.
const path = require('node:path');
const { src, dest, task } = require('gulp');

const finished = (stream) => new Promise((resolve, reject) => stream.on('finish', resolve).on('error', reject));

task('build:icons', function copyAssets() {
	const nodeAssets = src(['nodes/**/*.{png,svg}', 'nodes/**/*.node.json'], { encoding: false }).pipe(
		dest(path.resolve('dist', 'nodes')),
	);
	const credentialAssets = src('credentials/**/*.{png,svg}', { encoding: false }).pipe(
		dest(path.resolve('dist', 'credentials')),
	);
	const sharedIcons = src('icons/**/*.svg', { encoding: false }).pipe(dest(path.resolve('dist', 'icons')));
	return Promise.all([nodeAssets, credentialAssets, sharedIcons].map(finished));
});

// n8n serves GET /schemas/<package>.<node>/<version>/<resource>/<operation>.json from
// `__schema__/v<version>/<resource>/<operation>.json` next to the node's .node.js file (a trigger,
// having no resource or operation: `__schema__/v<version>.json`), so the editor can offer a node's
// output fields before its first run. They keep their place under dist/nodes.
task('build:schemas', function copySchemas() {
	return finished(src('nodes/**/__schema__/**/*.json').pipe(dest(path.resolve('dist', 'nodes'))));
});
