using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EduRelief.Bench.Generator;
using EduRelief.Tests.Hosting;

namespace EduRelief.Bench;

/// <summary>
/// What the child registry costs at verification (issue 16: registry update ≤ 1.5× the verification alone): a generated
/// county's spring cycle and the autumn after it (nobody outside the county: the app keeps no 外地就学 list yet), each
/// uploaded over HTTP and verified. Per cycle it prints the wall time from the first upload byte to
/// <c>verification.status = completed</c> and, from the verification step's own log line, the step's time and what the
/// registry took: the comparison and the write add to the step, the previous cycle's read runs alongside the poverty
/// registry's, so the verification alone is the step less the comparison and the write, and less at most the read. The autumn's transferred and absent counts are checked against the generator's.
/// </summary>
public static partial class RegistryBenchmark
{
    [GeneratedRegex(@"verification \S+ took (?<step>[\d.]+) s; child registry: previous cycle read (?<read>[\d.]+) s \(alongside the poverty registry\), compared (?<compare>[\d.]+) s, written (?<write>[\d.]+) s")]
    private static partial Regex StepLine();

    public static async Task RunAsync(int students, string? workDirectory)
    {
        var directory = workDirectory ?? Path.Combine(Path.GetTempPath(), $"edurelief-semesters-{students}-{Guid.NewGuid():N}");
        if (Directory.Exists(directory))
        {
            throw new InvalidOperationException($"{directory} exists: the generator writes a new pair into a folder of its own.");
        }

        var spec = new SemesterPairSpec(new CountySpec(SchoolYear: 2025, Students: students, Seed: 1), OutsideRate: 0);
        var pair = SemesterPairGenerator.Write(spec, directory);
        Console.WriteLine($"county: {students} students a cycle, files in {directory}; expected {pair.Changes}");

        await using var app = await AppProcess.StartAsync(environment: new Dictionary<string, string>
        {
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__EduRelief.Eligibility.VerifyActivity"] = "Information",
        });
        var policy = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Repo.Root, "functions", "EduRelief", "Data", "policy-2026.json")))!;
        policy["schoolYear"] = spec.County.SchoolYear;
        await app.Admin.SendJsonAsync(HttpMethod.Put, $"/api/policies/{spec.County.SchoolYear}?scope=county:{spec.County.CountyCode}", policy);

        await CycleAsync(app, spec, "2026-03-02T09:30:00+08:00", "2026-spring", pair.Spring.StudentsPath, pair.Spring.PovertyPath);
        var autumn = await CycleAsync(app, spec, "2026-09-01T09:30:00+08:00", "2026-autumn", pair.AutumnStudentsPath, pair.AutumnPovertyPath);
        Console.WriteLine($"autumn transferred {(int?)autumn["transferred"]} (expected {pair.Changes.Transferred}), absent {(int?)autumn["absent"]} (expected {pair.Changes.AbsentSchoolAge})");
        Console.WriteLine($"app peak RSS: {app.PeakRssBytes() / (1024.0 * 1024):F0} MiB");
    }

    private static async Task<JsonNode> CycleAsync(AppProcess app, SemesterPairSpec spec, string at, string semester, string students, string poverty)
    {
        await app.Admin.PostAsync("/api/dev/clock", new { setTo = at });
        var (_, cycle) = await app.Admin.PostAsync("/api/cycles", new { countyCode = spec.County.CountyCode, semester });
        var id = (string)cycle!["id"]!;
        var watch = Stopwatch.StartNew();
        await ImportBenchmark.UploadAsync(app, id, "students", students);
        await ImportBenchmark.UploadAsync(app, id, "poverty", poverty);
        JsonNode verification;
        while (true)
        {
            verification = (await app.Admin.GetJsonAsync($"/api/cycles/{id}")).Body!["verification"]!;
            if ((string?)verification?["status"] is "completed" or "failed")
            {
                break;
            }

            await Task.Delay(200);
        }

        watch.Stop();
        var line = StepLine().Matches(app.Output).LastOrDefault() ?? throw new InvalidOperationException($"{id}: no step timing line in the app's output");
        double Seconds(string group) => double.Parse(line.Groups[group].Value, CultureInfo.InvariantCulture);
        var (step, read, added) = (Seconds("step"), Seconds("read"), Seconds("compare") + Seconds("write"));
        // The read runs alongside the poverty registry's: none of it (lower bound) or all of it (upper bound) adds to the step.
        Console.WriteLine(
            $"{id}: {(string?)verification["status"]} {watch.Elapsed.TotalSeconds:F1} s from the first upload byte; step {step:F1} s; child registry " +
            $"read {read:F1} s (alongside), compare {Seconds("compare"):F1} s, write {Seconds("write"):F1} s; " +
            $"step / verification alone {step / (step - added):F2} to {step / Math.Max(step - added - read, 0.001):F2}");
        return verification;
    }
}
