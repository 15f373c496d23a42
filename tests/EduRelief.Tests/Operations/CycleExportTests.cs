using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using EduRelief.Operations;
using EduRelief.Storage;
using EduRelief.TestHost;
using EduRelief.Tests.Disbursement;
using EduRelief.Tests.Hotline;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Rectification;
using EduRelief.Tests.Eligibility;
using Xunit;

namespace EduRelief.Tests.Operations;

/// <summary>
/// The sample county's cycle driven to closed through the real app (notice, a hotline case, batches paid by the bank,
/// an inspection with evidence, every item accepted), the app stopped, and the cycle exported once by the app's own
/// <c>export-cycle</c> command into a folder the tests import from.
/// </summary>
public sealed class ExportedCycleFixture : IAsyncLifetime
{
    public const string CycleId = "410726-2026-autumn";
    public const string ClosedAt = "2026-10-14T10:00:00+08:00";

    public string Connection { get; private set; } = "";

    public string SourcePrefix { get; private set; } = "";

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "edurelief-export-" + Guid.NewGuid().ToString("N"));

    /// <summary>GET /api/cycles/{id} as the original app answered it, at <see cref="ClosedAt"/> on its clock.</summary>
    public JsonNode Answer { get; private set; } = null!;

    public string CaseNumber { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Connection = (await Azurite.SharedAsync()).ConnectionString;
        var app = await AppProcess.StartAsync();
        try
        {
            SourcePrefix = app.Prefix;
            var admin = app.Admin;
            var id = await SampleCycle.ToReviewAsync(admin);
            Assert.Equal(CycleId, id);

            await admin.PostAsync("/api/dev/clock", new { setTo = "2026-09-30T10:00:00+08:00" });
            Assert.Equal(200, (await admin.PostAsync($"/api/cycles/{id}/approve")).Status);
            await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{id}"), r => r.Body!["notice"]?["documents"] is not null, TimeSpan.FromSeconds(60), "the notice documents");

            // A complaint about the cycle through the signed webhook.
            await admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-09T10:00:00+08:00" });
            var (caseStatus, hotlineCase) = await HotlineWebhook.PostAsync(app, HotlineWebhook.Case("export-case-1", "complaint", new { cycleId = id }, "2026-10-09T09:55:00+08:00"));
            Assert.Equal(201, caseStatus);
            CaseNumber = (string)hotlineCase!["caseNumber"]!;

            // The notice ends: batches are cut; the bank pays every row.
            await admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-13T09:30:00+08:00" });
            var paying = (await Eventually.UntilAsync(
                () => admin.GetJsonAsync($"/api/cycles/{id}"),
                r => (string?)r.Body!["stage"] == "disbursement" && r.Body["disbursement"]?["batches"] is JsonArray { Count: > 0 },
                TimeSpan.FromSeconds(60),
                "the batches cut at the notice's end")).Body!;
            foreach (var batch in paying["disbursement"]!["batches"]!.AsArray())
            {
                var batchId = (string)batch!["id"]!;
                var lines = await PaymentLinesAsync(admin, id, batchId);
                Assert.Equal(202, (await DisbursementApiTests.UploadResultAsync(admin, $"/api/cycles/{id}/batches/{batchId}/result", BankResult.Csv(lines))).Status);
            }

            await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{id}"), r => (string?)r.Body!["stage"] == "rectification", TimeSpan.FromSeconds(60), "rectification");

            // An inspection's finding; then every item submitted (with evidence, or the 控辍保学 outcome) and accepted.
            var inspector = await app.ClientForRoleAsync("inspector");
            var (inspected, _) = await inspector.PostAsync($"/api/cycles/{id}/inspections", new
            {
                inspectionId = "export-inspection-1",
                team = "县教育局督导室第一组",
                inspectedAt = "2026-10-13T09:00:00+08:00",
                findings = new[] { new { title = "资助政策公示未在校内张贴", description = "督导组现场检查发现", owner = "school:4107260001", deadlineWorkingDays = 5 } },
            });
            Assert.Equal(201, inspected);
            await admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-14T09:30:00+08:00" });
            var all = (await admin.GetJsonAsync($"/api/cycles/{id}/rectification?status=open&pageSize=1000")).Body!["items"]!.AsArray().Select(i => i!).ToList();
            Assert.NotEmpty(all);
            // A 控辍保学 child studying in another county (found enrolled, they would be owed aid and keep the cycle open),
            // recorded on the child's case, which closes its item.
            foreach (var item in all.Where(i => (string?)i["source"] == "notEnrolled"))
            {
                var caseUrl = $"/api/counties/410726/dropout-cases/{(string)item["caseId"]!}";
                Assert.Equal(200, (await admin.PostAsync($"{caseUrl}/outcome", new { outcome = "outside_county", date = "2026-10-14", schoolName = "杭州市文三街小学" })).Status);
            }

            var open = all.Where(i => (string?)i["source"] != "notEnrolled").ToList();
            foreach (var item in open)
            {
                var itemUrl = $"/api/cycles/{id}/rectification/{(string)item["id"]!}";
                using var evidence = new ByteArrayContent(EvidenceSamples.Pdf($"整改报告 {(string)item["id"]!}"));
                evidence.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
                using var uploaded = await admin.PostAsync($"{itemUrl}/evidence?fileName=report.pdf", evidence);
                Assert.Equal(201, (int)uploaded.StatusCode);
                Assert.Equal(200, (await admin.PostAsync($"{itemUrl}/submit", new { note = "已整改" })).Status);
            }

            // Closing needs every hotline case of the cycle closed: the complaint is answered and the caller satisfied.
            Assert.Equal(200, (await admin.PostAsync($"/api/hotline/cases/{CaseNumber}/assign", new { assignee = "section:资助股" })).Status);
            Assert.Equal(200, (await admin.PostAsync($"/api/hotline/cases/{CaseNumber}/reply", new { reply = "已核实并答复来电人" })).Status);
            Assert.Equal(200, (await admin.PostAsync($"/api/hotline/cases/{CaseNumber}/satisfaction", new { satisfaction = "satisfied" })).Status);

            await admin.PostAsync("/api/dev/clock", new { setTo = ClosedAt });
            foreach (var item in open)
            {
                Assert.Equal(200, (await admin.PostAsync($"/api/cycles/{id}/rectification/{(string)item["id"]!}/accept", new { note = "验收通过" })).Status);
            }

            Answer = (await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{id}"), r => (string?)r.Body!["stage"] == "closed", TimeSpan.FromSeconds(60), "the cycle to close")).Body!;
        }
        finally
        {
            // Stopped, so that nothing changes under the export and the comparison.
            await app.DisposeAsync();
        }

        var (code, output) = await RunCommandAsync(SourcePrefix, "export-cycle", "--cycle", CycleId, "--out", Directory);
        Assert.True(code == 0, output);
    }

    public Task DisposeAsync()
    {
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }

        return Task.CompletedTask;
    }

    public StorageAccount Storage(string prefix) => new(Connection, prefix, new RequestCounter());

    /// <summary>Runs <c>dotnet EduRelief.dll {args}</c> against the run's Azurite with the given prefix.</summary>
    public async Task<(int Code, string Output)> RunCommandAsync(string prefix, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Repo.Root };
        info.ArgumentList.Add(Repo.AppDll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["AzureWebJobsStorage"] = Connection;
        info.Environment["EDURELIEF_STORAGE_PREFIX"] = prefix;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    private static async Task<List<BankResult.Line>> PaymentLinesAsync(HttpClient admin, string id, string batchId)
    {
        using var response = await admin.GetAsync($"/api/cycles/{id}/batches/{batchId}/payment-file");
        Assert.Equal(200, (int)response.StatusCode);
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var text = Encoding.GetEncoding(936).GetString(await response.Content.ReadAsByteArrayAsync());
        var rows = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(',')).ToList();
        return rows.Skip(1).Take(rows.Count - 2)
            .Select(r => new BankResult.Line(int.Parse(r[0], CultureInfo.InvariantCulture), r[2], decimal.Parse(r[4], CultureInfo.InvariantCulture), true))
            .ToList();
    }
}

public sealed class CycleExportTests(ExportedCycleFixture fixture) : IClassFixture<ExportedCycleFixture>
{
    private static readonly string[] Ignored = ["PartitionKey", "RowKey", "Timestamp", "odata.etag"];

    [Fact]
    public async Task ExportImport_ClosedCycle_RowsBlobsAndAnswerIdentical()
    {
        var target = Repo.NewPrefix();
        var (code, output) = await fixture.RunCommandAsync(target, "import-cycle", "--in", fixture.Directory);
        Assert.True(code == 0, output);

        var source = fixture.Storage(fixture.SourcePrefix);
        var copy = fixture.Storage(target);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var table in CycleBackup.Tables)
        {
            // The source's rows of the cycle by the tables' own keys, against every row the fresh account holds.
            var expected = await RowsAsync(source.Table(table.Name), r => Belongs(table.Name, r));
            var actual = await RowsAsync(copy.Table(table.Name), _ => true);
            Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
            foreach (var (key, properties) in expected)
            {
                Assert.True(properties == actual[key], $"{table.Name} {key}:\n{properties}\n≠\n{actual[key]}");
            }

            counts[table.Name] = expected.Count;
        }

        foreach (var name in new[] { "cycles", "workflow", "ledger", "notices", "rectification", "entitlements", "payments", "batches", "downloads", "cycleaccounts", "accounts", "children", "hotlinecases", "counties" })
        {
            Assert.True(counts[name] > 0, $"table {name} has rows of the cycle: {string.Join(", ", counts)}");
        }

        var blobs = 0;
        foreach (var container in CycleBackup.Containers)
        {
            var from = source.Blobs.GetBlobContainerClient(source.ContainerName(container));
            var to = copy.Blobs.GetBlobContainerClient(copy.ContainerName(container));
            var names = new List<string>();
            await foreach (var item in to.GetBlobsAsync())
            {
                names.Add(item.Name);
                var original = (await from.GetBlobClient(item.Name).DownloadContentAsync()).Value;
                var imported = (await to.GetBlobClient(item.Name).DownloadContentAsync()).Value;
                Assert.Equal(original.Content.ToArray(), imported.Content.ToArray());
                Assert.Equal(original.Details.ContentType, imported.Details.ContentType);
                blobs++;
            }

            Assert.True(names.Count > 0, $"container {container} has the cycle's blobs");
        }

        var rosters = fixture.Answer["rosters"]!.ToJsonString();
        Assert.Contains(
            (await ListAsync(copy.Blobs.GetBlobContainerClient(copy.ContainerName("rosters")))).Select(n => n["sha256/".Length..]),
            hash => rosters.Contains(hash, StringComparison.Ordinal));

        // The app on the new account answers the cycle as the original did.
        await using var app = await AppProcess.StartAsync(target);
        await app.Admin.PostAsync("/api/dev/clock", new { setTo = ExportedCycleFixture.ClosedAt });
        var (status, answer) = await app.Admin.GetJsonAsync($"/api/cycles/{ExportedCycleFixture.CycleId}");
        Assert.Equal(200, status);
        Assert.Equal(fixture.Answer.ToJsonString(), answer!.ToJsonString());
        var (caseStatus, _) = await app.Admin.GetJsonAsync($"/api/hotline/cases/{fixture.CaseNumber}");
        Assert.Equal(200, caseStatus);
        Assert.True(blobs >= 4);
    }

    [Fact]
    public async Task DeclaredTables_AfterAWholeCycle_EveryTableTheAppCreatedIsDeclaredAndTheExportHasEveryCycleTable()
    {
        var declared = DeclaredTables.All.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var source = fixture.Storage(fixture.SourcePrefix);
        var created = new List<string>();
        await foreach (var t in source.Tables.QueryAsync($"TableName ge '{fixture.SourcePrefix}' and TableName lt '{fixture.SourcePrefix}{{'"))
        {
            created.Add(t.Name[fixture.SourcePrefix.Length..]);
        }

        // The app created every declared table, and no other; the test host it ran in adds only its test workflows' own.
        Assert.Contains("workflow", created);
        Assert.Contains(TestShardActivity.RunsTable, created);
        created.Remove(TestShardActivity.RunsTable);
        Assert.All(created, name => Assert.Contains(name, declared));
        Assert.Equal(declared.Order(StringComparer.Ordinal), created.Order(StringComparer.Ordinal));

        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(fixture.Directory, CycleBackup.ManifestFile)))!;
        var exported = manifest["tables"]!.AsArray().Select(t => (string)t!["name"]!).Order(StringComparer.Ordinal);
        var cycleTables = DeclaredTables.All.Where(t => t.CycleRows is not null).Select(t => t.Name).Order(StringComparer.Ordinal);
        Assert.Equal(cycleTables, exported);
        Assert.Contains("accounts", exported);
    }

    [Fact]
    public async Task Import_RowsAlreadyThere_RefusedUnlessReplace()
    {
        var target = Repo.NewPrefix();
        Assert.Equal(0, (await fixture.RunCommandAsync(target, "import-cycle", "--in", fixture.Directory)).Code);
        var cycles = fixture.Storage(target).Table("cycles");
        await cycles.UpdateEntityAsync(new TableEntity("cycle", ExportedCycleFixture.CycleId) { ["Semester"] = "changed" }, Azure.ETag.All, TableUpdateMode.Merge);

        var (code, output) = await fixture.RunCommandAsync(target, "import-cycle", "--in", fixture.Directory);

        Assert.Equal(1, code);
        Assert.Contains("already holds row", output, StringComparison.Ordinal);
        Assert.Equal("changed", (await cycles.GetEntityAsync<TableEntity>("cycle", ExportedCycleFixture.CycleId)).Value.GetString("Semester"));

        var (replaced, replaceOutput) = await fixture.RunCommandAsync(target, "import-cycle", "--in", fixture.Directory, "--replace");
        Assert.True(replaced == 0, replaceOutput);
        Assert.Equal("2026-autumn", (await cycles.GetEntityAsync<TableEntity>("cycle", ExportedCycleFixture.CycleId)).Value.GetString("Semester"));
    }

    [Fact]
    public async Task Import_TamperedFile_RefusedAndNothingWritten()
    {
        var copy = Path.Combine(Path.GetTempPath(), "edurelief-tampered-" + Guid.NewGuid().ToString("N"));
        try
        {
            foreach (var file in System.IO.Directory.EnumerateFiles(fixture.Directory, "*", SearchOption.AllDirectories))
            {
                var to = Path.Combine(copy, Path.GetRelativePath(fixture.Directory, file));
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                File.Copy(file, to);
            }

            var ledger = Path.Combine(copy, "tables", "ledger.jsonl");
            var text = await File.ReadAllTextAsync(ledger);
            await File.WriteAllTextAsync(ledger, text.Replace("\"Edm.String\"", "\"Edm.String\" ", StringComparison.Ordinal));
            var target = Repo.NewPrefix();

            var (code, output) = await fixture.RunCommandAsync(target, "import-cycle", "--in", copy);

            Assert.Equal(1, code);
            Assert.Contains("tables/ledger.jsonl does not match its SHA-256", output, StringComparison.Ordinal);
            var storage = fixture.Storage(target);
            var tables = new List<string>();
            await foreach (var t in storage.Tables.QueryAsync($"TableName ge '{target}' and TableName lt '{target}{{'"))
            {
                tables.Add(t.Name);
            }

            Assert.Empty(tables);
        }
        finally
        {
            System.IO.Directory.Delete(copy, recursive: true);
        }
    }

    [Fact]
    public async Task Export_UnknownCycle_ExitsOneWithoutWriting()
    {
        var output = Path.Combine(Path.GetTempPath(), "edurelief-none-" + Guid.NewGuid().ToString("N"));

        var (code, text) = await fixture.RunCommandAsync(fixture.SourcePrefix, "export-cycle", "--cycle", "410726-2030-spring", "--out", output);

        Assert.Equal(1, code);
        Assert.Contains("410726-2030-spring is not in this storage account", text, StringComparison.Ordinal);
        Assert.False(System.IO.Directory.Exists(output));
    }

    [Fact]
    public async Task Command_MissingOption_ExitsTwoWithUsage()
    {
        var (code, text) = await fixture.RunCommandAsync(fixture.SourcePrefix, "export-cycle", "--cycle", ExportedCycleFixture.CycleId);

        Assert.Equal(2, code);
        Assert.Contains("export-cycle needs --cycle ID and --out DIR", text, StringComparison.Ordinal);
    }

    /// <summary>The rows of the cycle by each table's keys, stated independently of the exporter.</summary>
    private static bool Belongs(string table, TableEntity row)
    {
        const string id = ExportedCycleFixture.CycleId;
        return table switch
        {
            "cycles" => row.PartitionKey == "cycle" && row.RowKey == id,
            "timers" => row.RowKey.Contains($"|{id}|", StringComparison.Ordinal),
            "hotlinecases" or "mail" => row.PartitionKey == "410726",
            "accounts" or "children" or "dropoutcases" => row.PartitionKey == "410726" || row.PartitionKey.StartsWith("410726|", StringComparison.Ordinal),
            "counties" => row.PartitionKey == "contacts" && row.RowKey == "410726",
            _ => row.PartitionKey == id || row.PartitionKey.StartsWith(id + "|", StringComparison.Ordinal),
        };
    }

    /// <summary>Each row as "name:type=value" lines, ignoring ETag and Timestamp.</summary>
    private static async Task<Dictionary<string, string>> RowsAsync(TableClient table, Func<TableEntity, bool> filter)
    {
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            await foreach (var row in table.QueryAsync<TableEntity>())
            {
                if (filter(row))
                {
                    rows[$"{row.PartitionKey} / {row.RowKey}"] = string.Join('\n', row
                        .Where(p => !Ignored.Contains(p.Key))
                        .OrderBy(p => p.Key, StringComparer.Ordinal)
                        .Select(p => $"{p.Key}:{p.Value?.GetType().Name}={Show(p.Value)}"));
                }
            }
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
        }

        return rows;
    }

    private static string Show(object? value) => value switch
    {
        byte[] b => Convert.ToBase64String(b),
        BinaryData d => Convert.ToBase64String(d.ToArray()),
        DateTimeOffset t => t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? "null",
    };

    private static async Task<List<string>> ListAsync(BlobContainerClient container)
    {
        var names = new List<string>();
        await foreach (var item in container.GetBlobsAsync())
        {
            names.Add(item.Name);
        }

        return names;
    }
}
