// Copies what tsc does not emit: node/credential icons and the codex (.node.json) files.
const path = require('node:path');
const { src, dest, task } = require('gulp');

task('build:icons', function copyAssets() {
	const nodeAssets = src(['nodes/**/*.{png,svg}', 'nodes/**/*.node.json'], { encoding: false }).pipe(
		dest(path.resolve('dist', 'nodes')),
	);
	const credentialAssets = src('credentials/**/*.{png,svg}', { encoding: false }).pipe(
		dest(path.resolve('dist', 'credentials')),
	);
	const sharedIcons = src('icons/**/*.svg', { encoding: false }).pipe(dest(path.resolve('dist', 'icons')));
	return Promise.all(
		[nodeAssets, credentialAssets, sharedIcons].map(
			(stream) => new Promise((resolve, reject) => stream.on('finish', resolve).on('error', reject)),
		),
	);
});
