using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using EduRelief.Bench.Generator;
using EduRelief.Storage;
using EduRelief.Tests.Hosting;

namespace EduRelief.Bench;

/// <summary>
/// Imports and verifies a generated county end to end through the running app (upload both rosters over HTTP, wait
/// for verification.status = completed), beside raw batch upserts of the same number of entities on the same Azurite
/// with the same parallelism. Reports the ratio, storage transactions per student and the app's peak RSS.
/// </summary>
public static class ImportBenchmark
{
    public static async Task RunAsync(int students, string? workDirectory)
    {
        var directory = workDirectory ?? Path.Combine(Path.GetTempPath(), $"edurelief-county-{students}");
        Directory.CreateDirectory(directory);
        var spec = new CountySpec(Students: students, Seed: 1);
        var county = CountyGenerator.Write(spec, directory, DateOnly.FromDateTime(DateTime.Today));
        Console.WriteLine($"county: {students} students, {county.Expected.PovertyPersons} registry rows, files in {directory}");

        var azurite = await Azurite.SharedAsync();
        var raw = await RawBaseline.UpsertsAsync(azurite.ConnectionString, students);
        Console.WriteLine($"raw batch upserts: {students} entities in {raw.Elapsed.TotalSeconds:F1} s, {raw.Transactions} transactions");

        await using var app = await AppProcess.StartAsync(environment: new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Warning" });
        var storage = new StorageAccount(azurite.ConnectionString, app.Prefix, new RequestCounter());
        var (_, cycle) = await app.Admin.PostAsync("/api/cycles", new { countyCode = spec.CountyCode, semester = $"{spec.SchoolYear}-autumn" });
        var id = (string)cycle!["id"]!;

        var before = await RequestsAsync(app);
        var watch = Stopwatch.StartNew();
        await UploadAsync(app, id, "students", county.StudentsPath);
        await UploadAsync(app, id, "poverty", county.PovertyPath);
        JsonNode verification;
        while (true)
        {
            var state = await storage.Table("workflow").GetEntityAsync<TableEntity>(id, "state");
            verification = JsonNode.Parse(state.Value.GetString("Data"))!["verification"]!;
            if ((string?)verification?["status"] is "completed" or "failed")
            {
                break;
            }

            await Task.Delay(100);
        }

        watch.Stop();
        var spent = await RequestsAsync(app) - before;
        Console.WriteLine($"import and verify: {watch.Elapsed.TotalSeconds:F1} s from the first upload byte to {(string?)verification["status"]}, {spent} transactions ({(double)spent / students:F4} per student)");
        Console.WriteLine($"ratio import/raw upserts: {watch.Elapsed / raw.Elapsed:F2}");
        Console.WriteLine($"app peak RSS: {app.PeakRssBytes() / (1024.0 * 1024):F0} MiB");
        Console.WriteLine($"counts match the generator's expectation: {Matches(verification, county.Expected)}");
    }

    private static bool Matches(JsonNode v, Expected e) =>
        (int?)v["students"] == e.Students && (int?)v["povertyPersons"] == e.PovertyPersons && (int?)v["matched"] == e.Matched
        && (int?)v["eligible"] == e.Eligible && (int?)v["pendingReview"] == e.PendingReview && (decimal?)v["totalAmount"] == e.TotalAmount
        && e.Discrepancies.All(d => (int?)v["discrepancies"]?[d.Key] == d.Value);

    internal static async Task UploadAsync(AppProcess app, string id, string kind, string path)
    {
        await using var file = File.OpenRead(path);
        using var content = new StreamContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue(path.EndsWith(".xlsx", StringComparison.Ordinal) ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv");
        using var client = app.CreateClient(AppProcess.AdminKey);
        client.Timeout = TimeSpan.FromMinutes(10);
        using var response = await client.PutAsync($"/api/cycles/{id}/rosters/{kind}", content);
        if ((int)response.StatusCode != 202)
        {
            throw new InvalidOperationException($"upload {kind}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    internal static async Task<long> RequestsAsync(AppProcess app)
    {
        var (_, body) = await app.Admin.GetJsonAsync("/api/dev/metrics");
        return (long)body!["storageRequests"]!["total"]!;
    }
}
