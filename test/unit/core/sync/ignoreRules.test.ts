import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IgnoreRules } from '../../../../src/core/sync/ignoreRules';

test('gitignore patterns: files, directories, anchors, globs and negation', () => {
  const rules = new IgnoreRules({ patterns: [], gitignores: [{ dir: '', content: '# comment\nnode_modules/\n*.log\n!keep.log\n/build\ndocs/**/*.tmp\n' }] });
  assert.equal(rules.isIgnored('node_modules', true), true);
  assert.equal(rules.isIgnored('node_modules/x/index.js'), true);
  assert.equal(rules.isIgnored('pkg/node_modules/y.js'), true);
  assert.equal(rules.isIgnored('app.log'), true);
  assert.equal(rules.isIgnored('sub/keep.log'), false);
  assert.equal(rules.isIgnored('build', true), true);
  assert.equal(rules.isIgnored('src/build/x.js'), false, 'anchored pattern only at the root');
  assert.equal(rules.isIgnored('docs/a/b/c.tmp'), true);
  assert.equal(rules.isIgnored('src/index.ts'), false);
  assert.equal(rules.isIgnored('.git/config'), true, '.git is never synced');
  assert.equal(rules.isIgnored('a/.git', true), true);
});

test('nested .gitignore files apply below their directory and override the root', () => {
  const rules = new IgnoreRules({
    patterns: [],
    gitignores: [
      { dir: 'pkg', content: '*.gen.ts\n!important.log\n' },
      { dir: '', content: '*.log\n' },
    ],
  });
  assert.equal(rules.isIgnored('pkg/a.gen.ts'), true);
  assert.equal(rules.isIgnored('a.gen.ts'), false);
  assert.equal(rules.isIgnored('pkg/important.log'), false);
  assert.equal(rules.isIgnored('pkg/other.log'), true);
});

test('.sliceignore and settings override git: sync a build output, skip secrets', () => {
  const rules = new IgnoreRules({ patterns: ['!dist/', '.env', 'secrets/'], gitignores: [{ dir: '', content: 'dist/\n*.map\n' }] });
  assert.equal(rules.isIgnored('dist', true), false);
  assert.equal(rules.isIgnored('dist/app.js'), false);
  // Known limit: inside a directory that git ignores and .sliceignore re-includes, the other
  // .gitignore rules of that same file no longer reach (git never looks inside such a directory).
  assert.equal(rules.isIgnored('dist/app.js.map'), false);
  assert.equal(rules.isIgnored('src/app.js.map'), true);
  assert.equal(rules.isIgnored('.env'), true);
  assert.equal(rules.isIgnored('secrets/key.pem'), true);
});
