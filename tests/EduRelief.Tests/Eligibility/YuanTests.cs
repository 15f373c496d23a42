using System.Text.Json;
using EduRelief.Eligibility;
using Xunit;

namespace EduRelief.Tests.Eligibility;

/// <summary>Money as the app holds it: exact to the fen, stored as fen, read with two decimals, a plain number in JSON.</summary>
public sealed class YuanTests
{
    [Theory]
    [InlineData("625", 62500)]
    [InlineData("312.50", 31250)]
    [InlineData("0.05", 5)]
    [InlineData("0.005", 1)] // half a fen rounds away from zero
    [InlineData("-0.005", -1)]
    [InlineData("1000.504", 100050)]
    public void Fen_RoundsHalfAwayFromZero(string yuan, long fen)
    {
        Assert.Equal(fen, new Yuan(decimal.Parse(yuan, System.Globalization.CultureInfo.InvariantCulture)).Fen);
    }

    [Fact]
    public void FromFen_ThenFen_IsTheSameNumber_AndEqualsTheDecimalWhateverItsScale()
    {
        var amount = Yuan.FromFen(31250);

        Assert.Equal(31250, amount.Fen);
        Assert.Equal(new Yuan(312.5m), amount);
        Assert.Equal(new Yuan(312.500m), amount);
        Assert.Equal("312.50", amount.ToString());
        Assert.Equal("1250.00", Yuan.FromFen(125000).ToString());
    }

    [Fact]
    public void ToFenExact_AlwaysCarriesTwoDecimals()
    {
        Assert.Equal("500.00", JsonSerializer.Serialize(new Yuan(500m).ToFenExact()));
        Assert.Equal("0.01", JsonSerializer.Serialize(new Yuan(0.005m).ToFenExact()));
    }

    [Fact]
    public void Arithmetic_AndSums_StayExact()
    {
        var tenth = new Yuan(0.1m);

        Assert.Equal(new Yuan(0.3m), tenth + tenth + tenth);
        Assert.Equal(new Yuan(-0.1m), -tenth);
        Assert.Equal(new Yuan(0.2m), new Yuan(0.3m) - tenth);
        Assert.Equal(new Yuan(1875m), new[] { new Yuan(625m), new Yuan(625m), new Yuan(625m) }.Sum());
        Assert.Equal(new Yuan(1250.5m), new[] { (P: "a", A: new Yuan(625.25m)), (P: "b", A: new Yuan(625.25m)) }.Sum(x => x.A));
        Assert.True(new Yuan(625m) > tenth);
    }

    [Fact]
    public void Json_IsTheNumberAsItIs_InBothDirections()
    {
        var record = new { Amount = new Yuan(625.00m), Other = new Yuan(1000.5m) };

        Assert.Equal("""{"Amount":625.00,"Other":1000.5}""", JsonSerializer.Serialize(record));
        Assert.Equal(new Yuan(312.5m), JsonSerializer.Deserialize<Yuan>("312.50"));
    }
}
