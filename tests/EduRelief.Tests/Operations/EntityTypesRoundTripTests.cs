using Azure.Data.Tables;
using EduRelief.Operations;
using EduRelief.Storage;
using EduRelief.Tests.Hosting;
using Xunit;

namespace EduRelief.Tests.Operations;

/// <summary>Every Edm type a row can hold comes back from export and import with its type and value.</summary>
public sealed class EntityTypesRoundTripTests
{
    private const string Cycle = "410726-2031-spring";

    [Fact]
    public async Task ExportImport_EveryEdmType_SameTypesAndValues()
    {
        var connection = (await Azurite.SharedAsync()).ConnectionString;
        var source = new StorageAccount(connection, Repo.NewPrefix(), new RequestCounter());
        var target = new StorageAccount(connection, Repo.NewPrefix(), new RequestCounter());
        var clock = TimeProvider.System;
        await source.Table("cycles").CreateIfNotExistsAsync();
        await source.Table("cycles").AddEntityAsync(new TableEntity("cycle", Cycle) { ["CountyCode"] = "410726" });
        var at = new DateTimeOffset(2026, 10, 13, 1, 2, 3, TimeSpan.Zero).AddTicks(4567);
        var row = new TableEntity(Cycle, "h|0000000001")
        {
            ["Text"] = "赵六 \"quoted\" \n line",
            ["Whole"] = 42,
            ["Big"] = long.MaxValue - 1,
            ["Ratio"] = 1.0,
            ["Fraction"] = 0.1 + 0.2,
            ["Flag"] = true,
            ["At"] = at,
            ["Id"] = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"),
            ["Bytes"] = new byte[] { 0, 1, 2, 255 },
            ["Empty"] = "",
        };
        await source.Table("workflow").CreateIfNotExistsAsync();
        await source.Table("workflow").AddEntityAsync(row);
        var directory = Path.Combine(Path.GetTempPath(), "edurelief-types-" + Guid.NewGuid().ToString("N"));
        try
        {
            var exported = await new CycleBackup(source, clock).ExportAsync(Cycle, directory, CancellationToken.None);
            Assert.True(exported.Ok, exported.Message);
            Assert.Equal(1, exported.Manifest!.Tables.Single(t => t.Name == "workflow").Rows);

            var imported = await new CycleBackup(target, clock).ImportAsync(directory, replace: false, CancellationToken.None);
            Assert.True(imported.Ok, imported.Message);

            var original = (await source.Table("workflow").GetEntityAsync<TableEntity>(Cycle, "h|0000000001")).Value;
            var copy = (await target.Table("workflow").GetEntityAsync<TableEntity>(Cycle, "h|0000000001")).Value;
            foreach (var key in row.Keys.Where(k => k is not ("PartitionKey" or "RowKey")))
            {
                Assert.True(original[key]?.GetType() == copy[key]?.GetType(), $"{key}: {original[key]?.GetType()} vs {copy[key]?.GetType()}");
                Assert.Equal(original[key] is byte[] b ? Convert.ToBase64String(b) : original[key], copy[key] is byte[] c ? Convert.ToBase64String(c) : copy[key]);
            }

            Assert.Equal(long.MaxValue - 1, copy.GetInt64("Big"));
            Assert.Equal(at, copy.GetDateTimeOffset("At"));
            Assert.Equal(0.1 + 0.2, copy.GetDouble("Fraction"));
            Assert.IsType<double>(copy["Ratio"]);
            Assert.IsType<int>(copy["Whole"]);
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
