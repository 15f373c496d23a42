using EduRelief.Cycles;
using Xunit;

namespace EduRelief.Tests.Cycles;

public sealed class CycleValueTests
{
    [Theory]
    [InlineData("2026-autumn", 2026, Term.Autumn, 2026)]
    [InlineData("2027-spring", 2027, Term.Spring, 2026)]
    public void Semester_Valid_ParsesWithSchoolYearStartingInAutumn(string text, int year, Term term, int schoolYear)
    {
        Assert.True(Semester.TryParse(text, out var s));
        Assert.Equal(year, s.Year);
        Assert.Equal(term, s.Term);
        Assert.Equal(schoolYear, s.SchoolYear);
        Assert.Equal(text, s.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("2026-Autumn")]
    [InlineData("2026-summer")]
    [InlineData("2026 autumn")]
    [InlineData("1999-autumn")]
    [InlineData("+026-autumn")]
    [InlineData("2026-autumn ")]
    public void Semester_Invalid_IsRejected(string? text) => Assert.False(Semester.TryParse(text, out _));

    [Fact]
    public void CountyCatalog_Default_HoldsCountyLevelCodesOnly()
    {
        var catalog = CountyCatalog.LoadDefault();

        Assert.True(catalog.Count > 2800);
        Assert.True(catalog.TryGet("410726", out var yanjin));
        Assert.Equal("延津县", yanjin.Name);
        Assert.Equal("河南省", yanjin.Province);
        Assert.False(catalog.TryGet("410700", out _)); // a prefecture-level city
        Assert.False(catalog.TryGet("410000", out _)); // a province
        Assert.False(catalog.TryGet("41072a", out _));
        Assert.False(catalog.TryGet(null, out _));
    }

    [Fact]
    public void CycleId_IsCountyThenSemester()
    {
        Assert.True(Semester.TryParse("2026-autumn", out var s));
        Assert.Equal("410726-2026-autumn", CycleIds.For("410726", s));
    }
}
