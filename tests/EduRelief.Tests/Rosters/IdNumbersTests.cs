using EduRelief.Rosters;
using Xunit;

namespace EduRelief.Tests.Rosters;

public sealed class IdNumbersTests
{
    private static readonly DateOnly CycleCreated = new(2026, 9, 1);

    [Theory]
    [InlineData("410726200901011239", "410726200901011239")]
    [InlineData("４１０７２６２００９０１０１１２３９", "410726200901011239")] // full-width digits
    [InlineData("410726\u3000200901011239", "410726200901011239")] // ideographic space inside
    [InlineData("410726 2009 0101 1239", "410726200901011239")] // ASCII spaces inside
    [InlineData(" \t\u00A0410726200901011239\u3000\r\n", "410726200901011239")] // surrounding tab, NBSP, U+3000, line break
    [InlineData("11010519491231002x", "11010519491231002X")] // lower-case x
    [InlineData("11010519491231002Ｘ", "11010519491231002X")] // full-width upper-case X
    [InlineData("11010519491231002ｘ", "11010519491231002X")] // full-width lower-case x
    [InlineData("410726-2009", "410726-2009")] // nothing else is changed
    [InlineData("4107\u00A0262009", "4107\u00A0262009")] // an inner NBSP is not a space the rule removes
    public void Normalize_Variants_GiveTheCanonicalForm(string raw, string expected)
    {
        Assert.Equal(expected, IdNumbers.Normalize(raw));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" \u3000\t")]
    public void Normalize_NothingThere_IsEmpty(string? raw)
    {
        Assert.Equal("", IdNumbers.Normalize(raw));
        Assert.Equal(IdProblem.Empty, IdNumbers.Validate(IdNumbers.Normalize(raw), CycleCreated));
    }

    [Theory]
    [InlineData("410726200901011239")]
    [InlineData("11010519491231002X")]
    [InlineData("41072620100315008X")]
    [InlineData("410726201202290026")] // born on 29 February of a leap year
    [InlineData("440304200808088886")]
    public void Validate_RealNumbers_AreValid(string number)
    {
        Assert.Equal(IdProblem.None, IdNumbers.Validate(number, CycleCreated));
    }

    [Theory]
    [InlineData("41072620090101123", '9')]
    [InlineData("11010519491231002", 'X')]
    [InlineData("41072620100315008", 'X')]
    [InlineData("41072619000101001", '5')]
    public void CheckCharacter_KnownNumbers_MatchIso7064Mod112(string first17, char expected)
    {
        Assert.Equal(expected, IdNumbers.CheckCharacter(first17));
    }

    [Theory]
    [InlineData("4107262009010112")]
    [InlineData("4107262009010112A")]
    [InlineData("410726200901011234")]
    public void CheckCharacter_NotSeventeenDigits_Throws(string input)
    {
        Assert.Throws<ArgumentException>(() => IdNumbers.CheckCharacter(input));
    }

    [Theory]
    [InlineData("", IdProblem.Empty)]
    [InlineData("410726090101123", IdProblem.OldStyle15)]
    [InlineData("41072620090101123", IdProblem.Length)]
    [InlineData("4107262009010112390", IdProblem.Length)]
    [InlineData("41072609010112X", IdProblem.Length)] // 15 characters but not old-style digits
    [InlineData("4107262009010112A9", IdProblem.Characters)]
    [InlineData("410726200901011X39", IdProblem.Characters)] // X is only allowed last
    [InlineData("410726200901011230", IdProblem.CheckCharacter)] // 9 is right
    [InlineData("11010519491231002 ", IdProblem.Characters)] // not normalised: a trailing space
    [InlineData("410726200913011239", IdProblem.BirthDate)] // month 13
    [InlineData("410726200902301239", IdProblem.BirthDate)] // 30 February
    [InlineData("410726000001011239", IdProblem.BirthDate)] // year 0
    public void Validate_BrokenNumbers_NameTheProblem(string number, IdProblem expected)
    {
        Assert.Equal(expected, IdNumbers.Validate(number, CycleCreated));
    }

    [Fact]
    public void Validate_EveryProblemKind_IsReachable()
    {
        var seen = new HashSet<IdProblem>
        {
            IdNumbers.Validate(IdNumbers.Normalize(" "), CycleCreated),
            IdNumbers.Validate("410726090101123", CycleCreated),
            IdNumbers.Validate("4107262009", CycleCreated),
            IdNumbers.Validate("41072620090101123Y", CycleCreated),
            IdNumbers.Validate(Make("410726", new DateOnly(2026, 9, 2), "001"), CycleCreated),
            IdNumbers.Validate("410726200901011238", CycleCreated),
            IdNumbers.Validate("410726200901011239", CycleCreated),
        };

        Assert.Equal(Enum.GetValues<IdProblem>().ToHashSet(), seen);
    }

    [Fact]
    public void Validate_BirthDateOnTheCycleDate_IsValidAndTheDayAfterIsNot()
    {
        Assert.Equal(IdProblem.None, IdNumbers.Validate(Make("410726", CycleCreated, "001"), CycleCreated));
        Assert.Equal(IdProblem.BirthDate, IdNumbers.Validate(Make("410726", CycleCreated.AddDays(1), "001"), CycleCreated));
    }

    [Fact]
    public void Validate_FirstOfJanuary1900_IsValidAndTheDayBeforeIsNot()
    {
        Assert.Equal(IdProblem.None, IdNumbers.Validate(Make("110105", new DateOnly(1900, 1, 1), "123"), CycleCreated));
        Assert.Equal(IdProblem.BirthDate, IdNumbers.Validate(Make("110105", new DateOnly(1899, 12, 31), "123"), CycleCreated));
    }

    [Fact]
    public void Validate_TwentyNinthFebruaryOfACommonYear_IsNotADate()
    {
        var first17 = "410726" + "20230229" + "001";
        var number = first17 + IdNumbers.CheckCharacter(first17);

        Assert.Equal(IdProblem.BirthDate, IdNumbers.Validate(number, CycleCreated));
        Assert.Equal(IdProblem.None, IdNumbers.Validate(Make("410726", new DateOnly(2024, 2, 29), "001"), CycleCreated));
    }

    [Fact]
    public void Validate_FifteenDigitOldStyle_IsRejectedEvenThoughItsDateIsReal()
    {
        Assert.Equal(IdProblem.OldStyle15, IdNumbers.Validate(IdNumbers.Normalize("410726 090101 123"), CycleCreated));
    }

    [Fact]
    public void BirthDate_ValidNumber_ReadsCharactersSevenToFourteen()
    {
        Assert.Equal(new DateOnly(1949, 12, 31), IdNumbers.BirthDate("11010519491231002X"));
    }

    [Fact]
    public void Mask_ValidNumber_KeepsFirstSixAndLastFour()
    {
        Assert.Equal("410726********1239", IdNumbers.Mask("410726200901011239"));
        Assert.Equal("110105********002X", IdNumbers.Mask("11010519491231002X"));
    }

    [Fact]
    public void Mask_NotANumber_ThrowsWithoutEchoingTheInput()
    {
        var ex = Assert.Throws<ArgumentException>(() => IdNumbers.Mask("4107262009010112"));
        Assert.DoesNotContain("4107262009010112", ex.Message);
    }

    [Theory]
    [InlineData("410726200901011239")]
    [InlineData("11010519491231002X")]
    [InlineData("000000190001010000")]
    [InlineData("99999999999999999X")]
    public void ToKey_ValidShape_RoundTripsThroughFromKey(string number)
    {
        Assert.Equal(number, IdNumbers.FromKey(IdNumbers.ToKey(number)));
    }

    [Fact]
    public void ToKey_DifferentCheckCharacters_GiveDifferentKeys()
    {
        Assert.Equal(IdNumbers.ToKey("110105194912310020") + 10, IdNumbers.ToKey("11010519491231002X"));
        Assert.Equal((41072620090101123L * 11) + 9, IdNumbers.ToKey("410726200901011239"));
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(1_100_000_000_000_000_000L)]
    public void FromKey_OutOfRange_Throws(long key)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => IdNumbers.FromKey(key));
    }

    [Theory]
    [InlineData("2009-01-01", "2015-08-31", 6)]
    [InlineData("2009-09-01", "2015-08-31", 5)] // turns 6 the next day
    [InlineData("2009-08-31", "2015-08-31", 6)] // birthday on the day
    [InlineData("2012-02-29", "2015-02-28", 2)] // Feb 29 birthday in a common year: not yet on 28 February
    [InlineData("2012-02-29", "2015-03-01", 3)] // ... but on 1 March
    [InlineData("2012-02-29", "2016-02-29", 4)] // leap year: on the day
    [InlineData("2012-02-29", "2016-02-28", 3)]
    [InlineData("2010-06-15", "2010-06-14", -1)] // before birth
    public void AgeOn_Days_CountsWholeYears(string birth, string day, int expected)
    {
        var number = Make("410726", DateOnly.Parse(birth, System.Globalization.CultureInfo.InvariantCulture), "005");
        Assert.Equal(expected, IdNumbers.AgeOn(number, DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Describe_EveryProblem_HasAShortReasonWithoutTheNumber()
    {
        foreach (var p in Enum.GetValues<IdProblem>())
        {
            var text = IdNumbers.Describe(p);
            Assert.False(string.IsNullOrWhiteSpace(text.Zh));
            Assert.False(string.IsNullOrWhiteSpace(text.En));
            Assert.True(text.En.Length < 120);
        }

        Assert.Equal("the check character does not match", IdNumbers.Describe(IdProblem.CheckCharacter).En);
        Assert.Equal("身份证号校验码不符", IdNumbers.Describe(IdProblem.CheckCharacter).Zh);
        Assert.Equal(Enum.GetValues<IdProblem>().Length, Enum.GetValues<IdProblem>().Select(IdNumbers.Describe).Distinct().Count());
    }

    /// <summary>A valid-shaped number with the right check character.</summary>
    internal static string Make(string region, DateOnly birth, string sequence)
    {
        var first17 = region + birth.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture) + sequence;
        return first17 + IdNumbers.CheckCharacter(first17);
    }
}
