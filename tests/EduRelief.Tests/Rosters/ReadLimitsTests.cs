using System.Text;
using EduRelief.Rosters.Parsing;
using Xunit;
using static EduRelief.Tests.Rosters.RosterFiles;

namespace EduRelief.Tests.Rosters;

/// <summary>The limits of <see cref="ReadLimits"/>, enforced while a file is read (issue 14, item 3).</summary>
public sealed class ReadLimitsTests
{
    private static readonly string[] StudentColumns = [.. RosterSchema.Columns(RosterKind.Students)];

    private static string Message(RosterFileException ex, string key) => Assert.Single(ex.Errors, e => e.Key == key).Value[0].Zh;

    [Fact]
    public async Task ReadAsync_InlineCellOverExcelsLimit_RejectsNamingSheetRowColumnAndLimit()
    {
        var sheet = Sheet(HeaderRow(StudentColumns), Row(2, Inline("A2", "张三")), Row(3, Inline("A3", "李四"), Inline("H3", new string('备', ReadLimits.MaxCellChars + 1))));

        var ex = await RejectsAsync(Xlsx(sheet), RosterFormat.Xlsx);

        Assert.Equal(RosterErrors.OverLimit, ex.Title);
        var message = Message(ex, "row:3");
        Assert.Contains("工作表“S1”第 3 行 H 列", message);
        Assert.Contains("32,767 个字符", message);
    }

    [Fact]
    public async Task ReadAsync_InlineCellAtExcelsLimit_IsRead()
    {
        var sheet = Sheet(HeaderRow(StudentColumns), Row(2, Inline("A2", "张三"), Inline("H2", new string('备', ReadLimits.MaxCellChars))));

        var row = Assert.Single(await ReadAllAsync(Xlsx(sheet), RosterFormat.Xlsx));

        Assert.Equal(ReadLimits.MaxCellChars, Value(row, RosterKind.Students, "备注").Length);
    }

    [Fact]
    public async Task ReadAsync_RichTextRunsTogetherOverTheLimit_Reject()
    {
        var half = new string('x', (ReadLimits.MaxCellChars / 2) + 1);
        var rich = $"<r><t>{half}</t></r><r><t>{half}</t></r>";
        var sheet = Sheet(HeaderRow(StudentColumns), Row(2, Shared("A2", 0)));

        var ex = await RejectsAsync(Xlsx(sheet, SharedStrings(rich)), RosterFormat.Xlsx);

        Assert.Equal(RosterErrors.OverLimit, ex.Title);
        Assert.Contains("共享字符串表第 1 项超过单元格 32,767 个字符的上限", Message(ex, "file"));
    }

    [Fact]
    public async Task ReadAsync_NumberValueOverTheLimit_RejectsNamingTheCell()
    {
        var sheet = Sheet(HeaderRow(StudentColumns), Row(2, Inline("A2", "张三"), Number("B2", new string('9', ReadLimits.MaxCellChars + 1))));

        var ex = await RejectsAsync(Xlsx(sheet), RosterFormat.Xlsx);

        Assert.Contains("第 2 行 B 列", Message(ex, "row:2"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ReadAsync_HugeCell_IsRefusedAfterReadingLittleOfTheFile(bool shared)
    {
        var file = HugeCellXlsx(50_000_000, shared);
        var counting = new CountingStream(file);

        var ex = await RejectsAsync(counting, RosterFormat.Xlsx);

        Assert.Equal(RosterErrors.OverLimit, ex.Title);
        Assert.Contains("32,767", Assert.Single(ex.Errors).Value[0].Zh);
        Assert.True(counting.BytesRead < file.Length / 4, $"read {counting.BytesRead:N0} of {file.Length:N0} bytes before refusing");
    }

    [Fact]
    public async Task ReadAsync_MoreCellsInARowThanExcelHasColumns_RejectsNamingTheRow()
    {
        var cells = string.Concat(Enumerable.Repeat("<c r=\"A2\"><v>1</v></c>", ReadLimits.MaxColumns + 1));
        var sheet = Sheet(HeaderRow(StudentColumns), $"<row r=\"2\">{cells}</row>");

        var ex = await RejectsAsync(Xlsx(sheet), RosterFormat.Xlsx);

        Assert.Equal(RosterErrors.OverLimit, ex.Title);
        Assert.Contains("16,384", Message(ex, "row:2"));
    }

    [Fact]
    public async Task ReadAsync_RowBeyondExcelsLastRow_RejectsNamingIt()
    {
        var sheet = Sheet(HeaderRow(StudentColumns), Row(2, Inline("A2", "张三")), Row(ReadLimits.MaxRows + 1, Inline($"A{ReadLimits.MaxRows + 1}", "李四")));

        var ex = await RejectsAsync(Xlsx(sheet), RosterFormat.Xlsx);

        Assert.Contains("1,048,576 行的上限", Message(ex, $"row:{ReadLimits.MaxRows + 1}"));
    }

    [Fact]
    public async Task ReadAsync_MoreSharedStringsThanTheLimit_Rejects()
    {
        var file = Xlsx([Sheet(HeaderRow(StudentColumns))], writeSharedStrings: s =>
        {
            s.Write(Encoding.UTF8.GetBytes($"<sst xmlns=\"{MainNs}\">"));
            for (var i = 0; i <= ReadLimits.MaxSharedStrings; i++)
            {
                s.Write(Encoding.ASCII.GetBytes($"<si><t>{i}</t></si>"));
            }

            s.Write("</sst>"u8);
        });

        var ex = await RejectsAsync(file, RosterFormat.Xlsx);

        Assert.Contains("2,000,000 项的上限", Message(ex, "file"));
    }

    [Fact]
    public async Task ReadAsync_SharedStringsOverTheTotalCharacters_Rejects()
    {
        const int each = 30_000;
        var file = Xlsx([Sheet(HeaderRow(StudentColumns))], writeSharedStrings: s =>
        {
            s.Write(Encoding.UTF8.GetBytes($"<sst xmlns=\"{MainNs}\">"));
            for (var i = 0; i <= ReadLimits.MaxSharedStringChars / each; i++)
            {
                s.Write("<si><t>"u8);
                WriteVariedText(s, each);
                s.Write("</t></si>"u8);
            }

            s.Write("</sst>"u8);
        });

        var ex = await RejectsAsync(file, RosterFormat.Xlsx);

        Assert.Contains("字符总数超过 32,000,000 个的上限", Message(ex, "file"));
    }

    [Theory]
    [InlineData("attribute")]
    [InlineData("name")]
    [InlineData("cdata")]
    [InlineData("between")]
    public async Task ReadAsync_MarkupTheXmlReaderWouldHoldWhole_RejectsNamingThePart(string where)
    {
        var file = Xlsx([""], writeFirstSheet: s =>
        {
            s.Write(Encoding.UTF8.GetBytes($"<worksheet xmlns=\"{MainNs}\"><sheetData>{HeaderRow(StudentColumns)}"));
            s.Write(where switch
            {
                "attribute" => "<row r=\"2\" x=\""u8,
                "name" => "<row"u8,
                "cdata" => "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t><![CDATA[<"u8,
                _ => "<row r=\"2\">"u8,
            });
            WriteVariedText(s, 2L * ReadLimits.MaxMarkupBytes);
            s.Write("\"/></sheetData></worksheet>"u8);
        });

        var ex = await RejectsAsync(file, RosterFormat.Xlsx);

        Assert.Equal(RosterErrors.OverLimit, ex.Title);
        Assert.Contains("部件 xl/worksheets/sheet1.xml 中有一段超过 1 MiB", Message(ex, "file"));
    }

    [Fact]
    public async Task ReadAsync_CsvCellOverExcelsLimit_RejectsNamingRowAndColumn()
    {
        var text = $"{StudentHeader}\n张三,{new string('1', ReadLimits.MaxCellChars + 1)}\n";

        var ex = await RejectsAsync(Text(text), RosterFormat.Csv);

        Assert.Equal(RosterErrors.OverLimit, ex.Title);
        Assert.Contains("第 2 行 B 列的单元格超过 32,767 个字符的上限", Message(ex, "row:2"));
    }

    [Fact]
    public async Task ReadAsync_CsvRecordWithMoreFieldsThanExcelHasColumns_Rejects()
    {
        var text = $"{StudentHeader}\n张三{new string(',', ReadLimits.MaxColumns)}\n";

        var ex = await RejectsAsync(Text(text), RosterFormat.Csv);

        Assert.Contains("16,384", Message(ex, "row:2"));
    }

    [Fact]
    public async Task ReadAsync_CsvWithMoreRecordsThanExcelHasRows_Rejects()
    {
        var text = new StringBuilder(StudentHeader).Append('\n').Append('\n', ReadLimits.MaxRows).ToString();

        var ex = await RejectsAsync(Text(text), RosterFormat.Csv);

        Assert.Contains("1,048,576 行的上限", Message(ex, $"row:{ReadLimits.MaxRows + 1}"));
    }
}
