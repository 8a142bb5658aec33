// Validates APL RenderDocument payloads with Amazon's apl-suggester, as the developer console does.
// Usage: node validate.js payload.json [...]   (each file: {"document": {...}, "datasources": {...}})
// Prints one JSON line per file: {"file", "document": [issues], "datasources": [issues]}.
// Exit code 1 if any file has an issue of any level.
'use strict';
const fs = require('fs');
const { StaticAplTemplateValidator } = require('apl-suggester');

async function check(file) {
  const payload = JSON.parse(fs.readFileSync(file, 'utf8'));
  const validator = new StaticAplTemplateValidator();
  const document = await validator.validate(payload.document);
  const datasources = payload.datasources ? await validator.validateDataSources(payload.datasources) : [];
  const brief = (issues) => issues.map((i) => ({ path: i.path, level: i.level, message: i.errorMessage }));
  return { file, document: brief(document), datasources: brief(datasources) };
}

(async () => {
  let failed = false;
  for (const file of process.argv.slice(2)) {
    const result = await check(file);
    failed = failed || result.document.length > 0 || result.datasources.length > 0;
    console.log(JSON.stringify(result));
  }
  process.exit(failed ? 1 : 0);
})().catch((error) => {
  console.error(error);
  process.exit(2);
});
