using System.Text.Json.Nodes;
using EduRelief.Cycles;
using Xunit;

namespace EduRelief.Tests.Cycles;

/// <summary>
/// GET /api/cycles/{id} reads every feature's figures at once from the cycle as found and puts the parts each set
/// together (<see cref="CycleParts"/>): the same cycle as the features run one after the other.
/// </summary>
public sealed class CyclePartsTests
{
    private static readonly Cycle Found = new(
        "410726-2026-autumn", "410726", "延津县", "2026-autumn", 2026, 7, Stages.Rectification, 3, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, [],
        new JsonObject { ["registry"] = "r" }, new JsonObject { ["status"] = "completed" }, new JsonObject { ["endsAt"] = "2026-10-12" })
    {
        Disbursement = new JsonObject { ["batches"] = new JsonArray() },
    };

    // As the features do: the hotline sets the notice's objection figures and its own part, the money and the accounts theirs.
    private static Cycle Hotline(Cycle c) => c with { Notice = new JsonObject { ["endsAt"] = "2026-10-12", ["objectionsOpen"] = 1 }, Hotline = new JsonObject { ["cases"] = 2 } };

    private static Cycle Money(Cycle c) => c with { Disbursement = new JsonObject { ["batches"] = new JsonArray(), ["settled"] = true } };

    private static Cycle Accounts(Cycle c) => c with { Accounts = new JsonObject { ["withAccount"] = 3 } };

    private static Cycle Nothing(Cycle c) => c;

    [Fact]
    public void Add_FeaturesSettingDifferentParts_EqualsThemRunOneAfterTheOther()
    {
        Func<Cycle, Cycle>[] features = [Nothing, Hotline, Money, Accounts];
        var sequential = features.Aggregate(Found, (c, f) => f(c));

        var together = features.Select(f => f(Found)).Aggregate(Found, (onto, figured) => CycleParts.Add(Found, figured, onto));

        Assert.Equal(Json(sequential), Json(together));
        Assert.Same(Found.Rosters, together.Rosters);
        Assert.Same(Found.Verification, together.Verification);
    }

    [Fact]
    public void Add_TwoFeaturesSettingTheSamePart_Throws()
    {
        var onto = CycleParts.Add(Found, Hotline(Found), Found);

        var error = Assert.Throws<InvalidOperationException>(() => CycleParts.Add(Found, Found with { Notice = new JsonObject() }, onto));
        Assert.Contains(nameof(Cycle.Notice), error.Message, StringComparison.Ordinal);
    }

    private static string Json(Cycle cycle) => System.Text.Json.JsonSerializer.Serialize(cycle);
}
