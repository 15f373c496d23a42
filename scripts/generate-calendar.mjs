#!/usr/bin/env node
// Regenerates functions/EduRelief/Data/calendar.json from the chinese-days npm package.
//
// The app vendors the output file (it never reads node_modules at run time), so run this
// only when the chinese-days version in package.json changes:
//
//   npm ci && node scripts/generate-calendar.mjs
//
// Input: node_modules/chinese-days/dist/chinese-days.json, whose "holidays" and
// "workdays" maps go from "YYYY-MM-DD" to "English name,中文名,n".
// Output:
//   {"source":"chinese-days 1.5.7","years":{"2004":{"holidays":[{"date":"2004-01-01","name":"元旦"},...],
//    "workdays":[{"date":...,"name":...}]},...}}
// "holidays" are official days off; "workdays" are the weekend days that are made
// working days (调休). Years FIRST_YEAR..LAST_YEAR, dates ascending.

import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const FIRST_YEAR = 2004;
const LAST_YEAR = 2026;

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkgDir = join(repoRoot, "node_modules", "chinese-days");
const outFile = join(repoRoot, "functions", "EduRelief", "Data", "calendar.json");

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    console.error(`generate-calendar: cannot read ${relative(repoRoot, path)} (${err.message}); run 'npm ci' first`);
    process.exit(1);
  }
}

const { version } = readJson(join(pkgDir, "package.json"));
const data = readJson(join(pkgDir, "dist", "chinese-days.json"));

const problems = [];
const years = {};
for (let y = FIRST_YEAR; y <= LAST_YEAR; y++) years[String(y)] = { holidays: [], workdays: [] };

for (const kind of ["holidays", "workdays"]) {
  const map = data[kind];
  if (map === null || typeof map !== "object") {
    problems.push(`missing "${kind}" map`);
    continue;
  }
  for (const [date, value] of Object.entries(map)) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) {
      problems.push(`${kind}: bad date ${JSON.stringify(date)}`);
      continue;
    }
    const parts = String(value).split(",");
    const name = (parts[1] ?? "").trim();
    if (!name) {
      problems.push(`${kind} ${date}: no Chinese name in ${JSON.stringify(value)}`);
      continue;
    }
    const year = years[date.slice(0, 4)];
    if (year) year[kind].push({ date, name });
  }
}

for (const [y, { holidays }] of Object.entries(years)) {
  if (holidays.length === 0) problems.push(`no holidays for ${y}`);
}
if (problems.length > 0) {
  console.error(`generate-calendar: chinese-days ${version} data is unusable:\n  ${problems.slice(0, 20).join("\n  ")}`);
  process.exit(1);
}

const byDate = (a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0);
const list = (entries) =>
  entries.length === 0 ? "[]" : `[\n${entries.map((e) => `        ${JSON.stringify(e)}`).join(",\n")}\n      ]`;
const yearBlocks = Object.entries(years).map(([y, { holidays, workdays }]) => {
  holidays.sort(byDate);
  workdays.sort(byDate);
  return `    ${JSON.stringify(y)}: {\n      "holidays": ${list(holidays)},\n      "workdays": ${list(workdays)}\n    }`;
});
const text = `{\n  "source": ${JSON.stringify(`chinese-days ${version}`)},\n  "years": {\n${yearBlocks.join(",\n")}\n  }\n}\n`;
JSON.parse(text); // guard against a formatting slip

mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, text, "utf8");
const total = (k) => Object.values(years).reduce((n, y) => n + y[k].length, 0);
console.log(
  `generate-calendar: wrote ${FIRST_YEAR}-${LAST_YEAR} (${total("holidays")} holidays, ${total("workdays")} make-up workdays) from chinese-days ${version} to ${relative(repoRoot, outFile)}`,
);
