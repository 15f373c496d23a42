using EduRelief.Rosters;
using EduRelief.Rosters.Parsing;
using EduRelief.Hosting;

namespace EduRelief.Accounts;

/// <summary>One child's account as a file gives it: the person key (never the ID number), the normalised number and its validity.</summary>
public sealed record AccountLine(string PersonKey, string AccountNumber, string Holder, string Bank, bool Valid, int FileRow);

/// <summary>
/// What an accounts file holds: the kept line per child (a later row for the same child replaces an earlier one),
/// the counts <c>rows = valid + invalidAccount + duplicate</c>, and the rows that refuse the whole file.
/// </summary>
public sealed record AccountsFileContent(IReadOnlyList<AccountLine> Lines, int Rows, int Valid, int InvalidAccount, int Duplicate, IReadOnlyDictionary<string, Text[]> Errors)
{
    public bool Refused => Errors.Count > 0;
}

/// <summary>Reads an accounts registry file (DOMAIN "Accounts"): <c>身份证号, 账户名, 账号, 开户行</c>.</summary>
public static class AccountsFile
{
    /// <summary>How many refused rows an answer names; the rest are counted.</summary>
    public const int MaxNamedRows = 100;

    private static readonly int IdColumn = RosterSchema.IndexOf(RosterKind.Accounts, "身份证号");
    private static readonly int HolderColumn = RosterSchema.IndexOf(RosterKind.Accounts, "账户名");
    private static readonly int NumberColumn = RosterSchema.IndexOf(RosterKind.Accounts, "账号");
    private static readonly int BankColumn = RosterSchema.IndexOf(RosterKind.Accounts, "开户行");

    /// <summary>
    /// Every row must tie to a child: a row whose 身份证号 is not a valid ID number (birth date not after
    /// <paramref name="today"/>), or, when <paramref name="allowed"/> is given, whose child is not among those person
    /// keys (a school officer's own children), refuses the file, named by row. So does a cell that is far too long.
    /// </summary>
    public static async Task<AccountsFileContent> ReadAsync(IAsyncEnumerable<RosterRow> rows, DateOnly today, IReadOnlySet<string>? allowed, CancellationToken ct)
    {
        var kept = new Dictionary<string, AccountLine>(StringComparer.Ordinal);
        var errors = new Dictionary<string, Text[]>(StringComparer.Ordinal);
        var refused = 0;
        var count = 0;
        var duplicate = 0;
        await foreach (var row in rows.WithCancellation(ct))
        {
            count++;
            var problem = RosterSchema.LongCell(row, RosterKind.Accounts);
            var id = IdNumbers.Normalize(row[IdColumn]);
            var idProblem = IdNumbers.Validate(id, today);
            string? key = null;
            if (problem is null && idProblem != IdProblem.None)
            {
                var described = IdNumbers.Describe(idProblem);
                problem = new Text($"列“身份证号”：{described.Zh}；每一行都须以有效的身份证号指明学生", $"column 身份证号: {described.En}; every row must name a child by a valid ID number");
            }
            else if (problem is null)
            {
                key = PersonKeys.Of(id);
                if (allowed is not null && !allowed.Contains(key))
                {
                    problem = new Text("该学生不在本县最近一次已核验资助周期的本校名单中；其他学生的账户只能由教育局上传", "this child is not a student of your school in the county's latest verified cycle; only the bureau uploads other children's accounts");
                }
            }

            if (problem is not null)
            {
                if (++refused <= MaxNamedRows)
                {
                    errors[$"row:{row.RowNumber}"] = [problem];
                }

                continue;
            }

            var number = AccountRules.Normalize(row[NumberColumn]);
            var line = new AccountLine(key!, number, row[HolderColumn], row[BankColumn], AccountRules.IsValid(number), row.RowNumber);
            if (kept.Remove(key!))
            {
                duplicate++;
            }

            kept[key!] = line;
        }

        if (refused > MaxNamedRows)
        {
            errors["file"] = [new Text($"共 {refused} 行被拒收，仅列出前 {MaxNamedRows} 行。", $"{refused} rows are refused; the first {MaxNamedRows} are named.")];
        }

        var lines = kept.Values.OrderBy(l => l.FileRow).ToList();
        var valid = lines.Count(l => l.Valid);
        return new AccountsFileContent(lines, count, valid, lines.Count - valid, duplicate, errors);
    }
}
