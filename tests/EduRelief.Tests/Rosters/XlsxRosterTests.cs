using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using EduRelief.Rosters;
using EduRelief.Rosters.Parsing;
using Xunit;
using static EduRelief.Tests.Rosters.RosterFiles;

namespace EduRelief.Tests.Rosters;

public sealed class XlsxRosterTests
{
    private const RosterKind S = RosterKind.Students;
    private const RosterKind P = RosterKind.Poverty;
    private static readonly DateOnly CycleCreated = new(2026, 9, 1);
    private static readonly string[] StudentColumns = [.. RosterSchema.Columns(S)];
    private static readonly string[] PovertyColumns = [.. RosterSchema.Columns(P)];

    [Fact]
    public async Task ReadAsync_SharedStrings_ResolvesIndexesAndUsesSheetRowNumbers()
    {
        var strings = SharedStrings([.. StudentColumns, "张三", "410726200901011239", "延津县第一小学", "小学", "是", "李四"]);
        var header = Row(1, StudentColumns.Select((_, i) => Shared(Ref(i, 1), i)).ToArray());
        var sheet = Sheet(
            header,
            Row(2, Shared("A2", 8), Shared("B2", 9), Number("C2", "2141001234"), Shared("D2", 10), Shared("E2", 11), Number("F2", "3"), Shared("G2", 12)),
            Row(7, Shared("A7", 13)));

        var rows = await ReadAllAsync(Xlsx(sheet, strings), RosterFormat.Xlsx);

        Assert.Equal([2, 7], rows.Select(r => r.RowNumber));
        Assert.Equal(["张三", "410726200901011239", "2141001234", "延津县第一小学", "小学", "3", "是", ""], rows[0].Values);
        Assert.Equal("李四", Value(rows[1], S, "姓名"));
        Assert.Equal("", Value(rows[1], S, "身份证号"));
    }

    [Fact]
    public async Task ReadAsync_InlineStrings_AreRead()
    {
        var sheet = Sheet(
            HeaderRow(PovertyColumns),
            Row(2, Inline("A2", "1"), Inline("B2", "H001"), Inline("C2", "  王五 "), Inline("D2", "11010519491231002x"), Inline("E2", "城关镇"), Inline("F2", "东街村"), Inline("G2", "监测户")));

        var row = Assert.Single(await ReadAllAsync(Xlsx(sheet), RosterFormat.Xlsx, P));

        Assert.Equal(2, row.RowNumber);
        Assert.Equal(["1", "H001", "王五", "11010519491231002x", "城关镇", "东街村", "监测户"], row.Values);
    }

    [Fact]
    public async Task ReadAsync_NumericIdAsIntegerLiteral_IsRecoveredExactly()
    {
        var sheet = Sheet(HeaderRow(StudentColumns), Row(2, Inline("A2", "张三"), Number("B2", "410726200901011239")));

        var id = Value(Assert.Single(await ReadAllAsync(Xlsx(sheet), RosterFormat.Xlsx)), S, "身份证号");

        Assert.Equal("410726200901011239", id);
        Assert.Equal(IdProblem.None, IdNumbers.Validate(IdNumbers.Normalize(id), CycleCreated));
    }

    [Fact]
    public async Task ReadAsync_NumericIdInExactExponentForm_IsConvertedWithAllItsDigits()
    {
        var sheet = Sheet(HeaderRow(StudentColumns), Row(2, Inline("A2", "张三"), Number("B2", "4.10726200901011239E+17")), Row(3, Number("B3", "410726200901011239.0")));

        var rows = await ReadAllAsync(Xlsx(sheet), RosterFormat.Xlsx);

        Assert.All(rows, r => Assert.Equal("410726200901011239", Value(r, S, "身份证号")));
    }

    [Fact]
    public async Task ReadAsync_NumericIdThatLostPrecision_IsReportedNotRounded()
    {
        // Excel keeps 15 significant digits: 410726200901011239 is saved as 4.10726200901012E+17. Padding it with zeros
        // would give 410726200901012000, and for some numbers such a rounding even has a matching check character.
        var sheet = Sheet(HeaderRow(StudentColumns), Row(2, Inline("A2", "张三"), Number("B2", "4.10726200901012E+17")));

        var id = Value(Assert.Single(await ReadAllAsync(Xlsx(sheet), RosterFormat.Xlsx)), S, "身份证号");

        Assert.Equal("4.10726200901012E+17", id);
        Assert.NotEqual(IdProblem.None, IdNumbers.Validate(IdNumbers.Normalize(id), CycleCreated));
    }

    [Fact]
    public async Task ReadAsync_OtherNumbers_AreInvariantTextWithoutExponent()
    {
        var sheet = Sheet(HeaderRow(StudentColumns), Row(2, Number("A2", "3"), Number("C2", "2.141001234E+9"), Number("F2", "3.0"), Number("H2", "0.5")));

        var row = Assert.Single(await ReadAllAsync(Xlsx(sheet), RosterFormat.Xlsx));

        Assert.Equal("3", Value(row, S, "姓名"));
        Assert.Equal("2141001234", Value(row, S, "学校标识码"));
        Assert.Equal("3", Value(row, S, "年级"));
        Assert.Equal("0.5", Value(row, S, "备注"));
    }

    [Fact]
    public async Task ReadAsync_DateAndBooleanCells_ReturnTheRawText()
    {
        const string styles = $"<styleSheet xmlns=\"{MainNs}\">"
            + "<numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;\"/></numFmts>"
            + "<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
            + "<cellXfs count=\"3\"><xf numFmtId=\"0\" xfId=\"0\"/><xf numFmtId=\"14\" xfId=\"0\"/><xf numFmtId=\"164\" xfId=\"0\"/></cellXfs></styleSheet>";
        var sheet = Sheet(
            HeaderRow(StudentColumns),
            Row(2, Number("A2", "3.50", style: 0), Number("B2", "45170.50", style: 1), Number("C2", "45170.250", style: 2), "<c r=\"G2\" t=\"b\"><v>1</v></c>", "<c r=\"H2\" t=\"e\"><v>#N/A</v></c>"));

        var row = Assert.Single(await ReadAllAsync(Xlsx(sheet, styles: styles), RosterFormat.Xlsx));

        Assert.Equal("3.5", Value(row, S, "姓名")); // general format (cellStyleXfs are not cell formats)
        Assert.Equal("45170.50", Value(row, S, "身份证号")); // built-in date format 14
        Assert.Equal("45170.250", Value(row, S, "学校标识码")); // custom date format
        Assert.Equal("1", Value(row, S, "是否住校"));
        Assert.Equal("#N/A", Value(row, S, "备注"));
    }

    [Fact]
    public async Task ReadAsync_RichTextAndPhoneticGuides_GiveOnlyTheWrittenText()
    {
        var strings = SharedStrings(
            [.. StudentColumns,
             "<r><t>阿依古丽</t></r><r><rPr><b/></rPr><t>·买买提</t></r>",
             "<t>张三</t><rPh sb=\"0\" eb=\"2\"><t>zhang san</t></rPh>",
             "<t>第一行_x000D_\n第二行</t>"]);
        var sheet = Sheet(Row(1, StudentColumns.Select((_, i) => Shared(Ref(i, 1), i)).ToArray()), Row(2, Shared("A2", 8), Shared("D2", 9), Shared("H2", 10)));

        var row = Assert.Single(await ReadAllAsync(Xlsx(sheet, sharedStrings: strings), RosterFormat.Xlsx));

        Assert.Equal("阿依古丽·买买提", Value(row, S, "姓名"));
        Assert.Equal("张三", Value(row, S, "学校名称"));
        Assert.Equal("第一行\r\n第二行", Value(row, S, "备注"));
    }

    [Fact]
    public async Task ReadAsync_ReorderedExtraAndSparseColumns_MapByHeaderName()
    {
        var sheet = Sheet(
            Row(1, Inline("B1", "联系电话"), Inline("C1", "人员类别"), Inline("D1", "村"), Inline("E1", "乡镇"), Inline("F1", "身份证号"), Inline("G1", "姓名"), Inline("H1", "户编号"), Inline("AA1", "序号")),
            Row(2, Inline("C2", "低保户"), Inline("F2", "410726200901011239"), Inline("G2", "张三"), Number("AA2", "12")),
            "<row r=\"3\"/>",
            Row(4, "<c r=\"Z4\"><v></v></c>"),
            Row(5, Inline("A5", "只有额外列")));

        var rows = await ReadAllAsync(Xlsx(sheet), RosterFormat.Xlsx, P);

        Assert.Equal([2, 5], rows.Select(r => r.RowNumber));
        Assert.Equal(["12", "", "张三", "410726200901011239", "", "", "低保户"], rows[0].Values);
        Assert.All(rows[1].Values, v => Assert.Equal("", v));
    }

    [Fact]
    public async Task ReadAsync_CellsAndRowsWithoutReferences_FollowThePreviousOnes()
    {
        var sheet = Sheet(
            "<row>" + string.Concat(PovertyColumns.Select(c => $"<c t=\"inlineStr\"><is><t>{c}</t></is></c>")) + "</row>",
            "<row><c t=\"inlineStr\"><is><t>1</t></is></c><c r=\"C2\" t=\"inlineStr\"><is><t>张三</t></is></c><c t=\"inlineStr\"><is><t>410726200901011239</t></is></c></row>");

        var row = Assert.Single(await ReadAllAsync(Xlsx(sheet), RosterFormat.Xlsx, P));

        Assert.Equal(2, row.RowNumber);
        Assert.Equal(["1", "", "张三", "410726200901011239", "", "", ""], row.Values);
    }

    [Fact]
    public async Task ReadAsync_FirstWorksheetInWorkbookOrder_IsTheOneRead()
    {
        var wanted = Sheet(HeaderRow(StudentColumns), Row(2, Inline("A2", "第一张表")));
        var other = Sheet(HeaderRow(StudentColumns), Row(2, Inline("A2", "第二张表")));

        // the workbook lists sheet2.xml first
        var rows = await ReadAllAsync(Xlsx([wanted, other], fileOrder: [2, 1]), RosterFormat.Xlsx);

        Assert.Equal("第一张表", Value(Assert.Single(rows), S, "姓名"));
    }

    [Fact]
    public async Task ReadAsync_WorkbookMadeWithTheSdk_IsRead()
    {
        var ms = new MemoryStream();
        using (var doc = SpreadsheetDocument.Create(ms, SpreadsheetDocumentType.Workbook))
        {
            var workbook = doc.AddWorkbookPart();
            workbook.Workbook = new Workbook(new Sheets());
            var sst = workbook.AddNewPart<SharedStringTablePart>();
            sst.SharedStringTable = new SharedStringTable(PovertyColumns.Concat(["张三"]).Select(t => new SharedStringItem(new Text(t))));
            var part = workbook.AddNewPart<WorksheetPart>();
            var data = new SheetData(
                new Row(PovertyColumns.Select((_, i) => new Cell { CellReference = Ref(i, 1), DataType = CellValues.SharedString, CellValue = new CellValue(i.ToString(System.Globalization.CultureInfo.InvariantCulture)) })) { RowIndex = 1 },
                new Row(
                    new Cell { CellReference = "A2", CellValue = new CellValue(1) },
                    new Cell { CellReference = "C2", DataType = CellValues.SharedString, CellValue = new CellValue("7") },
                    new Cell { CellReference = "D2", CellValue = new CellValue("41072620100315008X"), DataType = CellValues.String })
                { RowIndex = 2 });
            part.Worksheet = new Worksheet(data);
            workbook.Workbook.Sheets!.Append(new Sheet { Id = workbook.GetIdOfPart(part), SheetId = 1, Name = "户籍" });
        }

        ms.Position = 0;
        var row = Assert.Single(await ReadAllAsync(ms, RosterFormat.Xlsx, P));

        Assert.Equal(["1", "", "张三", "41072620100315008X", "", "", ""], row.Values);
    }

    [Fact]
    public async Task ReadAsync_ReadOnlyStream_StreamsTheSheetWithoutCopyingTheFile()
    {
        var random = new Random(3);
        var rows = Enumerable.Range(2, 20_000)
            .Select(r => Row(r, Inline($"A{r}", $"学生{random.Next()}"), Number($"B{r}", random.NextInt64(100_000_000_000_000_000, 999_999_999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture))))
            .Prepend(HeaderRow(StudentColumns))
            .ToArray();
        var file = Xlsx(Sheet(rows));
        var counting = new CountingStream(file); // CanWrite is false, like a blob's read stream

        await using (var e = RosterReader.ReadAsync(counting, RosterFormat.Xlsx, S, CancellationToken.None).GetAsyncEnumerator())
        {
            Assert.True(await e.MoveNextAsync());
            Assert.Equal(2, e.Current.RowNumber);
            Assert.True(counting.BytesRead < file.Length / 4, $"read {counting.BytesRead} of {file.Length} bytes for the first row");
        }

        Assert.Equal(20_000, (await ReadAllAsync(new CountingStream(file), RosterFormat.Xlsx)).Count);
    }

    [Theory]
    [InlineData("http://exa mple.com")] // System.IO.Packaging refuses it; the SDK rewrites it
    [InlineData("")]
    [InlineData("mailto:a@b.cn;c@d.cn")]
    public async Task ReadAsync_SheetWithMalformedHyperlinkUri_IsStillRead(string target)
    {
        var sheet = $"<worksheet xmlns=\"{MainNs}\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheetData>"
            + HeaderRow(StudentColumns) + Row(2, Inline("A2", "张三"))
            + "</sheetData><hyperlinks><hyperlink ref=\"A2\" r:id=\"rIdLink\"/></hyperlinks></worksheet>";
        var file = Xlsx([sheet], extra: zip => Write(
            zip,
            "xl/worksheets/_rels/sheet1.xml.rels",
            $"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rIdLink\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink\" Target=\"{System.Security.SecurityElement.Escape(target)}\" TargetMode=\"External\"/></Relationships>"));

        var row = Assert.Single(await ReadAllAsync(new CountingStream(file), RosterFormat.Xlsx));

        Assert.Equal("张三", Value(row, S, "姓名"));
    }

    [Fact]
    public async Task ReadAsync_MissingRequiredColumn_RejectsTheWorkbookNamingIt()
    {
        var sheet = Sheet(HeaderRow(StudentColumns.Where(c => c != "学段").ToArray()), Row(2, Inline("A2", "张三")));

        var ex = await RejectsAsync(Xlsx(sheet), RosterFormat.Xlsx);

        Assert.Equal(["column:学段"], ex.Errors.Keys);
        Assert.Contains("学段", ex.Message);
    }

    [Fact]
    public async Task ReadAsync_HeaderOnly_HasNoRows()
    {
        Assert.Empty(await ReadAllAsync(Xlsx(Sheet(HeaderRow(StudentColumns), "<row r=\"2\"/>")), RosterFormat.Xlsx));
    }

    [Fact]
    public async Task ReadAsync_EmptySheet_RejectsAsEmpty()
    {
        var ex = await RejectsAsync(Xlsx(Sheet()), RosterFormat.Xlsx);

        Assert.Equal(RosterErrors.Empty, ex.Title);
    }

    [Fact]
    public async Task ReadAsync_WorkbookWithoutWorksheet_Rejects()
    {
        var ex = await RejectsAsync(Xlsx([]), RosterFormat.Xlsx);

        Assert.Equal(RosterErrors.NoWorksheet, ex.Title);
    }

    [Fact]
    public async Task ReadAsync_ZipThatIsNotAWorkbook_Rejects()
    {
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            Write(zip, "readme.txt", "not a workbook");
        }

        ms.Position = 0;
        var ex = await RejectsAsync(ms, RosterFormat.Xlsx);

        Assert.Equal(RosterErrors.NotWorkbook, ex.Title);
        Assert.True(ex.Errors.ContainsKey("file"));
    }

    [Fact]
    public async Task ReadAsync_BytesThatAreNotAZip_RejectsAsNotAWorkbook()
    {
        var ex = await RejectsAsync(Text(StudentHeader), RosterFormat.Xlsx);

        Assert.Equal(RosterErrors.NotWorkbook, ex.Title);
    }

    [Fact]
    public async Task ReadAsync_SharedStringIndexOutOfRange_RejectsNamingTheRow()
    {
        var sheet = Sheet(HeaderRow(StudentColumns), Row(2, Inline("A2", "张三")), Row(3, Shared("A3", 5)));

        var ex = await RejectsAsync(Xlsx(sheet, SharedStrings("a")), RosterFormat.Xlsx);

        Assert.Equal(RosterErrors.Damaged, ex.Title);
        Assert.Contains("A3", Assert.Single(ex.Errors, e => e.Key == "row:3").Value[0].En);
    }

    [Fact]
    public async Task ReadAsync_TruncatedSheetXml_RejectsAsDamaged()
    {
        var sheet = Sheet(HeaderRow(StudentColumns), Row(2, Inline("A2", "张三")));

        var ex = await RejectsAsync(Xlsx(sheet[..^40]), RosterFormat.Xlsx);

        Assert.Equal(RosterErrors.Damaged, ex.Title);
    }

    [Fact]
    public async Task ReadAsync_ZipBomb_IsRejectedFromTheCentralDirectoryWithoutInflating()
    {
        const long size = 50L * 1024 * 1024;
        var bomb = Xlsx([""], writeFirstSheet: s =>
        {
            s.Write(Encoding.UTF8.GetBytes($"<worksheet xmlns=\"{MainNs}\"><sheetData>"));
            var spaces = new byte[1024 * 1024];
            Array.Fill(spaces, (byte)' ');
            for (var i = 0; i < size / spaces.Length; i++)
            {
                s.Write(spaces);
            }

            s.Write("</sheetData></worksheet>"u8);
        });
        long compressed;
        using (var zip = new ZipArchive(bomb, ZipArchiveMode.Read, leaveOpen: true))
        {
            var entry = zip.GetEntry("xl/worksheets/sheet1.xml")!;
            Assert.True(entry.Length > size);
            compressed = entry.CompressedLength;
        }

        var counting = new CountingStream(bomb);
        var ex = await RejectsAsync(counting, RosterFormat.Xlsx);

        Assert.Equal(RosterErrors.TooLarge, ex.Title);
        Assert.Contains("xl/worksheets/sheet1.xml", ex.Errors["file"][0].En);
        Assert.True(counting.BytesRead < compressed, $"read {counting.BytesRead} bytes of a {bomb.Length}-byte file whose sheet is {compressed} bytes compressed");
    }

    [Fact]
    public async Task ReadAsync_ZipUnderstatingASize_ReadsNoMoreThanDeclaredAndRejectsAsDamaged()
    {
        var rows = Enumerable.Range(2, 500).Select(r => Row(r, Inline($"A{r}", $"学生{r}"))).Prepend(HeaderRow(StudentColumns)).ToArray();
        var bytes = Xlsx(Sheet(rows)).ToArray();
        DeclareUncompressedSize(bytes, "xl/worksheets/sheet1.xml", 2000);

        var ex = await RejectsAsync(new MemoryStream(bytes), RosterFormat.Xlsx);

        Assert.Equal(RosterErrors.Damaged, ex.Title);
    }

    /// <summary>Rewrites the uncompressed size of an entry in its local header and in the central directory.</summary>
    private static void DeclareUncompressedSize(byte[] zip, string name, int size)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        for (var i = zip.AsSpan().IndexOf("PK\x01\x02"u8); i >= 0; i = NextCentral(zip, i + 4))
        {
            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(i + 28));
            if (zip.AsSpan(i + 46, nameLength).SequenceEqual(nameBytes))
            {
                BinaryPrimitives.WriteInt32LittleEndian(zip.AsSpan(i + 24), size);
                var local = BinaryPrimitives.ReadInt32LittleEndian(zip.AsSpan(i + 42));
                BinaryPrimitives.WriteInt32LittleEndian(zip.AsSpan(local + 22), size);
                return;
            }
        }

        throw new InvalidOperationException("entry not found");

        static int NextCentral(byte[] zip, int from)
        {
            var j = zip.AsSpan(from).IndexOf("PK\x01\x02"u8);
            return j < 0 ? -1 : from + j;
        }
    }
}
