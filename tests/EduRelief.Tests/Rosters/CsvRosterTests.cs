using System.Text;
using EduRelief.Rosters;
using EduRelief.Rosters.Parsing;
using Xunit;
using static EduRelief.Tests.Rosters.RosterFiles;

namespace EduRelief.Tests.Rosters;

public sealed class CsvRosterTests
{
    private const RosterKind S = RosterKind.Students;
    private const string Row1 = "张三,410726200901011239,2141001234,延津县第一小学,小学,3,是,";
    private const string Row2 = "李四,11010519491231002X,2141001235,延津县第二中学,初中,1,否,转入";

    [Fact]
    public async Task ReadAsync_Utf8WithLineFeeds_ReadsRowsInSchemaOrderWithRowNumbers()
    {
        var rows = await ReadCsvAsync($"{StudentHeader}\n{Row1}\n{Row2}\n");

        Assert.Equal(2, rows.Count);
        Assert.Equal(2, rows[0].RowNumber);
        Assert.Equal(3, rows[1].RowNumber);
        Assert.Equal(["张三", "410726200901011239", "2141001234", "延津县第一小学", "小学", "3", "是", ""], rows[0].Values);
        Assert.Equal("转入", Value(rows[1], S, "备注"));
    }

    [Fact]
    public async Task ReadAsync_Utf8WithBomAndCrLf_MatchesTheFirstHeaderDespiteTheBom()
    {
        var rows = await ReadAllAsync(Text($"{StudentHeader}\r\n{Row1}\r\n{Row2}\r\n", bom: true), RosterFormat.Csv);

        Assert.Equal(2, rows.Count);
        Assert.Equal("张三", Value(rows[0], S, "姓名"));
        Assert.Equal("11010519491231002X", Value(rows[1], S, "身份证号"));
    }

    [Fact]
    public async Task ReadAsync_GbkEncoded_DecodesAsGb18030()
    {
        var text = $"{StudentHeader}\r\n{Row1}\r\n阿依古丽·买买提,410726201003150089,2141001236,延津县第三小学,小学,2,否,㐀镕\r\n";
        var stream = Text(text, Gb18030);
        Assert.NotEqual(Encoding.UTF8.GetBytes(text), stream.ToArray()); // really not UTF-8

        var rows = await ReadAllAsync(stream, RosterFormat.Csv);

        Assert.Equal(2, rows.Count);
        Assert.Equal("延津县第一小学", Value(rows[0], S, "学校名称"));
        Assert.Equal("阿依古丽·买买提", Value(rows[1], S, "姓名"));
        Assert.Equal("㐀镕", Value(rows[1], S, "备注")); // beyond GB2312: GB18030 four-byte and GBK characters
    }

    [Fact]
    public async Task ReadAsync_QuotedFields_KeepCommasQuotesAndLineBreaksAndCountOneRowPerRecord()
    {
        var text = $"{StudentHeader}\r\n"
            + "\"张,三\",410726200901011239,2141001234,\"延津县\"\"第一\"\"小学\",小学,3,是,\"第一行\r\n第二行\"\r\n"
            + Row2 + "\r\n";

        var rows = await ReadCsvAsync(text);

        Assert.Equal(2, rows.Count);
        Assert.Equal("张,三", Value(rows[0], S, "姓名"));
        Assert.Equal("延津县\"第一\"小学", Value(rows[0], S, "学校名称"));
        Assert.Equal("第一行\r\n第二行", Value(rows[0], S, "备注"));
        Assert.Equal(2, rows[0].RowNumber);
        Assert.Equal(3, rows[1].RowNumber); // the quoted line break does not make a row
    }

    [Fact]
    public async Task ReadAsync_StraySpacesAroundValues_AreTrimmed()
    {
        var text = $" 姓名 , 身份证号 ,学校标识码,学校名称,学段,年级,是否住校,备注\n"
            + "  张三 , \"410726200901011239\" ,\t2141001234\t,\"  延津县第一小学 \",小学,3,是,\u3000\n";

        var rows = await ReadCsvAsync(text);

        Assert.Equal("张三", Value(rows[0], S, "姓名"));
        Assert.Equal("410726200901011239", Value(rows[0], S, "身份证号"));
        Assert.Equal("2141001234", Value(rows[0], S, "学校标识码"));
        Assert.Equal("延津县第一小学", Value(rows[0], S, "学校名称"));
        Assert.Equal("", Value(rows[0], S, "备注"));
    }

    [Fact]
    public async Task ReadAsync_ReorderedAndExtraColumns_MapByHeaderName()
    {
        var text = "序号,村,身份证号,备用,姓名,乡镇,户编号,人员类别,联系电话\n"
            + "1,东街村,410726200901011239,x,张三,城关镇,H001,脱贫户,13800000000\n";

        var rows = await ReadCsvAsync(text, RosterKind.Poverty);

        Assert.Equal(["1", "H001", "张三", "410726200901011239", "城关镇", "东街村", "脱贫户"], Assert.Single(rows).Values);
    }

    [Fact]
    public async Task ReadAsync_ShortRecord_GivesEmptyMissingCells()
    {
        var rows = await ReadCsvAsync($"{StudentHeader}\n张三,410726200901011239\n");

        Assert.Equal(["张三", "410726200901011239", "", "", "", "", "", ""], Assert.Single(rows).Values);
    }

    [Fact]
    public async Task ReadAsync_MissingRequiredColumn_RejectsTheFileNamingIt()
    {
        var ex = await RejectsAsync(Text("姓名,身份证号码,学校标识码,学校名称,学段,年级,是否住校\n张三,1,2,3,4,5,6\n"), RosterFormat.Csv);

        Assert.Equal(new HashSet<string> { "column:身份证号", "column:备注" }, ex.Errors.Keys.ToHashSet());
        Assert.Contains("身份证号", ex.Message);
        Assert.Contains("备注", ex.Message);
        Assert.Contains("身份证号码", ex.Errors["column:身份证号"][0].Zh); // shows what the header has instead
    }

    [Fact]
    public async Task ReadAsync_RequiredColumnTwice_RejectsAsAmbiguous()
    {
        var ex = await RejectsAsync(Text($"{StudentHeader},姓名\n张三,1,2,3,4,5,6,7,张三\n"), RosterFormat.Csv);

        Assert.Equal(RosterErrors.AmbiguousColumns, ex.Title);
        Assert.Contains("A, I", Assert.Single(ex.Errors, e => e.Key == "column:姓名").Value[0].En);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\r\n\r\n\n")]
    [InlineData(",,,\n")]
    public async Task ReadAsync_EmptyFile_RejectsAsEmpty(string text)
    {
        var ex = await RejectsAsync(Text(text), RosterFormat.Csv);

        Assert.Equal(RosterErrors.Empty, ex.Title);
        Assert.True(ex.Errors.ContainsKey("file"));
    }

    [Theory]
    [InlineData(StudentHeader)]
    [InlineData(StudentHeader + "\r\n")]
    [InlineData(StudentHeader + "\r\n\r\n\r\n")]
    [InlineData(StudentHeader + "\n,,,,,,,\n")]
    public async Task ReadAsync_HeaderOnly_HasNoRows(string text)
    {
        Assert.Empty(await ReadCsvAsync(text));
    }

    [Fact]
    public async Task ReadAsync_BlankLinesInside_AreNotRowsButKeepTheirRowNumbers()
    {
        var rows = await ReadCsvAsync($"{StudentHeader}\n{Row1}\n\n,,, ,\n{Row2}\n\n\n");

        Assert.Equal([2, 5], rows.Select(r => r.RowNumber));
    }

    [Fact]
    public async Task ReadAsync_RowWithOnlyAnUnrequiredCell_IsStillADataRow()
    {
        var rows = await ReadCsvAsync($"{StudentHeader},电话\n,,,,,,,,13800000000\n");

        Assert.Equal(["", "", "", "", "", "", "", ""], Assert.Single(rows).Values);
    }

    [Fact]
    public async Task ReadAsync_BinaryGarbage_RejectsAsNotText()
    {
        var garbage = new byte[4096];
        new Random(7).NextBytes(garbage);
        garbage[10] = 0;

        var ex = await RejectsAsync(new MemoryStream(garbage), RosterFormat.Csv);

        Assert.Equal(RosterErrors.NotText, ex.Title);
    }

    [Fact]
    public async Task ReadAsync_BytesNeitherUtf8NorGb18030_RejectsAsUndecodable()
    {
        var bytes = Gb18030.GetBytes($"{StudentHeader}\n张三,1\n").Concat(new byte[] { 0xFF, 0xFF, (byte)'\n' }).ToArray();

        var ex = await RejectsAsync(new MemoryStream(bytes), RosterFormat.Csv);

        Assert.Equal(RosterErrors.Undecodable, ex.Title);
    }

    [Fact]
    public async Task ReadAsync_Utf8BomFollowedByGbkBytes_RejectsAsUndecodable()
    {
        var bytes = Encoding.UTF8.Preamble.ToArray().Concat(Gb18030.GetBytes($"{StudentHeader}\n")).ToArray();

        var ex = await RejectsAsync(new MemoryStream(bytes), RosterFormat.Csv);

        Assert.Equal(RosterErrors.Undecodable, ex.Title);
    }

    [Fact]
    public async Task ReadAsync_QuoteLeftOpenOverAHugeTail_RejectsWithTheRowInsteadOfSwallowingTheFile()
    {
        var text = new StringBuilder($"{StudentHeader}\n{Row1}\n\"张三,");
        while (text.Length < 1_200_000)
        {
            text.Append(Row2).Append('\n');
        }

        var ex = await RejectsAsync(Text(text.ToString()), RosterFormat.Csv);

        Assert.Equal(RosterErrors.Damaged, ex.Title);
        Assert.True(ex.Errors.ContainsKey("row:3"));
    }

    [Theory]
    [InlineData("张\"三,410726200901011239", "未加引号的字段中出现了引号")]
    [InlineData("\"张三\"x,410726200901011239", "闭合引号之后还有文字")]
    [InlineData("\"张三\" ,410726200901011239,\"延津县\"第一小学", "闭合引号之后还有文字")]
    [InlineData("张三,\"410726200901011239", "直到文件末尾都没有闭合")]
    public async Task ReadAsync_MalformedQuoting_RejectsNamingTheLine(string record, string why)
    {
        var ex = await RejectsAsync(Text($"{StudentHeader}\n{Row1}\n{record}\n{Row2}\n"), RosterFormat.Csv);

        Assert.Equal(RosterErrors.MalformedCsv, ex.Title);
        var message = Assert.Single(ex.Errors, e => e.Key == "row:3").Value[0].Zh;
        Assert.Contains("文件第 3 行", message);
        Assert.Contains(why, message);
        Assert.DoesNotContain("410726200901011239", message); // values are personal data
    }

    [Fact]
    public async Task ReadAsync_MalformedAfterAQuotedLineBreak_NamesTheTextLineAndTheRow()
    {
        var text = $"{StudentHeader}\n\"张三\",410726200901011239,2141001234,学校,小学,3,是,\"第一行\n第二行\"\n李\"四,11010519491231002X\n";

        var ex = await RejectsAsync(Text(text), RosterFormat.Csv);

        Assert.Contains("文件第 4 行", Assert.Single(ex.Errors, e => e.Key == "row:3").Value[0].Zh);
    }

    [Fact]
    public async Task ReadAsync_GarbledRecordsAfterGoodOnes_YieldNothingPastTheFirstBadLine()
    {
        var text = new StringBuilder($"{StudentHeader}\n{Row1}\n\"{Row2}\n");
        for (var i = 0; i < 999; i++)
        {
            text.Append(Row1).Append('\n');
        }

        var seen = new List<int>();
        await Assert.ThrowsAsync<RosterFileException>(async () =>
        {
            await foreach (var row in RosterReader.ReadAsync(Text(text.ToString()), RosterFormat.Csv, S, CancellationToken.None))
            {
                seen.Add(row.RowNumber);
            }
        });

        Assert.Equal([2], seen);
    }

    [Fact]
    public async Task ReadAsync_LargeFileAcrossManyBuffers_ReadsEveryRecord()
    {
        var text = new StringBuilder(StudentHeader).Append("\r\n");
        for (var i = 0; i < 20_000; i++)
        {
            var id = IdNumbersTests.Make("410726", new DateOnly(2010, 1, 1).AddDays(i % 3000), (i % 1000).ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
            text.Append($"学生{i},{id},2141001234,学校,小学,1,是,\r\n");
        }

        var rows = await ReadAllAsync(Text(text.ToString(), Gb18030), RosterFormat.Csv);

        Assert.Equal(20_000, rows.Count);
        Assert.Equal(20_001, rows[^1].RowNumber);
        Assert.Equal("学生19999", Value(rows[^1], S, "姓名"));
        Assert.All(rows, r => Assert.Equal(IdProblem.None, IdNumbers.Validate(IdNumbers.Normalize(Value(r, S, "身份证号")), new DateOnly(2026, 9, 1))));
    }

    [Fact]
    public async Task ReadAsync_StreamNotAtStart_ReadsFromTheBeginning()
    {
        var stream = Text($"{StudentHeader}\n{Row1}\n");
        stream.Position = 20;

        Assert.Single(await ReadAllAsync(stream, RosterFormat.Csv));
    }

    [Fact]
    public void ReadAsync_ForwardOnlyStream_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => RosterReader.ReadAsync(new ForwardOnlyStream(Text(StudentHeader)), RosterFormat.Csv, S, CancellationToken.None));
    }

    [Fact]
    public async Task ReadAsync_Cancelled_Stops()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in RosterReader.ReadAsync(Text($"{StudentHeader}\n{Row1}\n"), RosterFormat.Csv, S, cts.Token))
            {
            }
        });
    }
}
