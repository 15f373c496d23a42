using System.Text;
using EduRelief.Rosters;
using EduRelief.Rosters.Parsing;
using EduRelief.Tests.Disbursement;

namespace EduRelief.Tests.Accounts;

/// <summary>Accounts files as a county would assemble them for its tests: one account per registered person.</summary>
public static class AccountsFiles
{
    /// <summary>
    /// A GBK accounts CSV with a valid card in each registered person's own name (as the registry spells it) for every
    /// row of <paramref name="povertyCsv"/> whose ID number is valid: every child who can become eligible can be paid.
    /// </summary>
    public static async Task<byte[]> ForRegistryAsync(byte[] povertyCsv, DateOnly cycleCreated)
    {
        using var stream = new MemoryStream(povertyCsv);
        var text = new StringBuilder("身份证号,账户名,账号,开户行\r\n");
        var id = RosterSchema.IndexOf(RosterKind.Poverty, "身份证号");
        var name = RosterSchema.IndexOf(RosterKind.Poverty, "姓名");
        var n = 0;
        await foreach (var row in RosterReader.ReadAsync(stream, RosterFormat.Csv, RosterKind.Poverty, CancellationToken.None))
        {
            var number = IdNumbers.Normalize(row[id]);
            if (IdNumbers.Validate(number, cycleCreated) == IdProblem.None && !row[name].Contains(',', StringComparison.Ordinal))
            {
                text.Append(number).Append(',').Append(row[name]).Append(',').Append(FakeAccountsRegistry.CardNumber(++n)).Append(",中国农业银行延津县支行\r\n");
            }
        }

        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding("GB18030").GetBytes(text.ToString());
    }
}
