using System.Text;
using EduRelief.Eligibility;
using EduRelief.Rosters;
using EduRelief.Accounts;
using EduRelief.Disbursement;
using Xunit;

namespace EduRelief.Tests.Disbursement;

/// <summary>
/// The payment file byte for byte, as the bank reads it: GB18030, the header, a row per payment quoted only where a field
/// holds a comma, quote or line break (spaces kept as they are), a text that starts like a formula prefixed with ',
/// and the trailer with the count and the total.
/// </summary>
public sealed class BankFilesTests
{
    [Fact]
    public void WritePaymentFile_PlainAndTrickyTexts_ExactGb18030Bytes()
    {
        BatchItem[] items =
        [
            new(1, "k1", "张三", IdNumber.FromStored("410726201503010012"), "4107260001", "第一小学", "living_subsidy", new Yuan(625m), false, null)
            {
                Account = new PayableAccount("张大山", "6217000011112222333", "中国农业银行延津县支行"),
            },
            new(2, "k2", "=李,\"四\"", IdNumber.FromStored("41072620150301002X"), "4107260002", "第二小学", "hs_grant", new Yuan(1000.5m), true, "补发"),
            new(3, "k3", " 𠀀王 ", IdNumber.FromStored("410726201503010039"), "4107260003", "第三小学", "preschool_aid", new Yuan(0.05m), false, null)
            {
                Account = new PayableAccount("@王五", "-6217", "延津\r\n支行"),
            },
        ];
        var expected =
            "序号,姓名,身份证号,资助项目,金额,学校标识码,账户名,账号,开户行\r\n"
            + "1,张三,410726201503010012,生活补助,625.00,4107260001,张大山,6217000011112222333,中国农业银行延津县支行\r\n"
            + "2,\"'=李,\"\"四\"\"\",41072620150301002X,普通高中助学金,1000.50,4107260002,,,\r\n"
            + "3, 𠀀王 ,410726201503010039,学前资助,0.05,4107260003,'@王五,'-6217,\"延津\r\n支行\"\r\n"
            + "合计,3,1625.55\r\n";

        var bytes = BankFiles.WritePaymentFile(items);

        Assert.Equal(Gb18030(expected), bytes);
    }

    [Fact]
    public void WritePaymentFile_NoItems_HeaderAndZeroTrailer() =>
        Assert.Equal(
            Gb18030("序号,姓名,身份证号,资助项目,金额,学校标识码,账户名,账号,开户行\r\n合计,0,0.00\r\n"),
            BankFiles.WritePaymentFile([]));

    [Fact]
    public void ParseResult_QuotingLineBreaksSpacesAndBlankLines_ReadsEachRecordWithItsRowNumber()
    {
        var text =
            " 原因 ,序号, 身份证号 ,金额,状态\n"
            + "\"账户已销户，\r\n请补卡\",1,410726201503010012,625.00,失败\r\n"
            + "\n"
            + "  \"他说\"\"好\"\"\"  ,2, 41072620150301002x ,375,成功\r"
            + "合计,2,1000.00";

        var (rows, errors) = BankFiles.ParseResult([.. Encoding.UTF8.Preamble, .. Encoding.UTF8.GetBytes(text)]);

        Assert.Empty(errors);
        Assert.Equal(
            [new BankResultRow(2, 1, "410726201503010012", new Yuan(625m), false, "账户已销户，\r\n请补卡"), new BankResultRow(4, 2, "41072620150301002X", new Yuan(375m), true, "他说\"好\"")],
            rows);
    }

    [Fact]
    public void ParseResult_GbkFile_ReadsTheChineseText()
    {
        var (rows, errors) = BankFiles.ParseResult(Gb18030("序号,身份证号,金额,状态,原因\r\n1,410726201503010012,625.00,失败,账户冻结\r\n合计,1,625.00\r\n"));

        Assert.Empty(errors);
        Assert.Equal("账户冻结", Assert.Single(rows).Reason);
    }

    [Fact]
    public void ParseResult_BadAmountAfterAQuotedLineBreakAndABlankLine_NamesTheRecordsRow()
    {
        var (rows, errors) = BankFiles.ParseResult(Encoding.UTF8.GetBytes(
            "序号,身份证号,金额,状态,原因\r\n1,410726201503010012,625.00,失败,\"一\r\n二\"\r\n\r\n2,410726201503010012,六百,成功\r\n"));

        Assert.Empty(rows);
        Assert.Equal(["row 4, 金额"], errors.Keys);
    }

    [Fact]
    public void ParseResult_NeitherUtf8NorGbkOrEmpty_NamesTheFile()
    {
        Assert.Equal(["file"], BankFiles.ParseResult([0x31, 0xFF, 0x0A]).Errors.Keys);
        Assert.Equal(["file"], BankFiles.ParseResult([]).Errors.Keys);
    }

    private static byte[] Gb18030(string text)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding("GB18030").GetBytes(text);
    }
}
