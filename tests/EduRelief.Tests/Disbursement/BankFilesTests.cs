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

    private static byte[] Gb18030(string text)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding("GB18030").GetBytes(text);
    }
}
