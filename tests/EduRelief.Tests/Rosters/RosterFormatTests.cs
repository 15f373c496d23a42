using System.Text;
using EduRelief.Rosters.Parsing;
using Xunit;
using static EduRelief.Tests.Rosters.RosterFiles;

namespace EduRelief.Tests.Rosters;

public sealed class RosterFormatTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("text/csv")]
    [InlineData(RosterReader.XlsxContentType)]
    [InlineData("application/octet-stream")]
    public void DetectFormat_ZipBytes_IsXlsxWhateverTheContentType(string? contentType)
    {
        Assert.Equal(RosterFormat.Xlsx, RosterReader.DetectFormat("PK\x03\x04\x14\x00\x06\x00"u8, contentType));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("text/csv; charset=gbk")]
    [InlineData("application/vnd.ms-excel")] // what browsers on Windows send for .csv
    public void DetectFormat_Text_IsCsv(string? contentType)
    {
        Assert.Equal(RosterFormat.Csv, RosterReader.DetectFormat(Encoding.UTF8.GetBytes(StudentHeader + "\r\n张三,1\r\n"), contentType));
        Assert.Equal(RosterFormat.Csv, RosterReader.DetectFormat(Gb18030.GetBytes(StudentHeader + "\r\n张三,1\r\n"), contentType));
    }

    [Fact]
    public void DetectFormat_EmptyFile_IsCsvSoTheReaderReportsItEmpty()
    {
        Assert.Equal(RosterFormat.Csv, RosterReader.DetectFormat([], null));
    }

    [Theory]
    [InlineData(RosterReader.XlsxContentType)]
    [InlineData("Application/VND.openxmlformats-officedocument.spreadsheetml.sheet; name=\"名单.xlsx\"")]
    public void DetectFormat_XlsxContentTypeOnText_IsNotAWorkbook(string contentType)
    {
        var ex = Assert.Throws<RosterFileException>(() => RosterReader.DetectFormat(Encoding.UTF8.GetBytes(StudentHeader), contentType));

        Assert.Equal(RosterErrors.NotWorkbook, ex.Title);
        Assert.True(ex.Errors.ContainsKey("file"));
    }

    [Fact]
    public void DetectFormat_NulBytes_IsNotAText()
    {
        var bytes = Encoding.UTF8.GetBytes(StudentHeader + "\n\0\0\0");

        Assert.Equal(RosterErrors.NotText, Assert.Throws<RosterFileException>(() => RosterReader.DetectFormat(bytes, "text/csv")).Title);
    }

    [Fact]
    public void DetectFormat_RandomBinary_IsNotAText()
    {
        var bytes = new byte[8192];
        new Random(42).NextBytes(bytes);

        Assert.Equal(RosterErrors.NotText, Assert.Throws<RosterFileException>(() => RosterReader.DetectFormat(bytes, null)).Title);
    }

    [Fact]
    public void DetectFormat_ControlBytesWithoutNul_IsNotAText()
    {
        var bytes = Enumerable.Range(0, 600).Select(i => (byte)(i % 3 == 0 ? 0x01 : 'a')).ToArray();

        Assert.Equal(RosterErrors.NotText, Assert.Throws<RosterFileException>(() => RosterReader.DetectFormat(bytes, null)).Title);
    }

    [Fact]
    public void DetectFormat_OneStrayControlByteInALongFile_IsStillCsv()
    {
        var bytes = Encoding.UTF8.GetBytes(StudentHeader + "\n张三,410726200901011239\n\u001A"); // a DOS end-of-file mark

        Assert.Equal(RosterFormat.Csv, RosterReader.DetectFormat(bytes, null));
    }

    [Fact]
    public void DetectFormat_Utf16Text_IsNotATextWeRead()
    {
        var bytes = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(StudentHeader)).ToArray();

        var ex = Assert.Throws<RosterFileException>(() => RosterReader.DetectFormat(bytes, "text/csv"));

        Assert.Contains("UTF-16", ex.Errors["file"][0].En);
    }

    [Fact]
    public void DetectFormat_OldExcelWorkbook_IsNotText()
    {
        byte[] bytes = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0];

        var ex = Assert.Throws<RosterFileException>(() => RosterReader.DetectFormat(bytes, "application/vnd.ms-excel"));

        Assert.Contains(".xls", ex.Errors["file"][0].En);
    }

    [Fact]
    public async Task DetectFormatAsync_Stream_SniffsAndRewinds()
    {
        var stream = Text(StudentHeader + "\n张三,1\n");
        stream.Position = 5;

        Assert.Equal(RosterFormat.Csv, await RosterReader.DetectFormatAsync(stream, "text/csv", CancellationToken.None));
        Assert.Equal(0, stream.Position);
        Assert.Equal(RosterFormat.Xlsx, await RosterReader.DetectFormatAsync(Xlsx(Sheet()), null, CancellationToken.None));
    }

    [Fact]
    public void Columns_EachKind_AreTheDomainHeadersInOrder()
    {
        Assert.Equal(StudentHeader.Split(','), RosterSchema.Columns(RosterKind.Students));
        Assert.Equal(PovertyHeader.Split(','), RosterSchema.Columns(RosterKind.Poverty));
        Assert.Equal(1, RosterSchema.IndexOf(RosterKind.Students, "身份证号"));
        Assert.Equal(3, RosterSchema.IndexOf(RosterKind.Poverty, "身份证号"));
    }
}
