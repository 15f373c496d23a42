using EduRelief.Rosters;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace EduRelief.Tests.Rosters;

/// <summary>A generated valid number: random region, a real birth date between 1900-01-01 and the cycle date, random sequence.</summary>
public sealed record ValidId(string Number, DateOnly NotAfter)
{
    public override string ToString() => $"{Number} (cycle {NotAfter:yyyy-MM-dd})";
}

/// <summary>A valid number with one position replaced by a different digit or X.</summary>
public sealed record MutatedId(ValidId Original, int Position, char Replacement)
{
    public string Number => string.Concat(Original.Number.AsSpan(0, Position), Replacement.ToString(), Original.Number.AsSpan(Position + 1));

    public override string ToString() => $"{Original} with [{Position}] = {Replacement}";
}

public static class IdArbitraries
{
    private static readonly int Earliest = new DateOnly(1900, 1, 1).DayNumber;
    private static readonly int Latest = new DateOnly(2100, 12, 31).DayNumber;

    public static Gen<ValidId> ValidIds() =>
        from cycleDay in Gen.Choose(Earliest, Latest)
        from birthDay in Gen.Choose(Earliest, cycleDay)
        from region in Gen.Choose(0, 999_999)
        from sequence in Gen.Choose(0, 999)
        select new ValidId(
            IdNumbersTests.Make(region.ToString("D6", System.Globalization.CultureInfo.InvariantCulture), DateOnly.FromDayNumber(birthDay), sequence.ToString("D3", System.Globalization.CultureInfo.InvariantCulture)),
            DateOnly.FromDayNumber(cycleDay));

    public static Arbitrary<ValidId> ValidId() => ValidIds().ToArbitrary();

    public static Arbitrary<MutatedId> MutatedId() =>
        (from id in ValidIds()
         from position in Gen.Choose(0, 17)
         from replacement in Gen.Elements("0123456789X".ToCharArray()).Where(c => c != id.Number[position])
         select new MutatedId(id, position, replacement)).ToArbitrary();
}

[Properties(Arbitrary = [typeof(IdArbitraries)], MaxTest = 2000)]
public sealed class IdNumberPropertyTests
{
    [Property]
    public bool Validate_GeneratedValidNumber_Passes(ValidId id) =>
        IdNumbers.Validate(id.Number, id.NotAfter) == IdProblem.None
        && IdNumbers.Validate(IdNumbers.Normalize(" " + id.Number.ToLowerInvariant() + "\u3000"), id.NotAfter) == IdProblem.None;

    [Property]
    public bool Validate_AnySingleCharacterChange_Fails(MutatedId mutated) =>
        IdNumbers.Validate(mutated.Number, mutated.Original.NotAfter) != IdProblem.None;

    [Property]
    public bool ToKey_GeneratedNumber_RoundTrips(ValidId id) =>
        IdNumbers.FromKey(IdNumbers.ToKey(id.Number)) == id.Number;

    [Property]
    public bool ToKey_GeneratedNumbers_IsInjective(ValidId[] ids)
    {
        var numbers = ids.Select(i => i.Number).Distinct().ToList();
        return numbers.Select(IdNumbers.ToKey).Distinct().Count() == numbers.Count;
    }

    [Property]
    public bool ToKey_TwoGeneratedNumbers_CollideOnlyWhenEqual(ValidId a, ValidId b) =>
        (IdNumbers.ToKey(a.Number) == IdNumbers.ToKey(b.Number)) == (a.Number == b.Number);

    [Property]
    public bool ToKey_SingleCharacterChange_ChangesTheKey(MutatedId mutated) =>
        (mutated.Replacement == 'X' && mutated.Position < 17) // not a number's shape: no key at all
            ? !HasKey(mutated.Number)
            : IdNumbers.ToKey(mutated.Number) != IdNumbers.ToKey(mutated.Original.Number);

    private static bool HasKey(string number)
    {
        try
        {
            IdNumbers.ToKey(number);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [Property]
    public bool AgeOn_BirthDate_IsZeroAndGrowsByOneEachBirthday(ValidId id)
    {
        var birth = IdNumbers.BirthDate(id.Number);
        var tenth = birth.AddYears(10);
        if (birth.Month == 2 && birth.Day == 29 && !DateTime.IsLeapYear(tenth.Year))
        {
            tenth = new DateOnly(tenth.Year, 3, 1);
        }

        return IdNumbers.AgeOn(id.Number, birth) == 0
            && IdNumbers.AgeOn(id.Number, tenth) == 10
            && IdNumbers.AgeOn(id.Number, tenth.AddDays(-1)) == 9;
    }
}
