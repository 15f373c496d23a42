using EduRelief.Rosters.Parsing;
using Xunit;

namespace EduRelief.Tests.Rosters;

public sealed class XlsxValuesTests
{
    [Theory]
    [InlineData("410726200901011239", "410726200901011239")] // integer literal: as it is
    [InlineData("0012", "0012")]
    [InlineData("-5", "-5")]
    [InlineData("410726200901011239.0", "410726200901011239")]
    [InlineData("4.10726200901011239E+17", "410726200901011239")] // the mantissa has every digit
    [InlineData("4.107262009010112390E+17", "410726200901011239")]
    [InlineData("4.10726200901012E+17", "4.10726200901012E+17")] // 15 significant digits: 3 lost, kept raw
    [InlineData("4.1072620090101123E+17", "4.1072620090101123E+17")] // 17 significant digits (a double's round trip): 1 lost
    [InlineData("4.10726200901012e17", "4.10726200901012e17")]
    [InlineData("1.5E+20", "1.5E+20")]
    [InlineData("3.0", "3")]
    [InlineData("2.50", "2.5")]
    [InlineData("0.5", "0.5")]
    [InlineData("-0.25", "-0.25")]
    [InlineData("1E+2", "100")] // within 15 digits a double is exact
    [InlineData("2.141001234E+9", "2141001234")]
    [InlineData("1.23E-5", "0.0000123")]
    [InlineData("-0.0", "0")]
    [InlineData("1E-300", "1E-300")] // too long to write out
    [InlineData("abc", "abc")]
    [InlineData("1.2.3", "1.2.3")]
    [InlineData("1E", "1E")]
    [InlineData("", "")]
    public void NumberText_RawValues_ConvertOnlyWhenExact(string raw, string expected)
    {
        Assert.Equal(expected, XlsxValues.NumberText(raw));
    }

    [Theory]
    [InlineData("yyyy-mm-dd", true)]
    [InlineData("yyyy\"年\"m\"月\"d\"日\"", true)]
    [InlineData("[$-804]yyyy\"年\"m\"月\"", true)]
    [InlineData("[h]:mm:ss", true)]
    [InlineData("h:mm AM/PM", true)]
    [InlineData("General", false)]
    [InlineData("0.00E+00", false)]
    [InlineData("#,##0.00_);[Red](#,##0.00)", false)]
    [InlineData("0\"天\"", false)]
    [InlineData("\"days\" 0", false)]
    [InlineData("@", false)]
    [InlineData(null, false)]
    public void IsDateFormatCode_Codes_SpotDatesOutsideQuotes(string? code, bool expected)
    {
        Assert.Equal(expected, XlsxValues.IsDateFormatCode(code));
    }

    [Theory]
    [InlineData(14, true)]
    [InlineData(22, true)]
    [InlineData(31, true)]
    [InlineData(57, true)]
    [InlineData(0, false)]
    [InlineData(49, false)]
    public void IsBuiltInDateFormat_Ids_FollowTheStandard(int id, bool expected)
    {
        Assert.Equal(expected, XlsxValues.IsBuiltInDateFormat(id));
    }

    [Theory]
    [InlineData("a_x000D_b", "a\rb")]
    [InlineData("_x005F_x000D_", "_x000D_")]
    [InlineData("no_escape_x12", "no_escape_x12")]
    [InlineData("张_xZZZZ_三", "张_xZZZZ_三")]
    public void DecodeEscapes_OoxmlEscapes_AreDecoded(string raw, string expected)
    {
        Assert.Equal(expected, XlsxValues.DecodeEscapes(raw));
    }

    [Theory]
    [InlineData("xl/worksheets/sheet1.xml", 100_000_000, 2L * 1024 * 1024 * 1024, false)] // exactly 2 GiB: allowed
    [InlineData("xl/worksheets/sheet1.xml", 100_000_000, (2L * 1024 * 1024 * 1024) + 1, true)]
    [InlineData("xl/sharedStrings.xml", 10_000_000, 512L * 1024 * 1024, false)]
    [InlineData("xl/sharedStrings.xml", 10_000_000, (512L * 1024 * 1024) + 1, true)]
    [InlineData("xl/worksheets/sheet1.xml", 50_000, 10L * 1024 * 1024, false)] // 210:1 but only 10 MiB
    [InlineData("xl/worksheets/sheet1.xml", 50_000, (10L * 1024 * 1024) + 1, true)] // above 10 MiB at 210:1
    [InlineData("xl/worksheets/sheet1.xml", 1_000_000, 200_000_000, false)] // exactly 200:1
    [InlineData("xl/worksheets/sheet1.xml", 1_000_000, 200_000_001, true)]
    [InlineData("xl/styles.xml", 0, 20L * 1024 * 1024, true)]
    [InlineData("xl/styles.xml", 1_000_000, 8L * 1024 * 1024, false)] // loaded whole by the SDK: at most 8 MiB
    [InlineData("xl/styles.xml", 1_000_000, (8L * 1024 * 1024) + 1, true)]
    [InlineData("xl/workbook.xml", 1_000_000, (8L * 1024 * 1024) + 1, true)]
    [InlineData("xl/theme/theme1.xml", 1_000_000, (8L * 1024 * 1024) + 1, true)]
    [InlineData("xl/_rels/workbook.xml.rels", 30_000_000, 65L * 1024 * 1024, true)] // package parts are loaded whole
    public void Check_DeclaredSizes_RejectBombs(string name, long compressed, long uncompressed, bool rejected)
    {
        Assert.Equal(rejected, WorkbookLimits.Check(name, compressed, uncompressed) is not null);
    }

    [Theory]
    [InlineData(0, "A")]
    [InlineData(25, "Z")]
    [InlineData(26, "AA")]
    [InlineData(701, "ZZ")]
    [InlineData(16_383, "XFD")]
    public void ColumnLetters_Indexes_AreSpreadsheetNames(int column, string expected)
    {
        Assert.Equal(expected, RosterReader.ColumnLetters(column));
    }
}
