using System.Text.Json;
using EduRelief.Rosters;
using Xunit;

namespace EduRelief.Tests.Rosters;

/// <summary>The value an ID number is held in once valid: masked wherever it is printed, whole only where asked for.</summary>
public sealed class IdNumberTests
{
    private static readonly DateOnly CycleCreated = new(2026, 9, 1);

    private static IdNumber Valid(string raw)
    {
        Assert.Equal(IdProblem.None, IdNumber.TryParse(raw, CycleCreated, out var id, out _));
        return id;
    }

    [Fact]
    public void TryParse_FullWidthWithSpaces_HoldsTheNormalisedNumber()
    {
        var id = Valid(" ４１０７２６　２００９０１０１１２３９ ");

        Assert.Equal("410726200901011239", id.Value);
        Assert.Equal(Valid("410726200901011239"), id);
        Assert.Equal(new DateOnly(2009, 1, 1), id.BirthDate);
        Assert.Equal(17, id.AgeOn(new DateOnly(2026, 8, 31)));
    }

    [Theory]
    [InlineData("410726200901011238", IdProblem.CheckCharacter)]
    [InlineData("41072620090101123", IdProblem.Length)]
    [InlineData("410726090101123", IdProblem.OldStyle15)]
    public void TryParse_Invalid_GivesTheProblemAndNoNumber(string raw, IdProblem expected)
    {
        var problem = IdNumber.TryParse(raw, CycleCreated, out var id, out var normalized);

        Assert.Equal(expected, problem);
        Assert.Equal(raw, normalized);
        Assert.Equal(default, id);
        Assert.Throws<InvalidOperationException>(() => id.Value);
    }

    [Fact]
    public void ToStringAndInterpolation_ShowOnlyTheMaskedNumber()
    {
        var id = Valid("410726200901011239");

        Assert.Equal("410726********1239", id.ToString());
        Assert.Equal("child 410726********1239", $"child {id}");
        Assert.Equal(id.Masked, id.ToString());
    }

    [Fact]
    public void Keys_AreTheSameAsForTheString()
    {
        var id = Valid("11010519491231002x");

        Assert.Equal(PersonKeys.Of("11010519491231002X"), id.PersonKey);
        Assert.Equal(IdNumbers.ToKey("11010519491231002X"), id.Key);
        Assert.Equal(id, IdNumber.FromKey(id.Key));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("41072620090101123")]
    [InlineData("41072620090101123Y")]
    [InlineData("4107262009010112X9")]
    public void FromStored_DamagedRow_FailsWithoutTheNumberInTheMessage(string? stored)
    {
        var error = Assert.Throws<InvalidDataException>(() => IdNumber.FromStored(stored));

        Assert.DoesNotContain("4107", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_IsTheNumbersString_AsTheTablesAlwaysHeldIt()
    {
        var record = new { IdNumber = Valid("410726200901011239") };

        var json = JsonSerializer.Serialize(record);

        Assert.Equal("""{"IdNumber":"410726200901011239"}""", json);
        Assert.Equal(record.IdNumber, JsonSerializer.Deserialize<IdNumber>("\"410726200901011239\""));
    }
}
